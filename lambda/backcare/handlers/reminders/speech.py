"""How reminders are said (pure: Texts in, words out). Schedules are summarised, never read
out time by time: "every hour from 9 AM to 5 PM on weekdays"; the check-in is a day ("Wednesday
the 18th of March", "Wednesday, March 18th" in en-US and en-CA)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from backcare.content import Texts

if TYPE_CHECKING:
    from backcare import schedule

POSTURE, STRETCH, CHECKIN, ALL = "posture", "stretch", "checkin", "all"
KINDS = (POSTURE, STRETCH)  # the recurring kinds, kept as reminder records
CANCEL_KINDS = (*KINDS, CHECKIN, ALL)

KIND_TEXTS = {POSTURE: "reminders.kind.posture", STRETCH: "reminders.kind.stretch",
              CHECKIN: "reminders.kind.checkin"}
INTERVAL_TEXTS = {30: "reminders.interval.30", 60: "reminders.interval.60", 90: "reminders.interval.90",
                  120: "reminders.interval.120"}
REMINDER_TEXTS = {POSTURE: "reminders.text.posture", STRETCH: "reminders.text.stretch",
                  CHECKIN: "reminders.text.checkin"}
CONFIRM_TEXTS = {POSTURE: "reminders.confirm.posture", STRETCH: "reminders.confirm.stretch",
                 CHECKIN: "reminders.confirm.checkin"}
LIST_TEXTS = {POSTURE: "reminders.list.posture", STRETCH: "reminders.list.stretch",
              CHECKIN: "reminders.list.checkin"}
ASK_AGAIN_TEXTS = {POSTURE: "reminders.ask_again.posture", STRETCH: "reminders.ask_again.stretch"}
PROBLEM_TEXTS = {
    "unrecognised_interval": "reminders.problem.unrecognised_interval",
    "interval_too_short": "reminders.problem.interval_too_short",
    "interval_too_long": "reminders.problem.interval_too_long",
    "interval_not_offered": "reminders.problem.interval_not_offered",
    "unrecognised_time": "reminders.problem.unrecognised_time",
    "end_before_start": "reminders.problem.end_before_start",
    "no_times_in_window": "reminders.problem.no_times_in_window",
}
AND = "reminders.word.and"
WEEKDAY_TEXTS = ("reminders.day.monday", "reminders.day.tuesday", "reminders.day.wednesday",
                 "reminders.day.thursday", "reminders.day.friday", "reminders.day.saturday",
                 "reminders.day.sunday")
MONTH_TEXTS = ("reminders.month.january", "reminders.month.february", "reminders.month.march",
               "reminders.month.april", "reminders.month.may", "reminders.month.june", "reminders.month.july",
               "reminders.month.august", "reminders.month.september", "reminders.month.october",
               "reminders.month.november", "reminders.month.december")


def clock(texts: Texts, tod: schedule.TimeOfDay) -> str:
    """"9 AM", "3:30 PM"."""
    hour = str(tod.hour12) if tod.minute == 0 else f"{tod.hour12}:{tod.minute:02d}"
    return texts("reminders.time", hour=hour, period=tod.period)


def spoken_when(texts: Texts, made: schedule.Schedule) -> str:
    """The schedule in a few words: "every hour from 9 AM to 5 PM on weekdays"."""
    from backcare import schedule

    said = schedule.describe(made)
    if made.kind == STRETCH:
        return texts("reminders.when.stretch", time=clock(texts, said.first))
    if said.count == 1 or said.interval_minutes is None:
        return texts("reminders.when.posture.once", time=clock(texts, said.first))
    return texts("reminders.when.posture", interval=texts(INTERVAL_TEXTS[said.interval_minutes]),
                 first=clock(texts, said.first), last=clock(texts, said.last))


def spoken_date(texts: Texts, day: date) -> str:
    """"Wednesday the 18th of March" (the day as an ordinal for Alexa to say)."""
    return texts("reminders.date", weekday=texts(WEEKDAY_TEXTS[day.weekday()]),
                 month=texts(MONTH_TEXTS[day.month - 1]), day=day.day)


def kind_name(texts: Texts, kind: str) -> str:
    return texts(KIND_TEXTS[kind])


def series(texts: Texts, items: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {texts(AND)} {items[-1]}"
