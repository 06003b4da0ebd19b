// Reads an ASK CLI project the way `ask deploy` does, with ask-cli's own modules, offline.
// Usage (from the project folder): node ask_cli_probe.js ASK_CLI_DIST_LIB PROFILE
// Prints one JSON object: what ask-cli found (skill id, package location, manifest, zip entries).
"use strict";
const path = require("path");
const fs = require("fs");

const [lib, profile] = process.argv.slice(2);
const ResourcesConfig = require(path.join(lib, "model", "resources-config"));
const Manifest = require(path.join(lib, "model", "manifest"));
const SkillMetadataController = require(path.join(lib, "controllers", "skill-metadata-controller"));
const hashUtils = require(path.join(lib, "utils", "hash-utils"));
const zipUtils = require(path.join(lib, "utils", "zip-utils"));
const AdmZip = require(require.resolve("adm-zip", {paths: [lib]}));

// As DeployCommand.handle and _initiateManifestModel do.
new ResourcesConfig(path.join(process.cwd(), "ask-resources.json"));
const config = ResourcesConfig.getInstance();
const src = config.getSkillMetaSrc(profile);
const result = {skillId: config.getSkillId(profile) || null, src, srcExists: fs.existsSync(src)};
new Manifest(path.join(src, "skill.json"));
const manifest = Manifest.getInstance();
result.skillName = manifest.getSkillName();
result.locales = Object.keys(manifest.getPublishingLocales()).sort();
result.endpoints = {};
for (const region of ["default", "NA", "EU", "FE"]) {
  const endpoint = manifest.getApisEndpointByDomainRegion("custom", region);
  if (endpoint) result.endpoints[region] = endpoint.uri;
}
result.eventSubscriptions = (manifest.getEventsSubscriptions() || []).map((e) => e.eventName).sort();
result.hasIconFileUri = manifest.hasIconFileUri();
try {
  // The check `ask deploy` runs before enabling the skill (needs exactly one API domain).
  SkillMetadataController.prototype.validateDomain.call({});
  result.domainValid = true;
} catch (error) {
  result.domainValid = false;
  result.domainError = String(error.message || error);
}
hashUtils.getHash(src, (hashError, hash) => {
  result.hash = hashError ? null : hash;
  // The zip `ask deploy` uploads to SMAPI.
  zipUtils.createTempZip(src, (zipError, zipPath) => {
    if (zipError) {
      result.zipError = String(zipError);
    } else {
      result.zipEntries = new AdmZip(zipPath).getEntries().map((e) => e.entryName).filter((n) => !n.endsWith("/")).sort();
      fs.unlinkSync(zipPath);
    }
    process.stdout.write(JSON.stringify(result) + "\n");
  });
});
