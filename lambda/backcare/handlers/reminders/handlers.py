"""The reminder intents: set (confirmed by voice first), list, cancel, and the permission answer.

The use cases (`actions`, `checkin`) and the store are imported by the handlers that run them
(see handlers/base.py, "Imports")."""

from __future__ import annotations

import logging

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join, tell
from backcare.handlers.offers import offer
from backcare.handlers.reminders.permission import ASK_FOR, ask_permission, permission_card, permission_status
from backcare.handlers.reminders.speech import (
    ALL,
    CANCEL_KINDS,
    CHECKIN,
    CONFIRM_TEXTS,
    KINDS,
    LIST_TEXTS,
    kind_name,
    series,
    spoken_date,
    spoken_when,
)
from backcare.handlers.slots import resolved_id, slot_value

log = logging.getLogger(__name__)

CANCEL_REPROMPT = "reminders.cancel.reprompt"
HELP, HELP_REPROMPT = "reminders.help", "reminders.help.reprompt"
NONE_TO_CANCEL = "reminders.cancel.none"
YES_OR_NO = "reminders.confirm.yes_or_no"
CANT_LOOK = "reminders.cancel.unavailable"


def cancel(turn: Turn, kind: str, *, after_permission: bool = False) -> Response:
    """Cancel the known reminders of `kind` within the request's time budget and say exactly
    what happened: all cancelled, some (the rest still set, or not known), or none."""
    from backcare.handlers.reminders.actions import STILL_MISSING, cancel_known
    from backcare.services.reminders import PermissionMissing

    t = turn.t
    done = cancel_known(turn.handler_input, kind, progress_speech=t("reminders.progress.cancel"))
    turn.conv.home()
    if not done.known:
        return tell(turn, t(CANT_LOOK))
    if done.targeted == 0:
        if kind == ALL:
            return tell(turn, t(NONE_TO_CANCEL))
        return tell(turn, t("reminders.cancel.none_of_kind", kind=kind_name(t, kind)))
    if isinstance(done.failure, PermissionMissing) and done.gone == 0:
        if after_permission:
            return permission_card(turn, t(STILL_MISSING))
        turn.conv.go(Mode.CANCEL_CONFIRM, pending_cancel=kind)
        return ask_permission(turn)
    log.info("reminders cancelled: %d of %d, records saved: %s", done.gone, done.targeted, done.saved)
    if done.unknown:
        speech = t("reminders.cancel.partial.unknown" if done.gone else "reminders.cancel.unknown")
    elif done.out_of_time:
        speech = t("reminders.cancel.partial.out_of_time" if done.gone else "reminders.cancel.out_of_time")
    elif done.failure is not None:
        speech = t("reminders.cancel.partial" if done.gone else "reminders.cancel.failed")
    elif kind == ALL:
        speech = t("reminders.cancelled.all")
    else:
        speech = t("reminders.cancelled", kind=kind_name(t, kind))
    if not done.saved and done.gone:
        speech = join(speech, t("reminders.cancelled.not_saved"))
    return tell(turn, speech)


class SetPostureReminderHandler(Handler):
    intents = ("SetPostureReminderIntent",)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders.actions import start_posture

        hi = turn.handler_input
        return start_posture(turn, interval=slot_value(hi, "interval"), start=slot_value(hi, "startTime"),
                             end=slot_value(hi, "endTime"))


class SetStretchReminderHandler(Handler):
    intents = ("SetStretchReminderIntent",)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders.actions import start_stretch

        return start_stretch(turn, at=slot_value(turn.handler_input, "time"))


