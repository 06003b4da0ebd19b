"""The reminder conversation through the real lambda_handler, against the Alexa services emulator
over real HTTP: payloads as the emulator stored them, splitting, listing, cancelling, the voice
permission flow, every simulated failure (the store's included), and the records kept in the
SQLite store. The `services` and `handler` fixtures come from conftest.py; users are returning
users (the disclaimer heard on an earlier visit) unless a test is about the first visit.

Schedules are said as a summary ("every 30 minutes from 8 AM to 4 PM on weekdays", "every day
at 3 PM"), never time by time; the expected words are built from the content keys."""

from __future__ import annotations

import re

import pytest

from backcare.content import LOCALES, texts
from backcare_tools import envelopes as env
from support.reminders import (
    CONSENT,
    DEVICE,
    TOKEN,
    USER,
    FaultyStore,
    ask_for_directive,
    default_store_path,
    emulator_tokens,
    make_handler,
    record_tokens,
    stored_record,
    stored_reminders,
    user,
)
from support.skill import said

SCOPE = "alexa::alerts:reminders:skill:readwrite"
WEEKDAYS = "BYDAY=MO,TU,WE,TH,FR"
# A spoken time of day ("9 AM", "4:30 PM"): the summaries name at most a first and a last one.
SPOKEN_TIME = re.compile(r"\b\d{1,2}(?::\d{2})? ?[AP]M\b")


def reminder_text(kind: str, locale: str = "en-US") -> str:
    """What the reminder says when it fires (the payload's spokenInfo text)."""
    return texts(locale).plain(f"reminders.text.{kind}")


def at(hhmm: str, locale: str = "en-US") -> str:
    """A time of day as the skill says it: "09:00" -> "9 AM", "16:30" -> "4:30 PM"."""
    hour, minute = (int(part) for part in hhmm.split(":"))
    spoken = str(hour % 12 or 12) if minute == 0 else f"{hour % 12 or 12}:{minute:02d}"
    return said("reminders.time", locale, hour=spoken, period="AM" if hour < 12 else "PM")


def posture_when(minutes: int, first: str, last: str, locale: str = "en-US") -> str:
    """A posture schedule's summary: "every hour from 9 AM to 5 PM on weekdays"."""
    return said("reminders.when.posture", locale, interval=said(f"reminders.interval.{minutes}", locale),
                first=at(first, locale), last=at(last, locale))


def stretch_when(hhmm: str, locale: str = "en-US") -> str:
    """A stretch schedule's summary: "every day at 3 PM" (the placeholder's name is the content's)."""
    return said("reminders.when.stretch", locale, time=at(hhmm, locale), times=at(hhmm, locale))


def kind(name: str, locale: str = "en-US") -> str:
    """How a reminder kind is spoken (posture reminders are "break" reminders)."""
    return said(f"reminders.kind.{name}", locale)


DEFAULT_POSTURE = posture_when(60, "09:00", "17:00")  # every hour from 9 AM to 5 PM on weekdays


