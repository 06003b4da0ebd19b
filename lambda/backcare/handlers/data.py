"""DeleteMyDataIntent (SPEC §6): confirmed by voice, then the user's reminders (the check-in
reminder too) are cancelled and their record deleted: disclaimer, visits, last tip, reminder
records, exercise level and sessions, the check-in's day (Mode.DELETE_CONFIRM while the yes or
no is awaited).

Reminders are cancelled first, through the API, while the records still say which ones exist.
When the API cannot cancel them (no permission, or it fails), the data is deleted anyway and
the user is told to check the Alexa app. The user hears whether deletion really worked.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from ask_sdk_model import Response

from backcare.conversation import Mode
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join, tell

log = logging.getLogger(__name__)

CONFIRM_REPROMPT = "data.confirm.reprompt"


class Deleted(NamedTuple):  # a NamedTuple: a tenth of a dataclass's cost at import (cold start)
    record_deleted: bool
    reminders_known: int
    reminders_gone: int
    all_gone: bool


def delete_everything(handler_input, *, only_if_readable: bool = False) -> Deleted:
    """Cancel the known reminders and the check-in reminder, then delete the record
    (DeleteMyDataIntent and SkillDisabled).

    `only_if_readable`: when the records could not be read (the store failed), or cancelling
    stopped for a reason a retry can overcome (time ran out, no reply), delete nothing, so that
    the retry can still cancel the reminders they name (SkillDisabled is retried by Alexa; once
    the record is gone, its reminders could never be cancelled).
    """
    from backcare.handlers.reminders.actions import cancel_known
    from backcare.handlers.reminders.speech import ALL
    from backcare.persistence import user_data
    from backcare.services.reminders import ServiceUnavailable

    cancelled = cancel_known(handler_input, ALL)
    passing = isinstance(cancelled.failure, ServiceUnavailable)  # out of time, lost reply, 5xx
    if only_if_readable and (not cancelled.known or passing):
        log.warning("reminders could not all be cancelled for now: nothing deleted, so a retry can finish")
        return Deleted(False, cancelled.targeted, cancelled.gone, False)
    if cancelled.failure is not None:
        log.warning("could not cancel every reminder before deleting the data: %s",
                    type(cancelled.failure).__name__)
    deleted = user_data.delete(handler_input)
    return Deleted(deleted, cancelled.targeted, cancelled.gone, cancelled.failure is None and cancelled.known)


class DeleteMyDataHandler(Handler):
    intents = ("DeleteMyDataIntent",)

    def respond(self, turn: Turn) -> Response:
        turn.conv.go(Mode.DELETE_CONFIRM)
        return ask(turn, turn.t("data.confirm"), turn.t(CONFIRM_REPROMPT))


class ConfirmDeleteHandler(Handler):
    intents = ("AMAZON.YesIntent",)
    modes = (Mode.DELETE_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        t = turn.t
        turn.conv.home()
        done = delete_everything(turn.handler_input)
        log.info("delete my data: record deleted %s, reminders cancelled %d of %d",
                 done.record_deleted, done.reminders_gone, done.reminders_known)
        with_reminders = done.reminders_known and done.all_gone
        if done.record_deleted:
            speech = t("data.deleted.reminders" if with_reminders else "data.deleted")
            if not done.all_gone:
                speech = join(speech, t("data.reminders_left"))
        else:
            speech = t("data.delete_failed.reminders" if with_reminders else "data.delete_failed")
        return tell(turn, speech)


class KeepDataHandler(Handler):
    intents = ("AMAZON.NoIntent",)
    modes = (Mode.DELETE_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        turn.conv.home()
        return tell(turn, turn.t("data.kept"))


class ConfirmDeleteHelpHandler(Handler):
    """Help, or anything not understood, while the yes or no is awaited."""

    intents = ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "UnsureIntent")
    modes = (Mode.DELETE_CONFIRM,)

    def respond(self, turn: Turn) -> Response:
        return ask(turn, turn.t("data.help"), turn.t(CONFIRM_REPROMPT))


def handlers(ctx: SkillContext) -> list[Handler]:
    return [DeleteMyDataHandler(ctx), ConfirmDeleteHandler(ctx), KeepDataHandler(ctx), ConfirmDeleteHelpHandler(ctx)]
