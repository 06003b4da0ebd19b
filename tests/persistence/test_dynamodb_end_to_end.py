"""Whole conversations through the real `lambda_handler` with PERSISTENCE=dynamodb, against a
moto server over HTTP (through the fault proxy, so the store can also be made to fail)."""

from __future__ import annotations

import json

import pytest

from backcare import triage
from backcare.content import strip_ssml, texts
from backcare.handlers.tips import TIP_TOPICS
from backcare.persistence import user_data
from backcare_tools.invoke import load_lambda_handler
from backcare_tools.local_table import local_client
from support.dynamodb import (  # the *_fixture names register fixtures
    REGION,
    TABLE_NAME,
    FaultProxy,
    dynamodb_table_fixture,  # noqa: F401
    fault_proxy_fixture,  # noqa: F401
    moto_server_fixture,  # noqa: F401
    new_user_id,
)
from support.skill import Conversation

DISCLAIMER = "not medical advice"
# Words that must never reach the store (SPEC §6): question ids, outcomes, answers.
NEVER_STORED = (*(question.id for question in triage.QUESTIONS), "EMERGENCY", "URGENT", "SEE_DOCTOR",
                "SELF_CARE", "triage", "answer", "outcome")


@pytest.fixture
def lambda_handler(monkeypatch, fault_proxy):
    """lambda_function imported afresh, configured like the deployed function (plus a local endpoint)."""
    monkeypatch.setenv("PERSISTENCE", "dynamodb")
    monkeypatch.setenv("TABLE_NAME", TABLE_NAME)
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fault_proxy.url)
    monkeypatch.setenv("BACKCARE_STORE_TIMEOUT", "0.5")
    return load_lambda_handler()


@pytest.fixture
def user_id():
    return new_user_id()


def talk(lambda_handler, user_id: str, locale: str = "en-US") -> Conversation:
    return Conversation(locale=locale, user_id=user_id, handler=lambda_handler)


def stored_item(moto_server, user_id: str) -> dict | None:
    """The raw DynamoDB item, read straight from the server (not through the skill)."""
    response = local_client(moto_server.url).get_item(TableName=TABLE_NAME, Key={"id": {"S": user_id}})
    return response.get("Item")


# -- reminders go through the Alexa services emulator ---------------------------------------------


@pytest.fixture
def emulator():
    from backcare_tools.emulator import AlexaServicesEmulator

    with AlexaServicesEmulator() as running:
        yield running


def reminder_user(lambda_handler, emulator, user_id: str) -> Conversation:
    """A user who granted the reminders permission, talking to a skill whose Alexa APIs are the emulator."""
    conversation = talk(lambda_handler, user_id)
    token = f"api-token-{user_id[-12:]}"
    emulator.grant(token, user_id)
    device = conversation.session.device
    device.api_endpoint, device.api_access_token, device.consent_token = emulator.url, token, "consent-granted"
    return conversation


def set_posture_reminder(conversation: Conversation, emulator) -> None:
    confirm = conversation.say("SetPostureReminderIntent")
    assert confirm.ends_session is False, f"the schedule should be confirmed first: {confirm}"
    done = conversation.yes()
    user_id = conversation.session.device.user_id
    assert emulator.reminders_for(user_id), f"the reminder should be set: {done}"


def test_first_visit_hears_the_disclaimer_and_a_returning_visit_does_not(lambda_handler, user_id,
                                                                          moto_server):
    first = talk(lambda_handler, user_id).launch()
    assert DISCLAIMER in first.speech, f"a first visit must hear the disclaimer: {first}"
    item = stored_item(moto_server, user_id)
    assert item is not None, "the first visit was not stored in DynamoDB"
    attributes = item["attributes"]["M"]
    assert attributes["disclaimer_heard"] == {"BOOL": True}, f"disclaimer not recorded: {attributes}"
    assert attributes["visits"] == {"N": "1"}, f"visit not counted: {attributes}"

    returning = talk(lambda_handler, user_id).launch()
    assert DISCLAIMER not in returning.speech, f"a returning user heard the disclaimer again: {returning}"
    assert stored_item(moto_server, user_id)["attributes"]["M"]["visits"] == {"N": "2"}, "second visit not counted"


def test_the_last_tip_is_remembered_across_sessions(lambda_handler, user_id, moto_server):
    topic = TIP_TOPICS[1]
    first = talk(lambda_handler, user_id)
    heard = first.say("SelfCareTipsIntent", {"topic": {"value": topic, "id": topic}})
    first.say("AMAZON.StopIntent")
    last_tip = stored_item(moto_server, user_id)["attributes"]["M"]["last_tip"]["M"]
    assert last_tip["topic"] == {"S": topic}, f"the tip heard was not stored: {last_tip}"
    later = talk(lambda_handler, user_id).say("SelfCareTipsIntent")
    assert later.speech and later.speech != heard.speech, f"the next visit should start with a new tip: {later}"


