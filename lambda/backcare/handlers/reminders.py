"""Posture-break and stretch reminders (SPEC §5): set (confirmed by voice first), list, cancel.

Where the user is lives in session attributes: mode "reminder" with either
`pending_reminder` (a `schedule.Schedule.to_dict()` awaiting the user's yes, or the permission)
or `pending_cancel` (a REMINDER_KIND id awaiting the user's yes, or the permission). Nothing
about symptoms is ever kept there.

What exists is known from the skill's own records (`user_data` `reminders`: one record per
created reminder, with its own part of the schedule and its alertToken), never from
`get_reminders()` (the SDK cannot read that reply). Records are written only for reminders the
API confirmed, and the user is told when writing them failed.

Permission: without `context.System.user.permissions.consentToken`, or when the API answers
401/403, the response is the `Connections.SendRequest` AskFor directive alone (the current
version-2 payload of "Set Up Voice Permissions for Reminders": `permissionScopes` with
`consentLevel` ACCOUNT): no speech of ours, no reprompt and no `shouldEndSession`, exactly as the
documentation's example sends it, because Alexa takes the turn to ask ("Do you give Back Care
Coach permission to update your reminders?"). Alexa then sends `Connections.Response` (name
AskFor) and the skill continues its session: the pending action is done on ACCEPTED, and DENIED
or NOT_ANSWERED get an explanation and an AskForPermissionsConsent card.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import time
from typing import TYPE_CHECKING, Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard

from backcare.content import Texts
from backcare.handlers.common import (
    Handler,
    SkillContext,
    in_mode,
    is_intent,
    join,
    locale_of,
    offer,
    reply,
    session,
    set_mode,
    t,
)
from backcare.handlers.slots import resolved_id, slot_value
from backcare.persistence import user_data

if TYPE_CHECKING:
    from backcare import schedule

log = logging.getLogger(__name__)

MODE = "reminder"
PENDING = "pending_reminder"
PENDING_CANCEL = "pending_cancel"
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"
ASK_FOR_TOKEN = "reminders"
ALL = "all"
# backcare.schedule (and zoneinfo with it) is imported on the first reminder request, not on
# every cold start: most requests never touch a reminder. These ids are schedule.KINDS.
POSTURE = "posture"
STRETCH = "stretch"
KINDS = (POSTURE, STRETCH)
CANCEL_KINDS = (*KINDS, ALL)
# Up to this many times a day the confirmation names every time; beyond it, the interval.
MAX_TIMES_LISTED = 9


# --------------------------------------------------------------------------- speech


def _clock(tod: schedule.TimeOfDay) -> str:
    return str(tod.hour12) if tod.minute == 0 else f"{tod.hour12}:{tod.minute:02d}"


def _series(texts: Texts, items: list[str]) -> str:
    """"9", "9 and 10", "9, 10 and 11"."""
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {texts('reminders.word.and')} {items[-1]}"


def spoken_times(texts: Texts, times: tuple[schedule.TimeOfDay, ...] | list[schedule.TimeOfDay]) -> str:
    """"9, 10 and 11 AM, then 12, 1 and 2 PM": AM/PM said once per run of times."""
    runs: list[tuple[str, list[str]]] = []
    for tod in times:
        if not runs or runs[-1][0] != tod.period:
            runs.append((tod.period, []))
        runs[-1][1].append(_clock(tod))
    said = [texts("reminders.times.group", hours=_series(texts, hours), period=period) for period, hours in runs]
    return f", {texts('reminders.word.then')} ".join(said)


def spoken_when(texts: Texts, made: schedule.Schedule) -> str:
    """The exact schedule in words: "every weekday at 9, 10 and 11 AM, then 12 ... 5 PM"."""
    from backcare import schedule

    said = schedule.describe(made)
    if made.kind == STRETCH:
        return texts("reminders.when.stretch", times=spoken_times(texts, said.times))
    if said.count <= MAX_TIMES_LISTED or said.interval_minutes is None:
        return texts("reminders.when.posture.at", times=spoken_times(texts, said.times))
    return texts("reminders.when.posture.every", interval=texts(f"reminders.interval.{said.interval_minutes}"),
                 first=spoken_times(texts, [said.first]), last=spoken_times(texts, [said.last]), count=said.count)


def kind_name(texts: Texts, kind: str) -> str:
    return texts(f"reminders.kind.{kind}")


# --------------------------------------------------------------------------- session state


def _enter(handler_input: HandlerInput, *, pending: schedule.Schedule | None = None,
           cancel: str | None = None) -> None:
    """Mode "reminder" holding at most one pending action (or none, after a correction)."""
    attrs = session(handler_input)
    attrs.pop(PENDING, None)
    attrs.pop(PENDING_CANCEL, None)
    values: dict[str, Any] = {}
    if pending is not None:
        values[PENDING] = pending.to_dict()
    if cancel is not None:
        values[PENDING_CANCEL] = cancel
    set_mode(handler_input, MODE, **values)


def _leave(handler_input: HandlerInput) -> None:
    attrs = session(handler_input)
    attrs.pop(PENDING, None)
    attrs.pop(PENDING_CANCEL, None)
    set_mode(handler_input, None)


def pending_schedule(handler_input: HandlerInput) -> schedule.Schedule | None:
    from backcare import schedule

    raw = session(handler_input).get(PENDING)
    if not isinstance(raw, dict):
        return None
    try:
        made = schedule.Schedule.from_dict(raw)
        # Only a schedule the skill itself could have offered is created: rebuilt from its
        # request (interval and window, or the stretch time), it must come out the same.
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


def pending_cancel(handler_input: HandlerInput) -> str | None:
    kind = session(handler_input).get(PENDING_CANCEL)
    return kind if kind in CANCEL_KINDS else None


def permission_status(payload: Any) -> str | None:
    """ACCEPTED, DENIED or NOT_ANSWERED from a Connections.Response payload: `status` at the top
    (version 1, and what the reference calls body.status), or on the reminders scope's entry."""
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("status"), str):
        return payload["status"]
    for entry in payload.get("permissionScopes") or []:
        if isinstance(entry, dict) and entry.get("permissionScope") == REMINDERS_SCOPE:
            return entry.get("status")
    return None


