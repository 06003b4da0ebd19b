"""`backcare fuzz`: a structure-aware fuzzer for `lambda_handler` (docs/robustness.md).

Every envelope in events/ and every request of a set of recorded conversations (real sessions
through the real lambda_handler against the local Alexa services emulator: launch, the check,
symptoms, tips, exercises, reminders, the check-in, permissions, data, skill events) is a seed.
Hypothesis mutates the seeds the way a broken client, a platform change or a hostile caller
would: fields deleted, retyped, garbled, made huge or deeply nested; session attributes of every
mode swapped between envelopes and mangled; slots and their resolutions reshaped; the locale and
the timestamp of any type; unknown request types; odd Connections.Response payloads; and the
store or the Alexa APIs failing, the Lambda's time running out, a skill id being verified.

The invariant (`problems`), for every input:
- `lambda_handler` returns, or raises only to refuse a request for another skill id (when one
  is configured) or `EventNotProcessed` for a SkillDisabled event whose record could not be
  deleted (the store failed), so Alexa retries it;
- what it returns is a valid Alexa response envelope: version "1.0" and a response; outputSpeech,
  if present, well-formed SSML (or plain text) of at most 8000 characters; a reprompt only with
  shouldEndSession false; the whole response at most 24 KB; sessionAttributes JSON; a dialog
  request (LaunchRequest, IntentRequest) gets speech or a directive (e.g. the permission request);
- nothing said in a check or after a symptom is the all-clear ("you didn't mention any of the
  warning signs") unless it is the genuine outcome of a check answered no throughout.

Walks add whole sessions through the check (what a user may say, turn after turn), judged also
against a model of SPEC §3's counting rules (`CheckModel`).

The network is closed during a run except for the emulator: a mutated apiEndpoint can never
reach Amazon or another local server (connections elsewhere are refused, names not resolved).

The test suite runs it with a fixed budget (tests/conversation/test_fuzz_envelopes.py); this
command is the longer run:

    backcare fuzz --examples 50000 [--walks N] [--seed N] [--save-failures DIR]

It prints the inputs tried, the exceptions that escaped and the malformed responses, and exits 1
when either (or an unsafe answer) is not zero.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import dataclasses
import json
import logging
import os
import re
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from xml.parsers import expat

from backcare_tools import envelopes as env

# -- what a valid answer looks like (SPEC §8) ---------------------------------------------------

MAX_SPEECH_CHARS = 8000
MAX_RESPONSE_BYTES = 24 * 1024
RESPONSE_KEYS = {"version", "sessionAttributes", "userAgent", "response"}
BODY_KEYS = {"outputSpeech", "card", "reprompt", "directives", "shouldEndSession", "apiResponse",
             "canFulfillIntent", "experimentation", "type"}
CARD_TYPES = {"Simple", "Standard", "LinkAccount", "AskForPermissionsConsent"}
# The SSML elements Alexa accepts.
SSML_TAGS = {"speak", "p", "s", "break", "say-as", "sub", "phoneme", "prosody", "emphasis", "audio", "lang",
             "voice", "w", "mark", "amazon:effect", "amazon:domain", "amazon:emotion", "amazon:auto-breaths",
             "amazon:breath", "amazon:breaths"}
DIALOG_REQUESTS = ("LaunchRequest", "IntentRequest")
# The all-clear of a check answered no throughout, in any locale's words.
ALL_CLEAR = re.compile(r"didn.?t mention any of the warning signs", re.IGNORECASE)
SYMPTOM_INTENTS = ("ReportSymptomIntent", "EmergencyIntent")
QUESTION_COUNT = 16
GENUINE_ALL_CLEAR_MARKS = "n" * (QUESTION_COUNT - 1) + "."

# Kinds of problem, as counted and reported.
ESCAPED, MALFORMED, UNSAFE = "exception escaped", "malformed response", "unsafe answer"


def _at(document: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(document, dict):
            return None
        document = document.get(key)
    return document


def _ssml_problems(ssml: Any, where: str) -> list[str]:
    if not isinstance(ssml, str):
        return [f"{where}: ssml is {type(ssml).__name__}, not text"]
    found = []
    if len(ssml) > MAX_SPEECH_CHARS:
        found.append(f"{where}: {len(ssml)} characters of SSML (limit {MAX_SPEECH_CHARS})")
    if not (ssml.startswith("<speak>") and ssml.endswith("</speak>")):
        found.append(f"{where}: SSML not wrapped in <speak>: {ssml[:80]!r}")
    tags: list[str] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, _attributes: tags.append(name)
    try:
        parser.Parse(ssml, True)
    except expat.ExpatError as error:
        found.append(f"{where}: SSML not well-formed ({error}): {ssml[:120]!r}")
    unknown = sorted(set(tags) - SSML_TAGS)
    if unknown:
        found.append(f"{where}: SSML elements Alexa rejects: {unknown}")
    if tags.count("speak") > 1:
        found.append(f"{where}: <speak> inside <speak>")
    return found


def _speech_problems(speech: Any, where: str) -> list[str]:
    if not isinstance(speech, dict):
        return [f"{where} is {type(speech).__name__}, not an object"]
    kind = speech.get("type")
    if kind == "SSML":
        return _ssml_problems(speech.get("ssml"), where)
    if kind == "PlainText":
        text = speech.get("text")
        if not isinstance(text, str):
            return [f"{where}: text is {type(text).__name__}"]
        return [f"{where}: {len(text)} characters (limit {MAX_SPEECH_CHARS})"] if len(text) > MAX_SPEECH_CHARS else []
    return [f"{where}: unknown type {kind!r}"]


def _spoken_texts(body: dict[str, Any]) -> list[str]:
    """Everything the user hears or reads in a response body."""
    texts = []
    for speech in (body.get("outputSpeech"), _at(body, "reprompt", "outputSpeech")):
        if isinstance(speech, dict):
            texts += [value for value in (speech.get("ssml"), speech.get("text")) if isinstance(value, str)]
    card = body.get("card")
    if isinstance(card, dict):
        texts += [value for key in ("title", "content", "text") if isinstance(value := card.get(key), str)]
    return texts


def response_problems(response: Any, event: Any) -> list[str]:
    """Why `response` is not a valid Alexa response envelope for `event` ([] when it is)."""
    if not isinstance(response, dict):
        return [f"returned {type(response).__name__}, not a response envelope"]
    found = []
    try:
        encoded = json.dumps(response, allow_nan=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as error:
        return [f"response is not JSON: {type(error).__name__}: {error}"]
    if len(encoded) > MAX_RESPONSE_BYTES:
        found.append(f"response is {len(encoded)} bytes (limit {MAX_RESPONSE_BYTES})")
    if response.get("version") != "1.0":
        found.append(f"version is {response.get('version')!r}")
    if set(response) - RESPONSE_KEYS:
        found.append(f"unknown response keys {sorted(set(response) - RESPONSE_KEYS)}")
    attributes = response.get("sessionAttributes")
    if attributes is not None and not isinstance(attributes, dict):
        found.append(f"sessionAttributes is {type(attributes).__name__}")
    body = response.get("response")
    if not isinstance(body, dict):
        return [*found, f"response is {type(body).__name__}, not an object"]
    if set(body) - BODY_KEYS:
        found.append(f"unknown response body keys {sorted(set(body) - BODY_KEYS)}")
    end = body.get("shouldEndSession")
    if end is not None and not isinstance(end, bool):
        found.append(f"shouldEndSession is {end!r}")
    if "outputSpeech" in body:
        found += _speech_problems(body["outputSpeech"], "outputSpeech")
    if "reprompt" in body:
        if end is not False:
            found.append(f"a reprompt with shouldEndSession {end!r} (it needs false)")
        found += _speech_problems(_at(body, "reprompt", "outputSpeech"), "reprompt")
    card = body.get("card")
    if card is not None:
        if not isinstance(card, dict) or card.get("type") not in CARD_TYPES:
            found.append(f"card is not a card: {str(card)[:120]}")
        elif sum(len(value) for value in card.values() if isinstance(value, str)) > MAX_SPEECH_CHARS:
            found.append("card text over 8000 characters")
    directives = body.get("directives")
    if directives is not None and not (isinstance(directives, list)
                                       and all(isinstance(d, dict) and isinstance(d.get("type"), str)
                                               for d in directives)):
        found.append(f"directives malformed: {str(directives)[:120]}")
    if _at(event, "request", "type") in DIALOG_REQUESTS and not _spoken_texts(body) and not directives:
        found.append(f"a {_at(event, 'request', 'type')} answered in silence (no speech, no directive)")
    return found


def genuine_all_clear(event: Any) -> bool:
    """The all-clear is the true answer: a no to the last question of a check answered no throughout."""
    triage = _at(event, "session", "attributes", "triage")
    return (_at(event, "request", "type") == "IntentRequest"
            and _at(event, "request", "intent", "name") == "AMAZON.NoIntent"
            and _at(event, "session", "attributes", "mode") == "check"
            and isinstance(triage, dict) and triage.get("m") == GENUINE_ALL_CLEAR_MARKS
            and triage.get("c") == QUESTION_COUNT - 1)


def safety_problems(response: Any, event: Any) -> list[str]:
    """An all-clear said in a check or after a symptom that the answers do not support."""
    body = response.get("response") if isinstance(response, dict) else None
    if not isinstance(body, dict) or not any(ALL_CLEAR.search(text) for text in _spoken_texts(body)):
        return []
    in_check = _at(event, "session", "attributes", "mode") == "check"
    after_symptom = (_at(event, "request", "type") == "IntentRequest"
                     and _at(event, "request", "intent", "name") in SYMPTOM_INTENTS)
    if (in_check or after_symptom) and not genuine_all_clear(event):
        where = "in a check" if in_check else "after a symptom"
        return [f"the all-clear {where} that the answers do not support"]
    return []


# -- one input, its outcome and the verdict -----------------------------------------------------


@dataclasses.dataclass
class Case:
    """One input: the envelope and the conditions it meets."""

    event: Any
    seed: str = ""
    verify_skill_id: bool = False  # the handler is configured with a skill id (SKILL_ID)
    store_faults: frozenset[str] = frozenset()  # store operations that fail: read, write, delete
    api_fault: str | None = None  # the emulator answers every Alexa API call with this failure
    remaining_ms: float | None = None  # the Lambda context's remaining time (None: no context)

    def describe(self) -> str:
        conditions = [f"seed {self.seed}"]
        if self.verify_skill_id:
            conditions.append("SKILL_ID set")
        if self.store_faults:
            conditions.append(f"store fails on {sorted(self.store_faults)}")
        if self.api_fault:
            conditions.append(f"Alexa APIs answer {self.api_fault}")
        if self.remaining_ms is not None:
            conditions.append(f"Lambda has {self.remaining_ms} ms left")
        return ", ".join(conditions)


@dataclasses.dataclass
class Outcome:
    response: Any = None
    error: BaseException | None = None


def verdict(case: Case, outcome: Outcome, skill_id: str) -> list[tuple[str, str]]:
    """(kind, detail) for every way the outcome breaks the invariant."""
    if outcome.error is not None:
        if allowed_refusal(case, outcome.error, skill_id):
            return []
        error = outcome.error
        return [(ESCAPED, f"{type(error).__name__}: {str(error)[:300]}")]
    found = [(MALFORMED, problem) for problem in response_problems(outcome.response, case.event)]
    found += [(UNSAFE, problem) for problem in safety_problems(outcome.response, case.event)]
    return found


def allowed_refusal(case: Case, error: BaseException, skill_id: str) -> bool:
    """The two raises the contract allows: another skill's request, and a SkillDisabled to retry."""
    from ask_sdk_core.exceptions import AskSdkException

    from backcare.handlers.events import EventNotProcessed

    if isinstance(error, EventNotProcessed):
        # The record could not be deleted, or was kept for a retry to finish cancelling reminders:
        # the store failed, the request's time budget ran out, the store cannot name the record
        # (no user id), or the Reminders API failed for a passing reason (5xx, 429).
        user_id = _at(case.event, "context", "System", "user", "userId")
        passing = (bool(case.store_faults & {"read", "delete"})
                   or (case.remaining_ms is not None and case.remaining_ms < 1000)
                   or not (isinstance(user_id, str) and user_id)
                   or case.api_fault in TRANSIENT_API_FAULTS)
        return _at(case.event, "request", "type") == "AlexaSkillEvent.SkillDisabled" and passing
    if type(error) is AskSdkException and "skill id" in str(error).lower():
        return case.verify_skill_id and _at(case.event, "context", "System", "application",
                                            "applicationId") != skill_id
    return False


