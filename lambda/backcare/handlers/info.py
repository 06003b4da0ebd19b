"""Spoken information: causes, when to see a doctor, warning signs. Each ends with the offer of
the symptom check, the most useful next step after any of them."""

from __future__ import annotations

from ask_sdk_model import Response

from backcare.conversation import Offer
from backcare.handlers.base import Handler, SkillContext, Turn
from backcare.handlers.offers import offer

INFO_TEXTS = {
    "CausesIntent": "info.causes",
    "WhenToSeeDoctorIntent": "info.when_doctor",
    "WarningSignsIntent": "info.warning_signs",
}


class InfoHandler(Handler):
    intents = tuple(INFO_TEXTS)

    def respond(self, turn: Turn) -> Response:
        return offer(turn, self.ctx, (Offer.CHECK,), prefix=turn.t(INFO_TEXTS[turn.intent_name]))


def handlers(ctx: SkillContext) -> list[Handler]:
    return [InfoHandler(ctx)]
