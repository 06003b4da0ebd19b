"""Malformed or unexpected envelopes get a valid, safe answer; nothing escapes lambda_handler."""

from __future__ import annotations

import copy
import json
import logging

import pytest

from backcare_tools import envelopes as env
from backcare_tools.invoke import load_lambda_handler
from support import ROOT
from support.skill import Conversation, Reply

EVENTS = ROOT / "events"


@pytest.fixture(scope="module")
def handler():
    return load_lambda_handler()


def valid(raw: dict) -> Reply:
    assert raw.get("version") == "1.0" and isinstance(raw.get("response"), dict), f"not a response: {raw}"
    json.dumps(raw)  # serialisable
    return Reply(raw)


def test_garbage_event_gets_safe_spoken_answer(handler, caplog):
    for event in ({}, {"request": "nonsense"}, {"version": "1.0", "session": 5}, [], {"request": {}}):
        with caplog.at_level(logging.ERROR):
            reply = valid(handler(event, None))
        assert "911" in reply.speech, f"{event!r}: safe answer should name the emergency number: {reply}"
    assert "unreadable request envelope" in caplog.text, "the reason was not logged"


def test_envelope_without_session_is_answered(handler):
    envelope = env.Session().envelope(env.intent_request("CausesIntent"))
    del envelope["session"]
    reply = valid(handler(envelope, None))
    assert "strained muscle" in reply.speech, f"out-of-session intent not answered: {reply}"


def test_envelope_without_context_gets_safe_answer(handler):
    envelope = env.Session().envelope(env.launch_request())
    del envelope["context"]
    reply = valid(handler(envelope, None))
    assert "911" in reply.speech, f"no context: {reply}"


def test_request_without_context_is_refused_when_a_skill_id_is_set(monkeypatch):
    monkeypatch.setenv("SKILL_ID", env.DEFAULT_SKILL_ID)
    envelope = env.Session().envelope(env.launch_request())
    del envelope["context"]
    with pytest.raises(Exception, match=r"(?i)skill id"):
        load_lambda_handler()(envelope, None)


def test_unknown_intent_gets_fallback_help(handler):
    reply = valid(handler(env.Session().envelope(env.intent_request("OrderPizzaIntent")), None))
    assert "check my back" in reply.speech and reply.ends_session is False, f"unknown intent: {reply}"


def test_unknown_request_type_gets_an_empty_valid_response(handler):
    envelope = env.Session().envelope({"type": "Alexa.Presentation.APL.UserEvent", "arguments": []})
    reply = valid(handler(envelope, None))
    assert reply.ssml == "", f"a non-dialog request must not speak: {reply}"


def test_missing_slots_are_tolerated(handler):
    request = env.intent_request("SelfCareTipsIntent")
    request["intent"].pop("slots")
    reply = valid(handler(env.Session().envelope(request), None))
    assert "Would you like another tip" in reply.speech, f"tips without slots: {reply}"
    symptom = env.intent_request("ReportSymptomIntent", {"symptom": None})
    reply = valid(handler(env.Session().envelope(symptom), None))
    assert reply.attributes.get("offer") == "check", f"empty symptom slot should offer the check: {reply}"


def test_odd_topic_value_still_gives_a_tip(handler):
    request = env.intent_request("SelfCareTipsIntent", {"topic": {"value": "knitting", "no_match": True}})
    reply = valid(handler(env.Session().envelope(request), None))
    assert "don't have tips on that" in reply.speech, f"unknown topic: {reply}"


def test_session_state_from_an_older_version_restarts_safely(handler):
    talk = Conversation(handler=handler)
    talk.say("CheckSymptomsIntent")
    talk.session.attributes = {"v": 0, "mode": "check", "question": 4}
    reply = talk.yes()
    assert reply.ends_session is False and "check" in reply.speech.lower(), f"old layout: {reply}"
    assert "none of the warning signs" not in reply.speech.lower(), "an old state must never reassure"


