"""The two-week check-in (SPEC §5) through lambda_handler against the Alexa services emulator, in
every locale: offered after SELF_CARE and SEE_DOCTOR, set on request, created as a one-time
reminder 14 days ahead at 10 AM in the device's time zone, asked once on the next visit on or
after its day, listed and cancelled with the other reminders, removed by delete-my-data and
SkillDisabled."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from backcare.content import LOCALES, texts
from backcare.handlers.check import QUESTION_TEXTS
from backcare.triage import QUESTION_IDS
from backcare_tools import envelopes as env
from support.reminders import DEVICE, USER, ask_for_directive, event, stored_record, user
from support.skill import Conversation, Reply, said

# A device zone per locale. At the emulator's start (Wednesday 4 March 2026, 20:00 UTC) it is
# Wednesday in the Americas and London, and already Thursday in Sydney and Kolkata.
ZONES = {"en-US": "America/Los_Angeles", "en-CA": "America/Toronto", "en-GB": "Europe/London",
         "en-AU": "Australia/Sydney", "en-IN": "Asia/Kolkata"}
DUE = {"en-US": date(2026, 3, 18), "en-CA": date(2026, 3, 18), "en-GB": date(2026, 3, 18),
       "en-AU": date(2026, 3, 19), "en-IN": date(2026, 3, 19)}
SPOKEN_DAY = {"en-US": "Wednesday, March 18", "en-CA": "Wednesday, March 18", "en-GB": "Wednesday the 18 of March",
              "en-AU": "Thursday the 19 of March", "en-IN": "Thursday the 19 of March"}
HEALTH_WORDS = ("pain", "back is", "hurt", "symptom", "doctor", "worse", "better", "injur", "ache")
CHANGE = {change: {"value": change, "id": change} for change in ("better", "same", "worse")}


def person(handler, services, locale: str, **kwargs) -> Conversation:
    """A returning user whose device is in the locale's zone."""
    services.set_time_zone(DEVICE, ZONES[locale])
    talk = user(handler, services, locale=locale, **kwargs)
    talk.launch()
    talk.say("AMAZON.StopIntent")
    talk.new_session()
    return talk


def reminders(services) -> list[dict]:
    return services.reminders_for(USER)


def check_in_record() -> dict | None:
    return (stored_record() or {}).get("checkin")


def finish_check(talk: Conversation, yes_at: str | None = None) -> Reply:
    """The red-flag check answered no throughout, or yes at question `yes_at`."""
    reply = talk.say("CheckSymptomsIntent")
    for qid in QUESTION_IDS:
        question = said(QUESTION_TEXTS[qid].ask, talk.locale)
        assert question in reply.speech, f"expected {qid}: {reply}"
        reply = talk.yes() if qid == yes_at else talk.no()
        if qid == yes_at:
            break
    return reply


def set_check_in(talk: Conversation) -> Reply:
    confirm = talk.say("SetCheckInReminderIntent")
    assert confirm.mode == "reminder_confirm", f"the day is confirmed first: {confirm}"
    return talk.yes()


def assert_created(services, locale: str, done: Reply) -> dict:
    assert done.ends_session is True, done
    assert done.speech == said("reminders.created.checkin", locale, date=SPOKEN_DAY[locale]), f"{locale}: {done}"
    (reminder,) = reminders(services)
    due = DUE[locale]
    assert reminder["trigger"] == {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": f"{due.isoformat()}T10:00:00",
                                   "timeZoneId": ZONES[locale]}, f"{locale}: one time, 10 AM on the day: {reminder}"
    (content,) = reminder["alertInfo"]["spokenInfo"]["content"]
    assert content["locale"] == locale, content
    text = content["text"]
    assert "open back care coach" in text.lower() and "ask back care coach" not in text.lower(), text
    assert not any(word in text.lower() for word in HEALTH_WORDS), f"no health details in a reminder: {text}"
    assert check_in_record() == {"due": due.isoformat(), "alert_token": reminder["alertToken"]}, stored_record()
    return reminder


