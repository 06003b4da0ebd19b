"""The two-week check-in reminder (SPEC §5): one SCHEDULED_ABSOLUTE reminder, 14 days after
today at 10 AM in the device's time zone, set with the same spoken confirmation, voice
permission and error handling as the posture and stretch reminders.

What is stored is user data `checkin = {"due": "YYYY-MM-DD", "alert_token": str}`: that a
check-in exists, its day, and the reminder's token (to cancel it). Never an answer. The pending
confirmation is `pending_reminder = {"kind": "checkin", "due": "YYYY-MM-DD"}` in the session.
"""

from __future__ import annotations

import logging
from datetime import date, timedelta
from typing import Any

from ask_sdk_model import Response

from backcare.content import LOCALES
from backcare.conversation import Mode, Offer
from backcare.handlers.base import SkillContext, Turn, ask, join, tell
from backcare.handlers.offers import offer
from backcare.handlers.reminders.actions import (
    CONFIRM_REPROMPT,
    DEVICE_NOT_SUPPORTED,
    NOT_SAVED,
    OUT_OF_TIME,
    PROGRESS_SET,
    RATE_LIMITED,
    STILL_MISSING,
    UNAVAILABLE,
)
from backcare.handlers.reminders.permission import ask_permission, has_consent, permission_card
from backcare.handlers.reminders.speech import CHECKIN, CONFIRM_TEXTS, REMINDER_TEXTS, clock, spoken_date
from backcare.persistence import user_data

log = logging.getLogger(__name__)

KEY = "checkin"


def stored(handler_input) -> dict[str, Any] | None:
    """The user's check-in record ({"due", "alert_token"}), if any and readable."""
    record = user_data.load(handler_input).get(KEY)
    if not isinstance(record, dict) or not isinstance(record.get("due"), str):
        return None
    try:
        date.fromisoformat(record["due"])
    except ValueError:
        return None
    return record


def due_of(record: dict[str, Any]) -> date:
    return date.fromisoformat(record["due"])


def device_today(turn: Turn, ctx: SkillContext) -> tuple[date, str]:
    """(today where the device is, the device's time zone)."""
    from backcare import schedule
    from backcare.services.settings import device_time_zone

    zone = device_time_zone(turn.handler_input)
    return schedule.local_today(ctx.clock(), zone), zone


def confirm(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    """"I'll remind you on Wednesday the 18th of March, at 10 AM. Shall I set that?"."""
    from backcare import schedule

    t = turn.t
    today, _ = device_today(turn, ctx)
    due = today + timedelta(days=schedule.CHECKIN_AFTER_DAYS)
    replaces = t("reminders.confirm.checkin.replaces") if stored(turn.handler_input) else ""
    turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder={"kind": CHECKIN, "due": due.isoformat()})
    return ask(turn, join(prefix, replaces, question(turn, due)), t(CONFIRM_REPROMPT))


def is_pending(turn: Turn) -> bool:
    raw = turn.conv.pending_reminder
    return isinstance(raw, dict) and raw.get("kind") == CHECKIN


def pending_due(turn: Turn, ctx: SkillContext) -> date | None:
    """The day awaiting the user's yes, if it is one the skill could have offered (a tampered or
    stale session never creates a reminder)."""
    from backcare import schedule

    raw = turn.conv.pending_reminder
    if not is_pending(turn) or set(raw) != {"kind", "due"} or not isinstance(raw["due"], str):
        return None
    try:
        due = date.fromisoformat(raw["due"])
    except ValueError:
        return None
    today_utc = ctx.clock().date()  # the device's day is within a day of it
    if not today_utc <= due <= today_utc + timedelta(days=schedule.CHECKIN_LATEST_DAYS):
        log.warning("ignoring a pending check-in that is not one the skill offered")
        return None
    return due


def help_text(turn: Turn, due: date) -> str:
    return turn.t("reminders.help.confirm.checkin", date=spoken_date(turn.t, due))