def has_consent(handler_input: HandlerInput) -> bool:
    system = handler_input.request_envelope.context.system
    permissions = getattr(getattr(system, "user", None), "permissions", None)
    return bool(getattr(permissions, "consent_token", None))


# --------------------------------------------------------------------------- permission


def ask_permission(handler_input: HandlerInput) -> Response:
    """Hand the turn to Alexa's voice permission prompt (the pending action stays in the session)."""
    from ask_sdk_model.interfaces.connections import SendRequestDirective

    builder = handler_input.response_builder
    builder.add_directive(SendRequestDirective(
        name=ASK_FOR,
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
        },
        token=ASK_FOR_TOKEN,
    ))
    return builder.response


def permission_card_reply(handler_input: HandlerInput, key: str) -> Response:
    """Explain, send the AskForPermissionsConsent card, and end."""
    _leave(handler_input)
    builder = handler_input.response_builder
    builder.speak(t(handler_input)(key))
    builder.set_card(AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE]))
    builder.set_should_end_session(True)
    return builder.response


# --------------------------------------------------------------------------- setting


def confirm(handler_input: HandlerInput, made: schedule.Schedule, prefix: str = "") -> Response:
    """Say the exact schedule and ask before creating anything."""
    texts = t(handler_input)
    existing = [r for r in user_data.load(handler_input)["reminders"] if r["kind"] == made.kind]
    replaces = texts("reminders.confirm.replaces", kind=kind_name(texts, made.kind)) if existing else ""
    question = texts(f"reminders.confirm.{made.kind}", when=spoken_when(texts, made))
    _enter(handler_input, pending=made)
    return reply(handler_input, join(prefix, replaces, question), reprompt=texts("reminders.confirm.reprompt"))


def correction(handler_input: HandlerInput, kind: str, error: schedule.ScheduleError,
               retry: schedule.Schedule | None = None, prefix: str = "") -> Response:
    """A spoken correction for a schedule problem: a concrete suggestion when there is one,
    otherwise an example to say again. The session stays open."""
    texts = t(handler_input)
    problem = texts(f"reminders.problem.{error.reason.value}")
    if retry is not None:
        suggestion = texts("reminders.suggest.posture", interval=texts(f"reminders.interval.{retry.interval_minutes}"),
                           when=spoken_when(texts, retry))
        _enter(handler_input, pending=retry)
        return reply(handler_input, join(prefix, problem, suggestion), reprompt=texts("reminders.confirm.reprompt"))
    _enter(handler_input)
    return reply(handler_input, join(prefix, problem, texts(f"reminders.ask_again.{kind}")),
                 reprompt=texts("reminders.ask_again.reprompt"))


