"""DeleteMyDataIntent (SPEC §6): confirmed by voice, then the user's reminders are cancelled and
their record deleted. Mode "confirm_delete" while the yes or no is awaited.

Reminders are cancelled first, through the API, while the records still say which ones exist.
When the API cannot cancel them (no permission, or it fails), the data is deleted anyway and
the user is told to check the Alexa app. The user hears whether deletion really worked.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.handlers.common import Handler, SkillContext, in_mode, is_intent, join, reply, set_mode, t
from backcare.handlers.reminders import ALL, cancel_known
from backcare.persistence import user_data

log = logging.getLogger(__name__)

MODE = "confirm_delete"


def delete_everything(handler_input: HandlerInput) -> tuple[bool, int, int, bool]:
    """Cancel the known reminders, then delete the record.

    Returns (record deleted, reminders known, reminders now gone, every known reminder gone).
    Shared by DeleteMyDataIntent and the SkillDisabled event.
    """
    targeted, gone, failure = cancel_known(handler_input, ALL)
    if failure is not None:
        log.warning("could not cancel every reminder before deleting the data: %s", type(failure).__name__)
    deleted = user_data.delete(handler_input)
    if not deleted and gone:
        user_data.save(handler_input)  # keep the records true to what still exists
    return deleted, targeted, gone, failure is None


class DeleteMyDataHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("DeleteMyDataIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        set_mode(handler_input, MODE)
        return reply(handler_input, texts("data.confirm"), reprompt=texts("data.confirm.reprompt"))


class ConfirmDeleteHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent("AMAZON.YesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        set_mode(handler_input, None)
        deleted, known, gone, all_gone = delete_everything(handler_input)
        log.info("delete my data: record deleted %s, reminders cancelled %d of %d", deleted, gone, known)
        if deleted:
            speech = texts("data.deleted.reminders" if known and all_gone else "data.deleted")
            if not all_gone:
                speech = join(speech, texts("data.reminders_left"))
        else:
            speech = texts("data.delete_failed.reminders" if known and all_gone else "data.delete_failed")
        return reply(handler_input, speech, end=True)


class KeepDataHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent("AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        set_mode(handler_input, None)
        return reply(handler_input, t(handler_input)("data.kept"), end=True)


class ConfirmDeleteHelpHandler(Handler):
    """Help, or anything not understood, while the yes or no is awaited."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent(
            "AMAZON.HelpIntent", "AMAZON.FallbackIntent", "UnsureIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        return reply(handler_input, texts("data.help"), reprompt=texts("data.confirm.reprompt"))


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [DeleteMyDataHandler(ctx), ConfirmDeleteHandler(ctx), KeepDataHandler(ctx), ConfirmDeleteHelpHandler(ctx)]
