"""Fixtures for the deployment tests: the Lambda runtime's Python, the SAM CLI, Node for ask-cli."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from support import ROOT

RUNTIME_VERSION = (3, 13)  # template.yaml's Runtime: python3.13
SAM = ROOT / ".venv-sam" / "bin" / "sam"


def _is_runtime_python(candidate: str) -> bool:
    try:
        done = subprocess.run([candidate, "-c", "import sys; print(sys.version_info[:2])"],
                              capture_output=True, text=True, timeout=30, check=False)
    except OSError:
        return False
    return done.returncode == 0 and done.stdout.strip() == str(RUNTIME_VERSION)


def find_runtime_python() -> Path | None:
    """A python3.13: $BACKCARE_RUNTIME_PYTHON, python3.13 on the PATH, or a pyenv 3.13 (the shim
    on the PATH fails when 3.13 is installed but not selected, so each candidate is run)."""
    name = "python{}.{}".format(*RUNTIME_VERSION)
    candidates = [os.environ.get("BACKCARE_RUNTIME_PYTHON", "")]
    candidates += [str(Path(d) / name) for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    candidates += sorted(str(p) for p in (Path.home() / ".pyenv" / "versions").glob(
        "{}.{}*/bin/".format(*RUNTIME_VERSION) + name))
    for candidate in candidates:
        if candidate and Path(candidate).exists() and _is_runtime_python(candidate):
            return Path(candidate)
    return None


@pytest.fixture(scope="session")
def runtime_python() -> Path:
    found = find_runtime_python()
    if found is None:
        pytest.fail("no Python {}.{} found: the built function must run on the Lambda runtime's Python. "
                    "Install it (pyenv install 3.13, or Debian's python3.13) or set BACKCARE_RUNTIME_PYTHON"
                    .format(*RUNTIME_VERSION))
    return found


@pytest.fixture(scope="session")
def sam() -> str:
    if not SAM.exists():
        pytest.fail(f"aws-sam-cli is missing at {SAM}: run scripts/bootstrap.sh test")
    return str(SAM)