def test_after_a_check_tips_and_reminders_the_item_holds_no_symptom_or_outcome(lambda_handler, emulator, user_id,
                                                                              moto_server):
    conversation = reminder_user(lambda_handler, emulator, user_id)
    conversation.launch()
    conversation.say("CheckSymptomsIntent")
    for _ in range([question.id for question in triage.QUESTIONS].index("fever")):
        conversation.no()
    outcome = conversation.yes()  # fever: URGENT
    assert "today" in outcome.speech, f"expected the urgent outcome: {outcome}"
    conversation.say("SelfCareTipsIntent")
    conversation.say("AMAZON.StopIntent")
    set_posture_reminder(conversation, emulator)
    item = stored_item(moto_server, user_id)
    assert item is not None, "nothing was stored"
    text = json.dumps(item)
    for word in NEVER_STORED:
        assert word not in text, f"{word!r} was stored: {text}"
    assert set(item["attributes"]["M"]) == set(user_data.defaults()), f"unexpected stored layout: {text}"
    assert item["attributes"]["M"]["reminders"]["L"], f"the reminder should be recorded: {text}"


def test_a_yes_no_turn_of_the_check_never_touches_the_store(lambda_handler, user_id, fault_proxy):
    conversation = talk(lambda_handler, user_id)
    conversation.launch()
    conversation.say("CheckSymptomsIntent")
    fault_proxy.switch(FaultProxy.PASS)  # a fresh log of requests
    reply = conversation.no()
    assert reply.ends_session is False and reply.reprompt, f"the next question should be asked: {reply}"
    assert fault_proxy.targets() == [], f"a yes/no turn reached the store: {fault_proxy.targets()}"


@pytest.mark.timeout(120)
def test_the_store_failing_mid_conversation_still_gets_every_answer_and_loses_nothing(
        lambda_handler, user_id, fault_proxy, moto_server):
    talk(lambda_handler, user_id).launch()
    before = stored_item(moto_server, user_id)
    for mode in (FaultProxy.REFUSE, FaultProxy.HANG, FaultProxy.THROTTLE):
        fault_proxy.switch(mode, delay=0)
        conversation = talk(lambda_handler, user_id)
        opening = conversation.launch()
        assert opening.speech and opening.ends_session is False, f"{mode}: no usable launch answer: {opening}"
        conversation.say("CheckSymptomsIntent")
        emergency = conversation.yes()
        assert "911" in emergency.ssml, f"{mode}: the emergency advice must not depend on the store: {emergency}"
        tip = talk(lambda_handler, user_id).say("SelfCareTipsIntent")
        assert tip.speech and tip.ends_session is False, f"{mode}: tips failed without the store: {tip}"
        fault_proxy.switch(FaultProxy.PASS)
        assert stored_item(moto_server, user_id) == before, f"{mode}: the stored record changed during the fault"
    returning = talk(lambda_handler, user_id).launch()
    assert DISCLAIMER not in returning.speech, "after the faults the user must still be known"


# -- reminders recorded, then deleted with the user's data ---------------------------------------------


def test_reminders_are_recorded_with_their_alert_tokens(lambda_handler, emulator, user_id, moto_server):
    set_posture_reminder(reminder_user(lambda_handler, emulator, user_id), emulator)
    at_api = {reminder["alertToken"] for reminder in emulator.reminders_for(user_id)}
    assert at_api, "the emulator holds no reminder"
    records = stored_item(moto_server, user_id)["attributes"]["M"]["reminders"]["L"]
    recorded = {record["M"]["alert_token"]["S"] for record in records}
    assert recorded == at_api, f"stored alert tokens {recorded} differ from the API's {at_api}"
    assert all(record["M"]["kind"] == {"S": "posture"} for record in records), f"wrong kind stored: {records}"


def test_delete_my_data_cancels_the_reminders_and_leaves_no_item(lambda_handler, emulator, user_id, moto_server):
    conversation = reminder_user(lambda_handler, emulator, user_id)
    set_posture_reminder(conversation, emulator)
    ask = conversation.say("DeleteMyDataIntent")
    assert ask.ends_session is False, f"deletion must be confirmed first: {ask}"
    assert stored_item(moto_server, user_id) is not None, "nothing may be deleted before the yes"
    conversation.yes()
    assert stored_item(moto_server, user_id) is None, "the user's item is still in DynamoDB"
    assert emulator.reminders_for(user_id) == [], "the user's reminders were not cancelled"


