"""Exception handlers: specific ones first, then a catch-all that still gives safe advice.

The SDK skips the response interceptors when a handler raises, so these save the conversation
themselves (`finish`).
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.conversation import Mode
from backcare.handlers.base import SkillContext, Turn, ask, turn_of
from backcare.handlers.check import speak_step
from backcare.handlers.events import EventNotProcessed
from backcare.handlers.interceptors import finish
from backcare.triage import TriageCheck

log = logging.getLogger(__name__)

GENERIC_ERROR = "error.generic"


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything unexpected: say sorry, and still tell the user what to do in an emergency.

    A running check is kept: the pending question is asked again. An event that must be retried
    (`EventNotProcessed`) is not handled here: it reaches Alexa as an error.
    """

    def __init__(self, ctx: SkillContext) -> None:
        self.ctx = ctx

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return not isinstance(exception, EventNotProcessed)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled %s while answering a request", type(exception).__name__, exc_info=exception)
        from ask_sdk_core.response_helper import ResponseFactory

        handler_input.response_builder = ResponseFactory()  # drop whatever the failed handler built
        turn = turn_of(handler_input)
        response = self._answer(turn)
        finish(handler_input, response)
        return response

    def _answer(self, turn: Turn) -> Response:
        t = turn.t
        if turn.conv.mode is Mode.CHECK and turn.conv.triage is not None:
            try:
                step = TriageCheck.current(turn.conv.triage)
                return speak_step(turn, self.ctx, step, prefix=t("error.in_check"))
            except Exception:
                log.warning("could not ask the pending question again after an error")
        turn.conv.home()
        return ask(turn, t(GENERIC_ERROR), t("error.generic.reprompt"))


def handlers(ctx: SkillContext) -> list[AbstractExceptionHandler]:
    return [CatchAllExceptionHandler(ctx)]
