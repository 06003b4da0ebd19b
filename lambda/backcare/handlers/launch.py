"""Opening the skill: a welcome (with the one-time disclaimer), then the check-in question when
a check-in is due (asked once), otherwise the check as the first offer."""

from __future__ import annotations

from ask_sdk_model import Response

from backcare.conversation import Offer
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join
from backcare.handlers.checkin import REPROMPT as CHECKIN_REPROMPT
from backcare.handlers.checkin import due_question
from backcare.handlers.interceptors import disclaimer
from backcare.handlers.offers import OFFER_TEXTS


class LaunchHandler(Handler):
    intents = ("LaunchRequest",)

    def respond(self, turn: Turn) -> Response:
        t = turn.t
        said = disclaimer(turn)
        welcome = join(t("launch.first"), said, t("launch.menu")) if said else t("launch.returning")
        question = due_question(turn, self.ctx)
        if question:
            return ask(turn, join(welcome, question), t(CHECKIN_REPROMPT))
        turn.conv.offer((Offer.CHECK, Offer.TIPS, Offer.EXERCISES))  # a no moves to the next
        return ask(turn, join(welcome, t(OFFER_TEXTS[Offer.CHECK][0])), t("launch.reprompt"))


def handlers(ctx: SkillContext) -> list[Handler]:
    return [LaunchHandler(ctx)]
