"""Delete-my-data and the skill events through the real lambda_handler, with the reminders in
the Alexa services emulator and the user's record in the SQLite store (or a store that fails on
demand). The `services` and `handler` fixtures come from conftest.py."""

from __future__ import annotations

import logging

import pytest

from backcare.handlers.events import EventNotProcessed
from backcare_tools import envelopes as env
from support.reminders import (
    CONSENT,
    TOKEN,
    USER,
    FaultyStore,
    ask_for_directive,
    default_store_path,
    emulator_tokens,
    event,
    make_handler,
    stored_record,
    stored_reminders,
    user,
)
from support.skill import said

SCOPE = "alexa::alerts:reminders:skill:readwrite"
OTHER_SCOPE = "alexa::profile:given_name:read"
NEVER_SEEN = "amzn1.ask.account.NEVERSEEN"


@pytest.fixture
def store(services):
    """The SQLite store behind `store_handler`, which can be made to fail (FaultyStore.failing)."""
    return FaultyStore(default_store_path())


@pytest.fixture
def store_handler(services, store):
    return make_handler(services, adapter=store)


def with_reminders(handler, services, **kwargs):
    """A returning user with posture reminders (two parts) and a stretch reminder."""
    conversation = user(handler, services, **kwargs)
    conversation.say("SetPostureReminderIntent")
    conversation.yes()
    conversation.say("SetStretchReminderIntent")
    conversation.yes()
    assert len(emulator_tokens(services)) == 3 and len(stored_reminders()) == 3, "set-up failed"
    return conversation


def assert_empty_response(reply, what: str) -> None:
    body = reply.body
    assert not body.get("outputSpeech") and not body.get("reprompt") and not body.get("card"), (
        f"{what}: an event gets an empty response, not {reply.raw}")
    assert not reply.directives, f"{what}: no directives for an event: {reply.raw}"


# --------------------------------------------------------------------------- delete my data


def test_delete_my_data_asks_first_then_cancels_reminders_and_deletes_the_record(handler, services):
    conversation = with_reminders(handler, services)
    question = conversation.say("DeleteMyDataIntent")
    assert question.speech == said("data.confirm") and question.ends_session is False, f"{question}"
    assert question.reprompt == said("data.confirm.reprompt") and question.mode == "delete_confirm", f"{question}"
    assert stored_record() is not None, "nothing may be deleted before the user says yes"
    assert len(emulator_tokens(services)) == 3, "nothing may be cancelled before the user says yes"
    done = conversation.yes()
    assert done.speech == said("data.deleted.reminders") and done.ends_session is True, f"{done}"
    assert stored_record() is None, f"the record is still stored: {stored_record()}"
    assert emulator_tokens(services) == set(), f"reminders left: {services.reminders_for(USER)}"
    conversation.new_session()
    again = conversation.say("DeleteMyDataIntent")
    assert again.speech.startswith(said("launch.disclaimer")), (
        f"once forgotten, the user is a first-time user again: {again}")


def test_delete_my_data_with_no_keeps_everything(handler, services):
    conversation = with_reminders(handler, services)
    conversation.say("DeleteMyDataIntent")
    before = stored_record()  # the visit this session counted is already in it
    kept = conversation.no()
    assert kept.speech == said("data.kept") and kept.ends_session is True, f"{kept}"
    assert stored_record() == before, "no must leave the record as it was"
    assert len(emulator_tokens(services)) == 3, "no must leave the reminders"


def test_delete_my_data_for_a_user_without_reminders(handler, services):
    conversation = user(handler, services)
    conversation.say("DeleteMyDataIntent")
    done = conversation.yes()
    assert done.speech == said("data.deleted") and done.ends_session is True, f"{done}"
    assert stored_record() is None, "the record is still stored"


def test_delete_my_data_help_explains_what_is_stored_and_keeps_asking(handler, services):
    conversation = user(handler, services)
    conversation.say("DeleteMyDataIntent")
    for intent in ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "UnsureIntent"):
        helped = conversation.say(intent)
        assert helped.speech == said("data.help") and helped.ends_session is False, f"{intent}: {helped}"
        assert helped.reprompt == said("data.confirm.reprompt") and helped.mode == "delete_confirm", f"{helped}"
    assert conversation.yes().speech == said("data.deleted"), "yes after help should still delete"
    assert stored_record() is None, "the record is still stored"


def test_delete_my_data_stop_deletes_nothing(handler, services):
    conversation = with_reminders(handler, services)
    conversation.say("DeleteMyDataIntent")
    stopped = conversation.say("AMAZON.StopIntent")
    assert stopped.speech == said("home.goodbye") and stopped.ends_session is True, f"{stopped}"
    assert stored_record() is not None and len(emulator_tokens(services)) == 3, "stop must delete nothing"


