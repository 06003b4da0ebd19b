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
OUT_OF_TIME = "reminders.error.out_of_time"
PROGRESS_SET = "reminders.progress.set"


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
    """Create the reminders for `made` within the request's time budget, record exactly what
    exists, and say exactly that: all set, some set (the rest not, or not known), or nothing
    (nothing changed). A create whose answer was lost is looked up before anything is said."""
    from backcare import schedule
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
    from backcare.services.settings import device_time_zone

    t = turn.t
    handler_input = turn.handler_input
    if not after_permission and not has_consent(turn):
        turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder=made.to_dict())
        return ask_permission(turn)
    # What exists already (to replace it, and to know a found reminder is new); a store that
    # hangs costs its time now, before any reminder is created.
    records = user_data.load(handler_input)["reminders"]
    replacing = any(r["kind"] == made.kind for r in records)
    parts_needed = -(-len(made.times) // max(1, ctx.config.max_rules_per_reminder))
    if after_permission or parts_needed > 1 or replacing:
        progress(turn, PROGRESS_SET)
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
    budget = CallBudget.of(handler_input, cap=ctx.config.api_timeout_seconds)
    result = client.create_all(parts, budget=budget, known={r["alert_token"] for r in records})
    kind = kind_name(t, made.kind)

    if not result.created:
        turn.conv.home()
        if result.unknown:
            log.info("reminder create: no answer and no look possible; %.2f s left", budget.remaining() or 0)
            return tell(turn, t("reminders.unknown", kind=kind))
        if isinstance(result.error, PermissionMissing):
            if after_permission:
                return permission_card(turn, t(STILL_MISSING))
            turn.conv.go(Mode.REMINDER_CONFIRM, pending_reminder=made.to_dict())
            return ask_permission(turn)
        if isinstance(result.error, DeviceNotSupported):
            return offer(turn, ctx, (Offer.EXERCISES,), prefix=t(DEVICE_NOT_SUPPORTED))
        if isinstance(result.error, OutOfTime):
            log.info("reminder create: out of time before the first part (%d calls)", budget.calls)
            return tell(turn, t(OUT_OF_TIME))
        key = RATE_LIMITED if isinstance(result.error, RateLimited) else UNAVAILABLE
        return tell(turn, t(key))

    new_records = [part.record(token) for part, token in result.created]
    new_tokens = {record["alert_token"] for record in new_records}
    old_left: list[dict[str, Any]] = []
    old_maybe: list[dict[str, Any]] = []
    unknown_old = False
    if result.complete:
        old_left, old_maybe = _delete_replaced(client, budget, records, made.kind, new_tokens)
        # Records that could not be read may name earlier reminders of this kind: never say
        # they were replaced.
        unknown_old = user_data.status(handler_input) == user_data.UNAVAILABLE
    left_tokens = {record["alert_token"] for record in (*old_left, *old_maybe)}

    def record(data: dict) -> None:
        kept = [r for r in data["reminders"]
                if not result.complete or r["kind"] != made.kind or r["alert_token"] in left_tokens]
        data["reminders"] = [*kept, *(r for r in new_records if r not in kept)]

    saved = user_data.update(handler_input, record)
    log.info("reminders created: %d of %d parts (%d found after a lost reply, %d unknown), records saved: %s, "
             "%.2f s left", len(result.created), len(parts), result.found, len(result.unknown), saved,
             budget.remaining() or 0)
    turn.conv.home()

    if result.complete:
        speech = t("reminders.created", kind=kind, when=spoken_when(t, made))
        if old_left:
            speech = join(speech, t("reminders.old_kept", kind=kind))
        elif (old_maybe or unknown_old) and saved:  # when not saved, NOT_SAVED already points to the Alexa app
            speech = join(speech, t("reminders.old_unknown", kind=kind))
    else:
        created_times = tuple(tod for part, _ in result.created for tod in part.times)
        done = replace(made, times=created_times)
        if result.unknown:
            speech = join(t("reminders.partial.set", kind=kind, when=spoken_when(t, done)),
                          t("reminders.partial.unknown"))
        else:
            if isinstance(result.error, OutOfTime):
                why = t("reminders.partial.out_of_time")
            elif isinstance(result.error, RateLimited):
                why = t("reminders.partial.rate_limited")
            else:
                why = t("reminders.partial.unavailable")
            speech = join(t("reminders.partial", kind=kind, when=spoken_when(t, done)), why)
        if isinstance(result.error, ReplyLost | OutOfTime):
            log.info("reminder create stopped for time after %d calls, slowest %.2f s", budget.calls, budget.slowest)
    if not saved:
        speech = join(speech, t(NOT_SAVED))
    return tell(turn, speech)


def progress(turn: Turn, key: str) -> bool:
    """"One moment…" through the directive service before slow reminder work, if the budget has
    room for it and for the work (never raises)."""
    from backcare.services.progressive import send_progressive_response
    from backcare.services.reminders import CALL_MIN_SECONDS, KEEP_SECONDS, LOOK_CAP_SECONDS

    return send_progressive_response(turn.handler_input, turn.t(key),
                                     reserve=CALL_MIN_SECONDS + LOOK_CAP_SECONDS + KEEP_SECONDS)


def _delete_replaced(client: Any, budget: Any, records: list[dict[str, Any]], kind: str,
                     keep: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A new schedule of `kind` replaces the old one: delete the old reminders (gone already is
    fine), within the budget. Returns the old records whose reminders are still set (the delete
    failed, or there was no time for it) and those that may or may not be (no answer, no look)."""
    from backcare.services.reminders import RemindersError, ReplyLost

    left: list[dict[str, Any]] = []
    maybe: list[dict[str, Any]] = []
    for record in records:
        if record["kind"] != kind or record["alert_token"] in keep:
            continue
        try:
            client.delete_checked(record["alert_token"], budget)
        except ReplyLost:
            maybe.append(record)
        except RemindersError as error:
            log.warning("could not delete a replaced reminder: %s", type(error).__name__)
            left.append(record)
    return left, maybe


@dataclass(frozen=True)
class Cancelled:
    """What cancelling did: `targeted` known reminders, `gone` of them now gone, the first
    `failure` (None if none), whether the records were `saved`, and whether the records could
    be read at all (`known` False: the store is down, nothing was tried). `unknown` counts
    reminders whose delete got no answer and could not be checked (they may still be set);
    `out_of_time` says the work stopped because the request's time ran out (the rest are still set)."""

    targeted: int = 0
    gone: int = 0
    failure: Exception | None = None
    saved: bool = True
    known: bool = True
    unknown: int = 0
    out_of_time: bool = False


def cancel_known(handler_input, kind: str = ALL, *, progress_speech: str | None = None,
                 cap: float | None = None) -> Cancelled:
    """Delete the user's known reminders of `kind` through the API, within the request's time
    budget, and drop their records.

    A reminder already gone at the API is dropped too; one whose deletion failed, was not tried
    for want of time, or got no answer (and could not be looked up) keeps its record. Stops at the
    first failure (the rest would fail the same way). The check-in reminder (user data `checkin`,
    not a reminder record) is cancelled with kind CHECKIN or ALL. `progress_speech`: said as a
    progressive response before deleting more than one reminder. `cap`: per call (default: the
    API client's own).
    """
    from backcare.handlers.reminders import checkin
    from backcare.services.api_client import DEFAULT_TIMEOUT_SECONDS
    from backcare.services.reminders import CallBudget, OutOfTime, Reminders, RemindersError, ReplyLost

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
    if progress_speech and sum(1 for r in targets if r["alert_token"]) > 1:
        from backcare.services.progressive import send_progressive_response
        from backcare.services.reminders import CALL_MIN_SECONDS, KEEP_SECONDS, LOOK_CAP_SECONDS

        send_progressive_response(handler_input, progress_speech,
                                  reserve=CALL_MIN_SECONDS + LOOK_CAP_SECONDS + KEEP_SECONDS)
    budget = CallBudget.of(handler_input, cap=cap or DEFAULT_TIMEOUT_SECONDS)
    gone_tokens: set[str | None] = set()
    failure: Exception | None = None
    unknown = 0
    for record in targets:
        try:
            if record["alert_token"]:  # a check-in without a token has nothing at the API
                client.delete_checked(record["alert_token"], budget)  # gone, whether deleted now or before
            gone_tokens.add(record["alert_token"])
        except RemindersError as error:
            failure = error
            unknown += int(isinstance(error, ReplyLost))
            break
    saved = True
    if gone_tokens:
        checkin_gone = check_in is not None and check_in.get("alert_token") in gone_tokens

        def forget(data: dict) -> None:
            data["reminders"] = [r for r in data["reminders"] if r["alert_token"] not in gone_tokens]
            if checkin_gone:
                data[checkin.KEY] = None

        saved = user_data.update(handler_input, forget)
    log.info("cancel: %d of %d gone, %d unknown, stopped: %s, %.2f s left", len(gone_tokens), len(targets), unknown,
             type(failure).__name__ if failure else None, budget.remaining() or 0)
    return Cancelled(targeted=len(targets), gone=len(gone_tokens), failure=failure, saved=saved, unknown=unknown,
                     out_of_time=isinstance(failure, OutOfTime))


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