# ---------------------------------------------------------------- offered, confirmed, created


@pytest.mark.parametrize("locale", LOCALES)
def test_offered_after_self_care_and_created_in_the_devices_time_zone(handler, services, locale):
    talk = person(handler, services, locale)
    outcome = finish_check(talk)
    assert outcome.offers[:1] == ["checkin_reminder"], f"{locale}: the check-in is offered first: {outcome}"
    assert said("offer.checkin_reminder", locale) in outcome.speech, outcome
    confirm = talk.yes()
    assert confirm.speech == said("reminders.confirm.checkin", locale, date=SPOKEN_DAY[locale], time="10 AM"), confirm
    assert confirm.ends_session is False and confirm.reprompt, confirm
    assert reminders(services) == [], "nothing is created before the yes"
    assert_created(services, locale, talk.yes())


@pytest.mark.parametrize("locale", LOCALES)
def test_offered_after_see_doctor(handler, services, locale):
    talk = person(handler, services, locale)
    outcome = finish_check(talk, yes_at="bone_risk")
    assert said("outcome.see_doctor.speech", locale) in outcome.speech, outcome
    assert outcome.offers[:1] == ["checkin_reminder"], f"{locale}: the check-in is offered first: {outcome}"
    talk.yes()
    assert_created(services, locale, talk.yes())


@pytest.mark.parametrize("locale", LOCALES)
def test_set_on_request(handler, services, locale):
    talk = person(handler, services, locale)
    assert_created(services, locale, set_check_in(talk))


def test_no_to_the_confirmation_sets_nothing_and_safety_nets(handler, services):
    talk = person(handler, services, "en-US")
    talk.say("SetCheckInReminderIntent")
    declined = talk.no()
    assert declined.speech == said("reminders.checkin.declined") and declined.ends_session is True, declined
    assert reminders(services) == [] and check_in_record() is None


def test_help_or_not_understood_repeats_the_day(handler, services):
    talk = person(handler, services, "en-GB")
    talk.say("SetCheckInReminderIntent")
    for intent in ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "UnsureIntent"):
        reply = talk.say(intent)
        assert SPOKEN_DAY["en-GB"] in reply.speech and reply.mode == "reminder_confirm", f"{intent}: {reply}"
    assert_created(services, "en-GB", talk.yes())


def test_a_new_check_in_replaces_the_old_one(handler, services):
    talk = person(handler, services, "en-US")
    set_check_in(talk)
    first = reminders(services)[0]["alertToken"]
    services.advance(timedelta(days=2))
    talk.new_session()
    confirm = talk.say("SetCheckInReminderIntent")
    assert said("reminders.confirm.checkin.replaces") in confirm.speech, confirm
    talk.yes()
    (now,) = reminders(services)
    assert now["alertToken"] != first and now["trigger"]["scheduledTime"] == "2026-03-20T10:00:00", now
    assert check_in_record() == {"due": "2026-03-20", "alert_token": now["alertToken"]}


def test_a_tampered_pending_check_in_creates_nothing(handler, services):
    talk = person(handler, services, "en-US")
    talk.say("SetCheckInReminderIntent")
    talk.session.attributes["pending_reminder"] = {"kind": "checkin", "due": "2027-01-01"}
    reply = talk.yes()
    assert reminders(services) == [] and check_in_record() is None, reply
    assert reply.ends_session is False, f"the skill says what it can do instead: {reply}"


# ---------------------------------------------------------------- permission and errors


def test_without_the_permission_alexa_asks_and_accepted_creates_it(handler, services):
    services.set_time_zone(DEVICE, ZONES["en-AU"])
    talk = user(handler, services, locale="en-AU", consent=None, granted=False)
    talk.say("SetCheckInReminderIntent")
    asked = talk.yes()
    assert ask_for_directive(asked) is not None and not asked.speech, f"Alexa asks for the permission: {asked}"
    services.grant("reminders-test-api-access-token", USER)
    talk.session.device.consent_token = "granted-now"
    done = talk.send(env.connections_response("ACCEPTED", token="reminders"))
    assert_created(services, "en-AU", done)


