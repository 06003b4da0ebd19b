"""Never raise, never go quiet (issue 14, point 1; docs/robustness.md).

A structure-aware fuzzer (backcare_tools.fuzz) mutates every envelope in events/ and every request
of recorded conversations (real sessions through lambda_handler against the Alexa services
emulator, so the session attributes of every mode are seeds) and sends them through the real
lambda_handler, with the store failing, the Alexa APIs failing, the Lambda's time running out or
a skill id being verified. Every input must be answered with a valid Alexa response (or refused
for another skill id, or a SkillDisabled failed so Alexa retries it), and nothing said in a check
or after a symptom may be the all-clear unless the check was answered no throughout.

Walks add whole sessions through the check, judged against a model of SPEC §3's counting rules.
The suite runs a fixed budget (BACKCARE_FUZZ_EXAMPLES, default 3000, and BACKCARE_FUZZ_WALKS,
default 300: about half a minute together); `backcare fuzz --examples N` is the longer run. The
tests after the fuzz pin what it found, the failure the audit reported (a locale that is not
text), and check the checker itself.
"""

from __future__ import annotations

import copy
import json
import os
import socket

import pytest

from backcare.conversation import Mode
from backcare.skill import LAST_RESORT_SPEECH
from backcare_tools import envelopes as env
from backcare_tools import fuzz
from support import ROOT
from support.skill import Reply, said

EXAMPLES = int(os.environ.get("BACKCARE_FUZZ_EXAMPLES", "3000"))


@pytest.fixture(scope="module")
def rig(tmp_path_factory):
    with fuzz.Rig(ROOT, str(tmp_path_factory.mktemp("fuzz-state"))) as running:
        yield running


def seed(rig: fuzz.Rig, name: str) -> dict:
    return copy.deepcopy(dict(rig.seeds)[name])


def answer(rig: fuzz.Rig, event, **conditions) -> Reply:
    """`event` through lambda_handler: it must return a valid, safe response."""
    case = fuzz.Case(event=event, **conditions)
    outcome = rig.run(case)
    assert outcome.error is None, f"{type(outcome.error).__name__} escaped: {outcome.error}"
    problems = fuzz.verdict(case, outcome, rig.skill_id)
    assert not problems, f"{problems}: {json.dumps(outcome.response)[:400]}"
    return Reply(outcome.response)


def test_fuzzed_envelopes_are_always_answered_validly_and_safely(rig, capsys):
    tally = fuzz.run(rig, EXAMPLES, stop_at_first=True)
    with capsys.disabled():
        print(f"\nfuzz: {tally.tried} inputs tried, {tally.kinds[fuzz.ESCAPED]} exceptions escaped, "
              f"{tally.kinds[fuzz.MALFORMED]} malformed responses, {tally.kinds[fuzz.UNSAFE]} unsafe answers "
              f"({sum(tally.refusals.values())} allowed refusals; {len(rig.seeds)} seeds)")
    assert tally.tried >= EXAMPLES and not tally.failed


def test_the_seeds_are_every_event_and_sessions_in_every_mode(rig):
    names = dict(rig.seeds)
    for path in (ROOT / "events").glob("*.json"):
        assert f"events/{path.name}" in names, f"{path.name} is not fuzzed"
    modes = {fuzz._at(event, "session", "attributes", "mode") for _, event in rig.seeds}
    wanted = {mode.value for mode in Mode} - {Mode.CHECK_LOST.value}  # never saved
    assert wanted <= modes, f"no recorded session in modes {sorted(wanted - modes)}"
    # The recorded check answered no throughout really ends in the all-clear (the one genuine case).
    genuine = [name for name, event in rig.seeds if fuzz.genuine_all_clear(event)]
    assert genuine, "no recorded check reaches its last question with every answer no"
    reply = answer(rig, seed(rig, genuine[0]))
    assert said("outcome.self_care.speech") in reply.speech, f"the genuine all-clear: {reply}"


# -- the failure the audit reported, and what the fuzzer found ------------------------------------


@pytest.mark.parametrize("locale", [5, 1.5, True, [], ["en-GB"], {"code": "en-GB"}, None],
                         ids=["int", "float", "bool", "empty-list", "list", "object", "null"])
