"""backcare.schedule: slot values -> schedules -> Reminders API payloads (pure, no HTTP)."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from backcare import schedule
from backcare.schedule import Problem, ScheduleError

LOCALE_ZONES = [
    ("en-US", "America/New_York"),
    ("en-CA", "America/Vancouver"),
    ("en-GB", "Europe/London"),
    ("en-AU", "Australia/Sydney"),
    ("en-IN", "Asia/Kolkata"),
]
NAIVE_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$")


def local(zone: str, *args: int) -> datetime:
    """An aware datetime at a local wall-clock time in `zone`."""
    return datetime(*args, tzinfo=ZoneInfo(zone))


def posture_rule(hour: int, minute: int = 0) -> str:
    return f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR={hour};BYMINUTE={minute};BYSECOND=0"


# --------------------------------------------------------------------------- slot parsing


@pytest.mark.parametrize(("value", "minutes"), [
    ("PT1H", 60), ("PT30M", 30), ("PT1H30M", 90), ("PT90M", 90), ("PT2H", 120),
    ("pt45m", 45), ("PT15M", 15), ("P1D", 1440), ("PT0.5H", 30), ("PT3600S", 60),
])
def test_amazon_duration_values_are_parsed(value, minutes):
    parsed = schedule.parse_duration(value)
    assert parsed == timedelta(minutes=minutes), f"{value} should be {minutes} minutes, got {parsed}"


@pytest.mark.parametrize("value", ["", "P", "PT", "1H", "PT1X", "every hour", "P1Y", "P2M", "PT1H30",
                                   "PT99999999999999999999H", "P99999999999999999999W"])
def test_unreadable_durations_are_refused_with_a_reason(value):
    with pytest.raises(ScheduleError) as caught:
        schedule.parse_duration(value)
    assert caught.value.reason is Problem.UNRECOGNISED_INTERVAL, f"{value!r} gave {caught.value.reason}"


@pytest.mark.parametrize(("value", "expected"), [
    ("15:00", time(15, 0)), ("09:30", time(9, 30)), ("9:05", time(9, 5)), ("00:00", time(0, 0)),
    ("24:00", time(0, 0)), ("15:00:30", time(15, 0)),
    ("MO", time(9, 0)), ("AF", time(15, 0)), ("EV", time(18, 0)), ("NI", time(21, 0)), ("af", time(15, 0)),
])
def test_amazon_time_values_including_fuzzy_ones_are_parsed(value, expected):
    assert schedule.parse_time(value) == expected, f"{value!r} should be {expected}"


@pytest.mark.parametrize("value", ["", "noon", "25:00", "12:60", "XX", "3 pm"])
def test_unreadable_times_are_refused_with_a_reason(value):
    with pytest.raises(ScheduleError) as caught:
        schedule.parse_time(value)
    assert caught.value.reason is Problem.UNRECOGNISED_TIME, f"{value!r} gave {caught.value.reason}"


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize(("interval", "reason", "suggestion"), [
    ("PT15M", Problem.INTERVAL_TOO_SHORT, 30),
    ("PT1M", Problem.INTERVAL_TOO_SHORT, 30),
    ("PT5H", Problem.INTERVAL_TOO_LONG, 120),
    ("P1D", Problem.INTERVAL_TOO_LONG, 120),
    ("PT45M", Problem.INTERVAL_NOT_OFFERED, 60),
    ("PT40M", Problem.INTERVAL_NOT_OFFERED, 30),
    ("PT75M", Problem.INTERVAL_NOT_OFFERED, 90),
    ("PT3H", Problem.INTERVAL_NOT_OFFERED, 120),
    ("PT4H", Problem.INTERVAL_NOT_OFFERED, 120),
])
def test_interval_outside_the_offered_values_is_refused_with_a_suggestion(interval, reason, suggestion):
    with pytest.raises(ScheduleError) as caught:
        schedule.posture_from_slots(interval=interval)
    assert caught.value.reason is reason, f"{interval}: expected {reason}, got {caught.value.reason}"
    assert caught.value.suggestion == suggestion, f"{interval}: should suggest {suggestion} minutes"
    assert caught.value.value == interval, "the error should carry the slot value as received"


@pytest.mark.parametrize(("interval", "minutes"), [("PT30M", 30), ("PT1H", 60), ("PT1H30M", 90), ("PT2H", 120)])
def test_every_offered_interval_is_accepted(interval, minutes):
    made = schedule.posture_from_slots(interval=interval)
    assert made.interval_minutes == minutes, f"{interval} should give every {minutes} minutes"


def test_end_before_start_is_refused():
    with pytest.raises(ScheduleError) as caught:
        schedule.posture_from_slots(start="17:00", end="16:00")
    assert caught.value.reason is Problem.END_BEFORE_START, f"got {caught.value.reason}"


@pytest.mark.parametrize(("interval", "start", "end"), [
    ("PT1H", "09:00", "09:30"), ("PT2H", "14:00", "15:00"), ("PT30M", "10:00", "10:00"),
])
def test_a_window_too_short_for_the_interval_has_no_times(interval, start, end):
    with pytest.raises(ScheduleError) as caught:
        schedule.posture_from_slots(interval=interval, start=start, end=end)
    assert caught.value.reason is Problem.NO_TIMES_IN_WINDOW, f"{start}-{end}: got {caught.value.reason}"


def test_bare_afternoon_end_hour_is_read_as_pm():
    made = schedule.posture_from_slots(interval="PT30M", start="08:00", end="04:00")
    assert made.end == time(16, 0), f"'from 8 to 4' should end at 4 PM, got {made.end}"
    assert made.end_assumed_pm, "the schedule should say the end was read as PM"
    assert made.times[-1] == time(16, 0) and len(made.times) == 17, f"8:00..16:00 every 30 min, got {made.times}"


# --------------------------------------------------------------------------- schedules


def test_default_posture_schedule_is_hourly_on_weekdays_nine_to_five_inclusive():
    made = schedule.posture_from_slots()
    assert made.times == tuple(time(h, 0) for h in range(9, 18)), f"expected 9..17, got {made.times}"
    assert made.days == ("MO", "TU", "WE", "TH", "FR"), f"posture is weekdays only, got {made.days}"
    assert made.interval_minutes == 60, "the default interval is 60 minutes"


def test_posture_window_can_start_on_the_half_hour():
    made = schedule.posture_from_slots(interval="PT1H", start="09:30", end="12:00")
    assert made.times == (time(9, 30), time(10, 30), time(11, 30)), f"got {made.times}"


@pytest.mark.parametrize(("slot", "expected"), [(None, time(15, 0)), ("07:30", time(7, 30)), ("EV", time(18, 0))])
def test_stretch_schedule_is_daily_at_one_time(slot, expected):
    made = schedule.stretch_from_slots(slot)
    assert made.times == (expected,), f"stretch at {slot!r} should be {expected}, got {made.times}"
    assert made.days == schedule.ALL_DAYS, "stretch reminders are every day"


def test_schedule_survives_a_round_trip_through_json_form():
    for made in (schedule.posture_from_slots("PT30M", "08:00", "04:00"), schedule.stretch_from_slots("16:45")):
        again = schedule.Schedule.from_dict(made.to_dict())
        assert again == made, f"round trip changed the schedule: {made} -> {again}"


def test_description_gives_the_data_to_say_a_posture_schedule():
    said = schedule.describe(schedule.posture_from_slots())
    assert (said.kind, said.days, said.count, said.interval_minutes) == ("posture", "weekdays", 9, 60), said
    assert (said.first.hour12, said.first.period) == (9, "AM"), f"first time should be 9 AM: {said.first}"
    assert (said.last.hour12, said.last.period, said.last.text) == (5, "PM", "17:00"), f"last: {said.last}"


def test_description_of_a_stretch_schedule_is_every_day_at_one_time():
    said = schedule.describe(schedule.stretch_from_slots("12:30"))
    assert (said.days, said.count, said.interval_minutes) == ("every_day", 1, None), said
    assert (said.first.hour12, said.first.minute, said.first.period) == (12, 30, "PM"), said.first


# --------------------------------------------------------------------------- payloads


@pytest.mark.parametrize(("locale", "zone"), LOCALE_ZONES)
def test_posture_payloads_for_each_locale_and_zone_are_exact(locale, zone):
    now = local(zone, 2026, 3, 6, 18, 0)  # a Friday evening: next time is Monday 9 AM
    planned = schedule.plan_reminders(schedule.posture_from_slots(), now=now, time_zone=zone,
                                      locale=locale, text="Time for a posture break.")
    assert [p.time_texts for p in planned] == [
        ["09:00", "10:00", "11:00", "12:00", "13:00"], ["14:00", "15:00", "16:00", "17:00"],
    ], "nine times split five and four"
    first = planned[0].payload
    assert first == {
        "requestTime": now.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds"),
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": "2026-03-09T09:00:00",
            "timeZoneId": zone,
            "recurrence": {
                "startDateTime": "2026-03-09T09:00:00",
                "recurrenceRules": [posture_rule(h) for h in range(9, 14)],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": "Time for a posture break."}]}},
        "pushNotification": {"status": "ENABLED"},
    }, f"unexpected first payload for {locale}"
    second = planned[1].payload["trigger"]
    assert second["scheduledTime"] == "2026-03-09T14:00:00", "each part starts at its own first time"
    assert second["recurrence"]["recurrenceRules"] == [posture_rule(h) for h in range(14, 18)], second


@pytest.mark.parametrize(("locale", "zone"), LOCALE_ZONES)
def test_stretch_payload_for_each_locale_and_zone_is_daily(locale, zone):
    now = local(zone, 2026, 3, 7, 16, 0)  # Saturday after 3 PM: next is Sunday 3 PM
    [planned] = schedule.plan_reminders(schedule.stretch_from_slots(), now=now, time_zone=zone,
                                        locale=locale, text="Time to stretch. Say: open back care coach.")
    trigger = planned.payload["trigger"]
    assert trigger["scheduledTime"] == "2026-03-08T15:00:00", f"{zone}: got {trigger['scheduledTime']}"
    assert trigger["recurrence"]["recurrenceRules"] == ["FREQ=DAILY;BYHOUR=15;BYMINUTE=0;BYSECOND=0"], trigger
    assert trigger["timeZoneId"] == zone, "the device's zone goes in timeZoneId"
    assert planned.payload["alertInfo"]["spokenInfo"]["content"][0]["locale"] == locale, "spoken text locale"


def test_scheduled_time_is_the_next_occurrence_in_the_device_zone_not_utc():
    # 01:30 UTC on Thursday is still Wednesday 20:30 in New York; 15:00 today has passed there.
    now = datetime(2026, 3, 5, 1, 30, tzinfo=UTC)
    [ny] = schedule.plan_reminders(schedule.stretch_from_slots(), now=now, time_zone="America/New_York",
                                   locale="en-US", text="Stretch")
    [kolkata] = schedule.plan_reminders(schedule.stretch_from_slots(), now=now, time_zone="Asia/Kolkata",
                                        locale="en-IN", text="Stretch")
    assert ny.payload["trigger"]["scheduledTime"] == "2026-03-05T15:00:00", ny.payload["trigger"]
    assert kolkata.payload["trigger"]["scheduledTime"] == "2026-03-05T15:00:00", kolkata.payload["trigger"]
    # Inside the posture window the next time is later the same day.
    midday = local("Europe/London", 2026, 3, 4, 10, 30)
    parts = schedule.plan_reminders(schedule.posture_from_slots(), now=midday, time_zone="Europe/London",
                                    locale="en-GB", text="Posture")
    assert [p.payload["trigger"]["scheduledTime"] for p in parts] == [
        "2026-03-04T11:00:00", "2026-03-04T14:00:00"], "next occurrence of each part's own times"


def test_scheduled_time_has_no_offset_and_request_time_is_iso():
    parts = schedule.plan_reminders(schedule.posture_from_slots("PT30M"), now=datetime.now(UTC),
                                    time_zone="America/Los_Angeles", locale="en-US", text="Posture")
    for part in parts:
        trigger = part.payload["trigger"]
        assert NAIVE_LOCAL.match(trigger["scheduledTime"]), f"naive local time expected: {trigger}"
        assert NAIVE_LOCAL.match(trigger["recurrence"]["startDateTime"]), trigger
        datetime.fromisoformat(part.payload["requestTime"])


@pytest.mark.parametrize(("limit", "sizes"), [(5, [5, 5, 5, 2]), (3, [3, 3, 3, 3, 3, 2]), (17, [17]), (1, [1] * 17)])
def test_schedules_are_split_at_the_configured_rule_limit(limit, sizes):
    made = schedule.posture_from_slots("PT30M")  # 9:00..17:00 every 30 minutes: 17 times
    parts = schedule.plan_reminders(made, now=datetime(2026, 3, 4, 12, tzinfo=UTC), time_zone="Europe/London",
                                    locale="en-GB", text="Posture", max_rules_per_reminder=limit)
    assert [len(p.payload["trigger"]["recurrence"]["recurrenceRules"]) for p in parts] == sizes, "split sizes"
    covered = [t for p in parts for t in p.times]
    assert tuple(covered) == made.times, "the parts together cover every time exactly once, in order"


def test_each_part_knows_its_own_schedule_and_record():
    made = schedule.posture_from_slots("PT1H")
    parts = schedule.plan_reminders(made, now=datetime(2026, 3, 4, 12, tzinfo=UTC), time_zone="Europe/London",
                                    locale="en-GB", text="Posture")
    second = parts[1]
    assert second.schedule.times == tuple(time(h, 0) for h in range(14, 18)), second.schedule
    assert (second.schedule.start, second.schedule.end, second.schedule.interval_minutes) == (
        made.start, made.end, 60), "a part keeps the whole schedule's window and interval"
    record = second.record("token-2")
    assert record == {"kind": "posture", "alert_token": "token-2", "schedule": second.schedule.to_dict()}, record
    assert schedule.describe(second.schedule).first.hour12 == 2, "a part can be described on its own"


def test_a_half_hour_time_has_its_minutes_in_the_rule():
    [part] = schedule.plan_reminders(schedule.stretch_from_slots("07:45"), now=datetime(2026, 3, 4, tzinfo=UTC),
                                     time_zone="Europe/London", locale="en-GB", text="Stretch")
    rule = part.payload["trigger"]["recurrence"]["recurrenceRules"][0]
    assert rule == "FREQ=DAILY;BYHOUR=7;BYMINUTE=45;BYSECOND=0", rule


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"text": ""}, "text"), ({"text": "x" * 251}, "text"), ({"locale": "english"}, "locale"),
    ({"time_zone": "Mars/Olympus_Mons"}, "time zone"), ({"now": datetime(2026, 3, 4, 12)}, "aware"),
    ({"max_rules_per_reminder": 0}, "max_rules"),
])
def test_payload_builder_refuses_bad_arguments(kwargs, message):
    arguments = {"now": datetime(2026, 3, 4, 12, tzinfo=UTC), "time_zone": "Europe/London",
                 "locale": "en-GB", "text": "Posture", **kwargs}
    with pytest.raises(ValueError, match=message):
        schedule.plan_reminders(schedule.posture_from_slots(), **arguments)


def test_next_occurrence_skips_the_weekend_across_the_spring_dst_change():
    saturday = local("America/New_York", 2026, 3, 7, 12, 0)
    found = schedule.next_occurrence((time(9, 0),), schedule.WEEKDAYS, saturday, "America/New_York")
    assert found == datetime(2026, 3, 9, 9, 0), f"Monday 9 AM after the DST Sunday, got {found}"


def test_schedule_module_imports_no_ask_sdk_or_dateutil():
    code = ("import sys, backcare.schedule; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ask_sdk_core', 'ask_sdk_model', "
            "'dateutil', 'requests', 'boto3')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", f"backcare.schedule must stay pure, it imported {result.stdout}"
