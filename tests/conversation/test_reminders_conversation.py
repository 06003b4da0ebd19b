"""The reminder conversation through the real lambda_handler, against the Alexa services emulator
over real HTTP: payloads as the emulator stored them, splitting, listing, cancelling, the voice
permission flow, every simulated failure, and the records kept in the SQLite store."""

from __future__ import annotations

import pytest
from ask_sdk_core.exceptions import PersistenceException

from backcare.content import LOCALES, strip_ssml, texts
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from backcare_tools import envelopes as env
from support.reminders import (  # the *_fixture names register the fixtures
    CONSENT,
    DEVICE,
    TOKEN,
    USER,
    ask_for_directive,
    emulator_tokens,
    handler_fixture,  # noqa: F401
    make_handler,
    record_tokens,
    services_fixture,  # noqa: F401
    stored_reminders,
    user,
)

SCOPE = "alexa::alerts:reminders:skill:readwrite"
WEEKDAYS = "BYDAY=MO,TU,WE,TH,FR"
POSTURE_TEXT = "Time for a posture break."
STRETCH_TEXT = "Time to stretch. Say: Alexa, ask back care coach to guide me through stretches."


def said(key: str, locale: str = "en-US", **fields) -> str:
    return strip_ssml(texts(locale)(key, **fields))


def posture_rule(hour: int, minute: int = 0) -> str:
    return f"FREQ=WEEKLY;{WEEKDAYS};BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"


def expected(scheduled: str, zone: str, rules: list[str], locale: str, text: str) -> dict:
    """A reminder as the emulator stores it (what GET one would answer)."""
    return {
        "trigger": {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": scheduled, "timeZoneId": zone,
                    "recurrence": {"startDateTime": scheduled, "recurrenceRules": rules}},
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }


def stored(emulator, user_id: str = USER) -> list[dict]:
    """The emulator's reminders for the user, without the fields the API adds, in creation order."""
    keys = ("trigger", "alertInfo", "pushNotification")
    return [{key: reminder[key] for key in keys} for reminder in emulator.reminders_for(user_id)]


def assert_records_match_emulator(emulator, user_id: str = USER) -> None:
    assert record_tokens(user_id) == emulator_tokens(emulator, user_id), (
        f"records {stored_reminders(user_id)} do not match the emulator {emulator.reminders_for(user_id)}")


def set_posture(conversation, slots: dict | None = None):
    confirmation = conversation.say("SetPostureReminderIntent", slots)
    assert confirmation.ends_session is False, f"the schedule must be confirmed first: {confirmation}"
    return conversation.yes()


# --------------------------------------------------------------------------- payloads

# (locale, device zone, first part's next start, second part's next start) at START:
# Wednesday 4 March 2026, 20:00 UTC.
POSTURE_CASES = [
    ("en-US", "America/New_York", "2026-03-05T09:00:00", "2026-03-04T16:00:00"),  # 15:00 Wednesday
    ("en-US", "America/Los_Angeles", "2026-03-04T13:00:00", "2026-03-04T14:00:00"),  # 12:00 Wednesday
    ("en-CA", "America/Toronto", "2026-03-05T09:00:00", "2026-03-04T16:00:00"),
    ("en-GB", "Europe/London", "2026-03-05T09:00:00", "2026-03-05T14:00:00"),  # 20:00 Wednesday
    ("en-AU", "Australia/Sydney", "2026-03-05T09:00:00", "2026-03-05T14:00:00"),  # 07:00 Thursday
    ("en-IN", "Asia/Kolkata", "2026-03-05T09:00:00", "2026-03-05T14:00:00"),  # 01:30 Thursday
]


@pytest.mark.parametrize(("locale", "zone", "first", "second"), POSTURE_CASES)
def test_default_posture_reminders_are_created_with_exactly_the_expected_payloads(
        handler, services, locale, zone, first, second):
    services.set_time_zone(DEVICE, zone)
    conversation = user(handler, services, locale=locale)
    confirmation = conversation.say("SetPostureReminderIntent")
    assert "every weekday at 9, 10 and 11 AM, then 12, 1, 2, 3, 4 and 5 PM" in confirmation.speech, (
        f"{locale}: the exact schedule must be confirmed: {confirmation}")
    assert stored(services) == [], f"{locale}: nothing may be created before the user says yes"
    done = conversation.yes()
    assert done.speech.startswith("Done."), f"{locale}: {done}"
    assert stored(services) == [
        expected(first, zone, [posture_rule(h) for h in (9, 10, 11, 12, 13)], locale, POSTURE_TEXT),
        expected(second, zone, [posture_rule(h) for h in (14, 15, 16, 17)], locale, POSTURE_TEXT),
    ], f"{locale} in {zone}: unexpected payloads {services.reminders_for(USER)}"
    assert_records_match_emulator(services)