def test_an_unreadable_envelope_whose_locale_is_not_text_gets_the_safe_answer(rig, locale):
    """The audit's crash: the safe answer to an unreadable envelope read `request.locale` as text
    (AttributeError out of lambda_handler). Now it speaks the generic words."""
    for event in ({"request": {"locale": locale}},
                  {"version": "1.0", "session": 5, "request": {"type": "LaunchRequest", "locale": locale}},
                  {"request": {"type": "IntentRequest", "locale": locale, "intent": "AMAZON.YesIntent"}}):
        reply = answer(rig, event)
        assert reply.speech == said("error.generic", "en") and reply.ends_session is True, f"{event}: {reply}"


@pytest.mark.parametrize("locale", [5, ["en-GB"], {"code": "en-GB"}, "", "fr-FR"])
def test_a_readable_envelope_whose_locale_is_odd_gets_the_generic_words(rig, locale):
    event = seed(rig, "events/launch.json")
    event["request"]["locale"] = locale
    reply = answer(rig, event)
    assert reply.speech and not reply.ends_session, f"{locale!r}: {reply}"
    assert "911" not in reply.speech, f"a locale the skill cannot read gets no guessed number: {reply}"


def test_the_last_resort_speech_is_the_generic_apology():
    assert said("error.generic", "en") == LAST_RESORT_SPEECH


@pytest.mark.parametrize("last", [
    {"speech": "x" * 7990, "reprompt": "y" * 7990},  # Repeat said it again: 32 KB of response, 8005 of speech
    {"speech": "a <b & c", "reprompt": "<speak>"},  # not SSML
    {"speech": "<foo>hi</foo>", "reprompt": "r"},  # an element Alexa rejects
    {"speech": "<speak>nested</speak>", "reprompt": "r"},
], ids=["oversized", "not-ssml", "unknown-element", "nested-speak"])
@pytest.mark.parametrize("name", ["tips-and-info#5", "exercises#3", "reminders#13"])
def test_repeat_never_says_a_last_response_the_skill_could_not_have_said(rig, last, name):
    """Found by the fuzzer: Repeat spoke the session's `last` as it was (conversation.py `_last`)."""
    event = seed(rig, name)
    assert event["request"]["intent"]["name"] == "AMAZON.RepeatIntent", name
    event["session"]["attributes"]["last"] = last
    reply = answer(rig, event)
    assert reply.speech and last["speech"] not in reply.ssml, f"{name}: {reply}"


def test_a_session_cannot_blow_a_pending_reminder_up_past_alexas_limit(rig):
    """Found by the fuzzer: a pending reminder came back into the session as it was, 215 KB of it."""
    event = seed(rig, "reminders#5")  # Repeat while "shall I set that?" is pending
    event["session"]["attributes"]["pending_reminder"] = {f"k{i}": "posture" for i in range(15000)}
    reply = answer(rig, event)
    assert len(json.dumps(reply.raw)) < fuzz.MAX_RESPONSE_BYTES, "response over 24 KB"
    assert "pending_reminder" not in reply.attributes, f"a pending reminder the skill never made: {reply.attributes}"
    genuine = seed(rig, "reminders#5")
    kept = answer(rig, genuine).attributes
    assert kept.get("pending_reminder") == genuine["session"]["attributes"]["pending_reminder"], (
        f"the skill's own pending reminder must survive: {kept}")


@pytest.mark.parametrize("request_type", [
    "CanFulfillIntentRequest", "Alexa.Presentation.APL.UserEvent", "Messaging.MessageReceived",
    "SessionResumedRequest", "AlexaHouseholdListEvent.ItemsCreated", "AlexaHouseholdListEvent.ListUpdated",
    "Reminders.ReminderStarted", "AlexaSkillEvent.SkillEnabled", "System.ExceptionEncountered",
    "Dialog.API.Invoked", "AudioPlayer.PlaybackFailed", "Something.Nobody.Sends", "",
])
@pytest.mark.parametrize("name", ["events/yes.json", "exercises#2", "reminders#1"])
def test_requests_of_other_types_get_a_valid_answer_in_any_mode(rig, request_type, name):
    """A platform request is not spoken to, whether the SDK's model knows its type or not (one it
    does not know gets an empty answer that hands the session back, so a check carries on)."""
    event = seed(rig, name)
    event["request"] = {**{key: event["request"][key] for key in ("requestId", "timestamp", "locale")},
                        "type": request_type, "token": "t", "arguments": [1, {"a": None}], "body": {"listId": 3},
                        "cause": {"type": "ConnectionCompleted"}, "message": {"text": "hi"}}
    if request_type == "CanFulfillIntentRequest":
        event["request"]["intent"] = {"name": "ReportSymptomIntent",
                                      "slots": {"symptom": env.slot("symptom", {"value": "fever", "id": "fever"})}}
    reply = answer(rig, event)
    assert not reply.reprompt, f"{request_type} does not open the microphone: {reply}"
    if request_type in ("Something.Nobody.Sends", ""):
        assert not reply.ssml and reply.ends_session is None, f"{request_type!r}: silent, session kept: {reply}"
        assert reply.attributes == event["session"]["attributes"], "the session must be handed back unchanged"
    elif request_type != "CanFulfillIntentRequest":
        assert not reply.ssml, f"{request_type} is not spoken to: {reply}"


