"""A local stand-in for Alexa's NLU, learned from the interaction models at build time.

    from backcare_tools.nlu import load_nlu
    load_nlu("en-GB").resolve("no, but my legs have gone weak").to_json()
    # {"intent": "ReportSymptomIntent", "slots": {"symptom": "both_legs"}}

text.py normalises; data.py turns a model into training examples; learn.py trains (and caches)
the intent and slot-value classifiers; resolve.py applies them with the safety-first
precedence; cli.py is `backcare nlu`. Local tooling only: the Lambda never imports it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from backcare_tools.nlu.data import read_model
from backcare_tools.nlu.learn import load_or_train
from backcare_tools.nlu.resolve import FALLBACK, LAUNCH, REPORT, Nlu, Resolution, SlotValue
from backcare_tools.nlu.text import normalise, strip_fillers
from backcare_tools.paths import models_dir

LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")

__all__ = ["FALLBACK", "LAUNCH", "LOCALES", "REPORT", "Nlu", "Resolution", "SlotValue", "load_nlu", "main",
           "normalise", "strip_fillers"]


@cache
def load_nlu(locale: str = "en-US", directory: str | None = None) -> Nlu:
    """The NLU for one locale, learned once per process (and cached on disk between processes)."""
    path = Path(directory) if directory else models_dir()
    data = read_model(json.loads((path / f"{locale}.json").read_text(encoding="utf-8")))
    return Nlu(data, load_or_train(data), locale=locale)


def main(argv: list[str]) -> int:
    from backcare_tools.nlu.cli import main as cli_main

    return cli_main(argv)
