"""`backcare package`: the ASK CLI project and skill package, ready for `ask deploy`.

The ASK CLI project is the checkout's root (askproject.py): `ask-resources.json` and
`.ask/ask-states.json` there, the package in `build/skill-package/`:

    build/skill-package/skill.json                               skill/skill.json + endpoints, URLs, icons
    build/skill-package/interactionModels/custom/<locale>.json   interaction_models/<locale>.json
    build/skill-package/assets/images/icon-108.png, icon-512.png skill/icons/ (from skill/icon.svg)

Where the skill's endpoint comes from (one of, required):
    --first-deploy          no endpoint and no events: creates the skill before the function exists
    --from-stacks           each deployed regional stack's SkillEndpointArn (samconfig.toml environments)
    --endpoint ARN          one endpoint; --region-endpoint EU=ARN (repeatable) adds regional ones

Then, from the checkout's root: `ask deploy --target skill-metadata` (scripts/deploy.sh runs the
whole sequence). --skill-id records an existing skill's id where ask-cli reads it. --submission
builds the package for certification and refuses it unless every certification rule holds (real
privacy policy and terms URLs, never example.com; icons; endpoints; example phrases). --name-free
declares CanFulfillIntentRequest (only once Amazon has made the skill eligible). Local tooling only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any

from backcare_tools import askproject, icons, manifest_rules
from backcare_tools import manifest as mf
from backcare_tools.paths import ProjectNotFound, project_dir

ICONS_IN_PACKAGE = {"small": "assets/images/icon-108.png", "large": "assets/images/icon-512.png"}
URL_SETTINGS = {"privacy_policy_url": "BACKCARE_PRIVACY_POLICY_URL", "terms_of_use_url": "BACKCARE_TERMS_OF_USE_URL"}


class PackageRefused(ValueError):
    """The package breaks the rules it is checked against (nothing was written)."""


def publishing_settings(repo: Path, overrides: dict[str, str | None]) -> dict[str, str]:
    """skill/publishing.toml, then environment variables, then command-line options."""
    path = repo / "skill" / "publishing.toml"
    settings = tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    result = {}
    for key, variable in URL_SETTINGS.items():
        value = overrides.get(key) or os.environ.get(variable) or settings.get(key) or ""
        result[key] = value.strip()
    return result


def build_manifest(repo: Path, *, endpoints: dict[str, str] | None, urls: dict[str, str],
                   name_free: bool = False) -> dict[str, Any]:
    """The manifest to deploy: endpoints (None: the first deploy's manifest), URLs and icons."""
    manifest = json.loads((repo / "skill" / "skill.json").read_text(encoding="utf-8"))
    manifest = mf.with_endpoints(manifest, endpoints) if endpoints else mf.without_endpoints(manifest)
    manifest = mf.with_documents(manifest, urls["privacy_policy_url"], urls["terms_of_use_url"])
    manifest = mf.with_icons(manifest, *(f"file://{ICONS_IN_PACKAGE[k]}" for k in ("small", "large")))
    return mf.with_name_free(manifest) if name_free else manifest


def read_models(repo: Path, locales: list[str]) -> dict[str, dict[str, Any]]:
    models = {}
    for locale in locales:
        path = repo / "interaction_models" / f"{locale}.json"
        if not path.exists():
            raise FileNotFoundError(f"no interaction model for {locale}: {path}")
        models[locale] = json.loads(path.read_text(encoding="utf-8"))  # refuse to package broken JSON
    return models


def stage_package(project: Path, repo: Path, manifest: dict[str, Any], models: dict[str, dict[str, Any]]) -> Path:
    """Write the package beside its final place (build/skill-package.new)."""
    staging = project / askproject.PACKAGE_DIR.with_name(askproject.PACKAGE_DIR.name + ".new")
    if staging.exists():
        shutil.rmtree(staging)
    custom = staging / "interactionModels" / "custom"
    custom.mkdir(parents=True)
    (staging / "skill.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for locale in models:
        shutil.copyfile(repo / "interaction_models" / f"{locale}.json", custom / f"{locale}.json")
    for kind, size in icons.SIZES.items():
        source = icons.icon_path(repo, size)
        if source.exists():
            target = staging / ICONS_IN_PACKAGE[kind]
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
    return staging


def build(repo: Path, project: Path, *, endpoints: dict[str, str] | None, urls: dict[str, str], profile: str,
          skill_id: str | None = None, submission: bool = False, name_free: bool = False) -> tuple[Path, list[str]]:
    """Check, then write the package and the ASK CLI project files. Returns (package, notes).

    Raises PackageRefused, leaving any earlier package in place, if a rule is broken."""
    manifest = build_manifest(repo, endpoints=endpoints, urls=urls, name_free=name_free)
    models = read_models(repo, mf.locales(manifest))
    problems = manifest_rules.schema_problems(manifest)
    if problems:
        raise PackageRefused("the manifest breaks SMAPI's rules:\n  " + "\n  ".join(problems))
    staging = stage_package(project, repo, manifest, models)
    certification = manifest_rules.certification_problems(manifest, models, staging)
    if submission and certification:
        shutil.rmtree(staging)
        raise PackageRefused("not a package for certification:\n  " + "\n  ".join(certification))
    package = project / askproject.PACKAGE_DIR
    if package.exists():
        shutil.rmtree(package)  # nothing stale (a dropped locale) may be deployed
    staging.rename(package)
    askproject.write_resources(project, profile)
    notes = [] if submission else [f"before submission: {p}" for p in certification]
    if skill_id:
        replaced = askproject.record_skill_id(project, profile, skill_id)
        if replaced:
            notes.append(f"replaced skill id {replaced} with {skill_id} in {askproject.STATES_FILE}")
    return package, notes


def parse_endpoints(args: argparse.Namespace, repo: Path) -> tuple[dict[str, str] | None, list[str]]:
    chosen = [bool(args.first_deploy), bool(args.from_stacks), bool(args.endpoint)]
    if sum(chosen) != 1:
        raise ValueError("say where the endpoint comes from: --first-deploy (no endpoint yet), "
                         "--from-stacks (the deployed regional stacks) or --endpoint ARN")
    if args.region_endpoint and not args.endpoint:
        raise ValueError("--region-endpoint needs --endpoint (the default endpoint)")
    if args.first_deploy:
        return None, []
    if args.from_stacks:
        from backcare_tools.stacks import endpoints_from_stacks

        return endpoints_from_stacks(repo, args.regions.split(",") if args.regions else None)
    endpoints = {"default": args.endpoint}
    for item in args.region_endpoint:
        code, _, arn = item.partition("=")
        if not arn:
            raise ValueError(f"--region-endpoint {item!r}: use REGION=ARN, REGION one of NA, EU, FE")
        endpoints[code.strip().upper()] = arn.strip()
    return endpoints, []


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="backcare package", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--first-deploy", action="store_true", help="no endpoint and no events (creates the skill)")
    p.add_argument("--from-stacks", action="store_true", help="endpoints from the deployed regional stacks")
    p.add_argument("--regions", help="with --from-stacks: only these samconfig environments (comma-separated)")
    p.add_argument("--endpoint", help="the default endpoint: a Lambda ARN (the stack's SkillEndpointArn)")
    p.add_argument("--region-endpoint", action="append", default=[], metavar="REGION=ARN",
                   help="a regional endpoint (NA, EU, FE); repeatable")
    p.add_argument("--skill-id", help="record this existing skill's id in .ask/ask-states.json")
    p.add_argument("--profile", default="default", help="ASK CLI profile (default: default)")
    p.add_argument("--privacy-policy-url", help="overrides skill/publishing.toml and BACKCARE_PRIVACY_POLICY_URL")
    p.add_argument("--terms-of-use-url", help="overrides skill/publishing.toml and BACKCARE_TERMS_OF_USE_URL")
    p.add_argument("--submission", action="store_true", help="refuse anything that would fail certification")
    p.add_argument("--name-free", action="store_true", help="declare CanFulfillIntentRequest (name-free interaction)")
    p.add_argument("--project", type=Path, help="the ASK CLI project folder (default: the checkout's root)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    try:
        repo = project_dir()
        project = args.project or repo
        if args.submission and args.first_deploy:
            raise ValueError("a first-deploy package (no endpoint, no events) cannot be submitted")
        endpoints, notes = parse_endpoints(args, repo)
        urls = publishing_settings(repo, {"privacy_policy_url": args.privacy_policy_url,
                                          "terms_of_use_url": args.terms_of_use_url})
        package, more = build(repo, project, endpoints=endpoints, urls=urls, profile=args.profile,
                              skill_id=args.skill_id, submission=args.submission, name_free=args.name_free)
    except (OSError, ValueError, ProjectNotFound) as error:
        print(f"backcare package: {error}", file=sys.stderr)
        return 1
    for note in notes + more:
        print(f"note: {note}", file=sys.stderr)
    print(f"wrote {package} and {project / askproject.RESOURCES_FILE}")
    existing = askproject.skill_id(project, args.profile)
    target = f"skill {existing}" if existing else "a NEW skill (no skill id in .ask/ask-states.json)"
    kind = "first-deploy package (no endpoint, no events)" if endpoints is None else "package"
    print(f"{kind}; `ask deploy` will update {target}")
    print(f"next: cd {project} && ask deploy --target skill-metadata --profile {args.profile}")
    return 0
