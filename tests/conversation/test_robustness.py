"""Malformed or unexpected envelopes get a valid, safe answer; nothing escapes lambda_handler
(except a skill event that must be retried, and a request for another skill); a session saved in
an older layout, or tampered with, never reassures; a locale the skill does not serve gets the
generic facts ("your local emergency number"), never a guessed number."""

from __future__ import annotations

import copy
import json
import logging
import re

import pytest

from backcare.content import texts
from backcare_tools import envelopes as env
from backcare_tools.invoke import load_lambda_handler
from support import ROOT
from support.skill import Conversation, Reply, said

EVENTS = ROOT / "events"
# Every emergency or urgent number a served locale uses, as digits or said.
NUMBERS = re.compile(r"\b(911|999|111|000|112|triple zero|1800)\b", re.IGNORECASE)
GENERIC_EMERGENCY = texts("en").fact("emergency")  # "your local emergency number"
# A check saved by the v1 layout (14 questions), as events/yes.json carried it before v2.
V1_CHECK = {
    "v": 1, "mode": "check",
    "triage": {"v": 1, "m": "..............", "c": 0, "u": 0, "s": 0},
    "last": {"speech": "Have you recently lost control of your bladder or bowels, or struggled to pee?",
             "reprompt": "Have you recently lost control of your bladder or bowels, or struggled to pee?"},
}


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
        # No locale to read: the generic words, never a guessed number.
        assert reply.speech == said("error.generic", "en"), f"{event!r}: {reply}"
        assert GENERIC_EMERGENCY in reply.speech and not NUMBERS.search(reply.speech), f"{event!r}: {reply}"
        assert reply.ends_session is True, f"{event!r}: {reply}"
    assert "unreadable request envelope" in caplog.text, "the reason was not logged"


@pytest.mark.parametrize(("locale", "number"), [("en-GB", "999"), ("en-AU", "triple zero"), ("en-US", "911")])
def test_an_unreadable_envelope_with_a_locale_names_that_locales_number(handler, locale, number):
    reply = valid(handler({"request": {"locale": locale}}, None))
    assert reply.speech == said("error.generic", locale) and number in reply.speech, f"{locale}: {reply}"


def test_envelope_without_session_is_answered(handler):
    envelope = env.Session().envelope(env.intent_request("CausesIntent"))
    del envelope["session"]
    reply = valid(handler(envelope, None))
    assert said("info.causes") in reply.speech, f"out-of-session intent not answered: {reply}"
    assert "sessionAttributes" not in reply.raw or not reply.attributes.get("last"), "no session to save into"


def test_envelope_without_context_gets_safe_answer(handler):
    envelope = env.Session().envelope(env.launch_request())
    del envelope["context"]
    reply = valid(handler(envelope, None))
    assert reply.speech == said("error.generic") and "911" in reply.speech, f"no context: {reply}"


def test_request_without_context_is_refused_when_a_skill_id_is_set(monkeypatch):
    monkeypatch.setenv("SKILL_ID", env.DEFAULT_SKILL_ID)
    envelope = env.Session().envelope(env.launch_request())
    del envelope["context"]
    with pytest.raises(Exception, match=r"(?i)skill id"):
        load_lambda_handler()(envelope, None)


def test_unknown_intent_gets_fallback_help(returning_user):
    reply = returning_user.say("OrderPizzaIntent")
    assert reply.speech == said("fallback.home") and reply.ends_session is False, f"unknown intent: {reply}"
    assert reply.reprompt == said("fallback.home.reprompt") and reply.mode == "home", f"{reply}"


def test_unknown_request_type_gets_an_empty_valid_response(handler):
    envelope = env.Session().envelope({"type": "Alexa.Presentation.APL.UserEvent", "arguments": []})
    reply = valid(handler(envelope, None))
    assert reply.ssml == "" and not reply.card and not reply.directives, f"a non-dialog request must not speak: {reply}"


def test_missing_slots_are_tolerated(returning_user):
    request = env.intent_request("SelfCareTipsIntent")
    request["intent"].pop("slots")
    reply = returning_user.send(request)
    assert reply.speech == f"{said('tips.movement')} {said('tips.more')}", f"tips without slots: {reply}"
    assert reply.mode == "tips" and reply.ends_session is False, f"{reply}"
    returning_user.new_session()
    reply = returning_user.say("ReportSymptomIntent", {"symptom": None})
    assert reply.speech == f"{said('complaint.sorry')} {said('offer.check')}", f"empty symptom slot: {reply}"
    assert reply.offers == ["check"], f"empty symptom slot should offer the check: {reply.attributes}"


