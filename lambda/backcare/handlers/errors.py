"""Exception handlers: specific ones first, then a catch-all that still gives safe advice."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.handlers.check import restart_after_bad_state, speak_step
from backcare.handlers.common import SkillContext, in_mode, reply, session, set_mode, t
from backcare.triage import StateError, TriageCheck, TriageState

log = logging.getLogger(__name__)


class TriageStateErrorHandler(AbstractExceptionHandler):
    """A triage state we cannot trust (corrupt, or from an older version): ask again from the top."""

    def __init__(self, ctx: SkillContext) -> None:
        self.ctx = ctx

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StateError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        return restart_after_bad_state(handler_input, self.ctx)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    """Anything else: say sorry, and still tell the user what to do in an emergency."""

    def __init__(self, ctx: SkillContext) -> None:
        self.ctx = ctx

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled %s while answering a request", type(exception).__name__, exc_info=exception)
        texts = t(handler_input)
        try:
            if in_mode("check")(handler_input):
                # Keep a running check: apologise, then ask the pending question again.
                step = TriageCheck.current(TriageState.from_dict(session(handler_input).get("triage")))
                return speak_step(handler_input, self.ctx, step, prefix=texts("error.in_check"))
            set_mode(handler_input, None)
        except Exception:
            log.warning("could not restore the session state after an error")
            set_mode(handler_input, None)
        return reply(handler_input, texts("error.generic"), reprompt=texts("error.generic.reprompt"))


def handlers(ctx: SkillContext) -> list[AbstractExceptionHandler]:
    return [TriageStateErrorHandler(ctx), CatchAllExceptionHandler(ctx)]
