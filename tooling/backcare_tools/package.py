"""`backcare package`: write an ASK CLI skill package and its ask-resources.json.

    build/
      ask-resources.json                      profile "default": skillMetadata ./skill-package
      skill-package/skill.json                from skill/skill.json (endpoint optionally replaced)
      skill-package/interactionModels/custom/<locale>.json   from interaction_models/

`cd build && ask deploy` then uploads the manifest and the five models. The Lambda itself is
deployed with SAM (template.yaml); pass its ARN with --endpoint (or BACKCARE_LAMBDA_ARN) so the
manifest points at it. Local tooling only.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Any

from backcare_tools.paths import ProjectNotFound, project_dir

PLACEHOLDER_ACCOUNT = ":000000000000:"
RESOURCES_VERSION = "2020-03-31"


def with_endpoint(manifest: dict[str, Any], arn: str) -> dict[str, Any]:
    """The manifest with the custom API endpoint and the events endpoint set to `arn`."""
    manifest = json.loads(json.dumps(manifest))
    body = manifest["manifest"]
    body["apis"]["custom"]["endpoint"] = {"uri": arn}
    if "events" in body:
        body["events"]["endpoint"] = {"uri": arn}
    return manifest


def ask_resources(profile: str, skill_id: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {"skillMetadata": {"src": "./skill-package"}}
    if skill_id:
        config = {"skillId": skill_id, **config}
    return {"askcliResourcesVersion": RESOURCES_VERSION, "profiles": {profile: config}}


def build_package(out: Path, *, repo: Path | None = None, endpoint: str | None = None, profile: str = "default",
                  skill_id: str | None = None) -> list[Path]:
    """Write the package into `out` (replacing an earlier skill-package there); return the files."""
    repo = repo or project_dir()
    manifest = json.loads((repo / "skill" / "skill.json").read_text(encoding="utf-8"))
    if endpoint:
        manifest = with_endpoint(manifest, endpoint)
    locales = sorted(manifest["manifest"]["publishingInformation"]["locales"])
    models = {loc: repo / "interaction_models" / f"{loc}.json" for loc in locales}
    missing = [str(p) for p in models.values() if not p.exists()]
    if missing:
        raise FileNotFoundError(f"no interaction model for: {', '.join(missing)}")

    package = out / "skill-package"
    if package.exists():
        shutil.rmtree(package)
    custom = package / "interactionModels" / "custom"
    custom.mkdir(parents=True)
    written = [package / "skill.json"]
    written[0].write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    for locale, source in models.items():
        json.loads(source.read_text(encoding="utf-8"))  # refuse to package broken JSON
        target = custom / f"{locale}.json"
        shutil.copyfile(source, target)
        written.append(target)
    resources = out / "ask-resources.json"
    resources.write_text(json.dumps(ask_resources(profile, skill_id), indent=2) + "\n", encoding="utf-8")
    written.append(resources)
    return written


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare package", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=None, help="output folder (default: build/ in the checkout)")
    parser.add_argument("--endpoint", default=os.environ.get("BACKCARE_LAMBDA_ARN"),
                        help="the deployed Lambda ARN (default: $BACKCARE_LAMBDA_ARN, else skill.json's)")
    parser.add_argument("--profile", default="default", help="ASK CLI profile name in ask-resources.json")
    parser.add_argument("--skill-id", default=os.environ.get("SKILL_ID"),
                        help="an existing skill id to update (default: $SKILL_ID; none creates a new skill)")
    args = parser.parse_args(argv)
    try:
        args.out = args.out or project_dir() / "build"
        files = build_package(args.out, endpoint=args.endpoint, profile=args.profile, skill_id=args.skill_id)
    except (OSError, ValueError, ProjectNotFound) as error:
        print(f"backcare package: {error}", file=sys.stderr)
        return 1
    for path in files:
        print(f"wrote {path}")
    manifest = json.loads(files[0].read_text(encoding="utf-8"))
    if PLACEHOLDER_ACCOUNT in manifest["manifest"]["apis"]["custom"]["endpoint"]["uri"]:
        print("note: the endpoint is still the placeholder Lambda ARN; pass --endpoint ARN "
              "(the SAM stack's function ARN) before `ask deploy`", file=sys.stderr)
    print(f"next: cd {args.out} && ask deploy --profile {args.profile}")
    return 0