@pytest.mark.parametrize("failure", ["500", "401"])
def test_when_reminders_cannot_be_cancelled_the_data_is_deleted_anyway_and_the_user_told(handler, services,
                                                                                        failure):
    conversation = with_reminders(handler, services)
    services.simulate(failure, times=None)
    conversation.say("DeleteMyDataIntent")
    done = conversation.yes()
    services.clear_simulations()
    assert done.speech == f"{said('data.deleted')} {said('data.reminders_left')}", f"{failure}: {done}"
    assert stored_record() is None, f"{failure}: the record must be deleted anyway"
    assert len(emulator_tokens(services)) == 3, f"{failure}: the emulator refused, so the reminders remain"


def test_a_failed_deletion_is_never_reported_as_done(store_handler, services, store):
    conversation = user(store_handler, services)
    conversation.say("SetStretchReminderIntent")
    conversation.yes()
    store.failing = {FaultyStore.DELETE}  # reads and writes work; the delete fails (locked, say)
    conversation.say("DeleteMyDataIntent")
    done = conversation.yes()
    assert done.speech == said("data.delete_failed.reminders"), f"the failure must be admitted: {done}"
    assert done.ends_session is True, f"{done}"
    assert emulator_tokens(services) == set(), "the reminder itself was cancelled"
    store.failing = set()
    assert stored_record() is not None and stored_reminders() == [], (
        f"the record is still there, without the cancelled reminder: {stored_record()}")


def test_delete_my_data_when_the_store_is_down_admits_it(store_handler, services, store):
    conversation = with_reminders(store_handler, services)
    conversation.say("DeleteMyDataIntent")
    store.failing = set(FaultyStore.ALL)
    done = conversation.yes()
    assert done.speech == said("data.delete_failed") and done.ends_session is True, (
        f"nothing could be read or deleted, and the user must hear so: {done}")
    assert len(emulator_tokens(services)) == 3, "no record could be read, so no reminder was cancelled"
    store.failing = set()
    assert len(stored_reminders()) == 3, "the records survive, so a later attempt can still cancel them"


# --------------------------------------------------------------------------- SkillDisabled


def test_skill_disabled_leaves_no_stored_item_and_no_reminders(handler, services):
    conversation = with_reminders(handler, services)
    reply = event(handler, conversation, "SkillDisabled")
    assert_empty_response(reply, "SkillDisabled")
    assert stored_record() is None, f"the record survived SkillDisabled: {stored_record()}"
    assert emulator_tokens(services) == set(), f"reminders survived SkillDisabled: {services.reminders_for(USER)}"


def test_skill_disabled_without_reminder_access_still_deletes_the_record(handler, services):
    conversation = with_reminders(handler, services)
    services.revoke(TOKEN)
    reply = event(handler, conversation, "SkillDisabled")
    assert_empty_response(reply, "SkillDisabled without permission")
    assert stored_record() is None, "the record must be deleted even when reminders cannot be cancelled"


def test_skill_disabled_for_an_unknown_user_stores_nothing(handler, services):
    conversation = user(handler, services, user_id=NEVER_SEEN, first_visit=True)
    reply = event(handler, conversation, "SkillDisabled")
    assert_empty_response(reply, "SkillDisabled for an unknown user")
    assert stored_record(NEVER_SEEN) is None, "an event must not create a record"


def test_skill_disabled_when_the_store_is_down_fails_so_alexa_retries(store_handler, services, store):
    conversation = with_reminders(store_handler, services)
    store.failing = set(FaultyStore.ALL)
    with pytest.raises(EventNotProcessed):
        event(store_handler, conversation, "SkillDisabled")
    store.failing = set()
    assert len(stored_reminders()) == 3 and len(emulator_tokens(services)) == 3, (
        "nothing could be read, so nothing was cancelled, and the records wait for the retry")

    retried = event(store_handler, conversation, "SkillDisabled")  # Alexa sends it again
    assert_empty_response(retried, "SkillDisabled retried")
    assert stored_record() is None, f"the retry must delete the record: {stored_record()}"
    assert emulator_tokens(services) == set(), f"the retry must cancel the reminders: {services.reminders_for(USER)}"


def test_skill_disabled_that_cannot_read_the_records_deletes_nothing_so_the_retry_can_cancel(store_handler, services,
                                                                                            store):
    conversation = with_reminders(store_handler, services)
    store.failing = {FaultyStore.READ}  # the records can't be read, but a delete would work
    with pytest.raises(EventNotProcessed):
        event(store_handler, conversation, "SkillDisabled")
    store.failing = set()
    assert len(stored_reminders()) == 3, "deleting unread records would orphan reminders nobody could cancel"
    event(store_handler, conversation, "SkillDisabled")
    assert stored_record() is None and emulator_tokens(services) == set(), "the retry must finish the job"