@pytest.mark.parametrize("status", ["DENIED", "NOT_ANSWERED"])
def test_a_refused_permission_sends_the_card_and_creates_nothing(handler, services, status):
    talk = user(handler, services, locale="en-US", consent=None, granted=False)
    talk.say("SetCheckInReminderIntent")
    talk.yes()
    refused = talk.send(env.connections_response(status, token="reminders"))
    assert refused.speech == said("reminders.permission.denied"), refused
    assert refused.card["type"] == "AskForPermissionsConsent", refused.card
    assert reminders(services) == [] and check_in_record() is None


@pytest.mark.parametrize(("failure", "key"), [("429", "reminders.error.rate_limited"),
                                              ("500", "reminders.error.unavailable"),
                                              ("timeout", "reminders.error.unavailable")])
def test_a_failing_service_is_apologised_for_and_nothing_is_recorded(handler, services, failure, key):
    talk = person(handler, services, "en-GB")
    talk.say("SetCheckInReminderIntent")
    services.simulate(failure)
    reply = talk.yes()
    assert reply.speech == said(key, "en-GB") and reply.ends_session is True, reply
    assert reminders(services) == [] and check_in_record() is None


def test_a_device_without_reminders_is_offered_the_exercises(handler, services):
    talk = person(handler, services, "en-US")
    talk.say("SetCheckInReminderIntent")
    services.simulate("403")
    reply = talk.yes()
    assert said("reminders.error.device") in reply.speech and reply.offers == ["exercises"], reply
    assert check_in_record() is None


# ---------------------------------------------------------------- the next visit


def move_to_due_day(services, locale: str) -> None:
    """To 10:30 local on the check-in's day: its reminder has gone off."""
    fired = services.advance(timedelta(days=14, hours=8))
    assert [f.text for f in fired] == [said("reminders.text.checkin", locale)], f"{locale}: fired {fired}"


@pytest.mark.parametrize("change", ["better", "same", "worse"])
@pytest.mark.parametrize("locale", LOCALES)
def test_the_next_visit_on_or_after_the_day_asks_once(handler, services, locale, change):
    talk = person(handler, services, locale)
    set_check_in(talk)

    services.advance(timedelta(days=12))
    talk.new_session()
    early = talk.launch()
    assert said("checkin.question", locale) not in early.speech, f"{locale}: not before its day: {early}"
    talk.say("AMAZON.StopIntent")

    services.advance(timedelta(days=2, hours=8))
    talk.new_session()
    asked = talk.launch()
    assert asked.speech == f"{said('launch.returning', locale)} {said('checkin.question', locale)}", asked
    assert asked.mode == "checkin" and asked.reprompt == said("checkin.question.reprompt", locale), asked
    assert check_in_record() is None, "asked once: the stored check-in is cleared"

    answered = talk.say("HowIsMyBackIntent", {"change": CHANGE[change]})
    assert answered.speech.startswith(said(f"checkin.{change}", locale)), answered
    if change == "better":
        assert answered.offers == ["exercises"], f"{locale}: better leads to the programme: {answered}"
        assert talk.yes().attributes.get("exercise", {}).get("phase") == "ready"
    else:
        assert "more than two weeks" in answered.speech and "doctor's appointment" in answered.speech, answered
        assert answered.offers == ["check"], f"{locale}: the same or worse offers the check: {answered}"
        assert talk.yes().mode == "check"
    assert "better" not in repr(stored_record()) and "worse" not in repr(stored_record()), "never the answer"

    talk.new_session()
    again = talk.launch()
    assert said("checkin.question", locale) not in again.speech, f"{locale}: never asked twice: {again}"


def test_a_visit_before_the_reminder_goes_off_cancels_it(handler, services):
    talk = person(handler, services, "en-GB")
    set_check_in(talk)
    services.advance(timedelta(days=13, hours=6))  # 02:00 on the day in London
    talk.new_session()
    assert talk.launch().mode == "checkin"
    assert reminders(services) == [], "the reminder would only repeat the question"
    assert services.advance(timedelta(days=1)) == []


