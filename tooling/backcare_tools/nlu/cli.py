"""`backcare nlu "utterance" [--locale L]`: one JSON object, {"intent": NAME, "slots": {SLOT: VALUE}}."""

from __future__ import annotations

import argparse
import json
import sys

from backcare_tools.nlu import LOCALES, load_nlu


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare nlu", description="Resolve an utterance to intent and slots.")
    parser.add_argument("utterance", nargs="+", help="what the user says")
    parser.add_argument("--locale", default="en-US", choices=LOCALES)
    parser.add_argument("--models", help="directory with <locale>.json (default: interaction_models/)")
    parser.add_argument("--explain", action="store_true",
                        help="also print the confidence and why (the precedence rule that decided)")
    args = parser.parse_args(argv)
    result = load_nlu(args.locale, args.models).resolve(" ".join(args.utterance))
    output = result.to_json()
    if args.explain:
        output["confidence"] = round(result.confidence, 3)
        output["reason"] = result.reason
    json.dump(output, sys.stdout)
    sys.stdout.write("\n")
    return 0
