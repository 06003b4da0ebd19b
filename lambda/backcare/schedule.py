"""Reminder schedules (SPEC §5): from slot values to a schedule to Alexa Reminders API payloads.

Pure: no ASK, no dateutil. A handler turns slot values into a `Schedule` with
`posture_from_slots` / `stretch_from_slots` (a `ScheduleError` carries a reason code it maps
to a spoken correction), asks the user to confirm `describe(schedule)`, then creates one
reminder per `PlannedReminder` from `plan_reminders`.

Decisions (see docs/reminders.md):
- Posture times are start, start+interval, ... up to and including the end: "every hour from
  9 to 5" is 9, 10, ..., 5 PM (nine times), because that is what people mean by "from 9 to 5".
- Intervals: 30, 60, 90 or 120 minutes. Anything else is refused with a suggestion (the nearest
  offered value, ties to the longer one): below 30 min -> INTERVAL_TOO_SHORT, above 4 h ->
  INTERVAL_TOO_LONG, in between but not offered (45 min, 3 h) -> INTERVAL_NOT_OFFERED.
- "from 8 to 4": Alexa resolves the bare "4" to 04:00. An end earlier than the start that becomes
  later than the start when read as PM is read as PM (`Schedule.end_assumed_pm` says so, so the
  confirmation states the time explicitly).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

POSTURE = "posture"
STRETCH = "stretch"
KINDS = (POSTURE, STRETCH)

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
ALL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

ALLOWED_INTERVALS_MINUTES = (30, 60, 90, 120)
DEFAULT_INTERVAL_MINUTES = 60
MIN_INTERVAL_MINUTES = 30
MAX_INTERVAL_MINUTES = 240
DEFAULT_POSTURE_START = time(9, 0)
DEFAULT_POSTURE_END = time(17, 0)
DEFAULT_STRETCH_TIME = time(15, 0)
DEFAULT_MAX_RULES_PER_REMINDER = 5
MAX_SPOKEN_TEXT_CHARS = 250  # our own limit; reminder texts should be short anyway

# AMAZON.TIME sends these for "in the morning", "afternoon", "evening", "at night".
FUZZY_TIMES = {
    "MO": time(9, 0),
    "AF": time(15, 0),
    "EV": time(18, 0),
    "NI": time(21, 0),
}


class Problem(StrEnum):
    """Why a request cannot become a schedule. The handler maps each to a spoken correction."""

    UNRECOGNISED_INTERVAL = "unrecognised_interval"
    INTERVAL_TOO_SHORT = "interval_too_short"
    INTERVAL_TOO_LONG = "interval_too_long"
    INTERVAL_NOT_OFFERED = "interval_not_offered"
    UNRECOGNISED_TIME = "unrecognised_time"
    END_BEFORE_START = "end_before_start"
    NO_TIMES_IN_WINDOW = "no_times_in_window"


class ScheduleError(ValueError):
    """A request that cannot become a schedule.

    `reason` is a `Problem`; `suggestion` (when set) is what to offer instead: an interval in
    minutes for the interval problems. `value` is the offending slot value as received.
    """

    def __init__(self, reason: Problem, *, value: str | None = None, suggestion: Any = None) -> None:
        super().__init__(f"{reason.value}: {value!r}" + (f" (try {suggestion!r})" if suggestion else ""))
        self.reason = reason
        self.value = value
        self.suggestion = suggestion


# --------------------------------------------------------------------------- slot parsing

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+(?:\.\d+)?)W)?(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


def parse_duration(value: str) -> timedelta:
    """An AMAZON.DURATION value ("PT1H", "PT30M", "PT1H30M", "P1D") as a timedelta.

    Years and months ("P1Y", "P2M") are refused: they have no fixed length and are never a
    sensible reminder interval. Raises ScheduleError(UNRECOGNISED_INTERVAL).
    """
    text = (value or "").strip().upper()
    match = _DURATION.match(text)
    if not match or text in ("P", "PT") or text.endswith("T"):
        raise ScheduleError(Problem.UNRECOGNISED_INTERVAL, value=value)
    parts = {name: float(number) for name, number in match.groupdict().items() if number is not None}
    if not parts:
        raise ScheduleError(Problem.UNRECOGNISED_INTERVAL, value=value)
    try:
        return timedelta(**parts)
    except OverflowError:  # "PT99999999999999999999H": no reminder interval, just noise
        raise ScheduleError(Problem.UNRECOGNISED_INTERVAL, value=value) from None


_TIME = re.compile(r"^T?(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?$")


def parse_time(value: str) -> time:
    """An AMAZON.TIME value ("15:00", "09:30", or "MO"/"AF"/"EV"/"NI") as a time of day.

    Seconds are dropped. Raises ScheduleError(UNRECOGNISED_TIME).
    """
    text = (value or "").strip().upper()
    if text in FUZZY_TIMES:
        return FUZZY_TIMES[text]
    match = _TIME.match(text)
    if not match:
        raise ScheduleError(Problem.UNRECOGNISED_TIME, value=value)
    hour, minute = int(match["hour"]), int(match["minute"])
    if hour == 24 and minute == 0:
        hour = 0
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise ScheduleError(Problem.UNRECOGNISED_TIME, value=value)
    return time(hour, minute)


def nearest_allowed_interval(minutes: float) -> int:
    """The offered interval closest to `minutes`; ties go to the longer interval."""
    return min(ALLOWED_INTERVALS_MINUTES, key=lambda allowed: (abs(allowed - minutes), -allowed))


def check_interval(minutes: float, *, value: str | None = None) -> int:
    """`minutes` if it is an offered interval, else ScheduleError with a suggestion."""
    if minutes in ALLOWED_INTERVALS_MINUTES:
        return int(minutes)
    if minutes < MIN_INTERVAL_MINUTES:
        raise ScheduleError(Problem.INTERVAL_TOO_SHORT, value=value, suggestion=MIN_INTERVAL_MINUTES)
    if minutes > MAX_INTERVAL_MINUTES:
        raise ScheduleError(Problem.INTERVAL_TOO_LONG, value=value,
                            suggestion=max(ALLOWED_INTERVALS_MINUTES))
    raise ScheduleError(Problem.INTERVAL_NOT_OFFERED, value=value,
                        suggestion=nearest_allowed_interval(minutes))


# --------------------------------------------------------------------------- schedules


def _minutes(t: time) -> int:
    return t.hour * 60 + t.minute


def _from_minutes(total: int) -> time:
    return time(total // 60, total % 60)


def _hhmm(t: time) -> str:
    return f"{t.hour:02d}:{t.minute:02d}"


@dataclass(frozen=True)
class Schedule:
    """When a reminder kind fires: the same times of day on each of `days`.

    `to_dict()`/`from_dict()` give the JSON form kept in session attributes (pending reminder)
    and in the user's reminder records.
    """

    kind: str
    times: tuple[time, ...]
    days: tuple[str, ...]
    interval_minutes: int | None = None
    start: time | None = None
    end: time | None = None
    end_assumed_pm: bool = False

    @property
    def weekdays_only(self) -> bool:
        return tuple(self.days) == WEEKDAYS

    def recurrence_rules(self) -> list[str]:
        return [recurrence_rule(t, self.days) for t in self.times]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "kind": self.kind,
            "times": [_hhmm(t) for t in self.times],
            "days": list(self.days),
        }
        if self.interval_minutes is not None:
            data["interval_minutes"] = self.interval_minutes
        if self.start is not None:
            data["start"] = _hhmm(self.start)
        if self.end is not None:
            data["end"] = _hhmm(self.end)
        if self.end_assumed_pm:
            data["end_assumed_pm"] = True
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Schedule:
        def opt(name: str) -> time | None:
            return parse_time(data[name]) if data.get(name) else None

        kind = data["kind"]
        if kind not in KINDS:
            raise ValueError(f"unknown reminder kind {kind!r}")
        return cls(
            kind=kind,
            times=tuple(parse_time(t) for t in data["times"]),
            days=tuple(data["days"]),
            interval_minutes=data.get("interval_minutes"),
            start=opt("start"),
            end=opt("end"),
            end_assumed_pm=bool(data.get("end_assumed_pm", False)),
        )


def posture_schedule(
    interval_minutes: int = DEFAULT_INTERVAL_MINUTES,
    start: time = DEFAULT_POSTURE_START,
    end: time = DEFAULT_POSTURE_END,
    *,
    end_assumed_pm: bool = False,
) -> Schedule:
    """Weekday posture breaks: start, start+interval, ... up to and including `end`."""
    interval_minutes = check_interval(interval_minutes)
    first, last = _minutes(start), _minutes(end)
    if last < first:
        raise ScheduleError(Problem.END_BEFORE_START, value=f"{_hhmm(start)}-{_hhmm(end)}")
    if last - first < interval_minutes:
        raise ScheduleError(Problem.NO_TIMES_IN_WINDOW, value=f"{_hhmm(start)}-{_hhmm(end)}")
    times = tuple(_from_minutes(m) for m in range(first, last + 1, interval_minutes))
    return Schedule(POSTURE, times, WEEKDAYS, interval_minutes, start, end, end_assumed_pm)


def stretch_schedule(at: time = DEFAULT_STRETCH_TIME) -> Schedule:
    """A daily stretch reminder at one time of day."""
    return Schedule(STRETCH, (time(at.hour, at.minute),), ALL_DAYS)


def posture_from_slots(interval: str | None = None, start: str | None = None,
                       end: str | None = None) -> Schedule:
    """A posture schedule from raw slot values (None or "" = not said, use the default)."""
    minutes = DEFAULT_INTERVAL_MINUTES
    if interval:
        minutes = check_interval(parse_duration(interval).total_seconds() / 60, value=interval)
    start_time = parse_time(start) if start else DEFAULT_POSTURE_START
    end_time = parse_time(end) if end else DEFAULT_POSTURE_END
    assumed_pm = False
    if _minutes(end_time) < _minutes(start_time) and end_time.hour < 12:
        as_pm = time(end_time.hour + 12, end_time.minute)
        if _minutes(as_pm) > _minutes(start_time):
            end_time, assumed_pm = as_pm, True
    return posture_schedule(minutes, start_time, end_time, end_assumed_pm=assumed_pm)


def stretch_from_slots(at: str | None = None) -> Schedule:
    return stretch_schedule(parse_time(at) if at else DEFAULT_STRETCH_TIME)


def recurrence_rule(t: time, days: tuple[str, ...] | list[str]) -> str:
    """One RRULE for one time of day: weekly on `days`, or daily when `days` is every day."""
    clock = f"BYHOUR={t.hour};BYMINUTE={t.minute};BYSECOND=0"
    if tuple(days) == ALL_DAYS:
        return f"FREQ=DAILY;{clock}"
    return f"FREQ=WEEKLY;BYDAY={','.join(days)};{clock}"


# --------------------------------------------------------------------------- description


@dataclass(frozen=True)
class TimeOfDay:
    """A time ready to be said: 15:30 -> hour12=3, minute=30, period="PM"."""

    hour: int
    minute: int
    hour12: int
    period: str  # "AM" | "PM"
    text: str  # "15:30", for SSML <say-as interpret-as="time"> or logs

    @classmethod
    def of(cls, t: time) -> TimeOfDay:
        return cls(t.hour, t.minute, t.hour % 12 or 12, "AM" if t.hour < 12 else "PM", _hhmm(t))


@dataclass(frozen=True)
class ScheduleDescription:
    """The data needed to say a schedule (the words live in the locale content).

    posture: "every weekday, every {interval_minutes} minutes, from {first} until {last}"
    ({count} times); stretch: "every day at {first}". `times` lists every time.
    """

    kind: str
    days: str  # "weekdays" | "every_day"
    times: tuple[TimeOfDay, ...]
    first: TimeOfDay
    last: TimeOfDay
    count: int
    interval_minutes: int | None
    end_assumed_pm: bool = False


def describe(schedule: Schedule) -> ScheduleDescription:
    spoken = tuple(TimeOfDay.of(t) for t in schedule.times)
    days = "weekdays" if schedule.weekdays_only else "every_day" if tuple(schedule.days) == ALL_DAYS else "some_days"
    return ScheduleDescription(schedule.kind, days, spoken, spoken[0], spoken[-1], len(spoken),
                               schedule.interval_minutes, schedule.end_assumed_pm)


# --------------------------------------------------------------------------- payloads

_DAY_INDEX = {code: index for index, code in enumerate(ALL_DAYS)}  # Monday = 0, like date.weekday()


def load_zone(time_zone: str) -> ZoneInfo:
    try:
        return ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"unknown time zone {time_zone!r}") from error


def next_occurrence(times: tuple[time, ...] | list[time], days: tuple[str, ...] | list[str],
                    now: datetime, time_zone: str) -> datetime:
    """The first local datetime (naive) strictly after `now` at one of `times` on one of `days`."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    zone = load_zone(time_zone)
    local_now = now.astimezone(zone)
    wanted = {_DAY_INDEX[d] for d in days}
    for offset in range(8):
        day: date = local_now.date() + timedelta(days=offset)
        if day.weekday() not in wanted:
            continue
        for t in sorted(times):
            candidate = datetime.combine(day, t)
            if candidate.replace(tzinfo=zone) > local_now:
                return candidate
    raise ValueError("schedule has no times or days")  # unreachable for a valid schedule