@pytest.mark.parametrize(("intent", "slots", "key"), [
    ("AMAZON.NoIntent", None, "checkin.same"),
    ("UnsureIntent", None, "checkin.same"),
    ("ReportSymptomIntent", {"symptom": {"value": "it still hurts"}}, "checkin.same"),
])
def test_not_better_in_other_words_gets_the_doctor_advice(handler, services, intent, slots, key):
    talk = person(handler, services, "en-US")
    set_check_in(talk)
    move_to_due_day(services, "en-US")
    talk.new_session()
    talk.launch()
    reply = talk.say(intent, slots)
    assert reply.speech.startswith(said(key)) and reply.offers == ["check"], f"{intent}: {reply}"


@pytest.mark.parametrize(("intent", "key"), [("AMAZON.YesIntent", "checkin.again"),
                                             ("AMAZON.FallbackIntent", "checkin.again"),
                                             ("AMAZON.HelpIntent", "checkin.help")])
def test_yes_help_or_not_understood_asks_again(handler, services, intent, key):
    talk = person(handler, services, "en-US")
    set_check_in(talk)
    move_to_due_day(services, "en-US")
    talk.new_session()
    talk.launch()
    reply = talk.say(intent)
    assert reply.speech == said(key) and reply.mode == "checkin" and reply.ends_session is False, reply
    assert talk.say("AMAZON.RepeatIntent").speech == reply.speech
    unresolved = talk.say("HowIsMyBackIntent", {"change": {"value": "so so", "no_match": True}})
    assert unresolved.speech == said("checkin.again") and unresolved.mode == "checkin", unresolved


def test_a_red_flag_named_at_the_check_in_is_handled_as_one(handler, services):
    talk = person(handler, services, "en-US")
    set_check_in(talk)
    move_to_due_day(services, "en-US")
    talk.new_session()
    talk.launch()
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "I can't control my bladder", "id": "bladder"}})
    assert reply.ends_session is True and "911" in reply.speech, f"an emergency at the check-in: {reply}"


# ---------------------------------------------------------------- listed, cancelled, deleted


@pytest.mark.parametrize("locale", LOCALES)
def test_listed_and_cancelled_with_the_other_reminders(handler, services, locale):
    talk = person(handler, services, locale)
    set_check_in(talk)
    talk.new_session()
    listed = talk.say("ListRemindersIntent")
    assert said("reminders.list.checkin", locale, date=SPOKEN_DAY[locale]) in listed.speech, listed
    talk.new_session()
    cancelled = talk.say("CancelRemindersIntent", {"kind": {"value": "check-in", "id": "checkin"}})
    kind = said("reminders.kind.checkin", locale)
    assert cancelled.speech == said("reminders.cancelled", locale, kind=kind), cancelled
    assert reminders(services) == [] and check_in_record() is None


def test_cancel_without_a_kind_asks_about_the_check_in_and_all_cancels_everything(handler, services):
    talk = person(handler, services, "en-US")
    set_check_in(talk)
    talk.new_session()
    asked = talk.say("CancelRemindersIntent")
    assert asked.speech == said("reminders.cancel.confirm", kind=said("reminders.kind.checkin")), asked
    assert talk.yes().speech == said("reminders.cancelled", kind=said("reminders.kind.checkin"))
    assert reminders(services) == []

    talk.new_session()
    talk.say("SetStretchReminderIntent", {"time": "15:00"})
    talk.yes()
    talk.new_session()
    set_check_in(talk)
    talk.new_session()
    which = talk.say("CancelRemindersIntent")
    assert re.search(r"stretch and check-in reminders", which.speech), which
    talk.yes()
    assert reminders(services) == [] and check_in_record() is None and not stored_record()["reminders"]