def start_posture(handler_input: HandlerInput, ctx: SkillContext, prefix: str = "", *,
                  interval: str | None = None, start: str | None = None, end: str | None = None) -> Response:
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
        return correction(handler_input, POSTURE, error, retry, prefix)
    return confirm(handler_input, made, prefix)


def start_stretch(handler_input: HandlerInput, ctx: SkillContext, prefix: str = "", *,
                  at: str | None = None) -> Response:
    from backcare import schedule

    try:
        made = schedule.stretch_from_slots(at)
    except schedule.ScheduleError as error:
        return correction(handler_input, STRETCH, error, prefix=prefix)
    return confirm(handler_input, made, prefix)


def create(handler_input: HandlerInput, ctx: SkillContext, made: schedule.Schedule, *,
           after_permission: bool = False) -> Response:
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

    texts = t(handler_input)
    if not after_permission and not has_consent(handler_input):
        _enter(handler_input, pending=made)
        return ask_permission(handler_input)
    locale = locale_of(handler_input)
    parts = schedule.plan_reminders(
        made, now=ctx.clock(), time_zone=device_time_zone(handler_input), locale=locale,
        text=texts.plain(f"reminders.text.{made.kind}"), max_rules_per_reminder=ctx.config.max_rules_per_reminder,
    )
    try:
        client = Reminders.from_handler_input(handler_input)
    except RemindersError as error:
        log.warning("no reminders client: %s", type(error).__name__)
        _leave(handler_input)
        return reply(handler_input, texts("reminders.error.unavailable"), end=True)
    result = client.create_all(parts)
    kind = kind_name(texts, made.kind)

    if not result.created:
        if isinstance(result.error, PermissionMissing):
            if after_permission:
                return permission_card_reply(handler_input, "reminders.permission.still_missing")
            _enter(handler_input, pending=made)
            return ask_permission(handler_input)
        _leave(handler_input)
        if isinstance(result.error, DeviceNotSupported):
            return offer(handler_input, ctx, "stretches", prefix=texts("reminders.error.device"))
        key = "reminders.error.rate_limited" if isinstance(result.error, RateLimited) else "reminders.error.unavailable"
        return reply(handler_input, texts(key), end=True)

    data = user_data.load(handler_input)
    new_tokens = {token for _, token in result.created}
    records = [*data["reminders"], *(part.record(token) for part, token in result.created)]
    old_left = []
    if result.complete:
        records, old_left = _drop_replaced(client, records, made.kind, new_tokens)
    data["reminders"] = records
    saved = user_data.save(handler_input)
    log.info("reminders created: %d of %d parts, records saved: %s", len(result.created), len(parts), saved)
    _leave(handler_input)

    if result.complete:
        speech = texts("reminders.created", kind=kind, when=spoken_when(texts, made))
        if old_left:
            speech = join(speech, texts("reminders.old_kept", kind=kind))
    else:
        created_times = tuple(tod for part, _ in result.created for tod in part.times)
        done = replace(made, times=created_times)
        why = "rate_limited" if isinstance(result.error, RateLimited) else "unavailable"
        speech = join(texts("reminders.partial", kind=kind, when=spoken_when(texts, done)),
                      texts(f"reminders.partial.{why}"))
    if not saved:
        speech = join(speech, texts("reminders.not_saved"))
    return reply(handler_input, speech, end=True)