class ConfirmReminderHandler(Handler):
    """Yes to "shall I set that?"."""

    intents = ("AMAZON.YesIntent",)
    modes = (Mode.REMINDER_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders import checkin
        from backcare.handlers.reminders.actions import create, pending_schedule

        if checkin.is_pending(turn):
            due = checkin.pending_due(turn, self.ctx)
            if due is not None:
                return checkin.create(turn, self.ctx, due)
        made = pending_schedule(turn)
        if made is None:
            turn.conv.home()
            return ask(turn, turn.t(HELP), turn.t(HELP_REPROMPT))
        return create(turn, self.ctx, made)


class DeclineReminderHandler(Handler):
    intents = ("AMAZON.NoIntent",)
    modes = (Mode.REMINDER_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders import checkin

        if checkin.is_pending(turn):
            return checkin.declined(turn)
        turn.conv.home()
        return ask(turn, turn.t("reminders.declined"), turn.t("reminders.declined.reprompt"))


class ReminderConfirmUnclearHandler(Handler):
    """Help, "not sure" or something not understood while "shall I set that?" is pending."""

    intents = ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "UnsureIntent")
    modes = (Mode.REMINDER_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders import checkin
        from backcare.handlers.reminders.actions import CONFIRM_REPROMPT, pending_schedule

        t = turn.t
        due = checkin.pending_due(turn, self.ctx)
        if due is not None:
            if turn.intent_name == "AMAZON.HelpIntent":
                return ask(turn, checkin.help_text(turn, due), t(CONFIRM_REPROMPT))
            return ask(turn, join(t(YES_OR_NO), checkin.question(turn, due)), t(CONFIRM_REPROMPT))
        made = pending_schedule(turn)
        if made is None:
            turn.conv.home()
            return ask(turn, t(HELP), t(HELP_REPROMPT))
        when = spoken_when(t, made)
        if turn.intent_name == "AMAZON.HelpIntent":
            return ask(turn, t("reminders.help.confirm", when=when), t(CONFIRM_REPROMPT))
        return ask(turn, join(t(YES_OR_NO), t(CONFIRM_TEXTS[made.kind], when=when)), t(CONFIRM_REPROMPT))


class ConfirmCancelHandler(Handler):
    intents = ("AMAZON.YesIntent",)
    modes = (Mode.CANCEL_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        kind = turn.conv.pending_cancel
        return cancel(turn, kind if kind in CANCEL_KINDS else ALL)


class KeepRemindersHandler(Handler):
    intents = ("AMAZON.NoIntent",)
    modes = (Mode.CANCEL_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        turn.conv.home()
        return tell(turn, turn.t("reminders.cancel.kept"))


class CancelConfirmUnclearHandler(Handler):
    intents = ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "UnsureIntent")
    modes = (Mode.CANCEL_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        t = turn.t
        if turn.intent_name == "AMAZON.HelpIntent":
            return ask(turn, t("reminders.help.cancel"), t(CANCEL_REPROMPT))
        return ask(turn, join(t(YES_OR_NO), t(CANCEL_REPROMPT)), t(CANCEL_REPROMPT))


class ListRemindersHandler(Handler):
    intents = ("ListRemindersIntent",)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders import checkin
        from backcare.handlers.reminders.actions import merged
        from backcare.persistence import user_data

        t = turn.t
        records = user_data.load(turn.handler_input)["reminders"]
        turn.conv.home()
        if user_data.status(turn.handler_input) == user_data.UNAVAILABLE:
            return tell(turn, t("reminders.list.unavailable"))
        items = []
        for kind in KINDS:
            made = merged(records, kind)
            if made is not None:
                items.append(t(LIST_TEXTS[kind], when=spoken_when(t, made)))
        check_in = checkin.stored(turn.handler_input)
        if check_in is not None:
            items.append(t(LIST_TEXTS[CHECKIN], date=spoken_date(t, checkin.due_of(check_in))))
        if not items:
            return offer(turn, self.ctx, (Offer.POSTURE_REMINDERS,), prefix=t("reminders.list.none"))
        return tell(turn, t("reminders.list", items=series(t, items)))


class CancelRemindersHandler(Handler):
    """"Cancel my posture reminders" cancels at once; without a kind the skill asks first."""

    intents = ("CancelRemindersIntent",)

    def respond(self, turn: Turn) -> Response:
        t = turn.t
        kind = resolved_id(turn.handler_input, "kind")
        if kind in CANCEL_KINDS:
            return cancel(turn, kind)
        from backcare.handlers.reminders import checkin
        from backcare.persistence import user_data

        records = user_data.load(turn.handler_input)["reminders"]
        if user_data.status(turn.handler_input) == user_data.UNAVAILABLE:
            turn.conv.home()
            return tell(turn, t(CANT_LOOK))
        present = {record["kind"] for record in records}
        if checkin.stored(turn.handler_input) is not None:
            present.add(CHECKIN)
        kinds = [kind for kind in (*KINDS, CHECKIN) if kind in present]
        if not kinds:
            turn.conv.home()
            return tell(turn, t(NONE_TO_CANCEL))
        if len(kinds) == 1:
            turn.conv.go(Mode.CANCEL_CONFIRM, pending_cancel=kinds[0])
            return ask(turn, t("reminders.cancel.confirm", kind=kind_name(t, kinds[0])), t(CANCEL_REPROMPT))
        turn.conv.go(Mode.CANCEL_CONFIRM, pending_cancel=ALL)
        return ask(turn, t("reminders.cancel.which", kinds=series(t, [kind_name(t, kind) for kind in kinds])),
                   t(CANCEL_REPROMPT))


class PermissionResponseHandler(Handler):
    """Alexa's answer to the AskFor directive."""

    intents = ("Connections.Response",)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.reminders import checkin
        from backcare.handlers.reminders.actions import create, pending_schedule

        request = turn.request
        if getattr(request, "name", None) != ASK_FOR:
            log.warning("a Connections.Response this skill did not ask for")
            return turn.handler_input.response_builder.response
        status = permission_status(getattr(request, "payload", None))
        log.info("reminders permission answer: %s", status)
        if status != "ACCEPTED":
            return permission_card(turn, turn.t("reminders.permission.denied"))
        if turn.conv.mode is Mode.REMINDER_CONFIRM and checkin.is_pending(turn):
            due = checkin.pending_due(turn, self.ctx)
            if due is not None:
                return checkin.create(turn, self.ctx, due, after_permission=True)
        if turn.conv.mode is Mode.REMINDER_CONFIRM:
            made = pending_schedule(turn)
            if made is not None:
                return create(turn, self.ctx, made, after_permission=True)
        if turn.conv.mode is Mode.CANCEL_CONFIRM and turn.conv.pending_cancel in CANCEL_KINDS:
            return cancel(turn, turn.conv.pending_cancel, after_permission=True)
        turn.conv.home()
        return tell(turn, turn.t("reminders.permission.thanks"))


def handlers(ctx: SkillContext) -> list[Handler]:
    # The offer after listing none: the default posture schedule, confirmed first.
    def posture_reminders(turn: Turn, prefix: str = "") -> Response:
        from backcare.handlers.reminders.actions import start_posture

        return start_posture(turn, prefix)

    ctx.offer_actions[Offer.POSTURE_REMINDERS] = posture_reminders
    return [
        PermissionResponseHandler(ctx), SetPostureReminderHandler(ctx), SetStretchReminderHandler(ctx),
        ListRemindersHandler(ctx), CancelRemindersHandler(ctx), ConfirmReminderHandler(ctx),
        DeclineReminderHandler(ctx), ReminderConfirmUnclearHandler(ctx), ConfirmCancelHandler(ctx),
        KeepRemindersHandler(ctx), CancelConfirmUnclearHandler(ctx),
    ]