def refusal_kind(case: Case, outcome: Outcome, skill_id: str) -> str | None:
    if outcome.error is not None and allowed_refusal(case, outcome.error, skill_id):
        return "retried event" if _at(case.event, "request", "type") == "AlexaSkillEvent.SkillDisabled" \
            else "refused: another skill id"
    return None


# -- the rig: emulator, store, handlers, a closed network ---------------------------------------

START = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)  # a Wednesday, 20:00 UTC
USER = "amzn1.ask.account.FUZZUSER"
DEVICE = "amzn1.ask.device.FUZZDEVICE"
TOKEN = "fuzz-api-access-token"
CONSENT = "fuzz-consent-token"
API_FAULTS = ("unauthorized", "device_not_supported", "rate_limited", "server_error")
TRANSIENT_API_FAULTS = ("rate_limited", "server_error")


class _LambdaContext:
    """What the Lambda runtime passes: only the remaining time is read."""

    def __init__(self, remaining_ms: float) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self) -> float:
        return self.remaining_ms


def _faulty_store(path: str):
    """The skill's own SQLite store, whose operations fail on demand the way a store fails."""
    from ask_sdk_core.exceptions import PersistenceException

    from backcare.persistence.sqlite import SqlitePersistenceAdapter

    class FaultyStore(SqlitePersistenceAdapter):
        def __init__(self) -> None:
            super().__init__(path, timeout=0.5)
            self.failing: frozenset[str] = frozenset()

        def _maybe_fail(self, *operations: str) -> None:
            if self.failing.intersection(operations):
                raise PersistenceException("simulated store failure")

        def read_record(self, request_envelope, **kwargs):
            self._maybe_fail("read")
            return super().read_record(request_envelope, **kwargs)

        def write_record(self, request_envelope, attributes, **kwargs):
            self._maybe_fail("write")
            return super().write_record(request_envelope, attributes, **kwargs)

        def overwrite_record(self, request_envelope, attributes, **kwargs):
            self._maybe_fail("write")
            return super().overwrite_record(request_envelope, attributes, **kwargs)

        def update_record(self, request_envelope, apply, **kwargs):
            self._maybe_fail("read", "write")
            return super().update_record(request_envelope, apply, **kwargs)

        def delete_record(self, request_envelope, **kwargs):
            self._maybe_fail("delete")
            return super().delete_record(request_envelope, **kwargs)

    return FaultyStore()


