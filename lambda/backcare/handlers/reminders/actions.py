"""Setting, cancelling and listing reminders: the use cases (also used by data and events).

What exists is known from the skill's own records (user data `reminders`: one record per
created reminder, with its own part of the schedule and its alertToken), never from
`get_reminders()` (the SDK cannot read that reply). Records are written only for reminders the
API confirmed, and the user is told when writing them failed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import time
from typing import TYPE_CHECKING, Any

from ask_sdk_model import Response

from backcare.content import LOCALES
from backcare.conversation import Mode, Offer
from backcare.handlers.base import SkillContext, Turn, ask, join, tell
from backcare.handlers.offers import offer
from backcare.handlers.reminders.permission import ask_permission, has_consent, permission_card
from backcare.handlers.reminders.speech import (
    ALL,
    ASK_AGAIN_TEXTS,
    CHECKIN,
    CONFIRM_TEXTS,
    INTERVAL_TEXTS,
    POSTURE,
    PROBLEM_TEXTS,
    REMINDER_TEXTS,
    STRETCH,
    kind_name,
    spoken_when,
)
from backcare.persistence import user_data

if TYPE_CHECKING:
    from backcare import schedule

log = logging.getLogger(__name__)

CONFIRM_REPROMPT = "reminders.confirm.reprompt"
STILL_MISSING = "reminders.permission.still_missing"
UNAVAILABLE = "reminders.error.unavailable"
RATE_LIMITED = "reminders.error.rate_limited"
DEVICE_NOT_SUPPORTED = "reminders.error.device"
NOT_SAVED = "reminders.not_saved"


def pending_schedule(turn: Turn) -> schedule.Schedule | None:
    """The schedule awaiting the user's yes, if it is one the skill could have offered."""
    from backcare import schedule

    raw = turn.conv.pending_reminder
    if raw is None:
        return None
    try:
        made = schedule.Schedule.from_dict(raw)
        # Rebuilt from its request (interval and window, or the stretch time), it must come out
        # the same: a tampered or stale session never creates reminders.
        if made.kind == POSTURE:
            rebuilt = schedule.posture_schedule(made.interval_minutes, made.start, made.end,
                                                end_assumed_pm=made.end_assumed_pm)
        else:
            rebuilt = schedule.stretch_schedule(made.times[0])
    except (KeyError, TypeError, ValueError, IndexError):
        rebuilt = None
    if rebuilt is None or rebuilt != made:
        log.warning("ignoring an unreadable pending reminder")
        return None
    return made


def confirm(turn: Turn, made: schedule.Schedule, prefix: str = "") -> Response:
    """Say the schedule and ask before creating anything."""
    t = turn.t
    existing = [r for r in user_data.load(turn.handler_input)["reminders"] if r["kind"] == made.kind]
    replaces = t("reminders.confirm.replaces", kind=kind_name(t, made.kind)) if existing else ""
    question = t(CONFIRM_TEXTS[made.kind], when=spoken_when(t, made))
    turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder=made.to_dict())
    return ask(turn, join(prefix, replaces, question), t(CONFIRM_REPROMPT))


def correction(turn: Turn, kind: str, error: schedule.ScheduleError,
               retry: schedule.Schedule | None = None, prefix: str = "") -> Response:
    """A spoken correction for a schedule problem: a concrete suggestion when there is one,
    otherwise an example to say again. The session stays open."""
    t = turn.t
    problem = t(PROBLEM_TEXTS[error.reason.value])
    if retry is not None:
        assert retry.interval_minutes is not None
        suggestion = t("reminders.suggest.posture", interval=t(INTERVAL_TEXTS[retry.interval_minutes]),
                       when=spoken_when(t, retry))
        turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder=retry.to_dict())
        return ask(turn, join(prefix, problem, suggestion), t(CONFIRM_REPROMPT))
    turn.conv.home()
    return ask(turn, join(prefix, problem, t(ASK_AGAIN_TEXTS[kind])), t("reminders.ask_again.reprompt"))