def assert_summarised(speech: str, schedules: int = 1) -> None:
    """A schedule is said as a summary: at most a first and a last time each, never a list."""
    times = SPOKEN_TIME.findall(speech)
    assert len(times) <= 2 * schedules, f"times listed one by one: {times} in {speech!r}"
    assert not re.search(r"\d+, \d+", speech), f"a list of times: {speech!r}"


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
    when = posture_when(60, "09:00", "17:00", locale)
    assert confirmation.speech == said("reminders.confirm.posture", locale, when=when), (
        f"{locale}: the schedule must be confirmed, summarised: {confirmation}")
    assert_summarised(confirmation.speech)
    assert confirmation.ends_session is False and confirmation.reprompt == said("reminders.confirm.reprompt", locale)
    assert confirmation.mode == "reminder_confirm" and confirmation.attributes["pending_reminder"]["kind"] == "posture"
    assert stored(services) == [], f"{locale}: nothing may be created before the user says yes"
    done = conversation.yes()
    assert done.speech == said("reminders.created", locale, kind=kind("posture", locale), when=when), (
        f"{locale}: {done}")
    assert done.ends_session is True and done.mode == "home", f"{locale}: {done}"
    text = reminder_text("posture", locale)
    assert stored(services) == [
        expected(first, zone, [posture_rule(h) for h in (9, 10, 11, 12, 13)], locale, text),
        expected(second, zone, [posture_rule(h) for h in (14, 15, 16, 17)], locale, text),
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
    when = stretch_when("16:30", locale)
    assert confirmation.speech == said("reminders.confirm.stretch", locale, when=when), f"{locale}: {confirmation}"
    done = conversation.yes()
    assert done.speech == said("reminders.created", locale, kind=kind("stretch", locale), when=when), f"{done}"
    assert stored(services) == [
        expected(scheduled, zone, ["FREQ=DAILY;BYHOUR=16;BYMINUTE=30;BYSECOND=0"], locale,
                 reminder_text("stretch", locale)),
    ], f"{locale} in {zone}: unexpected payload {services.reminders_for(USER)}"
    record = stored_reminders()[0]
    assert record["kind"] == "stretch" and record["schedule"]["times"] == ["16:30"], f"bad record {record}"


def test_stretch_reminder_without_a_time_is_every_day_at_3_pm(handler, services):
    conversation = user(handler, services)
    confirmation = conversation.say("SetStretchReminderIntent")
    assert stretch_when("15:00") in confirmation.speech, f"default stretch time not confirmed: {confirmation}"
    assert_summarised(confirmation.speech)
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
    assert done.speech == said("reminders.created", "en-AU", kind=kind("stretch", "en-AU"),
                               when=stretch_when("16:30", "en-AU")), (
        f"a failing Settings API must not stop the reminder: {done}")
    zones = [r["trigger"]["timeZoneId"] for r in stored(services)]
    assert zones == ["Australia/Sydney"], f"en-AU falls back to Sydney: {zones}"


@pytest.mark.parametrize("locale", [*LOCALES, "en-NZ"])
def test_reminder_texts_are_short_and_say_nothing_personal(locale):
    for name in ("posture", "stretch"):
        text = reminder_text(name, locale)
        # Alexa reads a reminder twice; 120 characters leave room for "say: Alexa, open back care coach".
        assert 0 < len(text) <= 120, f"{locale} {name}: reminder text too long: {text!r}"
        for word in ("pain", "symptom", "doctor", "your back"):
            assert word not in text.lower(), f"{locale} {name}: health detail {word!r} in {text!r}"


@pytest.mark.parametrize("locale", [*LOCALES, "en-NZ"])
def test_reminder_texts_say_open_back_care_coach_never_ask(locale):
    """Under Alexa+ a one-shot "ask back care coach to ..." may not reach the skill (SPEC §5)."""
    stretch = reminder_text("stretch", locale).lower()
    assert "open back care coach" in stretch, f"{locale}: the stretch reminder must say how to open the skill"
    for name in ("posture", "stretch"):
        text = reminder_text(name, locale).lower()
        assert "ask back care coach" not in text, f"{locale} {name}: a one-shot invocation in {text!r}"
        if "back care coach" in text:
            assert "open back care coach" in text, f"{locale} {name}: {text!r}"


def test_a_locale_the_skill_does_not_serve_gets_reminders_in_en_us_with_the_generic_words(handler, services):
    services.set_time_zone(DEVICE, "Pacific/Auckland")
    conversation = user(handler, services, locale="en-NZ")
    confirmation = conversation.say("SetStretchReminderIntent", {"time": "16:30"})
    assert confirmation.speech == said("reminders.confirm.stretch", "en-NZ", when=stretch_when("16:30", "en-NZ"))
    done = conversation.yes()
    assert done.speech == said("reminders.created", "en-NZ", kind=kind("stretch", "en-NZ"),
                               when=stretch_when("16:30", "en-NZ")), f"{done}"
    content = [r["alertInfo"]["spokenInfo"]["content"] for r in stored(services)]
    assert content == [[{"locale": "en-US", "text": reminder_text("stretch", "en-NZ")}]], (
        f"the API needs a locale tag it knows: the base texts under en-US: {content}")
    assert [r["trigger"]["timeZoneId"] for r in stored(services)] == ["Pacific/Auckland"]


# --------------------------------------------------------------------------- splitting


def test_thirty_minute_schedule_is_split_and_every_part_recorded(handler, services):
    conversation = user(handler, services)
    confirmation = conversation.say("SetPostureReminderIntent",
                                    {"interval": "PT30M", "startTime": "08:00", "endTime": "04:00"})
    when = posture_when(30, "08:00", "16:00")  # every 30 minutes from 8 AM to 4 PM on weekdays
    assert confirmation.speech == said("reminders.confirm.posture", when=when), (
        f"the bare 4 must be confirmed as 4 PM, and 17 times a day summarised: {confirmation}")
    assert_summarised(confirmation.speech)
    done = conversation.yes()
    assert done.speech == said("reminders.created", kind=kind("posture"), when=when), f"{done}"
    assert_summarised(done.speech)
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
    assert confirmation.speech == " ".join((
        said("reminders.confirm.replaces", kind=kind("posture")),
        said("reminders.confirm.posture", when=posture_when(120, "09:00", "17:00")))), (
        f"the user must hear that the old schedule goes: {confirmation}")
    done = conversation.yes()
    assert done.speech == said("reminders.created", kind=kind("posture"), when=posture_when(120, "09:00", "17:00"))
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
    items = [said("reminders.list.posture", when=DEFAULT_POSTURE),
             said("reminders.list.stretch", when=stretch_when("18:00"))]
    assert listed.speech == said("reminders.list", items=f"{items[0]} {said('reminders.word.and')} {items[1]}"), (
        f"both kinds must be listed, each summarised: {listed}")
    assert_summarised(listed.speech, schedules=2)
    assert listed.ends_session is True, f"{listed}"
    assert not [c for c in services.calls[calls_before:] if c.path.startswith("/v1/alerts")], (
        "listing must not call the Reminders API")


def test_listing_with_no_reminders_offers_to_set_one(handler, services):
    conversation = user(handler, services)
    listed = conversation.say("ListRemindersIntent")
    assert listed.speech == f"{said('reminders.list.none')} {said('offer.posture_reminders')}", f"{listed}"
    assert listed.ends_session is False and listed.reprompt == said("offer.posture_reminders.reprompt"), f"{listed}"
    assert listed.offers == ["posture_reminders"], f"{listed.attributes}"
    confirmation = conversation.yes()
    assert confirmation.speech == said("reminders.confirm.posture", when=DEFAULT_POSTURE), (
        f"yes to the offer should confirm the default schedule first: {confirmation}")
    assert stored(services) == [], "nothing may be set before the confirmation"
    conversation.yes()
    assert len(stored(services)) == 2, "yes to the confirmation sets the default posture schedule"


# --------------------------------------------------------------------------- cancelling


def set_both(conversation):
    set_posture(conversation)
    conversation.say("SetStretchReminderIntent")
    conversation.yes()


@pytest.mark.parametrize("name", ["posture", "stretch"])
def test_cancelling_one_kind_leaves_the_other(handler, services, name):
    conversation = user(handler, services)
    set_both(conversation)
    done = conversation.say("CancelRemindersIntent", {"kind": {"value": name, "id": name}})
    assert done.speech == said("reminders.cancelled", kind=kind(name)) and done.ends_session is True, f"{done}"
    left = {record["kind"] for record in stored_reminders()}
    assert left == ({"stretch", "posture"} - {name}), f"wrong records left: {stored_reminders()}"
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
    both = f"{kind('posture')} {said('reminders.word.and')} {kind('stretch')}"  # "break and stretch"
    assert question.speech == said("reminders.cancel.which", kinds=both) and question.ends_session is False, (
        f"{question}")
    assert question.reprompt == said("reminders.cancel.reprompt"), f"{question}"
    assert question.mode == "cancel_confirm" and question.attributes.get("pending_cancel") == "all", question.attributes
    assert len(emulator_tokens(services)) == 3, "nothing may be cancelled before the user says yes"
    done = conversation.yes()
    assert done.speech == said("reminders.cancelled.all") and done.ends_session is True, f"{done}"
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "yes should cancel everything"


def test_cancel_without_a_kind_and_one_kind_set_asks_about_that_kind_and_no_keeps_it(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    question = conversation.say("CancelRemindersIntent")
    assert question.speech == said("reminders.cancel.confirm", kind=kind("posture")), f"{question}"
    assert question.attributes.get("pending_cancel") == "posture", f"{question.attributes}"
    helped = conversation.say("AMAZON.HelpIntent")
    assert helped.speech == said("reminders.help.cancel") and helped.mode == "cancel_confirm", f"{helped}"
    unclear = conversation.say("AMAZON.FallbackIntent")
    assert unclear.speech == f"{said('reminders.confirm.yes_or_no')} {said('reminders.cancel.reprompt')}", f"{unclear}"
    kept = conversation.no()
    assert kept.speech == said("reminders.cancel.kept") and kept.ends_session is True, f"{kept}"
    assert len(emulator_tokens(services)) == 2 and len(stored_reminders()) == 2, "no must keep the reminders"


def test_cancel_with_nothing_set(handler, services):
    conversation = user(handler, services)
    reply = conversation.say("CancelRemindersIntent")
    assert reply.speech == said("reminders.cancel.none") and reply.ends_session is True, f"{reply}"
    named = conversation.say("CancelRemindersIntent", {"kind": {"value": "stretch", "id": "stretch"}})
    assert named.speech == said("reminders.cancel.none_of_kind", kind=kind("stretch")), f"{named}"
    assert named.ends_session is True, f"{named}"
    everything = conversation.say("CancelRemindersIntent", {"kind": {"value": "all", "id": "all"}})
    assert everything.speech == said("reminders.cancel.none"), f"{everything}"


# --------------------------------------------------------------------------- the store is down


@pytest.fixture
def store(services):
    """The SQLite store behind `store_handler`, which can be made to fail (FaultyStore.failing)."""
    return FaultyStore(default_store_path())


@pytest.fixture
def store_handler(services, store):
    return make_handler(services, adapter=store)


def test_listing_when_the_store_is_down_says_it_cannot_look(store_handler, services, store):
    conversation = user(store_handler, services)
    set_posture(conversation)
    conversation.launch()  # a session is open: no disclaimer question for the store
    store.failing = set(FaultyStore.ALL)
    listed = conversation.say("ListRemindersIntent")
    assert listed.speech == said("reminders.list.unavailable") and listed.ends_session is True, (
        f"a store that cannot be read must not be heard as 'no reminders': {listed}")
    assert listed.offers == [], "no offer to set reminders the user may already have"


@pytest.mark.parametrize("slots", [None, {"kind": {"value": "posture", "id": "posture"}},
                                   {"kind": {"value": "all", "id": "all"}}], ids=["no kind", "posture", "all"])
def test_cancelling_when_the_store_is_down_says_it_cannot_look_and_cancels_nothing(store_handler, services, store,
                                                                                  slots):
    conversation = user(store_handler, services)
    set_posture(conversation)
    before = emulator_tokens(services)
    conversation.launch()
    store.failing = set(FaultyStore.ALL)
    calls_before = len(services.calls)
    reply = conversation.say("CancelRemindersIntent", slots)
    assert reply.speech == said("reminders.cancel.unavailable") and reply.ends_session is True, (
        f"'nothing to cancel' would be a lie when the records cannot be read: {reply}")
    assert emulator_tokens(services) == before, "nothing may be cancelled blind"
    assert not [c for c in services.calls[calls_before:] if c.path.startswith("/v1/alerts")], "no API call"
    store.failing = set()
    done = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    assert done.speech == said("reminders.cancelled", kind=kind("posture")), f"the records survived: {done}"
    assert emulator_tokens(services) == set() and stored_reminders() == []


def test_a_cancel_confirmed_after_the_store_went_down_cancels_nothing(store_handler, services, store):
    conversation = user(store_handler, services)
    set_posture(conversation)
    question = conversation.say("CancelRemindersIntent")
    assert question.mode == "cancel_confirm", f"{question}"
    store.failing = set(FaultyStore.ALL)
    answer = conversation.yes()
    assert answer.speech == said("reminders.cancel.unavailable") and answer.ends_session is True, f"{answer}"
    assert len(emulator_tokens(services)) == 2, "nothing may be cancelled blind"


def test_a_reminder_set_while_the_store_is_down_is_set_and_the_user_told_it_is_not_noted(
        store_handler, services, store):
    conversation = user(store_handler, services)
    conversation.launch()
    store.failing = set(FaultyStore.ALL)
    conversation.say("SetStretchReminderIntent")
    done = conversation.yes()
    assert done.speech == " ".join((said("reminders.created", kind=kind("stretch"), when=stretch_when("15:00")),
                                    said("reminders.not_saved"))), f"{done}"
    assert len(emulator_tokens(services)) == 1, "the reminder does exist"
    store.failing = set()
    assert stored_reminders() == [], "nothing could be written"


def test_a_reminder_already_gone_at_the_api_is_dropped_from_the_records(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    gone = sorted(emulator_tokens(services))[0]
    status, _ = _delete_at_api(services, gone)
    assert status == 200, "could not delete a reminder behind the skill's back"
    done = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    assert done.speech == said("reminders.cancelled", kind=kind("posture")), f"{done}"
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
    assert done.speech == said("reminders.created", kind=kind("posture"), when=posture_when(120, "09:00", "17:00")), (
        f"the set schedule must be said: {done}")
    assert done.ends_session is True and "pending_reminder" not in done.attributes, f"{done}"
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
    assert refused.ends_session is True and "pending_reminder" not in refused.attributes, f"{status}: {refused}"
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
    assert done.speech == said("reminders.created", kind=kind("stretch"), when=stretch_when("15:00")), f"{done}"
    assert len(stored(services)) == 1, "the stretch reminder should exist"


@pytest.mark.parametrize("failure", ["401", "unauthorized"])
def test_a_401_from_the_api_takes_the_permission_path(handler, services, failure):
    conversation = user(handler, services)
    services.simulate(failure)
    conversation.say("SetPostureReminderIntent")
    asked = conversation.yes()
    assert ask_for_directive(asked) is not None, f"a 401 should ask for the permission: {asked}"
    assert stored(services) == [] and stored_reminders() == [], "nothing was created"
    done = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert done.speech == said("reminders.created", kind=kind("posture"), when=DEFAULT_POSTURE), f"{done}"
    assert len(stored(services)) == 2, f"{done}"


def test_a_permission_still_missing_after_accepted_sends_the_card_instead_of_asking_again(handler, services):
    conversation = user(handler, services, consent=None, granted=False)
    conversation.say("SetPostureReminderIntent")
    conversation.yes()
    still = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert still.speech == said("reminders.permission.still_missing"), f"{still}"
    assert ask_for_directive(still) is None and still.card == {"type": "AskForPermissionsConsent",
                                                               "permissions": [SCOPE]}, f"{still}"
    assert still.ends_session is True and stored(services) == [], f"{still}"


def test_a_permission_answer_with_nothing_pending_thanks_the_user(handler, services):
    conversation = user(handler, services)
    conversation.launch()
    thanked = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert thanked.speech == said("reminders.permission.thanks") and thanked.ends_session is True, f"{thanked}"
    assert stored(services) == [], "nothing was pending, so nothing is created"


def test_cancel_without_permission_asks_for_it_then_cancels(handler, services):
    conversation = user(handler, services)
    set_posture(conversation)
    services.revoke(TOKEN)
    asked = conversation.say("CancelRemindersIntent", {"kind": {"value": "posture", "id": "posture"}})
    assert ask_for_directive(asked) is not None, f"a 401 on cancel should ask for the permission: {asked}"
    assert len(stored_reminders()) == 2, "records must be kept while the reminders exist"
    services.grant(TOKEN, USER)
    done = conversation.send(env.connections_response("ACCEPTED", token="reminders"))
    assert done.speech == said("reminders.cancelled", kind=kind("posture")), f"{done}"
    assert stored_reminders() == [] and emulator_tokens(services) == set(), "the reminders should be cancelled"


# --------------------------------------------------------------------------- failures


def test_device_not_supported_says_so_and_offers_the_exercises(handler, services):
    conversation = user(handler, services)
    services.simulate("403")
    conversation.say("SetPostureReminderIntent")
    refused = conversation.yes()
    assert refused.speech == f"{said('reminders.error.device')} {said('offer.exercises')}", f"{refused}"
    assert refused.reprompt == said("offer.exercises.reprompt") and refused.ends_session is False, f"{refused}"
    assert refused.offers == ["exercises"] and "pending_reminder" not in refused.attributes, f"{refused.attributes}"
    assert stored(services) == [] and stored_reminders() == [], "nothing was created"
    exercising = conversation.yes()
    assert exercising.mode == "exercise" and exercising.ends_session is False, (
        f"yes should start the exercises: {exercising}")


@pytest.mark.parametrize(("failure", "key"), [
    ("429", "reminders.error.rate_limited"),
    ("500", "reminders.error.unavailable"),
    ("timeout", "reminders.error.unavailable"),
])
def test_a_failing_service_gets_an_apology_and_nothing_is_recorded(handler, services, failure, key):
    conversation = user(handler, services)
    services.simulate(failure)
    conversation.say("SetPostureReminderIntent")
    failed = conversation.yes()
    assert failed.speech == said(key) and failed.ends_session is True, f"{failure}: {failed}"
    assert "pending_reminder" not in failed.attributes, f"{failure}: {failed.attributes}"
    assert stored(services) == [] and stored_reminders() == [], f"{failure}: nothing may be recorded as set"


@pytest.mark.parametrize(("failure", "key"), [("429", "reminders.partial.rate_limited"),
                                              ("500", "reminders.partial.unavailable")])
def test_a_split_schedule_failing_part_way_says_exactly_what_was_set(handler, services, failure, key):
    conversation = user(handler, services)
    services.simulate(failure, after=1)
    conversation.say("SetPostureReminderIntent")
    partial = conversation.yes()
    assert partial.speech == " ".join((
        said("reminders.partial", kind=kind("posture"), when=posture_when(60, "09:00", "13:00")), said(key))), (
        f"{failure}: the part that was set must be named: {partial}")
    records = stored_reminders()
    assert [r["schedule"]["times"] for r in records] == [["09:00", "10:00", "11:00", "12:00", "13:00"]], (
        f"{failure}: the record must hold exactly the created part: {records}")
    assert_records_match_emulator(services)


def test_reminders_created_but_not_saved_are_reported_honestly(services):
    store = FaultyStore(default_store_path())
    conversation = user(make_handler(services, adapter=store), services)
    conversation.launch()
    store.failing = {FaultyStore.WRITE}  # reads work, writes fail (a disk gone read-only)
    conversation.say("SetPostureReminderIntent")
    done = conversation.yes()
    assert done.speech == " ".join((said("reminders.created", kind=kind("posture"), when=DEFAULT_POSTURE),
                                    said("reminders.not_saved"))), f"a failed save must be admitted: {done}"
    assert len(emulator_tokens(services)) == 2, "the reminders do exist"
    assert stored_reminders() == [], "nothing was written"


# --------------------------------------------------------------------------- corrections


@pytest.mark.parametrize(("interval", "problem", "suggestion"), [
    ("PT10M", "interval_too_short", 30),
    ("PT5H", "interval_too_long", 120),
    ("PT45M", "interval_not_offered", 60),
])
def test_an_interval_that_cannot_be_set_is_corrected_with_a_suggestion(handler, services, interval, problem,
                                                                       suggestion):
    conversation = user(handler, services)
    corrected = conversation.say("SetPostureReminderIntent", {"interval": interval})
    assert corrected.speech == " ".join((
        said(f"reminders.problem.{problem}"),
        said("reminders.suggest.posture", interval=said(f"reminders.interval.{suggestion}"),
             when=posture_when(suggestion, "09:00", "17:00")))), f"{interval}: {corrected}"
    assert corrected.ends_session is False and corrected.reprompt == said("reminders.confirm.reprompt"), (
        f"{interval}: the session stays open")
    assert corrected.attributes["pending_reminder"]["interval_minutes"] == suggestion, f"{corrected.attributes}"
    assert stored(services) == [], f"{interval}: nothing may be created by a correction"
    conversation.yes()
    minutes = suggestion
    record = stored_reminders()[0]
    assert record["schedule"]["interval_minutes"] == minutes, f"{interval}: yes should set the suggestion: {record}"


@pytest.mark.parametrize(("intent", "slots", "problem", "name"), [
    ("SetPostureReminderIntent", {"interval": "P1M"}, "unrecognised_interval", "posture"),
    ("SetPostureReminderIntent", {"startTime": "15:00", "endTime": "14:00"}, "end_before_start", "posture"),
    ("SetPostureReminderIntent", {"startTime": "09:00", "endTime": "09:30"}, "no_times_in_window", "posture"),
    ("SetPostureReminderIntent", {"startTime": "quarter past"}, "unrecognised_time", "posture"),
    ("SetStretchReminderIntent", {"time": "25:00"}, "unrecognised_time", "stretch"),
])
def test_bad_slot_values_get_a_spoken_correction_that_asks_again(handler, services, intent, slots, problem, name):
    conversation = user(handler, services)  # a returning user: no disclaimer in front of the correction
    corrected = conversation.say(intent, slots)
    assert corrected.speech == f"{said(f'reminders.problem.{problem}')} {said(f'reminders.ask_again.{name}')}", (
        f"{slots}: {corrected}")
    assert corrected.ends_session is False and corrected.reprompt == said("reminders.ask_again.reprompt"), (
        f"{slots}: the session stays open with a reprompt")
    assert "pending_reminder" not in corrected.attributes, f"{slots}: nothing is pending after a correction"
    again = conversation.say(intent, {"time": "15:00"} if name == "stretch" else {"interval": "PT1H"})
    when = stretch_when("15:00") if name == "stretch" else DEFAULT_POSTURE
    assert again.speech == said(f"reminders.confirm.{name}", when=when), (
        f"{slots}: saying it again should work: {again}")


def test_a_first_time_one_shot_with_a_bad_value_still_hears_the_disclaimer(handler, services):
    conversation = user(handler, services, first_visit=True)
    corrected = conversation.say("SetStretchReminderIntent", {"time": "25:00"})
    assert corrected.speech == " ".join((said("launch.disclaimer"), said("reminders.problem.unrecognised_time"),
                                         said("reminders.ask_again.stretch"))), f"the disclaimer was lost: {corrected}"
    again = conversation.say("SetStretchReminderIntent")
    assert again.speech == said("reminders.confirm.stretch", when=stretch_when("15:00")), (
        f"the disclaimer is said once, at the start of the first session: {again}")
    conversation.new_session()
    later = conversation.say("ListRemindersIntent")
    assert said("launch.disclaimer") not in later.speech, f"a returning user does not hear it again: {later}"


def test_a_first_time_one_shot_that_sets_a_reminder_hears_the_disclaimer_once(handler, services):
    conversation = user(handler, services, first_visit=True)
    confirmation = conversation.say("SetStretchReminderIntent")
    assert confirmation.speech == " ".join((said("launch.disclaimer"),
                                            said("reminders.confirm.stretch", when=stretch_when("15:00")))), (
        f"{confirmation}")
    assert confirmation.reprompt == said("reminders.confirm.reprompt"), "the reprompt never carries the disclaimer"
    done = conversation.yes()
    assert done.speech == said("reminders.created", kind=kind("stretch"), when=stretch_when("15:00")), f"{done}"
    assert stored_record()["disclaimer_heard"] is True, f"{stored_record()}"


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
    assert helped.speech == said("reminders.help.confirm", when=stretch_when("07:30")), f"{helped}"
    assert helped.reprompt == said("reminders.confirm.reprompt") and helped.mode == "reminder_confirm", f"{helped}"
    repeated = conversation.say("AMAZON.RepeatIntent")
    assert repeated.speech == helped.speech and repeated.reprompt == helped.reprompt, (
        f"repeat should say the help again: {repeated}")
    unclear = conversation.say("AMAZON.FallbackIntent")
    assert unclear.speech == " ".join((said("reminders.confirm.yes_or_no"),
                                       said("reminders.confirm.stretch", when=stretch_when("07:30")))), f"{unclear}"
    unsure = conversation.say("UnsureIntent")
    assert unsure.speech == unclear.speech and unsure.mode == "reminder_confirm", f"{unsure}"
    conversation.yes()
    assert len(stored(services)) == 1, "the reminder should still be set after help, repeat and a fallback"


def test_a_tampered_pending_reminder_is_never_created(handler, services):
    conversation = user(handler, services)
    conversation.say("SetPostureReminderIntent")
    pending = conversation.session.attributes["pending_reminder"]
    pending["times"] = [f"{hour:02d}:{minute:02d}" for hour in range(9, 18) for minute in (0, 10, 20, 30, 40, 50)]
    answer = conversation.yes()
    assert answer.speech == said("reminders.help") and answer.ends_session is False, f"{answer}"
    assert answer.reprompt == said("reminders.help.reprompt") and answer.mode == "home", f"{answer}"
    assert stored(services) == [] and stored_reminders() == [], "a schedule the skill never offered was created"


def test_stop_while_confirming_sets_nothing(handler, services):
    conversation = user(handler, services)
    conversation.say("SetPostureReminderIntent")
    stopped = conversation.say("AMAZON.StopIntent")
    assert stopped.speech == said("home.goodbye") and stopped.ends_session is True, f"stop must end: {stopped}"
    assert "pending_reminder" not in stopped.attributes, f"{stopped.attributes}"
    assert stored(services) == [], "stop means nothing is set"


def test_the_posture_kind_is_spoken_as_a_break(handler, services):
    conversation = user(handler, services)
    spoken = [conversation.say("SetPostureReminderIntent"), conversation.yes(),
              conversation.say("ListRemindersIntent"), conversation.say("CancelRemindersIntent"), conversation.yes()]
    assert spoken[-1].speech == said("reminders.cancelled", kind=kind("posture")), f"{spoken[-1]}"
    for reply in spoken:
        assert "posture" not in reply.speech.lower(), f"'posture' said to the user: {reply}"
    assert "break" in spoken[1].speech and "break" in spoken[2].speech, f"{spoken[1]} / {spoken[2]}"


FORBIDDEN_IN_RECORDS = ("outcome", "triage", "answer", "self_care", "see_doctor", "urgent", "emergency",
                        "bladder", "bowel", "fever", "duration_worsening", "cancer", "sleep_daily")


@pytest.mark.parametrize(("outcome", "answers"), [
    ("self_care", ["no"] * 16),
    ("see_doctor", ["no"] * 13 + ["yes"]),  # question 14: lasted more than two weeks, or getting worse
])
def test_a_reminder_set_right_after_an_outcome_is_confirmed_and_stores_nothing_of_the_check(
        handler, services, outcome, answers):
    conversation = user(handler, services)
    conversation.say("CheckSymptomsIntent")
    reply = None
    for answer in answers:
        reply = conversation.yes() if answer == "yes" else conversation.no()
    assert reply is not None and reply.speech.startswith(said(f"outcome.{outcome}.speech")), (
        f"expected {outcome}: {reply}")
    assert reply.ends_session is False and reply.mode == "offer", f"{outcome} keeps the session open: {reply}"
    confirmation = conversation.say("SetPostureReminderIntent")
    assert confirmation.speech == said("reminders.confirm.posture", when=DEFAULT_POSTURE), (
        f"the default schedule must be confirmed before setting it: {confirmation}")
    assert stored(services) == [], "nothing may be set before the confirmation"
    done = conversation.yes()
    assert done.speech == said("reminders.created", kind=kind("posture"), when=DEFAULT_POSTURE), f"{done}"
    assert len(stored(services)) == 2, "the default posture schedule (two parts) should exist"
    assert_records_match_emulator(services)
    record = str(stored_record()).lower()
    payloads = str(stored(services)).lower()
    for word in FORBIDDEN_IN_RECORDS:
        assert word not in record, f"{word!r} leaked into the stored record: {record}"
        assert word not in payloads, f"{word!r} leaked into a reminder: {payloads}"


def test_the_reminder_kinds_are_the_schedule_kinds():
    from backcare import schedule
    from backcare.handlers.reminders import speech

    assert speech.KINDS == schedule.KINDS, "the handler's kind ids must be the schedule's"


def test_building_the_skill_does_not_import_the_schedule_module():
    import subprocess
    import sys

    code = ("import sys; from backcare.config import Config; from backcare.skill import build_skill; "
            "build_skill(Config(persistence='none')); "
            "print(sorted(m for m in ('backcare.schedule', 'zoneinfo', 'backcare.services.reminders') "
            "if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"a cold start should not pay for reminder modules: {result.stdout}"
