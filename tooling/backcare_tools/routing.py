"""`backcare routing [--check]`: the routing table, probed from the built skill.

For every mode of the conversation and every request the skill can receive (the interaction
model's intents, a symptom and a complaint, the platform's request types, and an intent and a
request type the skill does not know), it builds a real request envelope in that mode, runs the
skill's own request interceptors and asks the registered handlers, in the SDK's order, which one
takes it. The result is docs/routing.md; `--check` exits 1 when the committed file differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from backcare.conversation import Conversation, ExercisePlace, Mode, Offer, TipsPlace
from backcare.triage import TriageCheck
from backcare_tools import envelopes as env
from backcare_tools.paths import models_dir, project_dir

DOC = "docs/routing.md"
REQUEST_TYPES = ("LaunchRequest", "SessionEndedRequest", "Connections.Response", "CanFulfillIntentRequest",
                 "AlexaSkillEvent.SkillDisabled", "AlexaSkillEvent.SkillPermissionChanged",
                 "AlexaSkillEvent.SkillPermissionAccepted", "SessionResumedRequest")
UNKNOWN_INTENT = "SomeOtherSkillsIntent"
SYMPTOM = "ReportSymptomIntent (a red flag named)"
COMPLAINT = "ReportSymptomIntent (no red flag named)"


def conversation_in(mode: Mode) -> dict[str, Any]:
    """Session attributes that put the conversation in `mode`."""
    from backcare import schedule

    conv = {
        Mode.HOME: Conversation(),
        Mode.OFFER: Conversation(mode=Mode.OFFER, offers=(Offer.CHECK,)),
        Mode.CHECK: Conversation(mode=Mode.CHECK, triage=TriageCheck.start().state),
        Mode.CHECK_LOST: None,
        Mode.TIPS: Conversation(mode=Mode.TIPS, tips=TipsPlace("movement")),
        Mode.EXERCISE: Conversation(mode=Mode.EXERCISE, exercise=ExercisePlace(level=1, step=0)),
        Mode.REMINDER_CONFIRM: Conversation(mode=Mode.REMINDER_CONFIRM,
                                            pending_reminder=schedule.posture_schedule().to_dict()),
        Mode.CANCEL_CONFIRM: Conversation(mode=Mode.CANCEL_CONFIRM, pending_cancel="all"),
        Mode.DELETE_CONFIRM: Conversation(mode=Mode.DELETE_CONFIRM),
        Mode.CHECKIN: Conversation(mode=Mode.CHECKIN),
    }[mode]
    if conv is None:  # a check whose state cannot be read
        return {"v": 2, "mode": "check", "triage": {"v": 2, "m": "?"}}
    attributes: dict[str, Any] = {}
    conv.save(attributes)
    return attributes


def requests() -> list[tuple[str, dict[str, Any]]]:
    """(row label, request) for everything the skill can be sent."""
    model = json.loads((models_dir() / "en-US.json").read_text(encoding="utf-8"))
    intents = sorted(i["name"] for i in model["interactionModel"]["languageModel"]["intents"])
    rows: list[tuple[str, dict[str, Any]]] = []
    for name in intents:
        if name == "ReportSymptomIntent":
            rows.append((SYMPTOM, env.intent_request(name, {"symptom": {"value": "can't pee", "id": "bladder"}})))
            rows.append((COMPLAINT, env.intent_request(name)))
        else:
            rows.append((name, env.intent_request(name)))
    rows.append((f"{UNKNOWN_INTENT} (an intent the skill does not know)", env.intent_request(UNKNOWN_INTENT)))
    for request_type in REQUEST_TYPES:
        request: dict[str, Any] = {"type": request_type}
        if request_type == "CanFulfillIntentRequest":
            request["intent"] = {"name": "CheckSymptomsIntent", "slots": {}}
        if request_type == "Connections.Response":
            request = env.connections_response("DENIED")
        rows.append((request_type, request))
    return rows


def probe() -> dict[str, dict[Mode, str]]:
    """{row label: {mode: handler class name}} from the built skill's own handlers."""
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from backcare.config import Config
    from backcare.skill import build_skill

    skill = build_skill(Config(persistence="none"))
    handlers = [chain.request_handler for mapper in skill.request_dispatcher.request_mappers
                for chain in mapper.request_handler_chains]
    interceptors = skill.request_dispatcher.request_interceptors
    serializer = DefaultSerializer()
    table: dict[str, dict[Mode, str]] = {}
    for label, request in requests():
        table[label] = {}
        for mode in Mode:
            session = env.Session(attributes=conversation_in(mode))
            session.new = False
            envelope = serializer.deserialize(json.dumps(session.envelope(request)), RequestEnvelope)
            handler_input = HandlerInput(request_envelope=envelope, attributes_manager=AttributesManager(envelope))
            for interceptor in interceptors:
                interceptor.process(handler_input)
            chosen = next((h for h in handlers if h.can_handle(handler_input)), None)
            table[label][mode] = _name(chosen)
    return table


def _name(handler: object | None) -> str:
    """"check.Answer": the handler's module (area) and class, without "Handler"."""
    if handler is None:
        return "—"
    area = type(handler).__module__.removeprefix("backcare.handlers.")
    return f"{area}.{type(handler).__name__.removesuffix('Handler')}"


def render(table: dict[str, dict[Mode, str]]) -> str:
    modes = list(Mode)
    lines = [
        "# Routing: which handler answers, by mode",
        "",
        "Generated by `backcare routing` from the built skill (do not edit; `tests/unit/test_routing.py`",
        "fails when this file and the skill disagree). Rows are requests, columns the conversation's",
        "mode (`backcare/conversation.py`); each cell is the handler class (without `Handler`) that",
        "takes the request there. How handlers declare where they apply: `backcare/handlers/base.py`.",
        "",
        "| request | " + " | ".join(mode.value for mode in modes) + " |",
        "|---|" + "---|" * len(modes),
    ]
    for label, by_mode in table.items():
        lines.append(f"| {label} | " + " | ".join(by_mode[mode] for mode in modes) + " |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare routing", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed docs/routing.md is stale")
    parser.add_argument("--out", type=Path, default=None, help=f"where to write (default: {DOC} in the checkout)")
    args = parser.parse_args(argv)
    import logging

    logging.disable(logging.WARNING)  # the probe builds odd sessions on purpose (a lost check)
    text = render(probe())
    logging.disable(logging.NOTSET)
    target = args.out or project_dir() / DOC
    if args.check:
        current = target.read_text(encoding="utf-8") if target.exists() else ""
        if current != text:
            print(f"backcare routing: {target} is stale; run `backcare routing` and commit it", file=sys.stderr)
            return 1
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0
