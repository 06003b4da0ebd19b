"""The ASK CLI project at the root of the checkout, and `backcare skill-id`.

ask-cli (2.x) treats the folder holding `ask-resources.json` as the project: it reads the skill
package's location from `ask-resources.json` and the skill's id from `.ask/ask-states.json` (and
from nowhere else: without an id there, `ask deploy` creates a new skill). Both files sit at the
root of the checkout, beside `build/`, so `make clean` (which deletes build/) keeps the skill id;
both are per developer and git-ignored. `backcare package` writes the skill package into
`build/skill-package/` and these two files; `ask deploy` runs from the checkout's root.

    backcare skill-id                  print the skill id ask-cli will update (profile "default")
    backcare skill-id --set ID         record an existing skill's id (a skill made in the console)
    backcare skill-id --profile NAME   the same for another ASK CLI profile
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from backcare_tools.paths import ProjectNotFound, project_dir

RESOURCES_FILE = "ask-resources.json"
STATES_FILE = Path(".ask") / "ask-states.json"
FILES_VERSION = "2020-03-31"  # askcliResourcesVersion / askcliStatesVersion of ask-cli 2.x
PACKAGE_DIR = Path("build") / "skill-package"
SKILL_ID = re.compile(r"amzn1\.ask\.skill\.[0-9A-Za-z-]+")


def _read(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        content = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error}): fix or delete it") from error
    if not isinstance(content, dict):
        raise ValueError(f"{path} does not hold a JSON object")
    return content


def _write(path: Path, content: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, indent=2) + "\n", encoding="utf-8")


def write_resources(project: Path, profile: str) -> Path:
    """Point `profile` in ask-resources.json at build/skill-package (other profiles and keys kept)."""
    path = project / RESOURCES_FILE
    resources = _read(path)
    resources.setdefault("askcliResourcesVersion", FILES_VERSION)
    entry = resources.setdefault("profiles", {}).setdefault(profile, {})
    entry.setdefault("skillMetadata", {})["src"] = f"./{PACKAGE_DIR.as_posix()}"
    _write(path, resources)
    return path


def skill_id(project: Path, profile: str) -> str | None:
    """The skill id ask-cli will use for `profile`, or None (ask deploy would create a skill)."""
    states = _read(project / STATES_FILE)
    found = states.get("profiles", {}).get(profile, {}).get("skillId")
    return found or None


def record_skill_id(project: Path, profile: str, new_id: str) -> str | None:
    """Store `new_id` for `profile` in .ask/ask-states.json; return the id it replaces, if any.

    A different skill's last deploy hash is dropped, so ask-cli uploads the package to the new one."""
    if not SKILL_ID.fullmatch(new_id):
        raise ValueError(f"{new_id!r} is not a skill id (amzn1.ask.skill.…)")
    path = project / STATES_FILE
    states = _read(path)
    states.setdefault("askcliStatesVersion", FILES_VERSION)
    entry = states.setdefault("profiles", {}).setdefault(profile, {})
    previous = entry.get("skillId")
    if previous and previous != new_id:
        entry.get("skillMetadata", {}).pop("lastDeployHash", None)
    entry["skillId"] = new_id
    _write(path, states)
    return previous if previous != new_id else None


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare skill-id", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--profile", default="default", help="ASK CLI profile (default: default)")
    parser.add_argument("--set", dest="new_id", metavar="SKILL_ID", help="record this existing skill's id")
    parser.add_argument("--project", type=Path, default=None, help="ASK CLI project folder (default: the checkout)")
    args = parser.parse_args(argv)
    try:
        project = args.project or project_dir()
        if args.new_id:
            replaced = record_skill_id(project, args.profile, args.new_id)
            if replaced:
                print(f"backcare skill-id: replaced {replaced} with {args.new_id} for profile {args.profile}",
                      file=sys.stderr)
            print(args.new_id)
            return 0
        found = skill_id(project, args.profile)
    except (OSError, ValueError, ProjectNotFound) as error:
        print(f"backcare skill-id: {error}", file=sys.stderr)
        return 1
    if not found:
        print(f"backcare skill-id: no skill id for profile {args.profile} in {project / STATES_FILE} "
              "(`ask deploy` would create a new skill)", file=sys.stderr)
        return 1
    print(found)
    return 0