def test_odd_topic_value_still_gives_a_tip(returning_user):
    reply = returning_user.say("SelfCareTipsIntent", {"topic": {"value": "knitting", "no_match": True}})
    assert reply.speech == " ".join((said("tips.unknown_topic"), said("tips.movement"), said("tips.more"))), (
        f"unknown topic: {reply}")


def restarted(reply: Reply) -> None:
    """The check started again from its first question, saying why, and reassured nobody."""
    assert reply.speech == f"{said('check.lost_state')} {said('question.bladder.ask')}", f"not restarted: {reply}"
    assert reply.ends_session is False and reply.reprompt == said("question.bladder.ask"), f"{reply}"
    assert reply.mode == "check" and reply.attributes["triage"]["c"] == 0, f"{reply.attributes}"
    assert reply.attributes["triage"]["m"] == "." * 16, "no answer survives a restart"
    assert said("outcome.self_care.speech") not in reply.speech, "a lost state must never reassure"


@pytest.mark.parametrize("attributes", [
    V1_CHECK,
    {"v": 0, "mode": "check", "question": 4},
    {"mode": "check", "triage": V1_CHECK["triage"]},  # no version at all
], ids=["v1", "v0", "unversioned"])
@pytest.mark.parametrize("intent", ["AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent"])
def test_a_check_saved_by_an_older_layout_restarts_from_the_top(returning_user, attributes, intent):
    returning_user.say("CheckSymptomsIntent")
    returning_user.session.attributes = copy.deepcopy(attributes)
    restarted(returning_user.say(intent))


def test_a_session_of_an_older_layout_outside_the_check_starts_afresh(returning_user):
    returning_user.say("SelfCareTipsIntent")
    returning_user.session.attributes = {"v": 1, "mode": "tips", "tip": {"topic": "posture", "index": 1}}
    reply = returning_user.yes()
    assert reply.speech == f"{said('nothing.answer')} {said('home.menu')}", (
        f"an old 'another tip?' is not trusted: the yes is answered from home: {reply}")
    assert reply.offers == ["check"], f"{reply.attributes}"


def test_corrupt_triage_state_restarts_the_check(returning_user):
    returning_user.say("CheckSymptomsIntent")
    returning_user.session.attributes["triage"] = {"v": 2, "m": "garbage", "c": 99}
    restarted(returning_user.no())


@pytest.mark.parametrize("tamper", [
    {"c": None},  # claims the check is finished with no answers
    {"m": "n" * 16, "c": None},  # claims every question was answered no
    {"m": "n" * 16},  # every question answered no, yet one still pending
    {"c": 15},  # skipped ahead to the last question, with no answers
    {"a": 3},  # claims advice was given that no answer explains
], ids=["finished", "all-no", "all-no-pending", "skipped-ahead", "advice"])
def test_tampered_triage_state_cannot_skip_to_self_care(returning_user, tamper):
    returning_user.say("CheckSymptomsIntent")
    state = copy.deepcopy(returning_user.session.attributes["triage"])
    state.update(tamper)
    returning_user.session.attributes["triage"] = state
    reply = returning_user.no()
    assert said("outcome.self_care.speech") not in reply.speech, f"a tampered state reassured the user: {reply}"
    restarted(reply)


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
        assert said("check.lost_state") not in reply.speech, (
            f"{event.name}: its session attributes are of an old layout: re-run scripts/make_events.py")
    else:
        assert reply.ssml == "", f"{event.name}: platform requests must not speak"


SAMPLE_ANSWERS = {
    # event -> (content key the answer ends with, whether the session ends)
    "check_symptoms": ("question.bladder.ask", False),
    "yes": ("outcome.emergency.speech", True),  # yes to the first question: an emergency
    "no": ("question.bowel.ask", False),
    "why": ("question.bladder.ask", False),
    "tips": ("tips.more", False),
    "report_symptom_emergency": ("outcome.emergency.speech", True),
    "emergency": ("emergency.request", True),
    "permission_denied": ("reminders.permission.denied", True),
}