def start_posture(turn: Turn, prefix: str = "", *, interval: str | None = None, start: str | None = None,
                  end: str | None = None) -> Response:
    from backcare import schedule

    try:
        made = schedule.posture_from_slots(interval, start, end)
    except schedule.ScheduleError as error:
        retry = None
        if error.suggestion:
            try:
                retry = schedule.posture_from_slots(f"PT{error.suggestion}M", start, end)
            except schedule.ScheduleError:
                retry = None
        return correction(turn, POSTURE, error, retry, prefix)
    return confirm(turn, made, prefix)


def start_stretch(turn: Turn, prefix: str = "", *, at: str | None = None) -> Response:
    from backcare import schedule

    try:
        made = schedule.stretch_from_slots(at)
    except schedule.ScheduleError as error:
        return correction(turn, STRETCH, error, prefix=prefix)
    return confirm(turn, made, prefix)


def create(turn: Turn, ctx: SkillContext, made: schedule.Schedule, *, after_permission: bool = False) -> Response:
    """Create the reminders for `made`, record exactly what exists, and say exactly that."""
    from backcare import schedule
    from backcare.services.reminders import (
        DeviceNotSupported,
        PermissionMissing,
        RateLimited,
        Reminders,
        RemindersError,
    )
    from backcare.services.settings import device_time_zone

    t = turn.t
    handler_input = turn.handler_input
    if not after_permission and not has_consent(turn):
        turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder=made.to_dict())
        return ask_permission(turn)
    # The Reminders API needs a full locale tag: a locale the skill doesn't serve uses en-US's.
    locale = turn.locale if turn.locale in LOCALES else "en-US"
    parts = schedule.plan_reminders(
        made, now=ctx.clock(), time_zone=device_time_zone(handler_input), locale=locale,
        text=t.plain(REMINDER_TEXTS[made.kind]), max_rules_per_reminder=ctx.config.max_rules_per_reminder,
    )
    try:
        client = Reminders.from_handler_input(handler_input)
    except RemindersError as error:
        log.warning("no reminders client: %s", type(error).__name__)
        turn.conv.home()
        return tell(turn, t(UNAVAILABLE))
    result = client.create_all(parts)
    kind = kind_name(t, made.kind)

    if not result.created:
        if isinstance(result.error, PermissionMissing):
            if after_permission:
                return permission_card(turn, t(STILL_MISSING))
            turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder=made.to_dict())
            return ask_permission(turn)
        turn.conv.home()
        if isinstance(result.error, DeviceNotSupported):
            return offer(turn, ctx, (Offer.EXERCISES,), prefix=t(DEVICE_NOT_SUPPORTED))
        key = RATE_LIMITED if isinstance(result.error, RateLimited) else UNAVAILABLE
        return tell(turn, t(key))

    new_records = [part.record(token) for part, token in result.created]
    new_tokens = {record["alert_token"] for record in new_records}
    old_left: list[dict[str, Any]] = []
    unknown_old = False
    if result.complete:
        old_left = _delete_replaced(client, user_data.load(handler_input)["reminders"], made.kind, new_tokens)
        # Records that could not be read may name earlier reminders of this kind: never say
        # they were replaced.
        unknown_old = user_data.status(handler_input) == user_data.UNAVAILABLE
    left_tokens = {record["alert_token"] for record in old_left}

    def record(data: dict) -> None:
        kept = [r for r in data["reminders"]
                if not result.complete or r["kind"] != made.kind or r["alert_token"] in left_tokens]
        data["reminders"] = [*kept, *(r for r in new_records if r not in kept)]

    saved = user_data.update(handler_input, record)
    log.info("reminders created: %d of %d parts, records saved: %s", len(result.created), len(parts), saved)
    turn.conv.home()

    if result.complete:
        speech = t("reminders.created", kind=kind, when=spoken_when(t, made))
        if old_left:
            speech = join(speech, t("reminders.old_kept", kind=kind))
        elif unknown_old and saved:  # when not saved, NOT_SAVED already points to the Alexa app
            speech = join(speech, t("reminders.old_unknown", kind=kind))
    else:
        created_times = tuple(tod for part, _ in result.created for tod in part.times)
        done = replace(made, times=created_times)
        busy = isinstance(result.error, RateLimited)
        why = t("reminders.partial.rate_limited" if busy else "reminders.partial.unavailable")
        speech = join(t("reminders.partial", kind=kind, when=spoken_when(t, done)), why)
    if not saved:
        speech = join(speech, t(NOT_SAVED))
    return tell(turn, speech)