def _drop_replaced(client: Any, records: list[dict[str, Any]], kind: str,
                   keep: set[str]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A new schedule of `kind` replaces the old one: delete the old reminders (gone already is
    fine). Returns (records that still exist, old records that could not be deleted)."""
    from backcare.services.reminders import RemindersError

    kept, left = [], []
    for record in records:
        if record["kind"] != kind or record["alert_token"] in keep:
            kept.append(record)
            continue
        try:
            client.delete(record["alert_token"])
        except RemindersError as error:
            log.warning("could not delete a replaced reminder: %s", type(error).__name__)
            kept.append(record)
            left.append(record)
    return kept, left


# --------------------------------------------------------------------------- cancelling


def cancel_known(handler_input: HandlerInput, kind: str = ALL) -> tuple[int, int, Exception | None]:
    """Delete the user's known reminders of `kind` through the API, and drop their records.

    A reminder already gone at the API is dropped too; one whose deletion failed keeps its
    record. Stops at the first failure (the rest would fail the same way). Returns
    (how many were targeted, how many are gone now, the failure or None). Does not save.
    """
    from backcare.services.reminders import Reminders, RemindersError

    data = user_data.load(handler_input)
    targets = [r for r in data["reminders"] if kind == ALL or r["kind"] == kind]
    if not targets:
        return 0, 0, None
    failure: Exception | None = None
    try:
        client = Reminders.from_handler_input(handler_input)
    except RemindersError as error:
        return len(targets), 0, error
    kept, gone = [], 0
    for record in data["reminders"]:
        if record not in targets or failure is not None:
            kept.append(record)
            continue
        try:
            client.delete(record["alert_token"])  # True or False (already gone): either way, gone
            gone += 1
        except RemindersError as error:
            failure = error
            kept.append(record)
    data["reminders"] = kept
    return len(targets), gone, failure


def cancel(handler_input: HandlerInput, ctx: SkillContext, kind: str, *, after_permission: bool = False) -> Response:
    from backcare.services.reminders import PermissionMissing

    texts = t(handler_input)
    targeted, gone, failure = cancel_known(handler_input, kind)
    if targeted == 0:
        _leave(handler_input)
        key = "reminders.cancel.none" if kind == ALL else "reminders.cancel.none_of_kind"
        return reply(handler_input, texts(key, kind=kind_name(texts, kind) if kind != ALL else ""), end=True)
    if isinstance(failure, PermissionMissing) and gone == 0:
        if after_permission:
            return permission_card_reply(handler_input, "reminders.permission.still_missing")
        _enter(handler_input, cancel=kind)
        return ask_permission(handler_input)
    saved = user_data.save(handler_input) if gone else True
    log.info("reminders cancelled: %d of %d, records saved: %s", gone, targeted, saved)
    _leave(handler_input)
    if failure is not None:
        speech = texts("reminders.cancel.partial" if gone else "reminders.cancel.failed")
    elif kind == ALL:
        speech = texts("reminders.cancelled.all")
    else:
        speech = texts("reminders.cancelled", kind=kind_name(texts, kind))
    if not saved:
        speech = join(speech, texts("reminders.cancelled.not_saved"))
    return reply(handler_input, speech, end=True)


# --------------------------------------------------------------------------- listing


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


# --------------------------------------------------------------------------- handlers


class SetPostureReminderHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("SetPostureReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from backcare.handlers.launch import opening

        return start_posture(handler_input, self.ctx, opening(handler_input),
                             interval=slot_value(handler_input, "interval"),
                             start=slot_value(handler_input, "startTime"),
                             end=slot_value(handler_input, "endTime"))


class SetStretchReminderHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("SetStretchReminderIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from backcare.handlers.launch import opening

        return start_stretch(handler_input, self.ctx, opening(handler_input), at=slot_value(handler_input, "time"))


class YesHandler(Handler):
    """Yes to "shall I set that?" or "shall I cancel ...?"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        made = pending_schedule(handler_input)
        if made is not None:
            return create(handler_input, self.ctx, made)
        kind = pending_cancel(handler_input)
        if kind is not None:
            return cancel(handler_input, self.ctx, kind)
        texts = t(handler_input)
        _enter(handler_input)
        return reply(handler_input, texts("reminders.help"), reprompt=texts("reminders.help.reprompt"))


class NoHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        if pending_cancel(handler_input) is not None:
            _leave(handler_input)
            return reply(handler_input, texts("reminders.cancel.kept"), end=True)
        _leave(handler_input)
        return reply(handler_input, texts("reminders.declined"), reprompt=texts("reminders.declined.reprompt"))


class HelpHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        made = pending_schedule(handler_input)
        if made is not None:
            return reply(handler_input, texts("reminders.help.confirm", when=spoken_when(texts, made)),
                         reprompt=texts("reminders.confirm.reprompt"))
        if pending_cancel(handler_input) is not None:
            return reply(handler_input, texts("reminders.help.cancel"), reprompt=texts("reminders.cancel.reprompt"))
        return reply(handler_input, texts("reminders.help"), reprompt=texts("reminders.help.reprompt"))


class NotUnderstoodHandler(Handler):
    """Something else while a yes or no is awaited: ask for it again, keeping what is pending."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (in_mode(MODE)(handler_input) and is_intent("AMAZON.FallbackIntent", "UnsureIntent")(handler_input)
                and (pending_schedule(handler_input) is not None or pending_cancel(handler_input) is not None))

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        made = pending_schedule(handler_input)
        if made is not None:
            question = texts(f"reminders.confirm.{made.kind}", when=spoken_when(texts, made))
            return reply(handler_input, join(texts("reminders.confirm.yes_or_no"), question),
                         reprompt=texts("reminders.confirm.reprompt"))
        return reply(handler_input, join(texts("reminders.confirm.yes_or_no"), texts("reminders.cancel.reprompt")),
                     reprompt=texts("reminders.cancel.reprompt"))


class ListRemindersHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("ListRemindersIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        records = user_data.load(handler_input)["reminders"]
        if user_data.status(handler_input) == user_data.UNAVAILABLE:
            _leave(handler_input)
            return reply(handler_input, texts("reminders.list.unavailable"), end=True)
        items = []
        for kind in KINDS:
            made = merged(records, kind)
            if made is not None:
                items.append(texts(f"reminders.list.{kind}", when=spoken_when(texts, made)))
        _leave(handler_input)
        if not items:
            return offer(handler_input, self.ctx, "reminders", prefix=texts("reminders.list.none"))
        listed = f", {texts('reminders.word.and')} ".join(items)  # items hold commas of their own
        return reply(handler_input, texts("reminders.list", items=listed), end=True)


class CancelRemindersHandler(Handler):
    """"Cancel my posture reminders" cancels at once; without a kind the skill asks first."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("CancelRemindersIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        kind = resolved_id(handler_input, "kind")
        if kind in CANCEL_KINDS:
            return cancel(handler_input, self.ctx, kind)
        records = user_data.load(handler_input)["reminders"]
        kinds = sorted({record["kind"] for record in records})
        if not kinds:
            _leave(handler_input)
            return reply(handler_input, texts("reminders.cancel.none"), end=True)
        if len(kinds) == 1:
            _enter(handler_input, cancel=kinds[0])
            return reply(handler_input, texts("reminders.cancel.confirm", kind=kind_name(texts, kinds[0])),
                         reprompt=texts("reminders.cancel.reprompt"))
        _enter(handler_input, cancel=ALL)
        return reply(handler_input, texts("reminders.cancel.which"), reprompt=texts("reminders.cancel.reprompt"))


class PermissionResponseHandler(Handler):
    """Alexa's answer to the AskFor directive."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if get_request_type(handler_input) != "Connections.Response":
            return False
        return getattr(handler_input.request_envelope.request, "name", None) == ASK_FOR

    def handle(self, handler_input: HandlerInput) -> Response:
        status = permission_status(getattr(handler_input.request_envelope.request, "payload", None))
        log.info("reminders permission answer: %s", status)
        if status != "ACCEPTED":
            return permission_card_reply(handler_input, "reminders.permission.denied")
        made = pending_schedule(handler_input)
        if made is not None:
            return create(handler_input, self.ctx, made, after_permission=True)
        kind = pending_cancel(handler_input)
        if kind is not None:
            return cancel(handler_input, self.ctx, kind, after_permission=True)
        _leave(handler_input)
        return reply(handler_input, t(handler_input)("reminders.permission.thanks"), end=True)


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    # The offer after a SELF_CARE or SEE_DOCTOR outcome: the default posture schedule, confirmed first.
    ctx.offer_actions["reminders"] = lambda handler_input, prefix="": start_posture(handler_input, ctx, prefix)
    return [
        PermissionResponseHandler(ctx),
        SetPostureReminderHandler(ctx),
        SetStretchReminderHandler(ctx),
        ListRemindersHandler(ctx),
        CancelRemindersHandler(ctx),
        YesHandler(ctx),
        NoHandler(ctx),
        HelpHandler(ctx),
        NotUnderstoodHandler(ctx),
    ]
