"""`backcare invoke EVENT.json`: run one envelope through the real lambda_handler and print
the response (the Docker-free equivalent of `sam local invoke -e EVENT.json`)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from backcare.content import strip_ssml


def load_lambda_handler(clock=None):
    """The handler lambda/lambda_function.py builds (the same three calls), here from the
    installed package, optionally wired to an emulated clock."""
    from backcare.config import Config
    from backcare.logging_setup import configure
    from backcare.skill import build_skill, make_lambda_handler

    config = Config.from_env()
    configure(config.log_level)
    return make_lambda_handler(build_skill(config, clock=clock))


def summary(response: dict[str, Any]) -> str:
    """What a person would hear and see, in plain words."""
    body = response.get("response") or {}
    lines = []
    speech = (body.get("outputSpeech") or {}).get("ssml") or (body.get("outputSpeech") or {}).get("text")
    if speech:
        lines.append(f"Alexa: {strip_ssml(speech)}")
    reprompt = ((body.get("reprompt") or {}).get("outputSpeech") or {}).get("ssml")
    if reprompt:
        lines.append(f"  (reprompt) {strip_ssml(reprompt)}")
    card = body.get("card")
    if card:
        lines.append(f"  [card] {card.get('title', '')}: {card.get('content') or card.get('text') or ''}")
    for directive in body.get("directives") or []:
        lines.append(f"  [directive] {directive.get('type')} {directive.get('name', '')}".rstrip())
    lines.append("  (session ends)" if body.get("shouldEndSession") else "  (listening)")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare invoke", description=__doc__)
    parser.add_argument("event", type=Path, help="request envelope (JSON), e.g. events/launch.json")
    parser.add_argument("--raw", action="store_true", help="print only the response JSON")
    args = parser.parse_args(argv)
    try:
        event = json.loads(args.event.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        print(f"backcare invoke: cannot read {args.event}: {error}", file=sys.stderr)
        return 2
    response = load_lambda_handler()(event, None)
    print(json.dumps(response, indent=2))
    if not args.raw:
        print(summary(response), file=sys.stderr)
    return 0