@pytest.mark.parametrize("name", sorted(SAMPLE_ANSWERS))
def test_sample_events_say_what_their_names_promise(handler, name):
    key, ends = SAMPLE_ANSWERS[name]
    reply = valid(handler(json.loads((EVENTS / f"{name}.json").read_text()), None))
    assert said(key) in reply.speech and reply.ends_session is ends, f"{name}: {reply}"


def test_an_unexpected_error_mid_check_keeps_the_check_going():
    """The catch-all answers with the emergency number and asks the pending question again."""
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from backcare.config import Config
    from backcare.content import strip_ssml
    from backcare.handlers.base import SkillContext
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
    assert speech == f"{said('error.in_check')} {said('question.bowel.ask')}", (
        f"the error answer must name the emergency number and ask the pending question again: {speech}")
    assert "911" in speech, f"the error answer must name the emergency number: {speech}"
    assert attributes.get("mode") == "check" and attributes["triage"]["c"] == 1, (
        f"an error dropped the running check: {attributes}")
    assert response.should_end_session is False, "the session must stay open for the answer"


def test_an_unexpected_error_through_lambda_handler_still_gives_safe_advice(returning_user, monkeypatch):
    from backcare.handlers import tips

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(tips, "read_tip", broken)
    reply = returning_user.say("SelfCareTipsIntent", {"topic": {"value": "heat", "id": "heat_cold"}})
    assert reply.speech == said("error.generic") and "911" in reply.speech, f"{reply}"
    assert reply.ends_session is False and reply.reprompt == said("error.generic.reprompt"), f"{reply}"
    assert reply.mode == "home", f"{reply.attributes}"
    repeated = returning_user.say("AMAZON.RepeatIntent")
    assert repeated.speech == reply.speech, f"repeat works after an error: {repeated}"


def test_a_first_time_users_error_answer_still_carries_the_disclaimer(monkeypatch):
    from backcare.handlers import tips

    monkeypatch.setattr(tips, "read_tip", lambda *args, **kwargs: 1 / 0)
    reply = Conversation().say("SelfCareTipsIntent", {"topic": {"value": "heat", "id": "heat_cold"}})
    assert reply.speech == f"{said('launch.disclaimer')} {said('error.generic')}", f"{reply}"


# --------------------------------------------------------------------------- locales the skill does not serve


@pytest.mark.parametrize("locale", ["en-NZ", "en-ZA", "fr-FR", "en-GB-x-private"])
def test_a_locale_the_skill_does_not_serve_gets_the_generic_facts(locale):
    talk = Conversation(locale=locale)
    first = talk.say("WarningSignsIntent")
    assert first.speech == " ".join((said("launch.disclaimer", "en"), said("info.warning_signs", "en"),
                                     said("offer.check", "en"))), f"{locale}: {first}"
    emergency = talk.say("EmergencyIntent")
    assert emergency.speech == said("emergency.request", "en") and emergency.ends_session is True, f"{emergency}"
    assert emergency.card["title"] == texts("en").plain("outcome.emergency.card_title"), f"{emergency.card}"
    other = Conversation(locale=locale, user_id="amzn1.ask.account.OTHERUSER").first_visit_over()
    urgent = other.say("ReportSymptomIntent", {"symptom": {"value": "a fever", "id": "fever"}})
    assert said("advice.urgent", "en") in urgent.speech, f"{locale}: {urgent}"
    for reply in (first, emergency, urgent):
        assert GENERIC_EMERGENCY in reply.speech, f"{locale}: {reply}"
        for text in (reply.speech, json.dumps(reply.card or {})):
            assert not NUMBERS.search(text), f"{locale}: a guessed number in {text!r}"



def test_a_request_type_newer_than_the_sdk_gets_an_empty_answer_and_keeps_the_check():
    talk = Conversation(locale="en-GB")
    talk.say("CheckSymptomsIntent")
    reply = talk.send({"type": "Alexa.SomethingFromTheFuture.Event", "payload": {"x": 1}})
    assert reply.body == {}, f"an unknown platform request must stay silent: {reply}"
    assert reply.ends_session is None, "the session must not be ended by a platform request"
    after = talk.no()
    assert "bowel" in after.speech, f"the check must carry on at its next question: {after}"