def test_corrupt_triage_state_restarts_the_check(handler):
    talk = Conversation(handler=handler)
    talk.say("CheckSymptomsIntent")
    talk.session.attributes["triage"] = {"v": 1, "m": "garbage", "c": 99}
    reply = talk.no()
    assert "start it again" in reply.speech, f"corrupt state not restarted: {reply}"
    assert reply.attributes["triage"]["c"] == 0, "the check should be back at the first question"


def test_tampered_triage_state_cannot_skip_to_self_care(handler):
    talk = Conversation(handler=handler)
    talk.say("CheckSymptomsIntent")
    state = copy.deepcopy(talk.session.attributes["triage"])
    state["c"] = None  # claims the check is finished with no answers
    talk.session.attributes["triage"] = state
    reply = talk.no()
    assert "warning signs" not in reply.speech.lower(), f"a tampered state reassured the user: {reply}"
    assert "start it again" in reply.speech and reply.attributes["triage"]["c"] == 0, f"not restarted: {reply}"


def test_session_ended_with_error_is_logged_and_answered_silently(handler, caplog):
    request = env.session_ended_request("ERROR", {"type": "INVALID_RESPONSE", "message": "bad ssml"})
    with caplog.at_level(logging.WARNING):
        reply = valid(handler(env.Session().envelope(request), None))
    assert reply.ssml == "" and "INVALID_RESPONSE" in caplog.text, f"session end: {reply} / {caplog.text}"


def test_request_for_another_skill_is_refused(monkeypatch):
    monkeypatch.setenv("SKILL_ID", "amzn1.ask.skill.the-right-one")
    handler = load_lambda_handler()
    with pytest.raises(Exception, match=r"(?i)skill id"):
        handler(env.Session().envelope(env.launch_request()), None)
    right = env.Session(device=env.Device(skill_id="amzn1.ask.skill.the-right-one"))
    assert valid(handler(right.envelope(env.launch_request()), None)).speech, "the right skill id was refused"


@pytest.mark.parametrize("event", sorted(EVENTS.glob("*.json")), ids=lambda p: p.stem)
def test_every_sample_event_is_answered(handler, event):
    reply = valid(handler(json.loads(event.read_text()), None))
    if event.stem != "session_ended" and not event.stem.startswith("skill_"):
        assert reply.speech, f"{event.name}: nothing said"
        assert reply.ends_session is True or reply.reprompt, f"{event.name}: open session without a reprompt"
    else:
        assert reply.ssml == "", f"{event.name}: platform requests must not speak"


def test_an_unexpected_error_mid_check_keeps_the_check_going():
    """The catch-all answers with the emergency number and asks the pending question again."""
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from backcare.config import Config
    from backcare.content import strip_ssml, texts
    from backcare.handlers.common import SkillContext
    from backcare.handlers.errors import CatchAllExceptionHandler

    talk = Conversation()
    talk.say("CheckSymptomsIntent")
    talk.no()
    envelope = DefaultSerializer().deserialize(
        json.dumps(talk.session.envelope(env.intent_request("AMAZON.YesIntent"))), RequestEnvelope)
    handler_input = HandlerInput(request_envelope=envelope, attributes_manager=AttributesManager(envelope))
    ctx = SkillContext(config=Config(persistence="none"), clock=lambda: None)
    response = CatchAllExceptionHandler(ctx).handle(handler_input, RuntimeError("boom"))
    speech = strip_ssml(response.output_speech.ssml)
    attributes = handler_input.attributes_manager.session_attributes
    assert "911" in speech, f"the error answer must name the emergency number: {speech}"
    assert attributes.get("mode") == "check", f"an error dropped the running check: {attributes}"
    assert speech.endswith(strip_ssml(texts("en-US")("q.saddle_numbness.ask"))), f"question not re-asked: {speech}"
    assert response.should_end_session is False, "the session must stay open for the answer"