def question(turn: Turn, due: date) -> str:
    from backcare import schedule

    t = turn.t
    at = clock(t, schedule.TimeOfDay.of(schedule.CHECKIN_TIME))
    return t(CONFIRM_TEXTS[CHECKIN], date=spoken_date(t, due), time=at)


def declined(turn: Turn) -> Response:
    turn.conv.home()
    return tell(turn, turn.t("reminders.checkin.declined"))


def create(turn: Turn, ctx: SkillContext, due: date, *, after_permission: bool = False) -> Response:
    """Create the check-in reminder for `due` within the request's time budget, record it, and say
    so; the old one (if any) is replaced. Errors as for the other reminders: permission by voice,
    device not supported, busy or unavailable service, out of time (nothing recorded as set); a
    create whose answer was lost is looked up before anything is said."""
    from backcare import schedule
    from backcare.handlers.reminders.actions import progress
    from backcare.services.reminders import (
        CallBudget,
        DeviceNotSupported,
        OutOfTime,
        PermissionMissing,
        RateLimited,
        Reminders,
        RemindersError,
        ReplyLost,
    )

    t = turn.t
    handler_input = turn.handler_input
    if not after_permission and not has_consent(turn):
        turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder={"kind": CHECKIN, "due": due.isoformat()})
        return ask_permission(turn)
    old = stored(handler_input)  # read before any reminder exists: a hung store costs its time now
    if after_permission or (old and old.get("alert_token")):  # slow work: the permission path, or two calls
        progress(turn, PROGRESS_SET)
    _, zone = device_today(turn, ctx)
    locale = turn.locale if turn.locale in LOCALES else "en-US"
    try:
        payload = schedule.checkin_payload(due, now=ctx.clock(), time_zone=zone, locale=locale,
                                           text=t.plain(REMINDER_TEXTS[CHECKIN]))
    except ValueError as error:  # the day went by while the permission was asked
        log.warning("check-in not created: %s", error)
        return confirm(turn, ctx)
    known = {r["alert_token"] for r in user_data.load(handler_input)["reminders"]}
    if old and old.get("alert_token"):
        known.add(old["alert_token"])
    try:
        client = Reminders.from_handler_input(handler_input)
        budget = CallBudget.of(handler_input, cap=ctx.config.api_timeout_seconds)
        token, found = client.create_checked(payload, budget, known=known)
    except RemindersError as error:
        turn.conv.home()
        if isinstance(error, ReplyLost):
            log.info("check-in create: no answer and no look possible")
            return tell(turn, t("reminders.unknown.checkin"))
        if isinstance(error, PermissionMissing):
            if after_permission:
                return permission_card(turn, t(STILL_MISSING))
            turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder={"kind": CHECKIN, "due": due.isoformat()})
            return ask_permission(turn)
        if isinstance(error, DeviceNotSupported):
            return offer(turn, ctx, (Offer.EXERCISES,), prefix=t(DEVICE_NOT_SUPPORTED))
        if isinstance(error, OutOfTime):
            return tell(turn, t(OUT_OF_TIME))
        key = RATE_LIMITED if isinstance(error, RateLimited) else UNAVAILABLE
        return tell(turn, t(key))

    if old and old.get("alert_token") and old["alert_token"] != token:
        try:
            client.delete_checked(old["alert_token"], budget)
        except RemindersError as error:  # it still fires; the new record is what counts
            log.warning("could not delete a replaced check-in reminder: %s", type(error).__name__)

    def record(data: dict) -> None:
        data[KEY] = {"due": due.isoformat(), "alert_token": token}

    saved = user_data.update(handler_input, record)
    log.info("check-in reminder created (found after a lost reply: %s), record saved: %s", found, saved)
    turn.conv.home()
    speech = t("reminders.created.checkin", date=spoken_date(t, due))
    if not saved:
        speech = join(speech, t(NOT_SAVED))
    return tell(turn, speech)


def forget(handler_input) -> bool:
    """Drop the check-in record (the question was asked, or the reminder was cancelled)."""
    def clear(data: dict) -> None:
        data[KEY] = None

    return user_data.update(handler_input, clear)