@pytest.mark.parametrize("payload", [
    None, [], "DENIED", {"status": None}, {"permissionScope": env.REMINDERS_SCOPE, "status": "MAYBE"},
    {"permissionScope": "alexa::profile:email:read", "status": "ACCEPTED"}, {"purchaseResult": "ACCEPTED"},
    {"permissionScope": [env.REMINDERS_SCOPE], "status": ["ACCEPTED"]},
])
@pytest.mark.parametrize("name", ["reminders-no-permission#2", "events/permission_denied.json",
                                  "first-visit-check-all-no#5"])
def test_odd_connections_responses_get_a_valid_answer(rig, payload, name):
    event = seed(rig, name)
    request = {**env.connections_response("DENIED"), **{k: event["request"][k] for k in ("requestId", "timestamp",
                                                                                         "locale")}}
    request["payload"] = payload
    event["request"] = request
    answer(rig, event)
    request.update(name="Buy", status={"code": 500}, token=None)
    answer(rig, event)


def test_a_skill_disabled_event_is_retried_only_when_its_record_cannot_be_deleted(rig):
    event = seed(rig, "events/skill_disabled.json")
    answer(rig, event)  # deleted (or nothing to delete): answered
    from backcare.handlers.events import EventNotProcessed

    outcome = rig.run(fuzz.Case(event=event, store_faults=frozenset({"read", "write", "delete"})))
    assert isinstance(outcome.error, EventNotProcessed), f"a store failure must be retried: {outcome}"


def test_another_skills_request_is_refused_by_raising_and_nothing_else_is(rig):
    event = seed(rig, "events/launch.json")
    answer(rig, event, verify_skill_id=True)
    event["context"]["System"]["application"]["applicationId"] = "amzn1.ask.skill.someone-else"
    case = fuzz.Case(event=event, verify_skill_id=True)
    outcome = rig.run(case)
    assert outcome.error is not None and fuzz.allowed_refusal(case, outcome.error, rig.skill_id), f"{outcome}"


# -- the checker itself --------------------------------------------------------------------------


def response(speech: str | None = "<speak>Hi.</speak>", *, reprompt: str | None = None, end: bool | None = True,
             **extra) -> dict:
    body: dict = {"shouldEndSession": end} if end is not None else {}
    if speech is not None:
        body["outputSpeech"] = {"type": "SSML", "ssml": speech}
    if reprompt is not None:
        body["reprompt"] = {"outputSpeech": {"type": "SSML", "ssml": reprompt}}
    return {"version": "1.0", "response": body, **extra}


LAUNCH = {"request": {"type": "LaunchRequest"}}


@pytest.mark.parametrize(("bad", "why"), [
    (None, "not a response envelope"),
    ({"response": {}}, "version"),
    (response("Hi."), "not wrapped"),
    (response("<speak>a < b</speak>"), "not well-formed"),
    (response("<speak><foo/></speak>"), "rejects"),
    (response("<speak><speak>x</speak></speak>"), "inside"),
    (response("<speak>" + "a" * 8000 + "</speak>"), "limit 8000"),
    (response(reprompt="<speak>Again?</speak>", end=True), "reprompt"),
    (response(reprompt="<speak>Again?</speak>", end=None), "reprompt"),
    (response(sessionAttributes={"big": "x" * 25000}), "bytes"),
    (response(sessionAttributes={"n": float("nan")}), "not JSON"),
    (response(sessionAttributes=[1]), "sessionAttributes"),
    (response(None, end=False), "silence"),
    (response(card={"type": "Fancy"}), "card"),
    (response(end="no"), "shouldEndSession"),
])
def test_the_checker_finds_what_alexa_would_reject(bad, why):
    problems = fuzz.response_problems(bad, LAUNCH)
    assert any(why in problem for problem in problems), f"{bad!r}: {problems}"


def test_the_checker_passes_a_good_response_and_a_permission_request():
    assert fuzz.response_problems(response(reprompt="<speak>Yes?</speak>", end=False), LAUNCH) == []
    directive = {"type": "Connections.SendRequest", "name": "AskFor", "payload": {}, "token": ""}
    assert fuzz.response_problems({"version": "1.0", "response": {"directives": [directive]}}, LAUNCH) == []