@pytest.mark.parametrize("locale", LOCALES)
def test_delete_my_data_cancels_the_check_in(handler, services, locale):
    talk = person(handler, services, locale)
    set_check_in(talk)
    talk.new_session()
    talk.say("DeleteMyDataIntent")
    done = talk.yes()
    assert done.speech == said("data.deleted.reminders", locale), done
    assert reminders(services) == [], "the check-in reminder is cancelled"
    assert stored_record() is None, f"the record is deleted: {stored_record()}"


def test_skill_disabled_cancels_the_check_in(handler, services):
    talk = person(handler, services, "en-US")
    set_check_in(talk)
    event(handler, talk, "SkillDisabled")
    assert reminders(services) == [] and stored_record() is None


# ---------------------------------------------------------------- reminder texts


@pytest.mark.parametrize("locale", LOCALES)
def test_every_reminder_text_leads_with_open_back_care_coach(locale):
    words = texts(locale)
    for key in ("reminders.text.posture", "reminders.text.stretch", "reminders.text.checkin"):
        text = words.plain(key).lower()
        assert "open back care coach" in text and "ask back care coach" not in text, f"{locale} {key}: {text}"
    assert not any(word in words.plain("reminders.text.checkin").lower() for word in HEALTH_WORDS)


# ---------------------------------------------------------------- end to end in `backcare dialog`


@pytest.mark.parametrize("locale", ["en-GB", "en-US"])
def test_backcare_dialog_shows_the_check_in_end_to_end(locale):
    from support.nlu import run_backcare

    lines = ["open back care coach", "remind me to check my back in two weeks", "yes", "yes", ":clock +14d",
             "open back care coach", "it's worse", "no"]
    done = run_backcare("dialog", "--locale", locale, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, done.stderr[-2000:]
    out = done.stdout
    assert "[directive] Connections.SendRequest AskFor" in out and "(permission accepted)" in out, out[-3000:]
    fired = [line for line in out.splitlines() if line.strip().startswith("[reminder")]
    assert len(fired) == 1 and said("reminders.text.checkin", locale) in fired[0], f"{locale}: {out[-3000:]}"
    assert "10:00" in fired[0], fired
    assert said("checkin.question", locale) in out, f"{locale}: the next visit asks: {out[-3000:]}"
    assert said("checkin.worse", locale) in out, f"{locale}: {out[-3000:]}"


# ---------------------------------------------------------------- the payload (pure)


def test_the_check_in_day_is_counted_on_the_devices_clock():
    from datetime import UTC, datetime

    from backcare import schedule

    now = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)
    for locale, zone in ZONES.items():
        assert schedule.checkin_due(now, zone) == DUE[locale], locale
    # Across a change to summer time the reminder stays at 10 AM local.
    payload = schedule.checkin_payload(date(2026, 3, 18), now=now, time_zone="America/New_York",
                                       locale="en-US", text="Your check-in is due.")
    assert payload["trigger"] == {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": "2026-03-18T10:00:00",
                                  "timeZoneId": "America/New_York"}, payload
    with pytest.raises(ValueError):
        schedule.checkin_payload(date(2026, 3, 4), now=now, time_zone="Europe/London", locale="en-GB", text="x")
    with pytest.raises(ValueError):
        schedule.checkin_payload(date(2026, 3, 18), now=now, time_zone="Europe/London", locale="en-GB", text="")
    with pytest.raises(ValueError):
        schedule.checkin_payload(date(2026, 3, 18), now=now.replace(tzinfo=None), time_zone="Europe/London",
                                 locale="en-GB", text="x")


def test_the_emulator_accepts_the_check_in_payload_as_the_api_would():
    from datetime import UTC, datetime

    from backcare import schedule
    from backcare_tools.emulator import validate_reminder_request

    now = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)
    for locale, zone in ZONES.items():
        payload = schedule.checkin_payload(schedule.checkin_due(now, zone), now=now, time_zone=zone,
                                           locale=locale, text=texts(locale).plain("reminders.text.checkin"))
        validate_reminder_request(payload, now=now)