def _delete_replaced(client: Any, records: list[dict[str, Any]], kind: str, keep: set[str]) -> list[dict[str, Any]]:
    """A new schedule of `kind` replaces the old one: delete the old reminders (gone already is
    fine). Returns the old records that could not be deleted."""
    from backcare.services.reminders import RemindersError

    left = []
    for record in records:
        if record["kind"] != kind or record["alert_token"] in keep:
            continue
        try:
            client.delete(record["alert_token"])
        except RemindersError as error:
            log.warning("could not delete a replaced reminder: %s", type(error).__name__)
            left.append(record)
    return left


@dataclass(frozen=True)
class Cancelled:
    """What cancelling did: `targeted` known reminders, `gone` of them now gone, the first
    `failure` (None if none), whether the records were `saved`, and whether the records could
    be read at all (`known` False: the store is down, nothing was tried)."""

    targeted: int = 0
    gone: int = 0
    failure: Exception | None = None
    saved: bool = True
    known: bool = True


def cancel_known(handler_input, kind: str = ALL) -> Cancelled:
    """Delete the user's known reminders of `kind` through the API, and drop their records.

    A reminder already gone at the API is dropped too; one whose deletion failed keeps its
    record. Stops at the first failure (the rest would fail the same way). The check-in
    reminder (user data `checkin`, not a reminder record) is cancelled with kind CHECKIN or ALL.
    """
    from backcare.handlers.reminders import checkin
    from backcare.services.reminders import Reminders, RemindersError

    records = user_data.load(handler_input)["reminders"]
    if user_data.status(handler_input) == user_data.UNAVAILABLE:
        return Cancelled(known=False)
    targets = [r for r in records if kind == ALL or r["kind"] == kind]
    check_in = checkin.stored(handler_input) if kind in (CHECKIN, ALL) else None
    if check_in is not None:
        targets.append({"kind": CHECKIN, "alert_token": check_in.get("alert_token")})
    if not targets:
        return Cancelled()
    try:
        client = Reminders.from_handler_input(handler_input)
    except RemindersError as error:
        return Cancelled(targeted=len(targets), failure=error)
    gone_tokens: set[str | None] = set()
    failure: Exception | None = None
    for record in targets:
        try:
            if record["alert_token"]:  # a check-in without a token has nothing at the API
                client.delete(record["alert_token"])  # True or False (already gone): either way, gone
            gone_tokens.add(record["alert_token"])
        except RemindersError as error:
            failure = error
            break
    saved = True
    if gone_tokens:
        checkin_gone = check_in is not None and check_in.get("alert_token") in gone_tokens

        def forget(data: dict) -> None:
            data["reminders"] = [r for r in data["reminders"] if r["alert_token"] not in gone_tokens]
            if checkin_gone:
                data[checkin.KEY] = None

        saved = user_data.update(handler_input, forget)
    return Cancelled(targeted=len(targets), gone=len(gone_tokens), failure=failure, saved=saved)


def merged(records: list[dict[str, Any]], kind: str) -> schedule.Schedule | None:
    """All parts of one kind as one schedule (parts share days and window; times are unioned)."""
    from backcare import schedule

    parts = []
    for record in records:
        if record["kind"] != kind:
            continue
        try:
            parts.append(schedule.Schedule.from_dict(record["schedule"]))
        except (KeyError, TypeError, ValueError):
            log.warning("a %s reminder record has an unreadable schedule", kind)
    if not parts:
        return None
    times: tuple[time, ...] = tuple(sorted({moment for part in parts for moment in part.times}))
    return replace(parts[0], times=times)
