"""Alexa's built-in intents wherever no area has its own answer: help, stop, home, repeat,
answers with nothing pending, fallback, and the platform's SessionEnded and unknown requests."""

from __future__ import annotations

import logging
from typing import ClassVar

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer
from backcare.handlers.base import ANY_INTENT, ANY_REQUEST, Handler, SkillContext, Turn, ask, join, silent, tell
from backcare.handlers.offers import GOODBYE, HELP_HOME

log = logging.getLogger(__name__)


def home(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    """Back to the start: what the skill can do, with the check as the offer."""
    turn.conv.offer((Offer.CHECK,))
    return ask(turn, join(prefix, turn.t("home.menu")), turn.t("home.menu.reprompt"))


class HelpHandler(Handler):
    intents = ("AMAZON.HelpIntent",)

    def respond(self, turn: Turn) -> Response:
        turn.conv.go(Mode.HOME)
        return ask(turn, turn.t(HELP_HOME), turn.t("help.home.reprompt"))


class StopHandler(Handler):
    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")

    def respond(self, turn: Turn) -> Response:
        turn.conv.go(Mode.HOME)
        return tell(turn, turn.t(GOODBYE))


class NavigateHomeHandler(Handler):
    intents = ("AMAZON.NavigateHomeIntent", "AMAZON.StartOverIntent")

    def respond(self, turn: Turn) -> Response:
        return home(turn, self.ctx)


class RepeatHandler(Handler):
    """The last thing said, in every state (captured by the response interceptor)."""

    intents = ("AMAZON.RepeatIntent",)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        last = turn.conv.last
        if last is None:
            return home(turn, self.ctx)
        return ask(turn, last.speech, last.reprompt)


class NothingPendingHandler(Handler):
    """Yes, no, next, unsure, why, pause or resume when nothing is pending."""

    intents = ("AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.NextIntent", "AMAZON.PauseIntent",
               "AMAZON.ResumeIntent", "WhyAskIntent", "UnsureIntent", "SkipIntent", "EasierIntent")
    PREFIXES: ClassVar[dict[str, str]] = {
        "AMAZON.PauseIntent": "nothing.pause", "AMAZON.ResumeIntent": "nothing.resume",
        "WhyAskIntent": "nothing.why", "UnsureIntent": "nothing.unsure",
    }

    def respond(self, turn: Turn) -> Response:
        return home(turn, self.ctx, prefix=turn.t(self.PREFIXES.get(turn.intent_name, "nothing.answer")))


class FallbackHandler(Handler):
    """AMAZON.FallbackIntent, and any intent this skill does not know, where no mode has its own."""

    intents = (ANY_INTENT,)

    def respond(self, turn: Turn) -> Response:
        if turn.intent_name != "AMAZON.FallbackIntent":
            log.warning("no handler for intent %s; answering as fallback", turn.intent_name)
        turn.conv.go(Mode.HOME)
        return ask(turn, turn.t("fallback.home"), turn.t("fallback.home.reprompt"))


class SessionEndedHandler(Handler):
    intents = ("SessionEndedRequest",)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        request = turn.request
        error = getattr(request, "error", None)
        if error is not None:
            log.warning("session ended with an error: %s %s", getattr(error, "object_type", None),
                        getattr(error, "message", None))
        else:
            log.info("session ended: %s", getattr(getattr(request, "reason", None), "value", None))
        return silent(turn)


class UnknownRequestHandler(Handler):
    """A request type this skill does not use: an empty, valid response."""

    intents = (ANY_REQUEST,)

    def respond(self, turn: Turn) -> Response:
        log.warning("unhandled request type %s", getattr(turn.request, "object_type", None))
        return silent(turn)


def handlers(ctx: SkillContext) -> list[Handler]:
    return [HelpHandler(ctx), StopHandler(ctx), NavigateHomeHandler(ctx), RepeatHandler(ctx),
            NothingPendingHandler(ctx), FallbackHandler(ctx), SessionEndedHandler(ctx), UnknownRequestHandler(ctx)]