def test_the_checker_finds_an_unsupported_all_clear():
    all_clear = response(f"<speak>{said('outcome.self_care.speech')}</speak>")
    in_check = {"request": {"type": "IntentRequest", "intent": {"name": "AMAZON.NoIntent"}},
                "session": {"attributes": {"mode": "check", "triage": {"m": fuzz.GENUINE_ALL_CLEAR_MARKS, "c": 15}}}}
    assert fuzz.safety_problems(all_clear, in_check) == [], "the genuine outcome"
    early = copy.deepcopy(in_check)
    early["session"]["attributes"]["triage"] = {"m": "n" * 5 + "." * 11, "c": 5}
    assert fuzz.safety_problems(all_clear, early), "an all-clear before the last question"
    yes = copy.deepcopy(in_check)
    yes["request"]["intent"]["name"] = "AMAZON.YesIntent"
    assert fuzz.safety_problems(all_clear, yes), "an all-clear after a yes"
    symptom = {"request": {"type": "IntentRequest", "intent": {"name": "ReportSymptomIntent"}}}
    assert fuzz.safety_problems(all_clear, symptom), "an all-clear after a symptom"
    assert fuzz.safety_problems(all_clear, {"request": {"type": "IntentRequest",
                                                        "intent": {"name": "AMAZON.RepeatIntent"}}}) == [], (
        "outside a check, Repeat may say the outcome again")


def test_the_network_is_closed_except_for_the_emulator(rig):
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("api.amazonalexa.com", 443)
    with pytest.raises(ConnectionRefusedError), socket.socket() as sock:
        sock.connect(("127.0.0.1", rig.emulator.port + 1 if rig.emulator.port < 65535 else 1))
    with socket.create_connection((rig.emulator.host, rig.emulator.port), timeout=2):
        pass


WALKS = int(os.environ.get("BACKCARE_FUZZ_WALKS", "300"))


def test_walks_through_the_check_give_the_all_clear_only_after_no_throughout(rig, capsys):
    """Whole sessions: the check, then what a user may say (no, yes, unsure, why, help, repeat,
    off-topic, symptoms, emergencies, start over, go back, home), against SPEC §3's counting rules."""
    tally = fuzz.run_walks(rig, WALKS, stop_at_first=True)
    with capsys.disabled():
        print(f"\nwalks: {tally.walk_count} walks, {tally.tried} inputs, {tally.kinds[fuzz.ESCAPED]} exceptions "
              f"escaped, {tally.kinds[fuzz.MALFORMED]} malformed responses, {tally.kinds[fuzz.UNSAFE]} unsafe answers; "
              f"all-clear said {sum(tally.all_clear.values())} times")
    assert not tally.failed
    assert tally.all_clear, "no walk reached the all-clear: the walks are too short to test it"


def test_the_check_model_forbids_what_the_rules_forbid():
    def allowed(steps: list[str]) -> bool:
        model = fuzz.CheckModel()
        for step in steps:
            model.hear(step)
        return model.allows_all_clear(steps[-1])

    sixteen = ["no"] * 16
    assert allowed(sixteen) and allowed(["why", "help", *sixteen[:8], "unsure", *sixteen[8:]])
    assert allowed(["stray", *sixteen]) and allowed(["stray", "why", "stray", *sixteen])
    assert not allowed(sixteen[:15]), "an all-clear before the last question"
    assert not allowed(["yes", *sixteen]) and not allowed(["symptom", *sixteen])
    assert not allowed(["unsure", "unsure", *sixteen]) and not allowed(["unsure", "stray", "stray", *sixteen])
    assert allowed(["yes", "start_over", *sixteen]) and allowed(["yes", "go_back", *sixteen[:3]])
    assert not allowed(["symptom", "start_over", *sixteen]), "starting over does not forget a named sign"


@pytest.mark.parametrize("symptom", ["fever", "cancer_history", "bone_risk", "one_leg"])
def test_a_sign_named_before_starting_over_is_never_followed_by_the_all_clear(rig, symptom):
    """Found by the walks: "no", "I've got a fever", "start over", then no throughout gave the
    all-clear (the restarted check forgot the named sign)."""
    plan = fuzz.Walk(steps=(("no", 0), ("symptom", fuzz.SLOT_IDS.index(symptom)), ("start_over", 0),
                            *(("no", 0),) * 17))
    assert fuzz.walk(rig, plan) == []