@pytest.mark.parametrize(("locale", "zone", "scheduled"), [
    ("en-US", "America/New_York", "2026-03-04T16:30:00"),  # later today
    ("en-GB", "Europe/London", "2026-03-05T16:30:00"),  # already past today: tomorrow
    ("en-AU", "Australia/Perth", "2026-03-05T16:30:00"),
    ("en-IN", "Asia/Kolkata", "2026-03-05T16:30:00"),
    ("en-CA", "America/Vancouver", "2026-03-04T16:30:00"),
])
def test_stretch_reminder_payload_tells_how_to_start_the_routine(handler, services, locale, zone, scheduled):
    services.set_time_zone(DEVICE, zone)
    conversation = user(handler, services, locale=locale)
    confirmation = conversation.say("SetStretchReminderIntent", {"time": "16:30"})
    assert "stretch every day at 4:30 PM" in confirmation.speech, f"{locale}: {confirmation}"
    conversation.yes()
    assert stored(services) == [
        expected(scheduled, zone, ["FREQ=DAILY;BYHOUR=16;BYMINUTE=30;BYSECOND=0"], locale, STRETCH_TEXT),
    ], f"{locale} in {zone}: unexpected payload {services.reminders_for(USER)}"
    record = stored_reminders()[0]
    assert record["kind"] == "stretch" and record["schedule"]["times"] == ["16:30"], f"bad record {record}"


def test_stretch_reminder_without_a_time_is_every_day_at_3_pm(handler, services):
    conversation = user(handler, services)
    confirmation = conversation.say("SetStretchReminderIntent")
    assert "every day at 3 PM" in confirmation.speech, f"default stretch time not confirmed: {confirmation}"
    conversation.yes()
    rules = [r["trigger"]["recurrence"]["recurrenceRules"] for r in stored(services)]
    assert rules == [["FREQ=DAILY;BYHOUR=15;BYMINUTE=0;BYSECOND=0"]], f"unexpected rules {rules}"


def test_when_the_settings_api_fails_the_locales_usual_zone_is_used(handler, services):
    services.set_time_zone(DEVICE, "Australia/Perth")
    services.simulate("500", times=None, api="settings")
    conversation = user(handler, services, locale="en-AU")
    conversation.say("SetStretchReminderIntent", {"time": "16:30"})
    done = conversation.yes()
    services.clear_simulations()
    assert done.speech.startswith("Done."), f"a failing Settings API must not stop the reminder: {done}"
    zones = [r["trigger"]["timeZoneId"] for r in stored(services)]
    assert zones == ["Australia/Sydney"], f"en-AU falls back to Sydney: {zones}"


@pytest.mark.parametrize("locale", LOCALES)
def test_reminder_texts_are_short_and_say_nothing_personal(locale):
    words = texts(locale)
    for kind in ("posture", "stretch"):
        text = words.plain(f"reminders.text.{kind}")
        assert 0 < len(text) <= 90, f"{locale} {kind}: reminder text too long: {text!r}"
        for word in ("pain", "symptom", "doctor", "your back"):
            assert word not in text.lower(), f"{locale} {kind}: health detail {word!r} in {text!r}"


# --------------------------------------------------------------------------- splitting


def test_thirty_minute_schedule_is_split_and_every_part_recorded(handler, services):
    conversation = user(handler, services)
    confirmation = conversation.say("SetPostureReminderIntent",
                                    {"interval": "PT30M", "startTime": "08:00", "endTime": "04:00"})
    assert "every 30 minutes from 8 AM until 4 PM, 17 times a day" in confirmation.speech, (
        f"the bare 4 must be confirmed as 4 PM: {confirmation}")
    conversation.yes()
    rules = [r["trigger"]["recurrence"]["recurrenceRules"] for r in stored(services)]
    assert [len(part) for part in rules] == [5, 5, 5, 2], f"17 times in parts of at most 5: {rules}"
    assert rules[0][0] == posture_rule(8) and rules[-1][-1] == posture_rule(16), f"wrong window: {rules}"
    records = stored_reminders()
    assert [len(r["schedule"]["times"]) for r in records] == [5, 5, 5, 2], f"one record per part: {records}"
    assert_records_match_emulator(services)


