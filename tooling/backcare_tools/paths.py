"""Where the tooling finds the project's files (interaction models, skill manifest, events).

The tooling is installed as a package, so it never derives the checkout from its own file
location. The project directory is `BACKCARE_PROJECT_DIR` when set, otherwise the nearest
directory at or above the current one that holds both `skill/skill.json` and
`interaction_models/`. Commands that read one of these folders also take an explicit path.
"""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ENV = "BACKCARE_PROJECT_DIR"


class ProjectNotFound(RuntimeError):
    """Raised when no Back Care Coach checkout can be found."""


def _is_project(folder: Path) -> bool:
    return (folder / "skill" / "skill.json").is_file() and (folder / "interaction_models").is_dir()


def project_dir(start: Path | None = None) -> Path:
    configured = os.environ.get(PROJECT_ENV)
    if configured:
        folder = Path(configured).expanduser().resolve()
        if not _is_project(folder):
            raise ProjectNotFound(f"{PROJECT_ENV}={configured} is not a Back Care Coach checkout "
                                  "(no skill/skill.json and interaction_models/ there)")
        return folder
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if _is_project(folder):
            return folder
    raise ProjectNotFound(f"no Back Care Coach checkout at or above {here}: run this from the "
                          f"checkout, or set {PROJECT_ENV}")


def models_dir() -> Path:
    """The committed interaction models (BACKCARE_MODELS_DIR overrides, for tests)."""
    if os.environ.get("BACKCARE_MODELS_DIR"):
        return Path(os.environ["BACKCARE_MODELS_DIR"])
    return project_dir() / "interaction_models"


def skill_dir() -> Path:
    return project_dir() / "skill"


def events_dir() -> Path:
    return project_dir() / "events"
