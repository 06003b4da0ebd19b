"""The `backcare` command. Each subcommand lives in its own module and is imported only
when used, so `backcare invoke` never pays for Flask, pydub or boto3."""

from __future__ import annotations

import importlib
import sys

# name -> (module, one-line help). Each module exposes main(argv: list[str]) -> int.
COMMANDS: dict[str, tuple[str, str]] = {
    "dialog": ("backcare_tools.dialog", "talk to the skill: type what you would say"),
    "invoke": ("backcare_tools.invoke", "run one request envelope (JSON file) through lambda_handler"),
    "nlu": ("backcare_tools.nlu", "resolve an utterance to an intent and slots"),
    "nlu-eval": ("backcare_tools.nlu_eval", "score the interaction model on an annotation set (CSV)"),
    "package": ("backcare_tools.package", "write the ASK CLI skill package (build/skill-package) for ask deploy"),
    "skill-id": ("backcare_tools.askproject", "show or record the skill id ask-cli uses (.ask/ask-states.json)"),
    "icons": ("backcare_tools.icons", "render the skill icons (108 and 512 px PNG) from skill/icon.svg"),
    "routing": ("backcare_tools.routing", "write docs/routing.md: which handler answers each request, by mode"),
    "serve": ("backcare_tools.serve", "run the skill as a web service (Flask; production: gunicorn)"),
    "emulator": ("backcare_tools.emulator", "run the local Alexa services emulator"),
    "audio": ("backcare_tools.audio.cli", "build, publish, render and measure the skill's audio"),
    "content": ("backcare_tools.content", "check locale overrides against their base text; show a text per locale"),
    "dynamodb": ("backcare_tools.local_table", "create the table on a local DynamoDB-compatible server"),
    "fuzz": ("backcare_tools.fuzz", "fuzz lambda_handler with mutated envelopes; count escapes and malformed answers"),
}


def usage() -> str:
    width = max(map(len, COMMANDS))
    lines = ["usage: backcare COMMAND [ARGS...]", "", "commands:"]
    lines += [f"  {name.ljust(width)}  {help_}" for name, (_, help_) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(usage())
        return 0
    name, rest = argv[0], argv[1:]
    if name not in COMMANDS:
        print(f"backcare: unknown command {name!r}\n\n{usage()}", file=sys.stderr)
        return 2
    module = importlib.import_module(COMMANDS[name][0])
    return int(module.main(rest) or 0)