def test_declining_delete_my_data_keeps_everything(lambda_handler, emulator, user_id, moto_server):
    conversation = reminder_user(lambda_handler, emulator, user_id)
    set_posture_reminder(conversation, emulator)
    conversation.say("DeleteMyDataIntent")  # a new session: the visit is counted here
    before = stored_item(moto_server, user_id)
    conversation.no()
    assert stored_item(moto_server, user_id) == before, "a no must keep the stored data unchanged"
    assert emulator.reminders_for(user_id), "a no must keep the reminders"


def test_skill_disabled_leaves_no_item_and_no_reminder(lambda_handler, emulator, user_id, moto_server):
    from backcare_tools import envelopes

    conversation = reminder_user(lambda_handler, emulator, user_id)
    set_posture_reminder(conversation, emulator)
    device = conversation.session.device
    response = lambda_handler(envelopes.event_envelope(device, envelopes.skill_event("SkillDisabled")), None)
    assert "outputSpeech" not in (response.get("response") or {}), f"a skill event gets no speech: {response}"
    assert stored_item(moto_server, user_id) is None, "SkillDisabled left the user's item in DynamoDB"
    assert emulator.reminders_for(user_id) == [], "SkillDisabled left the user's reminders"


def test_skill_disabled_for_a_user_never_stored_creates_nothing(lambda_handler, user_id, moto_server):
    from backcare_tools import envelopes

    lambda_handler(envelopes.event_envelope(envelopes.Device(user_id=user_id),
                                            envelopes.skill_event("SkillDisabled")), None)
    assert stored_item(moto_server, user_id) is None, "an event must never create a record"


@pytest.mark.timeout(120)
def test_delete_my_data_while_the_store_is_down_says_it_did_not_work(lambda_handler, user_id, fault_proxy,
                                                                     moto_server):
    talk(lambda_handler, user_id).launch()
    conversation = talk(lambda_handler, user_id)
    conversation.say("DeleteMyDataIntent")  # a new session: the visit is counted here
    before = stored_item(moto_server, user_id)
    fault_proxy.switch(FaultProxy.REFUSE)
    answer = conversation.yes()
    fault_proxy.switch(FaultProxy.PASS)
    failed = strip_ssml(texts("en-US")("data.delete_failed"))
    assert answer.speech == failed, f"a failed deletion must not be reported as done: {answer}"
    assert stored_item(moto_server, user_id) == before, "the record should be as it was"
    conversation = talk(lambda_handler, user_id)
    conversation.say("DeleteMyDataIntent")
    done = conversation.yes()
    assert done.speech == strip_ssml(texts("en-US")("data.deleted")), f"the retry should delete: {done}"
    assert stored_item(moto_server, user_id) is None, "the retry left the item behind"


# -- the time budget, end to end ---------------------------------------------------------------------------


class RunningLambda:
    """A Lambda context that counts down from the function's timeout, as the runtime's does."""

    def __init__(self, timeout: float) -> None:
        import time

        self._clock, self._ends = time.monotonic, time.monotonic() + timeout

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._ends - self._clock()) * 1000))


@pytest.mark.timeout(120)
def test_slow_alexa_apis_and_a_hung_store_still_get_an_answer_before_the_lambda_times_out(
        lambda_handler, emulator, user_id, fault_proxy):
    """Issue 14: with the APIs answering in 2.5 s and the store hanging, "yes" to a reminder took
    past the function's timeout. Here every API call and the store hang far longer than the
    function's 3 s; the answer must still come while the Lambda has time left."""
    conversation = reminder_user(lambda_handler, emulator, user_id)
    confirm = conversation.say("SetPostureReminderIntent")
    assert confirm.ends_session is False, f"the schedule should be confirmed first: {confirm}"
    emulator.slow_seconds = 30.0
    emulator.simulate("timeout", times=None, api="all")
    fault_proxy.switch(FaultProxy.HANG)
    context = RunningLambda(timeout=3.0)
    conversation.handler = lambda event, _: lambda_handler(event, context)
    answer = conversation.yes()
    fault_proxy.switch(FaultProxy.PASS)
    emulator.clear_simulations()
    assert answer.speech, f"the user must hear an answer: {answer}"
    assert context.get_remaining_time_in_millis() > 0, "the answer came after the Lambda's timeout"
    assert emulator.reminders_for(user_id) == [], "no reminder could have been created"
