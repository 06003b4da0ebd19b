"""Helpers shared by the voice-interface tests (models, NLU, dialog, package)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from functools import cache
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
MODELS_DIR = REPO / "interaction_models"
SOURCES_DIR = MODELS_DIR / "sources"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
# Development annotation sets (tuned on) and held-out rounds (never tuned on): tests/nlu_heldout/README.md
DEV_SET = REPO / "tests" / "nlu" / "annotations.csv"
DEV_LOCALE_SET = REPO / "tests" / "nlu" / "annotations_locales.csv"
HELDOUT_DIR = REPO / "tests" / "nlu_heldout"


@cache
def load_build_models():
    spec = importlib.util.spec_from_file_location("build_models", MODELS_DIR / "build_models.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_models"] = module  # dataclasses look their module up while the class is made
    spec.loader.exec_module(module)
    return module


def load_model(locale: str) -> dict:
    return json.loads((MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8"))


def run_backcare(*args: str, stdin: str | None = None, timeout: float = 120,
                 cwd: Path = REPO) -> subprocess.CompletedProcess:
    """Run the real `backcare` command line (python -m backcare) in a subprocess."""
    env = dict(os.environ)
    return subprocess.run(
        [sys.executable, "-m", "backcare_tools", *args],
        input=stdin, capture_output=True, text=True, timeout=timeout, cwd=cwd, env=env, check=False,
    )
