"""Delete-my-data and the skill events through the real lambda_handler, with the reminders in
the Alexa services emulator and the user's record in the SQLite store."""

from __future__ import annotations

import logging

import pytest
from ask_sdk_core.exceptions import PersistenceException

from backcare.content import strip_ssml, texts
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from backcare_tools import envelopes as env
from support.reminders import (  # the *_fixture names register the fixtures
    CONSENT,
    TOKEN,
    USER,
    ask_for_directive,
    emulator_tokens,
    event,
    handler_fixture,  # noqa: F401
    make_handler,
    services_fixture,  # noqa: F401
    stored_record,
    stored_reminders,
    user,
)

SCOPE = "alexa::alerts:reminders:skill:readwrite"
OTHER_SCOPE = "alexa::profile:given_name:read"


def said(key: str, **fields) -> str:
    return strip_ssml(texts("en-US")(key, **fields))


def with_reminders(handler, services, **kwargs):
    """A returning user with posture reminders (two parts) and a stretch reminder."""
    conversation = user(handler, services, **kwargs)
    conversation.launch()
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
    assert question.attributes.get("mode") == "confirm_delete", f"{question.attributes}"
    assert stored_record() is not None, "nothing may be deleted before the user says yes"
    done = conversation.yes()
    assert done.speech == said("data.deleted.reminders") and done.ends_session is True, f"{done}"
    assert stored_record() is None, f"the record is still stored: {stored_record()}"
    assert emulator_tokens(services) == set(), f"reminders left: {services.reminders_for(USER)}"


def test_delete_my_data_with_no_keeps_everything(handler, services):
    conversation = with_reminders(handler, services)
    before = stored_record()
    conversation.say("DeleteMyDataIntent")
    kept = conversation.no()
    assert kept.speech == said("data.kept") and kept.ends_session is True, f"{kept}"
    assert stored_record() == before, "no must leave the record as it was"
    assert len(emulator_tokens(services)) == 3, "no must leave the reminders"


def test_delete_my_data_for_a_user_without_reminders(handler, services):
    conversation = user(handler, services)
    conversation.launch()
    conversation.say("DeleteMyDataIntent")
    done = conversation.yes()
    assert done.speech == said("data.deleted"), f"{done}"
    assert stored_record() is None, "the record is still stored"


def test_delete_my_data_help_explains_what_is_stored_and_keeps_asking(handler, services):
    conversation = user(handler, services)
    conversation.say("DeleteMyDataIntent")
    helped = conversation.say("AMAZON.HelpIntent")
    assert helped.speech == said("data.help") and helped.ends_session is False, f"{helped}"
    assert conversation.yes().speech == said("data.deleted"), "yes after help should still delete"


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


class FailingDeletes(SqlitePersistenceAdapter):
    """A SQLite store whose delete fails (locked by another writer, say)."""

    def delete_attributes(self, request_envelope):
        raise PersistenceException("simulated delete failure")


def test_a_failed_deletion_is_never_reported_as_done(services, tmp_path):
    failing = make_handler(services, adapter=FailingDeletes(str(tmp_path / "store.sqlite3")))
    conversation = user(failing, services)
    conversation.say("SetStretchReminderIntent")
    conversation.yes()
    conversation.say("DeleteMyDataIntent")
    done = conversation.yes()
    assert done.speech == said("data.delete_failed.reminders"), f"the failure must be admitted: {done}"
    assert emulator_tokens(services) == set(), "the reminder itself was cancelled"


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
    conversation = user(handler, services, user_id="amzn1.ask.account.NEVERSEEN")
    reply = event(handler, conversation, "SkillDisabled")
    assert_empty_response(reply, "SkillDisabled for an unknown user")
    assert stored_record("amzn1.ask.account.NEVERSEEN") is None, "an event must not create a record"


# --------------------------------------------------------------------------- permission events


def test_permission_revoked_keeps_the_records_so_the_reminders_can_still_be_cancelled(handler, services):
    conversation = with_reminders(handler, services)
    before = stored_record()
    services.revoke(TOKEN)  # the user turned reminders off in the Alexa app
    reply = event(handler, conversation, "SkillPermissionChanged",
                  body={"acceptedPermissions": [{"scope": OTHER_SCOPE}]})
    assert_empty_response(reply, "SkillPermissionChanged")
    assert stored_record() == before, "the records of reminders that may still exist must be kept"

    conversation.session = env.Session(device=conversation.session.device)
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
    conversation = user(handler, services, user_id="amzn1.ask.account.NEVERSEEN")
    reply = event(handler, conversation, "SkillPermissionChanged", body={"acceptedPermissions": []})
    assert_empty_response(reply, "SkillPermissionChanged for an unknown user")
    assert stored_record("amzn1.ask.account.NEVERSEEN") is None, "an event must not create a record"


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
