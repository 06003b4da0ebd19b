"""Yes/no offers ("Would you like some tips?"): one per turn, the next one after a no.

`offer(turn, ctx, offers)` asks the first offer whose action is registered and keeps the rest
for after a no; each handler area registers what a yes does in `SkillContext.offer_actions`.
"""

from __future__ import annotations

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join, tell

OFFER_TEXTS: dict[Offer, tuple[str, str]] = {
    Offer.CHECK: ("offer.check", "offer.check.reprompt"),
    Offer.TIPS: ("offer.tips", "offer.tips.reprompt"),
    Offer.EXERCISES: ("offer.exercises", "offer.exercises.reprompt"),
    Offer.POSTURE_REMINDERS: ("offer.posture_reminders", "offer.posture_reminders.reprompt"),
    Offer.CHECKIN_REMINDER: ("offer.checkin_reminder", "offer.checkin_reminder.reprompt"),
    Offer.NEXT_LEVEL: ("offer.next_level", "offer.next_level.reprompt"),
}
GOODBYE = "home.goodbye"
DECLINED = "offer.declined"
HELP_HOME = "help.home"


def offer(turn: Turn, ctx: SkillContext, offers: tuple[Offer, ...], prefix: str = "",
          card: tuple[str, str] | None = None) -> Response:
    """Ask the first of `offers` the skill can act on; with none left, say goodbye."""
    available = tuple(o for o in offers if o in ctx.offer_actions)
    if not available:
        turn.conv.go(Mode.HOME)
        return tell(turn, join(prefix, turn.t(GOODBYE)), card=card)
    turn.conv.offer(available)
    question, reprompt = OFFER_TEXTS[available[0]]
    return ask(turn, join(prefix, turn.t(question)), turn.t(reprompt), card=card)


def repeat_offer(turn: Turn, prefix: str) -> Response:
    question, reprompt = OFFER_TEXTS[turn.conv.offers[0]]
    return ask(turn, join(prefix, turn.t(question)), turn.t(reprompt))


class OfferYesHandler(Handler):
    intents = ("AMAZON.YesIntent",)
    modes = (Mode.OFFER,)

    def respond(self, turn: Turn) -> Response:
        offered = turn.conv.offers[0]
        turn.conv.go(Mode.HOME)  # the action moves the user on from here
        return self.ctx.offer_actions[offered](turn, "")


class OfferNoHandler(Handler):
    intents = ("AMAZON.NoIntent",)
    modes = (Mode.OFFER,)

    def respond(self, turn: Turn) -> Response:
        return offer(turn, self.ctx, turn.conv.offers[1:], prefix=turn.t(DECLINED))


class OfferUnclearHandler(Handler):
    """"Not sure", "next", or something not understood while an offer is pending."""

    intents = ("AMAZON.FallbackIntent", "UnsureIntent", "AMAZON.NextIntent")
    modes = (Mode.OFFER,)

    def respond(self, turn: Turn) -> Response:
        return repeat_offer(turn, turn.t("help.offer"))


class OfferHelpHandler(Handler):
    """Help while an offer is pending: what the skill can do, then the offer again."""

    intents = ("AMAZON.HelpIntent",)
    modes = (Mode.OFFER,)

    def respond(self, turn: Turn) -> Response:
        return repeat_offer(turn, turn.t(HELP_HOME))


def handlers(ctx: SkillContext) -> list[Handler]:
    return [OfferYesHandler(ctx), OfferNoHandler(ctx), OfferUnclearHandler(ctx), OfferHelpHandler(ctx)]
