"""Spoken information: causes, when to see a doctor, warning signs. Each ends with the offer
of the symptom check, the most useful next step after any of them."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.handlers.common import Handler, SkillContext, is_intent, join, offer, t

INFO_INTENTS = {
    "CausesIntent": "causes",
    "WhenToSeeDoctorIntent": "when_doctor",
    "WarningSignsIntent": "warning_signs",
}


class InfoHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent(*INFO_INTENTS)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from backcare.handlers.launch import opening

        name = handler_input.request_envelope.request.intent.name
        speech = join(opening(handler_input), t(handler_input)(INFO_INTENTS[name]))
        return offer(handler_input, self.ctx, "check", prefix=speech)


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [InfoHandler(ctx)]