@contextlib.contextmanager
def loopback_only(allowed: tuple[str, int]) -> Iterator[None]:
    """Refuse every outgoing connection except to `allowed` (the emulator), resolve no names."""
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo
    local_names = {"127.0.0.1", "localhost", "::1"}

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in local_names:
            raise socket.gaierror(socket.EAI_NONAME, "the fuzzer resolves no names")
        return real_getaddrinfo(host, *args, **kwargs)

    def connect(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and tuple(address[:2]) != allowed:
            raise ConnectionRefusedError(f"the fuzzer allows no connection to {address[:2]}")
        return real_connect(self, address)

    socket.getaddrinfo, socket.socket.connect = getaddrinfo, connect
    try:
        yield
    finally:
        socket.getaddrinfo, socket.socket.connect = real_getaddrinfo, real_connect


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """The skill logs every unreadable envelope: at fuzzing rates, that is noise."""
    root = logging.getLogger()
    previous = root.manager.disable
    logging.disable(logging.CRITICAL)
    try:
        yield
    finally:
        logging.disable(previous)


class Rig:
    """Everything a run needs, started and stopped together (a context manager).

    The real lambda_handler (two: without and with a skill id) on the real SQLite store in a
    temporary folder, the Alexa services emulator on a free port, the network closed elsewhere.
    """

    def __init__(self, project: Path, state_dir: str | None = None) -> None:
        self.project = project
        self._state_dir = state_dir
        self._stack = contextlib.ExitStack()
        self.seeds: list[tuple[str, dict[str, Any]]] = []
        self.attributes: list[dict[str, Any]] = []  # session attributes seen in recorded sessions
        self.skill_id = env.DEFAULT_SKILL_ID

    def __enter__(self) -> Rig:
        from backcare.config import Config
        from backcare.skill import build_skill, make_lambda_handler
        from backcare_tools.clock import EmulatedClock
        from backcare_tools.emulator import AlexaServicesEmulator

        try:
            state_dir = self._state_dir or self._stack.enter_context(tempfile.TemporaryDirectory(prefix="fuzz-"))
            self.emulator = self._stack.enter_context(
                AlexaServicesEmulator(clock=EmulatedClock(START), slow_seconds=0.2))
            self.store = _faulty_store(os.path.join(state_dir, "fuzz.sqlite3"))
            self._stack.callback(self.store.close)
            # The defaults, not the environment: a developer's PERSISTENCE or SKILL_ID must not change a run.
            config = Config(persistence="sqlite", state_dir=state_dir, log_level="CRITICAL")
            self.handlers = {
                verify: make_lambda_handler(build_skill(
                    dataclasses.replace(config, skill_id=self.skill_id if verify else None),
                    persistence_adapter=self.store, clock=self.emulator.clock))
                for verify in (False, True)
            }
            for token, user in ((TOKEN, USER), ("local-api-access-token", "amzn1.ask.account.LOCALUSER")):
                self.emulator.grant(token, user)
            self.emulator.set_time_zone(DEVICE, "America/New_York")
            self._stack.enter_context(loopback_only((self.emulator.host, self.emulator.port)))
            self._stack.enter_context(_quiet())
            self.seeds = [*event_seeds(self.project, self.emulator.url), *record_conversations(self)]
            self.attributes = _distinct([_at(e, "session", "attributes") for _, e in self.seeds
                                         if _at(e, "session", "attributes")])
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    def run(self, case: Case) -> Outcome:
        """`case` through the real lambda_handler under its conditions."""
        self.store.failing = case.store_faults
        if case.api_fault:
            self.emulator.simulate(case.api_fault, times=None, api="all")
        context = None if case.remaining_ms is None else _LambdaContext(case.remaining_ms)
        try:
            return Outcome(response=self.handlers[case.verify_skill_id](case.event, context))
        except Exception as error:
            return Outcome(error=error)
        finally:
            self.store.failing = frozenset()
            if case.api_fault:
                self.emulator.clear_simulations()


def _distinct(items: list[Any]) -> list[Any]:
    seen, kept = set(), []
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            kept.append(item)
    return kept


# -- seeds: the events folder and recorded conversations ----------------------------------------


def event_seeds(project: Path, api_endpoint: str) -> list[tuple[str, dict[str, Any]]]:
    """Every envelope in events/, its apiEndpoint pointed at the emulator."""
    seeds = []
    for path in sorted((project / "events").glob("*.json")):
        event = json.loads(path.read_text(encoding="utf-8"))
        system = _at(event, "context", "System")
        if isinstance(system, dict) and "apiEndpoint" in system:
            system["apiEndpoint"] = api_endpoint
        seeds.append((f"events/{path.name}", event))
    return seeds


Step = tuple[Any, ...]
# Scripted sessions: ("launch",), (intent, slots), ("request", request dict), ("new",) for a new
# session of the same user, ("advance", timedelta) to move the emulated clock, ("event", type).
_NO16: list[Step] = [("AMAZON.NoIntent", None)] * QUESTION_COUNT
CONVERSATIONS: dict[str, tuple[dict[str, Any], list[Step]]] = {
    "first-visit-check-all-no": ({}, [("launch",), ("AMAZON.YesIntent", None), *_NO16,
                                      ("AMAZON.YesIntent", None), ("AMAZON.RepeatIntent", None),
                                      ("AMAZON.NoIntent", None), ("AMAZON.StopIntent", None)]),
    "check-yes-unsure-why-back": ({"locale": "en-GB"}, [
        ("CheckSymptomsIntent", None), ("AMAZON.NoIntent", None), ("UnsureIntent", None), ("WhyAskIntent", None),
        ("UnsureIntent", None), ("GoBackIntent", None), ("AMAZON.HelpIntent", None), ("AMAZON.NoIntent", None),
        ("SelfCareTipsIntent", None), ("CausesIntent", None), ("AMAZON.NoIntent", None), ("AMAZON.YesIntent", None),
        ("AMAZON.RepeatIntent", None), ("AMAZON.NoIntent", None), ("AMAZON.StopIntent", None)]),
    "check-emergency-in-check": ({"locale": "en-AU"}, [
        ("CheckSymptomsIntent", None), *[("AMAZON.NoIntent", None)] * 5, ("AMAZON.YesIntent", None),
        ("AMAZON.NoIntent", None), ("AMAZON.StopIntent", None)]),
    "check-late-doctor-signs": ({}, [
        ("CheckSymptomsIntent", None), *[("AMAZON.NoIntent", None)] * 12, ("AMAZON.YesIntent", None),
        ("AMAZON.NoIntent", None), ("AMAZON.NoIntent", None), ("AMAZON.NoIntent", None),
        ("AMAZON.NoIntent", None)]),
    "symptom-outside-check": ({"locale": "en-CA"}, [
        ("launch",), ("ReportSymptomIntent", {"symptom": {"value": "fever", "id": "fever"}}),
        ("AMAZON.YesIntent", None), *[("AMAZON.NoIntent", None)] * 5,
        ("ReportSymptomIntent", {"symptom": {"value": "legs weaker", "id": "leg_getting_weaker"}}),
        ("EmergencyIntent", None), ("ReportSymptomIntent", {"symptom": None}), ("AMAZON.StopIntent", None)]),
    "symptom-declined": ({"locale": "en-IN"}, [
        ("ReportSymptomIntent", {"symptom": {"value": "weight loss", "id": "weight_loss"}}),
        ("AMAZON.NoIntent", None), ("AMAZON.HelpIntent", None), ("AMAZON.NavigateHomeIntent", None),
        ("AMAZON.CancelIntent", None)]),
    "tips-and-info": ({}, [
        ("launch",), ("AMAZON.NoIntent", None),
        ("SelfCareTipsIntent", {"topic": {"value": "posture", "id": "positions"}}), ("AMAZON.YesIntent", None),
        ("AMAZON.NextIntent", None), ("AMAZON.RepeatIntent", None),
        ("SelfCareTipsIntent", {"topic": {"value": "knitting", "no_match": True}}), ("AMAZON.YesIntent", None),
        ("WhenToSeeDoctorIntent", None), ("WarningSignsIntent", None), ("CausesIntent", None),
        ("AMAZON.FallbackIntent", None), ("OrderPizzaIntent", None), ("AMAZON.StartOverIntent", None),
        ("AMAZON.NoIntent", None), ("AMAZON.StopIntent", None)]),
    "exercises": ({}, [
        ("StartExercisesIntent", None), ("AMAZON.YesIntent", None), ("AMAZON.NextIntent", None),
        ("AMAZON.RepeatIntent", None), ("EasierIntent", None), ("SkipIntent", None), ("AMAZON.PauseIntent", None),
        ("AMAZON.ResumeIntent", None), ("AMAZON.HelpIntent", None), ("AMAZON.NextIntent", None),
        ("ReportSymptomIntent", {"symptom": None}), ("AMAZON.NoIntent", None), ("StartExercisesIntent", None),
        ("AMAZON.YesIntent", None), ("AMAZON.PauseIntent", None), ("AMAZON.StopIntent", None), ("new",),
        ("StartExercisesIntent", None), ("AMAZON.YesIntent", None), ("StartStretchesIntent", None),
        ("AMAZON.StartOverIntent", None), ("AMAZON.StopIntent", None)]),
    "reminders": ({"consent": True}, [
        ("SetPostureReminderIntent", {"interval": "PT1H", "startTime": "09:00", "endTime": "17:00"}),
        ("AMAZON.HelpIntent", None), ("AMAZON.YesIntent", None), ("new",),
        ("SetStretchReminderIntent", {"time": "15:00"}), ("AMAZON.RepeatIntent", None), ("AMAZON.YesIntent", None),
        ("new",), ("SetPostureReminderIntent", {"interval": "PT5M"}), ("AMAZON.NoIntent", None),
        ("ListRemindersIntent", None), ("CancelRemindersIntent", None), ("AMAZON.HelpIntent", None),
        ("AMAZON.RepeatIntent", None), ("AMAZON.NoIntent", None), ("new",),
        ("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}}), ("new",),
        ("CancelRemindersIntent", None), ("AMAZON.YesIntent", None), ("new",),
        ("SetStretchReminderIntent", {"time": "15:00"}), ("AMAZON.YesIntent", None), ("new",),
        ("CancelRemindersIntent", {"kind": {"value": "everything", "id": "all"}}), ("AMAZON.YesIntent", None),
        ("new",), ("SetCheckInReminderIntent", None), ("AMAZON.YesIntent", None), ("new",),
        ("advance", timedelta(days=15)), ("launch",), ("AMAZON.RepeatIntent", None),
        ("HowIsMyBackIntent", {"change": {"value": "worse", "id": "worse"}}), ("AMAZON.YesIntent", None),
        ("AMAZON.StopIntent", None)]),
    "reminders-no-permission": ({"consent": False, "locale": "en-GB"}, [
        ("SetStretchReminderIntent", {"time": "07:30"}), ("AMAZON.YesIntent", None),
        ("request", env.connections_response("DENIED")), ("new",),
        ("SetPostureReminderIntent", None), ("AMAZON.YesIntent", None),
        ("request", env.connections_response("ACCEPTED")), ("new",),
        ("request", env.connections_response("NOT_ANSWERED")), ("ListRemindersIntent", None)]),
    "checkin-better": ({"consent": True, "locale": "en-US"}, [
        ("SetCheckInReminderIntent", None), ("AMAZON.YesIntent", None), ("new",), ("advance", timedelta(days=15)),
        ("launch",), ("AMAZON.HelpIntent", None),
        ("HowIsMyBackIntent", {"change": {"value": "better", "id": "better"}}), ("AMAZON.YesIntent", None),
        ("AMAZON.StopIntent", None)]),
    "delete-data": ({"consent": True}, [
        ("DeleteMyDataIntent", None), ("AMAZON.HelpIntent", None), ("AMAZON.NoIntent", None),
        ("DeleteMyDataIntent", None), ("AMAZON.YesIntent", None), ("launch",), ("AMAZON.StopIntent", None)]),
    "platform": ({"consent": True}, [
        ("launch",), ("request", env.session_ended_request("EXCEEDED_MAX_REPROMPTS")),
        ("request", {"type": "CanFulfillIntentRequest",
                     "intent": {"name": "SelfCareTipsIntent", "slots": {"topic": env.slot("topic", "posture")}}}),
        ("request", env.session_ended_request("ERROR", {"type": "INVALID_RESPONSE", "message": "x"})),
        ("event", "SkillPermissionChanged"), ("event", "SkillPermissionAccepted"), ("event", "SkillDisabled")]),
}


def record_conversations(rig: Rig) -> list[tuple[str, dict[str, Any]]]:
    """Drive each scripted session through the real lambda_handler against the emulator and keep
    every request envelope it sent (so the session attributes of every mode are seeds)."""
    handler = rig.handlers[False]
    recorded = []
    for number, (name, (options, steps)) in enumerate(CONVERSATIONS.items()):
        user = f"{USER}{number}"
        token = f"{TOKEN}-{number}"
        rig.emulator.grant(token, user)
        device = env.Device(user_id=user, device_id=DEVICE, locale=options.get("locale", "en-US"),
                            api_endpoint=rig.emulator.url, api_access_token=token,
                            consent_token=CONSENT if options.get("consent") else None)
        session = env.Session(device=device)
        for index, step in enumerate(steps):
            kind = step[0]
            if kind == "new":
                session = env.Session(device=device)
                continue
            if kind == "advance":
                rig.emulator.advance(step[1])
                continue
            now = rig.emulator.clock.now()
            if kind == "event":
                envelope = env.event_envelope(device, env.skill_event(step[1]), now=now)
            elif kind == "launch":
                envelope = session.envelope(env.launch_request(), now=now)
            elif kind == "request":
                envelope = session.envelope(copy.deepcopy(step[1]), now=now)
            else:
                envelope = session.envelope(env.intent_request(kind, step[1]), now=now)
            recorded.append((f"{name}#{index}", copy.deepcopy(envelope)))
            response = handler(envelope, None)
            if kind == "event":
                continue
            if (response.get("response") or {}).get("shouldEndSession") is False:
                session.absorb(response)
            else:
                session = env.Session(device=device)
    return recorded


# -- mutations ----------------------------------------------------------------------------------

def strategies():
    """The hypothesis strategies, built on first use (hypothesis is a development dependency)."""
    global _STRATEGIES
    if _STRATEGIES is None:
        _STRATEGIES = _build_strategies()
    return _STRATEGIES


_STRATEGIES: Any = None


def _build_strategies():
    from hypothesis import strategies as st

    odd_strings = st.sampled_from([
        "", " ", "null", "None", "undefined", "true", "0", "-1", "1e309", "NaN", "en-US", "en_us", "EN-us",
        "en-GB ", "fr-FR", "de", "en", "xx-XX", "<speak>", "</speak>", "<", ">", "&", "&amp;", "]]>", "\"", "'",
        "{emergency}", "{}", "%s", "\\", "\u0000", "\u202e", "\U0001f600", "é", "ß", "\ufeff", "\n", "\t",
        "AMAZON.YesIntent", "ReportSymptomIntent", "check", "home", "offer", "exercise", "tips", "v", "m",
        "bladder", "all", "posture", "amzn1.ask.account.", env.DEFAULT_SKILL_ID,
        "2026-03-04T20:00:00Z", "2026-03-04T20:00:00", "2026-03-04T20:00:00+05:30", "2026-13-45T99:99:99Z",
        "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "1970-01-01T00:00:00Z", "yesterday", "1709582400",
        "PT1H", "PT0S", "P1000Y", "P", "PT-5M", "T15:00", "25:99", "MO", "NI", "EV", "XXXX-WXX-1",
        "<break time=\"99999s\"/>", "<audio src=\"http://x\"/>", "http://127.0.0.1:1", "not a url",
        "https://api.amazonalexa.com",
    ])
    text = st.text(max_size=40) | odd_strings
    numbers = (st.integers(min_value=-(2**70), max_value=2**70)
               | st.sampled_from([0, 1, -1, 2, 15, 16, 99, 2**31, 2**63, -(2**63)])
               | st.floats(allow_nan=False, allow_infinity=False))
    scalars = st.none() | st.booleans() | numbers | text
    json_values = st.recursive(
        scalars,
        lambda children: st.lists(children, max_size=5) | st.dictionaries(text, children, max_size=5),
        max_leaves=16,
    )

    @st.composite
    def oversized(draw):
        size = draw(st.sampled_from([8001, 9000, 30000, 100000, 300000]))
        pattern = draw(st.sampled_from(["a", "é ", "<", "&", "ab ", "\U0001f600", "{}", "0"]))
        kind = draw(st.sampled_from(["text", "list", "dict"]))
        if kind == "text":
            return (pattern * (size // len(pattern) + 1))[:size]
        if kind == "list":
            return [pattern] * (size // 10)
        return {f"k{i}": pattern for i in range(size // 20)}

    @st.composite
    def nested(draw, inner=None):
        depth = draw(st.sampled_from([20, 100, 500, 990, 1500]))
        value = draw(inner if inner is not None else scalars)
        key = draw(st.sampled_from(["a", "v", "mode", "triage", "speech", ""]))
        as_list = draw(st.booleans())
        for _ in range(depth):
            value = [value] if as_list else {key: value}
        return value

    @st.composite
    def garbled(draw, value):
        if not isinstance(value, str):
            try:
                value = json.dumps(value)[:400]
            except (TypeError, ValueError, RecursionError):
                value = "garbled"
        chars = list(value)
        for _ in range(draw(st.integers(1, 4))):
            operation = draw(st.sampled_from(["insert", "delete", "replace", "truncate", "case", "double"]))
            at = draw(st.integers(0, len(chars))) if chars else 0
            if operation == "insert":
                chars[at:at] = list(draw(text))
            elif operation == "delete" and chars:
                del chars[at:at + draw(st.integers(1, 5))]
            elif operation == "replace" and chars:
                chars[min(at, len(chars) - 1)] = draw(st.characters())
            elif operation == "truncate":
                chars = chars[:at]
            elif operation == "case":
                chars = list("".join(chars).swapcase())
            else:
                chars = chars + chars
        return "".join(chars)

    # -- generic mutations at any path of the document --

    def paths(document: Any, limit: int = 400) -> list[tuple[Any, ...]]:
        found: list[tuple[Any, ...]] = [()]
        stack: list[tuple[tuple[Any, ...], Any]] = [((), document)]
        while stack and len(found) < limit:
            path, value = stack.pop()
            if len(path) > 10:
                continue
            if isinstance(value, dict):
                items = list(value.items())
            elif isinstance(value, list):
                items = list(enumerate(value[:20]))
            else:
                continue
            for key, child in items:
                found.append((*path, key))
                stack.append(((*path, key), child))
        return found

    def get(document: Any, path: tuple[Any, ...]) -> Any:
        for key in path:
            document = document[key]
        return document

    def put(document: Any, path: tuple[Any, ...], value: Any) -> Any:
        if not path:
            return value
        get(document, path[:-1])[path[-1]] = value
        return document

    def delete(document: Any, path: tuple[Any, ...]) -> Any:
        if not path:
            return {}
        parent = get(document, path[:-1])
        del parent[path[-1]]
        return document

    @st.composite
    def at_any_path(draw, document):
        path = draw(st.sampled_from(paths(document)))
        operation = draw(st.sampled_from(["delete", "retype", "garble", "oversize", "nest", "null", "splice",
                                          "add"]))
        current = get(document, path)
        if operation == "delete":
            return delete(document, path)
        if operation == "retype":
            return put(document, path, draw(json_values))
        if operation == "garble":
            return put(document, path, draw(garbled(current)))
        if operation == "oversize":
            return put(document, path, draw(oversized()))
        if operation == "nest":
            return put(document, path, draw(nested(st.just(current) if draw(st.booleans()) else None)))
        if operation == "null":
            return put(document, path, None)
        if operation == "splice":  # a value from the same place in another seed, or anywhere in it
            return put(document, path, copy.deepcopy(draw(st.sampled_from(SPLICE_POOL)) if SPLICE_POOL else None))
        if isinstance(current, dict):
            current[draw(text)] = draw(json_values)
            return document
        return put(document, path, {"unexpected": current})

    # -- targeted mutations: the fields whose shape the skill reads --

    request_types = st.sampled_from([
        "LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest",
        "Connections.Response", "Connections.Request", "SessionResumedRequest", "Alexa.Presentation.APL.UserEvent",
        "Alexa.Presentation.APL.RuntimeError", "Alexa.Presentation.APLT.UserEvent", "Alexa.Presentation.HTML.Message",
        "Messaging.MessageReceived", "AlexaHouseholdListEvent.ItemsCreated", "AlexaHouseholdListEvent.ListUpdated",
        "AlexaSkillEvent.SkillEnabled", "AlexaSkillEvent.SkillDisabled", "AlexaSkillEvent.SkillAccountLinked",
        "AlexaSkillEvent.SkillPermissionChanged", "AlexaSkillEvent.SkillPermissionAccepted",
        "AlexaSkillEvent.ProactiveSubscriptionChanged", "AlexaSkillEvent.SkillNotificationSubscriptionChanged",
        "Reminders.ReminderCreated", "Reminders.ReminderStarted", "Reminders.ReminderDeleted",
        "Reminders.ReminderStatusChanged", "AudioPlayer.PlaybackStarted", "AudioPlayer.PlaybackFailed",
        "PlaybackController.PlayCommandIssued", "Display.ElementSelected", "GameEngine.InputHandlerEvent",
        "System.ExceptionEncountered", "Dialog.InputRequest", "Dialog.API.Invoked",
        "CustomInterfaceController.EventsReceived", "LaunchRequest ", "intentrequest", "Unknown", "",
    ]) | text
    intent_names = st.sampled_from(INTENT_NAMES) | text
    slot_values = st.sampled_from(SLOT_IDS) | text
    status_codes = st.sampled_from(["ER_SUCCESS_MATCH", "ER_SUCCESS_NO_MATCH", "ER_ERROR_TIMEOUT",
                                    "ER_ERROR_EXCEPTION", "ER_SUCCESS"]) | text

    @st.composite
    def resolutions(draw):
        authorities = []
        for _ in range(draw(st.integers(0, 3))):
            authority = {"authority": draw(st.sampled_from([f"amzn1.er-authority.echo-sdk.{env.DEFAULT_SKILL_ID}.X",
                                                            "amzn1.er-authority.echo-sdk.dynamic"])),
                         "status": {"code": draw(status_codes)}}
            if draw(st.booleans()):
                authority["values"] = [{"value": {"name": draw(slot_values), "id": draw(slot_values | json_values)}}
                                       for _ in range(draw(st.integers(0, 3)))]
            authorities.append(authority)
        return {"resolutionsPerAuthority": authorities}

    @st.composite
    def slot(draw, name):
        built: dict[str, Any] = {"name": draw(st.just(name) | text), "confirmationStatus": draw(
            st.sampled_from(["NONE", "CONFIRMED", "DENIED", "whatever"]))}
        if draw(st.booleans()):
            built["value"] = draw(slot_values | json_values)
        if draw(st.booleans()):
            built["resolutions"] = draw(resolutions() | json_values)
        if draw(st.integers(0, 4)) == 0:
            built["slotValue"] = draw(st.sampled_from([
                {"type": "Simple", "value": "posture"},
                {"type": "List", "values": [{"type": "Simple", "value": "fever"}, {"type": "Simple", "value": "x"}]},
                {"type": "Simple"}, {"type": "Unknown"}, {"type": "List", "values": "no"}]))
        return built

    @st.composite
    def slots(draw):
        names = draw(st.lists(st.sampled_from(SLOT_NAMES) | text, max_size=4))
        return {name: draw(slot(name) | json_values) for name in names}

    @st.composite
    def intent(draw):
        built: dict[str, Any] = {"name": draw(intent_names),
                                 "confirmationStatus": draw(st.sampled_from(["NONE", "CONFIRMED", "DENIED"]) | text)}
        if draw(st.integers(0, 3)):
            built["slots"] = draw(slots() | json_values)
        return built

    @st.composite
    def connections_response(draw):
        payload = draw(st.sampled_from([
            {"permissionScope": env.REMINDERS_SCOPE, "status": "ACCEPTED"},
            {"permissionScope": env.REMINDERS_SCOPE, "status": "DENIED"},
            {"permissionScope": env.REMINDERS_SCOPE, "status": "NOT_ANSWERED"},
            {"permissionScope": "alexa::profile:name:read", "status": "ACCEPTED"},
            {"permissionScope": env.REMINDERS_SCOPE},
            {"status": "ACCEPTED"},
            {"purchaseResult": "ACCEPTED", "productId": "x"},
            {},
        ]) | json_values)
        request = {"type": "Connections.Response",
                   "name": draw(st.sampled_from(["AskFor", "Buy", "Upsell", "Cancel", "Setup",
                                                 "AskForPermissionsConsent", "ScheduleFoodEstablishmentReservation",
                                                 ""]) | text),
                   "status": draw(st.sampled_from([{"code": "200", "message": "OK"}, {"code": 200}, {"code": "500"},
                                                   {"code": "400", "message": "bad"}, {}, None]) | json_values),
                   "token": draw(st.sampled_from(["", "reminders", "posture", "stretch", "checkin"]) | json_values),
                   "payload": payload}
        for key in draw(st.lists(st.sampled_from(list(request)), max_size=2, unique=True)):
            del request[key]
        return request

    @st.composite
    def other_request(draw):
        """A request of any type, with the fields its type usually has (or not)."""
        kind = draw(request_types)
        request: dict[str, Any] = {"type": kind}
        if kind in ("IntentRequest", "CanFulfillIntentRequest") or draw(st.integers(0, 5)) == 0:
            request["intent"] = draw(intent())
            request["dialogState"] = draw(st.sampled_from(["STARTED", "IN_PROGRESS", "COMPLETED"]) | text)
        if kind == "Connections.Response":
            request = draw(connections_response())
        elif kind == "SessionEndedRequest":
            request["reason"] = draw(st.sampled_from(["USER_INITIATED", "ERROR", "EXCEEDED_MAX_REPROMPTS"]) | text)
            if draw(st.booleans()):
                request["error"] = draw(st.sampled_from([{"type": "INVALID_RESPONSE", "message": "m"}]) | json_values)
        elif kind == "SessionResumedRequest":
            request["cause"] = draw(st.sampled_from([
                {"type": "ConnectionCompleted", "token": "t", "status": {"code": "200", "message": "OK"},
                 "result": {"status": "ACCEPTED"}}]) | json_values)
        elif kind.startswith("Alexa.Presentation"):
            request.update(token=draw(text), arguments=draw(json_values), source=draw(json_values),
                           components=draw(json_values))
        elif kind == "Messaging.MessageReceived":
            request["message"] = draw(json_values)
        elif kind.startswith(("AlexaSkillEvent.", "AlexaHouseholdListEvent.", "Reminders.")):
            request["eventCreationTime"] = draw(text)
            request["eventPublishingTime"] = draw(text)
            request["body"] = draw(st.sampled_from([
                {"acceptedPermissions": [{"scope": env.REMINDERS_SCOPE}]},
                {"acceptedPermissions": []}, {"acceptedPermissions": [{"scope": None}]},
                {"listId": "l", "listItemIds": ["a"]}, {"alertToken": "x"}]) | json_values)
        elif draw(st.booleans()):
            request[draw(text)] = draw(json_values)
        return request

    @st.composite
    def targeted(draw, document):
        if not isinstance(document, dict):
            return document
        target = draw(st.sampled_from(["locale", "timestamp", "type", "intent", "slots", "attributes",
                                       "attributes_field", "request", "connections", "session_field",
                                       "context_field", "application_id", "user_id", "new", "api_endpoint"]))
        request = document.get("request")
        if not isinstance(request, dict):
            request = document["request"] = {}
        if target == "locale":
            request["locale"] = draw(json_values | odd_strings | st.sampled_from(LOCALE_CHOICES))
        elif target == "timestamp":
            request["timestamp"] = draw(json_values | odd_strings)
        elif target == "type":
            request["type"] = draw(request_types | json_values)
        elif target == "intent":
            request["intent"] = draw(intent() | json_values)
        elif target == "slots":
            built = request.setdefault("intent", {"name": draw(intent_names)})
            if isinstance(built, dict):
                built["slots"] = draw(slots() | json_values)
        elif target == "request":
            document["request"] = {**{k: v for k, v in request.items() if k in ("requestId", "timestamp", "locale")},
                                   **draw(other_request())}
        elif target == "connections":
            document["request"] = {**{k: v for k, v in request.items() if k in ("requestId", "timestamp", "locale")},
                                   **draw(connections_response())}
        elif target in ("attributes", "attributes_field"):
            session = document.get("session")
            if not isinstance(session, dict):
                session = document["session"] = {"new": False, "sessionId": "s", "application": {
                    "applicationId": env.DEFAULT_SKILL_ID}, "user": {"userId": USER}}
            if target == "attributes" or not isinstance(session.get("attributes"), dict):
                pool = ATTRIBUTES_POOL or [{}]
                session["attributes"] = draw(st.sampled_from(pool).map(copy.deepcopy) | json_values)
            else:
                attributes = session["attributes"]
                field = draw(st.sampled_from(ATTRIBUTE_FIELDS) | text)
                attributes[field] = draw(json_values | st.sampled_from(ATTRIBUTE_VALUES).map(copy.deepcopy))
        elif target == "session_field":
            session = document.setdefault("session", {})
            if isinstance(session, dict):
                session[draw(st.sampled_from(["new", "sessionId", "application", "user", "attributes"]))] = draw(
                    json_values)
        elif target == "context_field":
            system = _at(document, "context", "System")
            if isinstance(system, dict):
                system[draw(st.sampled_from(["application", "user", "device", "apiEndpoint", "apiAccessToken",
                                             "person", "unit"]))] = draw(json_values)
            else:
                document["context"] = draw(json_values)
        elif target in ("application_id", "user_id"):
            key = "application" if target == "application_id" else "user"
            field = "applicationId" if target == "application_id" else "userId"
            value = draw(st.sampled_from([env.DEFAULT_SKILL_ID, "amzn1.ask.skill.other"]) | json_values)
            for holder in (_at(document, "context", "System", key), _at(document, "session", key)):
                if isinstance(holder, dict) and draw(st.booleans()):
                    holder[field] = value
        elif target == "new":
            session = document.get("session")
            if isinstance(session, dict):
                session["new"] = draw(st.booleans() | json_values)
        elif target == "api_endpoint":
            system = _at(document, "context", "System")
            if isinstance(system, dict):
                system["apiEndpoint"] = draw(st.sampled_from(["http://127.0.0.1:1", "https://api.amazonalexa.com",
                                                              "not a url", "http://[::1", "ftp://x"]) | json_values)
        return document

    @st.composite
    def mutated(draw, seeds):
        name, seed = draw(st.sampled_from(seeds))
        document = copy.deepcopy(seed)
        for _ in range(draw(st.integers(0, 4))):
            document = draw(targeted(document)) if draw(st.booleans()) else draw(at_any_path(document))
        return name, document

    @st.composite
    def case(draw, seeds):
        name, document = draw(mutated(seeds))
        faults = draw(st.sampled_from([frozenset()] * 6 + [frozenset({"read"}), frozenset({"write"}),
                                                           frozenset({"delete"}),
                                                           frozenset({"read", "write", "delete"})]))
        return Case(
            event=document, seed=name,
            verify_skill_id=draw(st.integers(0, 4)) == 0,
            store_faults=faults,
            api_fault=draw(st.sampled_from([None] * 8 + list(API_FAULTS))),
            remaining_ms=draw(st.sampled_from([None] * 6 + [7000.0, 1500.0, 300.0, 0.0])),
        )

    return {"case": case, "json_values": json_values, "text": text}


INTENT_NAMES = [
    "CheckSymptomsIntent", "ReportSymptomIntent", "EmergencyIntent", "UnsureIntent", "WhyAskIntent", "GoBackIntent",
    "SelfCareTipsIntent", "CausesIntent", "WhenToSeeDoctorIntent", "WarningSignsIntent", "StartExercisesIntent",
    "StartStretchesIntent", "SkipIntent", "EasierIntent", "SetPostureReminderIntent", "SetStretchReminderIntent",
    "SetCheckInReminderIntent", "ListRemindersIntent", "CancelRemindersIntent", "HowIsMyBackIntent",
    "DeleteMyDataIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.HelpIntent", "AMAZON.StopIntent",
    "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent", "AMAZON.FallbackIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
    "AMAZON.PreviousIntent", "AMAZON.MoreIntent", "AMAZON.SelectIntent", "AMAZON.ScrollDownIntent",
    "AMAZON.SendToPhoneIntent", "OrderPizzaIntent", "amazon.yesintent",
]
SLOT_NAMES = ["symptom", "topic", "kind", "change", "interval", "startTime", "endTime", "time"]
SLOT_IDS = ["bladder", "bowel", "saddle_numbness", "both_legs", "major_trauma", "chest_pain", "sexual_function",
            "fever", "leg_getting_weaker", "infection_risk", "cancer_history", "weight_loss", "bone_risk",
            "duration_worsening", "one_leg", "sleep_daily", "exercise", "heat_cold", "movement", "pain_relief",
            "positions", "prevention", "all", "checkin", "posture", "stretch", "better", "same", "worse",
            "PT1H", "PT30M", "PT0S", "P1D", "PT90000H", "15:00", "07:30", "24:00", "MO", "NI", "AF", "EV", "?",
            "none", "BLADDER", "bladder bowel", "my back hurts"]
LOCALE_CHOICES = ["en-US", "en-GB", "en-CA", "en-AU", "en-IN", "en_US", "EN-GB", "fr-FR", "de-DE", "ja-JP", "en",
                  "", "en-US-x-private"]
ATTRIBUTE_FIELDS = ["v", "mode", "offers", "triage", "tips", "exercise", "pending_reminder", "pending_cancel",
                    "last", "lost"]
ATTRIBUTE_VALUES: list[Any] = [
    2, 1, 3, "2", None, "check", "home", "offer", "tips", "exercise", "reminder_confirm", "cancel_confirm",
    "delete_confirm", "checkin", "check_lost", ["check"], ["tips", "exercises"], ["posture_reminders"],
    ["next_level"], ["checkin_reminder"], ["nonsense"],
    {"v": 2, "m": GENUINE_ALL_CLEAR_MARKS, "c": 15, "u": 0, "s": 0, "k": False, "a": 0},
    {"v": 2, "m": "y" + "." * 15, "c": None, "u": 0, "s": 0, "k": False, "a": 3},
    {"v": 2, "m": "n" * 7 + "v" + "." * 8, "c": 8, "u": 0, "s": 0, "k": False, "a": 2},
    {"v": 2, "m": "." * 16, "c": 0, "u": 1, "s": 1, "k": False, "a": 0},
    {"v": 2, "m": "n" * 16, "c": None, "u": 0, "s": 0, "k": False, "a": 0},
    {"v": 2, "m": "n" * 16, "c": 15, "u": 0, "s": 0, "k": False, "a": 0},
    {"v": 2, "m": GENUINE_ALL_CLEAR_MARKS, "c": None, "u": 0, "s": 0, "k": False, "a": 0},
    {"v": 2, "m": "n" * 12 + "y" + "...", "c": 13, "u": 0, "s": 0, "k": False, "a": 0},
    {"topic": "positions", "heard": ["positions.1"]}, {"topic": "x" * 41},
    {"level": 1, "step": 0, "paused": False, "easier": False, "phase": "doing", "part": 0},
    {"level": 9, "step": 99, "phase": "resume", "part": 9}, {"level": 3, "step": 2, "phase": "ready"},
    {"kind": "posture", "interval": "PT1H"}, {"kind": "stretch", "time": "15:00"}, {"kind": "checkin"},
    {"kind": "nonsense"}, {}, {"kind": "posture", "interval": "PT1H", "start": "25:00", "end": None},
    {"speech": "<speak>unclosed", "reprompt": "x"}, {"speech": "a & b < c", "reprompt": "<break time=\"1s\"/>"},
    {"speech": "x" * 7999, "reprompt": "y" * 7999}, {"speech": "", "reprompt": ""},
]
SPLICE_POOL: list[Any] = []  # values taken from the seeds (filled when the strategies are first used)
ATTRIBUTES_POOL: list[Any] = []  # recorded session attributes of every mode


def _fill_pools(rig: Rig) -> None:
    """Values from the seeds, to splice into other seeds' fields."""
    if SPLICE_POOL:
        return
    ATTRIBUTES_POOL.extend(rig.attributes)
    values = []
    for _, event in rig.seeds:
        request = event.get("request") or {}
        values += [request, request.get("intent"), _at(event, "session", "attributes"), event.get("context"),
                   event.get("session"), *(_at(event, "session", "attributes") or {}).values()]
    SPLICE_POOL.extend(_distinct([value for value in values if value is not None]))


def cases(rig: Rig):
    """The strategy of inputs for `rig`'s seeds."""
    _fill_pools(rig)
    return strategies()["case"](rig.seeds)


# -- walks: whole conversations through the check, with a model of "answered no throughout" ------

# What a user may say during a check. A walk is a few of anything, then mostly "no" (the pattern
# in which a false all-clear would hide: something happens, then every other answer is no).
WALK_STEPS = ("no", "no", "yes", "unsure", "why", "help", "repeat", "stray", "symptom", "symptom", "symptom",
              "symptom", "emergency", "check", "start_over", "start_over", "start_over", "home", "go_back")
WALK_TAIL_STEPS = ("no",) * 24 + ("unsure", "why", "help", "repeat", "stray", "stray")
_STRAYS = ("AMAZON.FallbackIntent", "CausesIntent", "SelfCareTipsIntent", "OrderPizzaIntent", "AMAZON.NextIntent")


def _walk_request(step: str, pick: int) -> dict[str, Any]:
    """The request for one step of a walk (`pick` chooses among equivalent requests)."""
    if step == "symptom":
        symptom = SLOT_IDS[pick % QUESTION_COUNT]
        return env.intent_request("ReportSymptomIntent", {"symptom": {"value": symptom, "id": symptom}})
    if step == "stray":
        return env.intent_request(_STRAYS[pick % len(_STRAYS)])
    return env.intent_request({
        "no": "AMAZON.NoIntent", "yes": "AMAZON.YesIntent", "unsure": "UnsureIntent", "why": "WhyAskIntent",
        "help": "AMAZON.HelpIntent", "repeat": "AMAZON.RepeatIntent", "emergency": "EmergencyIntent",
        "check": "CheckSymptomsIntent", "start_over": "AMAZON.StartOverIntent", "home": "AMAZON.NavigateHomeIntent",
        "go_back": "GoBackIntent"}[step])


@dataclasses.dataclass
class CheckModel:
    """SPEC §3's counting rules, kept as leniently as they can be read: the all-clear is allowed
    only after a "no" that ends a check in which nothing could have been a red flag. A yes, a
    symptom or an emergency request makes it impossible; so does a second "unsure" on one
    question (two off-topic replies in a row are one "unsure"). Starting the check over forgets
    the answers but not a symptom the user named (a named sign is a floor under the outcome). After
    "go back" the model stops judging (a corrected answer may turn a yes into a no)."""

    forbidden: bool = False  # an answer of this check could be a red flag
    named: bool = False  # the user named a symptom in this check
    unsure: int = 0  # "unsure" answers to the pending question
    strays: int = 0  # off-topic replies in a row
    nos: int = 0
    judging: bool = True

    def start(self, *, keep_named: bool = False) -> None:
        self.forbidden, self.unsure, self.strays, self.nos = False, 0, 0, 0
        self.named = self.named and keep_named

    def hear(self, step: str) -> None:
        if step == "go_back":
            self.judging = False
        elif step == "no":
            self.nos, self.unsure, self.strays = self.nos + 1, 0, 0
        elif step in ("symptom", "emergency"):
            self.named = True
        elif step == "yes":
            self.forbidden = True
        elif step == "unsure":
            self.unsure, self.strays = self.unsure + 1, 0
        elif step == "stray":
            self.strays += 1
            if self.strays == 2:
                self.unsure, self.strays = self.unsure + 1, 0
        elif step == "start_over":
            self.start(keep_named=True)
        else:  # why, help, repeat, check: lenient, a run of off-topic replies is broken
            self.strays = 0
        if self.unsure >= 2:
            self.forbidden, self.unsure = True, 0

    def allows_all_clear(self, step: str) -> bool:
        return not self.judging or (step == "no" and not (self.forbidden or self.named)
                                    and self.nos >= QUESTION_COUNT)


@dataclasses.dataclass
class Walk:
    steps: tuple[tuple[str, int], ...]
    locale: str = "en-US"
    store_faults: frozenset[str] = frozenset()


def walk_strategy():
    from hypothesis import strategies as st

    def steps(choices: tuple[str, ...], low: int, high: int):
        return st.lists(st.tuples(st.sampled_from(choices), st.integers(0, 99)), min_size=low, max_size=high)

    return st.builds(Walk, steps=st.builds(lambda head, tail: (*head, *tail), steps(WALK_STEPS, 0, 10),
                                           steps(WALK_TAIL_STEPS, 16, 26)),
                     locale=st.sampled_from(["en-US", "en-GB", "en-CA", "en-AU", "en-IN", "fr-FR"]),
                     store_faults=st.sampled_from([frozenset()] * 4 + [frozenset({"read", "write", "delete"})]))


def walk(rig: Rig, plan: Walk, tally: Tally | None = None) -> list[tuple[str, str]]:
    """One session: the check started, then `plan.steps` while the session stays open. Every
    reply is checked like a fuzzed input, and against the model of the check."""
    device = env.Device(user_id=f"{USER}-walker", device_id=DEVICE, locale=plan.locale,
                        api_endpoint=rig.emulator.url, api_access_token=TOKEN, consent_token=CONSENT)
    session = env.Session(device=device)
    model = CheckModel()
    mode = None
    found: list[tuple[str, str]] = []
    if tally is not None:
        tally.walk_count += 1
    for step, pick in (("check", 0), *plan.steps):
        event = session.envelope(_walk_request(step, pick), now=rig.emulator.clock.now())
        case = Case(event=copy.deepcopy(event), seed="walk", store_faults=plan.store_faults)
        outcome = rig.run(case)
        problems = verdict(case, outcome, rig.skill_id)
        reply = outcome.response if isinstance(outcome.response, dict) else {}
        new_mode = _at(reply, "sessionAttributes", "mode")
        in_check = mode == "check"
        if not in_check and new_mode == "check":
            model.start()  # a check began with this request (a yes to the offer is no answer)
            if step in ("symptom", "emergency"):
                model.hear(step)
        else:
            model.hear(step)
        body = reply.get("response") if isinstance(reply.get("response"), dict) else {}
        if ((in_check or step in ("symptom", "emergency"))
                and any(ALL_CLEAR.search(text) for text in _spoken_texts(body))
                and not model.allows_all_clear(step)):
            problems.append((UNSAFE, f"the all-clear after {[s for s, _ in plan.steps]!r} (at {step!r})"))
        if tally is not None:
            tally.add(case, outcome, problems, rig.skill_id)
            tally.walks += 1
        found += problems
        if problems or _at(reply, "response", "shouldEndSession") is not False:
            break
        session.absorb(reply)
        mode = new_mode
    return found


def run_walks(rig: Rig, walks: int, *, tally: Tally | None = None, seed: int | None = None,
              stop_at_first: bool = False) -> Tally:
    """`walks` whole conversations through the check (see `walk`); every turn counts as an input."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed

    tally = tally or Tally()
    options: dict[str, Any] = {"max_examples": walks, "deadline": None, "suppress_health_check": list(HealthCheck)}
    if not stop_at_first:
        options.update(database=None, phases=[Phase.generate], print_blob=False)

    @settings(**options)
    @given(plan=walk_strategy())
    def explore(plan):
        found = walk(rig, plan, tally)
        if stop_at_first and found:
            raise AssertionError("; ".join(f"{kind}: {detail}" for kind, detail in found))

    if seed is not None:
        explore = fixed_seed(seed)(explore)
    started = time.monotonic()
    explore()
    tally.seconds += time.monotonic() - started
    return tally


# -- a run --------------------------------------------------------------------------------------


@dataclasses.dataclass
class Tally:
    tried: int = 0
    kinds: Counter = dataclasses.field(default_factory=Counter)  # problem kind -> inputs
    refusals: Counter = dataclasses.field(default_factory=Counter)
    request_types: Counter = dataclasses.field(default_factory=Counter)
    modes: Counter = dataclasses.field(default_factory=Counter)
    failures: list[tuple[Case, list[tuple[str, str]]]] = dataclasses.field(default_factory=list)
    seconds: float = 0.0
    all_clear: Counter = dataclasses.field(default_factory=Counter)  # where the all-clear was said
    walks: int = 0  # inputs sent by walks
    walk_count: int = 0

    def add(self, case: Case, outcome: Outcome, found: list[tuple[str, str]], skill_id: str) -> None:
        self.tried += 1
        kind = _at(case.event, "request", "type")
        self.request_types[kind if isinstance(kind, str) and len(kind) < 60 else "(other)"] += 1
        mode = _at(case.event, "session", "attributes", "mode")
        self.modes[mode if isinstance(mode, str) and len(mode) < 30 else "(none or other)"] += 1
        body = outcome.response.get("response") if isinstance(outcome.response, dict) else None
        if isinstance(body, dict) and any(ALL_CLEAR.search(text) for text in _spoken_texts(body)):
            self.all_clear["as the genuine outcome of a check" if genuine_all_clear(case.event)
                           else "outside a check, not after a symptom"] += 1
        refusal = refusal_kind(case, outcome, skill_id)
        if refusal:
            self.refusals[refusal] += 1
        for problem_kind in {kind for kind, _ in found}:
            self.kinds[problem_kind] += 1
        if found and len(self.failures) < 50:
            self.failures.append((case, found))

    def report(self, out=sys.stdout) -> None:
        rate = self.tried / self.seconds if self.seconds else 0.0
        walked = f", {self.walks} of them in {self.walk_count} walks through the check" if self.walk_count else ""
        print(f"inputs tried:         {self.tried}  ({self.seconds:.0f} s, {rate:.0f}/s{walked})", file=out)
        print(f"exceptions escaped:   {self.kinds[ESCAPED]}", file=out)
        print(f"malformed responses:  {self.kinds[MALFORMED]}", file=out)
        print(f"unsafe answers:       {self.kinds[UNSAFE]}", file=out)
        for refusal, count in sorted(self.refusals.items()):
            print(f"allowed raises ({refusal}): {count}", file=out)
        said = ", ".join(f"{where} {count}" for where, count in sorted(self.all_clear.items())) or "never"
        print(f"all-clear said: {said}", file=out)
        top = ", ".join(f"{name} {count}" for name, count in self.request_types.most_common(12))
        print(f"request types (top 12 of {len(self.request_types)}): {top}", file=out)
        print("session modes: " + ", ".join(f"{name} {count}" for name, count in self.modes.most_common()), file=out)
        for case, found in self.failures[:10]:
            print(f"\n- {case.describe()}", file=out)
            for kind, detail in found:
                print(f"  {kind}: {detail}", file=out)

    @property
    def failed(self) -> bool:
        return any(self.kinds[kind] for kind in (ESCAPED, MALFORMED, UNSAFE))


def run(rig: Rig, examples: int, *, seed: int | None = None, stop_at_first: bool = False,
        progress: Callable[[Tally], None] | None = None) -> Tally:
    """Try `examples` inputs. By default every problem is counted and the run goes on;
    `stop_at_first` (the test suite) fails at the first, after hypothesis has shrunk it to a
    minimal input (and kept it in its example database, so the next run tries it first)."""
    from hypothesis import HealthCheck, Phase, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis import strategies as st

    tally = Tally()
    strategy = cases(rig)
    options: dict[str, Any] = {"max_examples": examples, "deadline": None,
                               "suppress_health_check": list(HealthCheck)}
    if not stop_at_first:
        options.update(database=None, phases=[Phase.generate], print_blob=False)

    @settings(**options)
    @given(data=st.data())
    def explore(data):
        case = data.draw(strategy)
        outcome = rig.run(case)
        found = verdict(case, outcome, rig.skill_id)
        tally.add(case, outcome, found, rig.skill_id)
        if progress and tally.tried % 1000 == 0:
            progress(tally)
        if stop_at_first and found:
            problems = "; ".join(f"{kind}: {detail}" for kind, detail in found)
            raise AssertionError(f"{case.describe()}: {problems}")

    if seed is not None:
        explore = fixed_seed(seed)(explore)
    started = time.monotonic()
    explore()
    tally.seconds = time.monotonic() - started
    return tally


def _save(failures: list[tuple[Case, list[tuple[str, str]]]], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for number, (case, found) in enumerate(failures, 1):
        (folder / f"failure-{number:03d}.json").write_text(json.dumps(case.event, indent=1, default=repr))
        (folder / f"failure-{number:03d}.txt").write_text(
            case.describe() + "\n" + "\n".join(f"{kind}: {detail}" for kind, detail in found) + "\n")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare fuzz", description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=50_000, help="inputs to try (default 50000)")
    parser.add_argument("--walks", type=int, default=None,
                        help="whole conversations through the check, each turn one more input "
                             "(default: examples / 50)")
    parser.add_argument("--seed", type=int, default=None, help="hypothesis seed, for a repeatable run")
    parser.add_argument("--save-failures", type=Path, default=None, metavar="DIR",
                        help="write each failing envelope (JSON, for `backcare invoke`) and what went wrong")
    args = parser.parse_args(argv)
    try:
        import hypothesis  # noqa: F401
    except ImportError:
        print("backcare fuzz needs hypothesis: pip install -e '.[dev]'", file=sys.stderr)
        return 2
    from backcare_tools.paths import ProjectNotFound, project_dir

    try:
        project = project_dir()
    except ProjectNotFound as error:
        print(f"backcare fuzz: {error}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="backcare-fuzz-") as state_dir, Rig(project, state_dir) as rig:
        print(f"backcare fuzz: {args.examples} inputs from {len(rig.seeds)} seeds "
              f"({sum(1 for name, _ in rig.seeds if name.startswith('events/'))} from events/, the rest from "
              f"{len(CONVERSATIONS)} recorded conversations)", file=sys.stderr, flush=True)
        started = time.monotonic()

        def progress(tally: Tally) -> None:
            problems = sum(tally.kinds.values())
            print(f"  {tally.tried} tried, {problems} with problems, {time.monotonic() - started:.0f} s",
                  file=sys.stderr, flush=True)

        tally = run(rig, args.examples, seed=args.seed, progress=progress)
        walks = args.examples // 50 if args.walks is None else args.walks
        if walks:
            print(f"  {walks} walks through the check", file=sys.stderr, flush=True)
            run_walks(rig, walks, tally=tally, seed=args.seed)
    tally.report()
    if args.save_failures and tally.failures:
        _save(tally.failures, args.save_failures)
        print(f"\nfailing envelopes written to {args.save_failures}", file=sys.stderr)
    return 1 if tally.failed else 0