@dataclass(frozen=True)
class PlannedReminder:
    """One Reminders API create request and the part of the schedule it covers.

    `schedule` is the part: the whole schedule's kind, days, interval and window with only this
    part's `times` (so `describe(part.schedule)` says exactly what one created reminder does).
    """

    schedule: Schedule
    payload: dict[str, Any] = field(compare=False)

    @property
    def times(self) -> tuple[time, ...]:
        return self.schedule.times

    @property
    def time_texts(self) -> list[str]:
        return [_hhmm(t) for t in self.times]

    def record(self, alert_token: str) -> dict[str, Any]:
        """The user's reminder record for this part once created (ARCHITECTURE: persistent
        attributes `reminders[]`)."""
        return {"kind": self.schedule.kind, "alert_token": alert_token, "schedule": self.schedule.to_dict()}


def _chunks(items: tuple[time, ...], size: int) -> list[tuple[time, ...]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


def format_local(moment: datetime) -> str:
    """A naive local ISO-8601 date-time, as the API wants `scheduledTime`."""
    return moment.replace(tzinfo=None, microsecond=0).isoformat(timespec="seconds")


def build_payload(times: tuple[time, ...], days: tuple[str, ...], *, now: datetime, time_zone: str,
                  locale: str, text: str) -> dict[str, Any]:
    """One SCHEDULED_ABSOLUTE reminder with one RRULE per time of day."""
    text = (text or "").strip()
    if not text or len(text) > MAX_SPOKEN_TEXT_CHARS:
        raise ValueError(f"reminder text must be 1-{MAX_SPOKEN_TEXT_CHARS} characters")
    if not re.fullmatch(r"[a-z]{2}-[A-Z]{2}", locale or ""):
        raise ValueError(f"locale must look like en-US, not {locale!r}")
    start = format_local(next_occurrence(times, days, now, time_zone))
    return {
        "requestTime": now.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds"),
        "trigger": {
            "type": "SCHEDULED_ABSOLUTE",
            "scheduledTime": start,
            "timeZoneId": time_zone,
            "recurrence": {
                "startDateTime": start,
                "recurrenceRules": [recurrence_rule(t, days) for t in times],
            },
        },
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }


def plan_reminders(
    schedule: Schedule,
    *,
    now: datetime,
    time_zone: str,
    locale: str,
    text: str,
    max_rules_per_reminder: int = DEFAULT_MAX_RULES_PER_REMINDER,
) -> list[PlannedReminder]:
    """The create requests for `schedule`, split so no reminder has more than
    `max_rules_per_reminder` recurrence rules. `now` is aware (any zone); `text` is the spoken
    reminder text for `locale` (from the locale content)."""
    if max_rules_per_reminder < 1:
        raise ValueError("max_rules_per_reminder must be at least 1")
    load_zone(time_zone)
    return [
        PlannedReminder(replace(schedule, times=chunk),
                        build_payload(chunk, schedule.days, now=now, time_zone=time_zone, locale=locale, text=text))
        for chunk in _chunks(schedule.times, max_rules_per_reminder)
    ]


# --------------------------------------------------------------------------- the check-in

CHECKIN = "checkin"
CHECKIN_AFTER_DAYS = 14  # SPEC §5: "a one-time reminder in two weeks"
CHECKIN_TIME = time(10, 0)  # a sensible local time on the day
CHECKIN_LATEST_DAYS = CHECKIN_AFTER_DAYS + 1  # a pending check-in further ahead is not one we offered


def local_today(now: datetime, time_zone: str) -> date:
    """Today's date where the device is."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return now.astimezone(load_zone(time_zone)).date()


def checkin_due(now: datetime, time_zone: str) -> date:
    """The check-in's day: two weeks after today, in the device's time zone."""
    return local_today(now, time_zone) + timedelta(days=CHECKIN_AFTER_DAYS)


def checkin_payload(due: date, *, now: datetime, time_zone: str, locale: str, text: str) -> dict[str, Any]:
    """One SCHEDULED_ABSOLUTE reminder without recurrence: `due` at CHECKIN_TIME, naive local
    time in `time_zone` (the device's, from the Settings API)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    text = (text or "").strip()
    if not text or len(text) > MAX_SPOKEN_TEXT_CHARS:
        raise ValueError(f"reminder text must be 1-{MAX_SPOKEN_TEXT_CHARS} characters")
    if not re.fullmatch(r"[a-z]{2}-[A-Z]{2}", locale or ""):
        raise ValueError(f"locale must look like en-US, not {locale!r}")
    moment = datetime.combine(due, CHECKIN_TIME)
    if moment.replace(tzinfo=load_zone(time_zone)) <= now:
        raise ValueError("the check-in must be in the future")
    return {
        "requestTime": now.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="milliseconds"),
        "trigger": {"type": "SCHEDULED_ABSOLUTE", "scheduledTime": format_local(moment), "timeZoneId": time_zone},
        "alertInfo": {"spokenInfo": {"content": [{"locale": locale, "text": text}]}},
        "pushNotification": {"status": "ENABLED"},
    }