def test_the_rule_limit_comes_from_the_configuration(services, monkeypatch):
    monkeypatch.setenv("BACKCARE_MAX_RULES_PER_REMINDER", "3")
    conversation = user(make_handler(services), services)
    set_posture(conversation)
    rules = [r["trigger"]["recurrence"]["recurrenceRules"] for r in stored(services)]
    assert [len(part) for part in rules] == [3, 3, 3], f"nine times in parts of three: {rules}"
    assert_records_match_emulator(services)


def test_a_new_posture_schedule_replaces_the_old_one(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    old = emulator_tokens(services)
    confirmation = conversation.say("SetPostureReminderIntent", {"interval": "PT2H"})
    assert said("reminders.confirm.replaces", kind="posture break") in confirmation.speech, (
        f"the user must hear that the old schedule goes: {confirmation}")
    conversation.yes()
    assert not old & emulator_tokens(services), "the old posture reminders are still in the emulator"
    rules = [rule for r in stored(services) for rule in r["trigger"]["recurrence"]["recurrenceRules"]]
    assert rules == [posture_rule(h) for h in (9, 11, 13, 15, 17)], f"unexpected rules {rules}"
    assert_records_match_emulator(services)


# --------------------------------------------------------------------------- listing


def test_listing_reads_the_skills_own_records(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    conversation.say("SetStretchReminderIntent", {"time": "18:00"})
    conversation.yes()
    calls_before = len(services.calls)
    listed = conversation.say("ListRemindersIntent")
    assert "posture break reminders every weekday at 9, 10 and 11 AM, then 12, 1, 2, 3, 4 and 5 PM" in listed.speech, (
        f"posture reminders not listed: {listed}")
    assert "a stretch reminder every day at 6 PM" in listed.speech, f"stretch reminder not listed: {listed}"
    assert not [c for c in services.calls[calls_before:] if c.path.startswith("/v1/alerts")], (
        "listing must not call the Reminders API")


def test_listing_with_no_reminders_offers_to_set_one(handler, services):
    conversation = user(handler, services)
    listed = conversation.say("ListRemindersIntent")
    assert said("reminders.list.none") in listed.speech and listed.ends_session is False, f"{listed}"
    confirmation = conversation.yes()
    assert "Shall I set that?" in confirmation.speech, f"yes to the offer should confirm a schedule: {confirmation}"


# --------------------------------------------------------------------------- cancelling


def set_both(conversation):
    set_posture(conversation)
    conversation.say("SetStretchReminderIntent")
    conversation.yes()


@pytest.mark.parametrize("kind", ["posture", "stretch"])
def test_cancelling_one_kind_leaves_the_other(handler, services, kind):
    conversation = user(handler, services)
    set_both(conversation)
    done = conversation.say("CancelRemindersIntent", {"kind": {"value": kind, "id": kind}})
    name = "posture break" if kind == "posture" else "stretch"
    assert done.speech == said("reminders.cancelled", kind=name), f"{done}"
    left = {record["kind"] for record in stored_reminders()}
    assert left == ({"stretch", "posture"} - {kind}), f"wrong records left: {stored_reminders()}"
    assert_records_match_emulator(services)


def test_cancelling_all_by_name(handler, services):
    conversation = user(handler, services)
    set_both(conversation)
    done = conversation.say("CancelRemindersIntent", {"kind": {"value": "both of them", "id": "all"}})
    assert done.speech == said("reminders.cancelled.all"), f"{done}"
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "reminders left after cancelling all"


def test_cancel_without_a_kind_confirms_all_first(handler, services):
    conversation = user(handler, services)
    set_both(conversation)
    question = conversation.say("CancelRemindersIntent")
    assert question.speech == said("reminders.cancel.which") and question.ends_session is False, f"{question}"
    assert len(emulator_tokens(services)) == 3, "nothing may be cancelled before the user says yes"
    conversation.yes()
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "yes should cancel everything"


def test_cancel_without_a_kind_and_one_kind_set_asks_about_that_kind_and_no_keeps_it(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    question = conversation.say("CancelRemindersIntent")
    assert question.speech == said("reminders.cancel.confirm", kind="posture break"), f"{question}"
    kept = conversation.no()
    assert kept.speech == said("reminders.cancel.kept"), f"{kept}"
    assert len(emulator_tokens(services)) == 2 and len(stored_reminders()) == 2, "no must keep the reminders"


def test_cancel_with_nothing_set(handler, services):
    reply = user(handler, services).say("CancelRemindersIntent")
    assert reply.speech == said("reminders.cancel.none") and reply.ends_session is True, f"{reply}"


def test_a_reminder_already_gone_at_the_api_is_dropped_from_the_records(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    gone = sorted(emulator_tokens(services))[0]
    status, _ = _delete_at_api(services, gone)
    assert status == 200, "could not delete a reminder behind the skill's back"
    done = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    assert done.speech == said("reminders.cancelled", kind="posture break"), f"{done}"
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "both records should be gone"


def test_a_failed_cancel_keeps_the_record_and_says_so(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    services.simulate("500", times=None)
    failed = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    assert failed.speech == said("reminders.cancel.failed"), f"{failed}"
    services.clear_simulations()
    assert len(stored_reminders()) == 2, "records of reminders that still exist must be kept"
    assert_records_match_emulator(services)


def test_a_cancel_failing_part_way_keeps_exactly_the_records_of_what_exists(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    services.simulate("500", times=None, after=1)
    partial = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    services.clear_simulations()
    assert partial.speech == said("reminders.cancel.partial"), f"{partial}"
    assert len(stored_reminders()) == 1, f"one reminder is left: {stored_reminders()}"
    assert_records_match_emulator(services)


def _delete_at_api(emulator, alert_token: str):
    from support.emulator import http

    return http("DELETE", f"{emulator.url}/v1/alerts/reminders/{alert_token}", token=TOKEN)


# --------------------------------------------------------------------------- permission


def test_without_consent_the_skill_asks_for_permission_and_creates_the_reminder_once_accepted(handler, services):
    conversation = user(handler, services, consent=None, granted=False)
    conversation.say("SetPostureReminderIntent", {"interval": "PT2H"})
    asked = conversation.yes()
    directive = ask_for_directive(asked)
    assert directive == {
        "type": "Connections.SendRequest", "name": "AskFor", "token": "reminders",
        "payload": {"@type": "AskForPermissionsConsentRequest", "@version": "2",
                    "permissionScopes": [{"permissionScope": SCOPE, "consentLevel": "ACCOUNT"}]},
    }, f"unexpected AskFor directive: {asked.directives}"
    assert "reprompt" not in asked.body and "shouldEndSession" not in asked.body, (
        f"Alexa takes the turn: no reprompt, no shouldEndSession: {asked.body}")
    assert asked.attributes.get("pending_reminder", {}).get("interval_minutes") == 120, (
        f"the pending reminder must wait in the session: {asked.attributes}")
    assert stored(services) == [], "nothing may be created without the permission"

    services.grant(TOKEN, USER)  # the user said "I approve"
    conversation.session.device.consent_token = CONSENT
    done = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert "every weekday at 9 and 11 AM, then 1, 3 and 5 PM" in done.speech, f"the set schedule must be said: {done}"
    rules = [rule for r in stored(services) for rule in r["trigger"]["recurrence"]["recurrenceRules"]]
    assert rules == [posture_rule(h) for h in (9, 11, 13, 15, 17)], f"the pending schedule was not created: {rules}"
    assert_records_match_emulator(services)


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_a_refused_permission_explains_and_sends_the_consent_card(handler, services, status):
    conversation = user(handler, services, consent=None, granted=False)
    conversation.say("SetStretchReminderIntent")
    conversation.yes()
    refused = conversation.send(env.connections_response(status, token="reminders"))
    assert refused.speech == said("reminders.permission.denied"), f"{status}: {refused}"
    assert refused.card == {"type": "AskForPermissionsConsent", "permissions": [SCOPE]}, f"{status}: {refused.card}"
    assert refused.ends_session is True, f"{status}: {refused}"
    assert stored(services) == [] and stored_reminders() == [], f"{status}: nothing may be created"


def test_a_version_two_permission_answer_is_understood(handler, services):
    conversation = user(handler, services, consent=None, granted=False)
    conversation.say("SetStretchReminderIntent")
    conversation.yes()
    services.grant(TOKEN, USER)
    answer = env.connections_response("ACCEPTED", token="reminders")
    answer["payload"] = {"permissionScopes": [{"permissionScope": SCOPE, "consentLevel": "ACCOUNT",
                                               "status": "ACCEPTED"}]}
    done = conversation.send(answer)
    assert done.speech.startswith("Done."), f"{done}"
    assert len(stored(services)) == 1, "the stretch reminder should exist"


@pytest.mark.parametrize("kind", ["401", "unauthorized"])
def test_a_401_from_the_api_takes_the_permission_path(handler, services, kind):
    conversation = user(handler, services)
    services.simulate(kind)
    conversation.say("SetPostureReminderIntent")
    asked = conversation.yes()
    assert ask_for_directive(asked) is not None, f"a 401 should ask for the permission: {asked}"
    assert stored(services) == [] and stored_reminders() == [], "nothing was created"
    done = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert done.speech.startswith("Done.") and len(stored(services)) == 2, f"{done}"


def test_a_permission_still_missing_after_accepted_sends_the_card_instead_of_asking_again(handler, services):
    conversation = user(handler, services, consent=None, granted=False)
    conversation.say("SetPostureReminderIntent")
    conversation.yes()
    still = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert still.speech == said("reminders.permission.still_missing"), f"{still}"
    assert ask_for_directive(still) is None and still.card["type"] == "AskForPermissionsConsent", f"{still}"


def test_cancel_without_permission_asks_for_it_then_cancels(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    services.revoke(TOKEN)
    asked = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    assert ask_for_directive(asked) is not None, f"a 401 on cancel should ask for the permission: {asked}"
    assert len(stored_reminders()) == 2, "records must be kept while the reminders exist"
    services.grant(TOKEN, USER)
    done = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert done.speech == said("reminders.cancelled", kind="posture break"), f"{done}"
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "the reminders should be cancelled"


# --------------------------------------------------------------------------- failures


def test_device_not_supported_says_so_and_offers_the_stretch_routine(handler, services):
    conversation = user(handler, services)
    services.simulate("403")
    conversation.say("SetPostureReminderIntent")
    refused = conversation.yes()
    assert refused.speech.startswith(said("reminders.error.device")), f"{refused}"
    assert refused.attributes.get("offer") == "stretches" and refused.ends_session is False, f"{refused}"
    assert stored(services) == [] and stored_reminders() == [], "nothing was created"
    routine = conversation.yes()
    assert routine.attributes.get("mode") == "stretches", f"yes should start the routine: {routine}"


@pytest.mark.parametrize(("kind", "key"), [
    ("429", "reminders.error.rate_limited"),
    ("500", "reminders.error.unavailable"),
    ("timeout", "reminders.error.unavailable"),
])
def test_a_failing_service_gets_an_apology_and_nothing_is_recorded(handler, services, kind, key):
    conversation = user(handler, services)
    services.simulate(kind)
    conversation.say("SetPostureReminderIntent")
    failed = conversation.yes()
    assert failed.speech == said(key) and failed.ends_session is True, f"{kind}: {failed}"
    assert stored(services) == [] and stored_reminders() == [], f"{kind}: nothing may be recorded as set"


@pytest.mark.parametrize(("kind", "key"), [("429", "reminders.partial.rate_limited"),
                                           ("500", "reminders.partial.unavailable")])
def test_a_split_schedule_failing_part_way_says_exactly_what_was_set(handler, services, kind, key):
    conversation = user(handler, services)
    services.simulate(kind, after=1)
    conversation.say("SetPostureReminderIntent")
    partial = conversation.yes()
    assert partial.speech.startswith(
        "I set your posture break reminders every weekday at 9, 10 and 11 AM, then 12 and 1 PM, but not the rest."
    ), f"{kind}: the part that was set must be named: {partial}"
    assert said(key) in partial.speech, f"{kind}: {partial}"
    records = stored_reminders()
    assert [r["schedule"]["times"] for r in records] == [["09:00", "10:00", "11:00", "12:00", "13:00"]], (
        f"{kind}: the record must hold exactly the created part: {records}")
    assert_records_match_emulator(services)


class FailingSaves(SqlitePersistenceAdapter):
    """The SQLite store that reads but cannot write (a disk that went read-only)."""

    def save_attributes(self, request_envelope, attributes):
        raise PersistenceException("simulated write failure")


def test_reminders_created_but_not_saved_are_reported_honestly(services, tmp_path):
    failing = make_handler(services, adapter=FailingSaves(str(tmp_path / "store.sqlite3")))
    conversation = user(failing, services)
    conversation.say("SetPostureReminderIntent")
    done = conversation.yes()
    assert said("reminders.not_saved") in done.speech, f"a failed save must be admitted: {done}"
    assert len(emulator_tokens(services)) == 2, "the reminders do exist"


# --------------------------------------------------------------------------- corrections


@pytest.mark.parametrize(("interval", "problem", "suggestion"), [
    ("PT10M", "interval_too_short", "30 minutes"),
    ("PT5H", "interval_too_long", "2 hours"),
    ("PT45M", "interval_not_offered", "hour"),
])
def test_an_interval_that_cannot_be_set_is_corrected_with_a_suggestion(handler, services, interval, problem,
                                                                       suggestion):
    conversation = user(handler, services)
    conversation.launch()
    corrected = conversation.say("SetPostureReminderIntent", {"interval": interval})
    assert corrected.speech.startswith(said(f"reminders.problem.{problem}")), f"{interval}: {corrected}"
    assert f"How about every {suggestion}?" in corrected.speech, f"{interval}: {corrected}"
    assert corrected.ends_session is False and corrected.reprompt, f"{interval}: the session stays open"
    assert stored(services) == [], f"{interval}: nothing may be created by a correction"
    conversation.yes()
    minutes = {"30 minutes": 30, "2 hours": 120, "hour": 60}[suggestion]
    record = stored_reminders()[0]
    assert record["schedule"]["interval_minutes"] == minutes, f"{interval}: yes should set the suggestion: {record}"


@pytest.mark.parametrize(("intent", "slots", "problem", "kind"), [
    ("SetPostureReminderIntent", {"interval": "P1M"}, "unrecognised_interval", "posture"),
    ("SetPostureReminderIntent", {"startTime": "15:00", "endTime": "14:00"}, "end_before_start", "posture"),
    ("SetPostureReminderIntent", {"startTime": "09:00", "endTime": "09:30"}, "no_times_in_window", "posture"),
    ("SetPostureReminderIntent", {"startTime": "quarter past"}, "unrecognised_time", "posture"),
    ("SetStretchReminderIntent", {"time": "25:00"}, "unrecognised_time", "stretch"),
])
def test_bad_slot_values_get_a_spoken_correction_that_asks_again(handler, services, intent, slots, problem, kind):
    conversation = user(handler, services)
    conversation.launch()  # a returning session: no disclaimer in front of the correction
    corrected = conversation.say(intent, slots)
    assert corrected.speech == f"{said(f'reminders.problem.{problem}')} {said(f'reminders.ask_again.{kind}')}", (
        f"{slots}: {corrected}")
    assert corrected.ends_session is False and corrected.reprompt == said("reminders.ask_again.reprompt"), (
        f"{slots}: the session stays open with a reprompt")
    assert "pending_reminder" not in corrected.attributes, f"{slots}: nothing is pending after a correction"
    again = conversation.say(intent, {"time": "15:00"} if kind == "stretch" else {"interval": "PT1H"})
    assert "Shall I set that?" in again.speech, f"{slots}: saying it again should work: {again}"


def test_a_first_time_one_shot_with_a_bad_value_still_hears_the_disclaimer(handler, services):
    corrected = user(handler, services).say("SetStretchReminderIntent", {"time": "25:00"})
    assert corrected.speech.startswith(said("disclaimer")), f"the disclaimer was lost: {corrected}"
    assert corrected.speech.endswith(said("reminders.ask_again.stretch")), f"{corrected}"
    again = user(handler, services).say("SetStretchReminderIntent")
    assert said("disclaimer") not in again.speech, f"the disclaimer is said once: {again}"


# --------------------------------------------------------------------------- the rest of the dialog


def test_no_sets_nothing_and_offers_to_change(handler, services):
    conversation = user(handler, services)
    conversation.say("SetPostureReminderIntent")
    declined = conversation.no()
    assert declined.speech == said("reminders.declined") and declined.ends_session is False, f"{declined}"
    assert "pending_reminder" not in declined.attributes, f"the pending reminder must go: {declined.attributes}"
    assert stored(services) == [], "no means nothing is set"


def test_help_while_confirming_is_specific_and_keeps_the_pending_reminder(handler, services):
    conversation = user(handler, services)
    conversation.say("SetStretchReminderIntent", {"time": "07:30"})
    helped = conversation.say("AMAZON.HelpIntent")
    assert helped.speech == said("reminders.help.confirm", when="every day at 7:30 AM"), f"{helped}"
    repeated = conversation.say("AMAZON.RepeatIntent")
    assert repeated.speech == helped.speech, f"repeat should say the help again: {repeated}"
    unclear = conversation.say("AMAZON.FallbackIntent")
    assert unclear.speech.startswith(said("reminders.confirm.yes_or_no")), f"{unclear}"
    conversation.yes()
    assert len(stored(services)) == 1, "the reminder should still be set after help, repeat and a fallback"


def test_a_tampered_pending_reminder_is_never_created(handler, services):
    conversation = user(handler, services)
    conversation.say("SetPostureReminderIntent")
    pending = conversation.session.attributes["pending_reminder"]
    pending["times"] = [f"{hour:02d}:{minute:02d}" for hour in range(9, 18) for minute in (0, 10, 20, 30, 40, 50)]
    answer = conversation.yes()
    assert answer.speech == said("reminders.help") and answer.ends_session is False, f"{answer}"
    assert stored(services) == [] and stored_reminders() == [], "a schedule the skill never offered was created"


def test_stop_while_confirming_sets_nothing(handler, services):
    conversation = user(handler, services)
    conversation.say("SetPostureReminderIntent")
    stopped = conversation.say("AMAZON.StopIntent")
    assert stopped.ends_session is True, f"stop must end the session: {stopped}"
    assert stored(services) == [], "stop means nothing is set"


@pytest.mark.parametrize(("outcome", "answers"), [
    ("SELF_CARE", ["no"] * 14),
    ("SEE_DOCTOR", ["no"] * 8 + ["yes"]),  # the pain has lasted more than 2 weeks
])
def test_the_reminder_offer_after_an_outcome_leads_to_a_confirmed_reminder(handler, services, outcome, answers):
    conversation = user(handler, services)
    conversation.launch()
    conversation.say("CheckSymptomsIntent")
    reply = None
    for answer in answers:
        reply = conversation.yes() if answer == "yes" else conversation.no()
    assert reply is not None and said(f"outcome.{outcome}.speech") in reply.speech, f"expected {outcome}: {reply}"
    assert reply.attributes.get("offer") == "tips", f"expected the offer of tips after {outcome}: {reply}"
    offered = conversation.no()
    assert offered.attributes.get("offer") == "reminders", f"declining tips should offer reminders: {offered}"
    confirmation = conversation.yes()
    assert "every weekday at 9, 10 and 11 AM, then 12, 1, 2, 3, 4 and 5 PM" in confirmation.speech, (
        f"the default schedule must be confirmed before setting it: {confirmation}")
    assert stored(services) == [], "nothing may be set before the confirmation"
    done = conversation.yes()
    assert done.speech.startswith("Done."), f"{done}"
    assert len(stored(services)) == 2, "the default posture schedule (two parts) should exist"
    assert_records_match_emulator(services)
    text = str(stored_reminders())
    for word in (outcome, "outcome", "triage", "answer", "duration"):
        assert word not in text, f"{word!r} leaked into the reminder records: {text}"


def test_the_reminder_kinds_are_the_schedule_kinds():
    from backcare import schedule
    from backcare.handlers import reminders

    assert reminders.KINDS == schedule.KINDS, "the handler's kind ids must be the schedule's"


def test_building_the_skill_does_not_import_the_schedule_module():
    import subprocess
    import sys

    code = ("import sys; from backcare.config import Config; from backcare.skill import build_skill; "
            "build_skill(Config(persistence='none')); "
            "print(sorted(m for m in ('backcare.schedule', 'zoneinfo', 'backcare.services.reminders') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"a cold start should not pay for reminder modules: {result.stdout}"