def test_skill_disabled_while_the_reminders_api_is_down_keeps_the_record_for_alexas_retry(handler, services):
    conversation = with_reminders(handler, services)
    services.simulate("server_error", times=None)
    with pytest.raises(EventNotProcessed):
        event(handler, conversation, "SkillDisabled")
    assert len(stored_reminders()) == 3, "deleting now would orphan reminders a retry could still cancel"
    services.clear_simulations()
    event(handler, conversation, "SkillDisabled")  # Alexa retries
    assert stored_record() is None and emulator_tokens(services) == set(), "the retry must finish the job"


def test_skill_disabled_whose_delete_fails_is_retried_and_the_retry_finishes_the_job(store_handler, services,
                                                                                     store):
    conversation = with_reminders(store_handler, services)
    store.failing = {FaultyStore.DELETE}
    with pytest.raises(EventNotProcessed):
        event(store_handler, conversation, "SkillDisabled")
    assert emulator_tokens(services) == set(), "the reminders were cancelled on the first attempt"
    store.failing = set()
    assert stored_reminders() == [], f"the cancelled reminders' records are gone: {stored_record()}"
    retried = event(store_handler, conversation, "SkillDisabled")
    assert_empty_response(retried, "SkillDisabled retried")
    assert stored_record() is None, f"the retry must delete the record: {stored_record()}"


def test_skill_disabled_is_idempotent(handler, services):
    conversation = with_reminders(handler, services)
    for attempt in range(3):  # Alexa may deliver an event more than once
        reply = event(handler, conversation, "SkillDisabled")
        assert_empty_response(reply, f"SkillDisabled, delivery {attempt + 1}")
        assert stored_record() is None and emulator_tokens(services) == set(), f"delivery {attempt + 1}"


# --------------------------------------------------------------------------- permission events


def test_permission_revoked_keeps_the_records_so_the_reminders_can_still_be_cancelled(handler, services):
    conversation = with_reminders(handler, services)
    before = stored_record()
    services.revoke(TOKEN)  # the user turned reminders off in the Alexa app
    reply = event(handler, conversation, "SkillPermissionChanged",
                  body={"acceptedPermissions": [{"scope": OTHER_SCOPE}]})
    assert_empty_response(reply, "SkillPermissionChanged")
    assert stored_record() == before, "the records of reminders that may still exist must be kept"

    conversation.new_session()
    conversation.session.device.consent_token = None
    asked = conversation.say("CancelRemindersIntent", {"kind": {"value": "all", "id": "all"}})
    assert ask_for_directive(asked) is not None, f"cancelling without the permission should ask for it: {asked}"
    services.grant(TOKEN, USER)
    conversation.session.device.consent_token = CONSENT
    done = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert done.speech == said("reminders.cancelled.all"), f"{done}"
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "everything should be cancelled"


@pytest.mark.parametrize("event_type", ["SkillPermissionChanged", "SkillPermissionAccepted"])
def test_permission_granted_changes_nothing_stored(handler, services, event_type):
    conversation = with_reminders(handler, services)
    before = stored_record()
    reply = event(handler, conversation, event_type, body={"acceptedPermissions": [{"scope": SCOPE}]})
    assert_empty_response(reply, event_type)
    assert stored_record() == before, f"{event_type}: the record changed"
    assert len(emulator_tokens(services)) == 3, f"{event_type}: reminders changed"


def test_permission_event_for_an_unknown_user_stores_nothing(handler, services):
    conversation = user(handler, services, user_id=NEVER_SEEN, first_visit=True)
    reply = event(handler, conversation, "SkillPermissionChanged", body={"acceptedPermissions": []})
    assert_empty_response(reply, "SkillPermissionChanged for an unknown user")
    assert stored_record(NEVER_SEEN) is None, "an event must not create a record"


@pytest.mark.parametrize("accepted", [[], [{"scope": SCOPE}]], ids=["revoked", "granted"])
def test_a_permission_event_when_the_store_is_down_is_answered(store_handler, services, store, accepted):
    conversation = with_reminders(store_handler, services)
    store.failing = set(FaultyStore.ALL)
    reply = event(store_handler, conversation, "SkillPermissionChanged", body={"acceptedPermissions": accepted})
    assert_empty_response(reply, "SkillPermissionChanged with the store down")
    store.failing = set()
    assert len(stored_reminders()) == 3, "the records are untouched"


def test_events_are_logged_without_ids_or_tokens(handler, services, caplog):
    conversation = with_reminders(handler, services)
    caplog.set_level(logging.DEBUG)
    event(handler, conversation, "SkillPermissionChanged", body={"acceptedPermissions": []})
    event(handler, conversation, "SkillDisabled")
    # The skill's own logs (the emulator, which plays Alexa's side, logs its request lines).
    messages = [record.getMessage() for record in caplog.records
                if record.name.startswith("backcare.")]
    assert any("skill disabled" in message for message in messages), f"the event was not logged: {messages}"
    for message in messages:
        for secret in (USER, TOKEN, CONSENT, "emulated-alert"):
            assert secret not in message, f"{secret!r} logged: {message!r}"
