"""Alexa's built-in intents outside the check: help, stop, repeat, yes/no to offers, fallback."""

from __future__ import annotations

import logging
from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from backcare.handlers.common import (
    Handler,
    SkillContext,
    home,
    in_mode,
    intent_name,
    is_intent,
    is_intent_request,
    join,
    mode,
    offer,
    reply,
    session,
    set_mode,
    t,
)

log = logging.getLogger(__name__)


class OfferAnswerHandler(Handler):
    """Yes or no to whatever the skill just offered."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("offer")(handler_input) and is_intent("AMAZON.YesIntent", "AMAZON.NoIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        name = session(handler_input).get("offer")
        if is_intent("AMAZON.YesIntent")(handler_input):
            action = self.ctx.offer_actions.get(name)
            if action is None:
                return home(handler_input, prefix=t(handler_input)("offer.lost"))
            return action(handler_input, "")
        return offer(handler_input, self.ctx, self.ctx.offer_chain.get(name), prefix=t(handler_input)("offer.declined"))


class HelpHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        where = mode(handler_input)
        if where == "offer":
            name = session(handler_input).get("offer")
            return reply(handler_input, join(texts("help.offer"), texts(f"offer.{name}")),
                         reprompt=texts(f"offer.{name}.reprompt"))
        if where == "tips":
            return reply(handler_input, texts("help.tips"), reprompt=texts("tips.more.reprompt"))
        set_mode(handler_input, None)
        return reply(handler_input, texts("help.home"), reprompt=texts("help.home.reprompt"))


class StopHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("AMAZON.StopIntent", "AMAZON.CancelIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        speech = texts("check.stopped") if in_mode("check")(handler_input) else texts("goodbye")
        set_mode(handler_input, None)
        return reply(handler_input, speech, end=True)


class NavigateHomeHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("AMAZON.NavigateHomeIntent", "AMAZON.StartOverIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        # Leaving a check half-way must not sound like an all-clear.
        prefix = t(handler_input)("check.left") if in_mode("check")(handler_input) else ""
        return home(handler_input, prefix=prefix)


class RepeatHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("AMAZON.RepeatIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        last = session(handler_input).get("last")
        if not isinstance(last, dict) or not last.get("speech"):
            return home(handler_input)
        return reply(handler_input, last["speech"], reprompt=last.get("reprompt"))


class ContextlessAnswerHandler(Handler):
    """Yes, no, not sure, why, next, pause or resume with nothing pending."""

    KEYS: ClassVar[dict[str, str]] = {
        "AMAZON.PauseIntent": "nothing_to_pause",
        "AMAZON.ResumeIntent": "nothing_to_resume",
        "WhyAskIntent": "why.no_question",
        "UnsureIntent": "unsure.no_question",
    }

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.NextIntent", *self.KEYS)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        key = self.KEYS.get(intent_name(handler_input), "offer.lost")
        return home(handler_input, prefix=t(handler_input)(key))


class FallbackHandler(Handler):
    """AMAZON.FallbackIntent, and any intent this skill does not know, outside the check."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent_request(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        name = intent_name(handler_input)
        if name != "AMAZON.FallbackIntent":
            log.warning("no handler for intent %s; answering as fallback", name)
        texts = t(handler_input)
        if in_mode("offer")(handler_input):
            offered = session(handler_input).get("offer")
            return reply(handler_input, join(texts("help.offer"), texts(f"offer.{offered}")),
                         reprompt=texts(f"offer.{offered}.reprompt"))
        return reply(handler_input, texts("fallback.home"), reprompt=texts("fallback.home.reprompt"))


class SessionEndedHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("SessionEndedRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(getattr(request, "reason", None), "value", None)
        error = getattr(request, "error", None)
        if error is not None:
            log.warning("session ended with an error: %s %s", getattr(error, "object_type", None),
                        getattr(error, "message", None))
        else:
            log.info("session ended: %s", reason)
        return handler_input.response_builder.response


class UnknownRequestHandler(Handler):
    """A request type this skill does not use: answer with an empty, valid response."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning("unhandled request type %s", handler_input.request_envelope.request.object_type)
        return handler_input.response_builder.response


def offer_answer_handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [OfferAnswerHandler(ctx)]


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [
        HelpHandler(ctx),
        StopHandler(ctx),
        NavigateHomeHandler(ctx),
        RepeatHandler(ctx),
        ContextlessAnswerHandler(ctx),
        SessionEndedHandler(ctx),
    ]


def last_resort_handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [FallbackHandler(ctx), UnknownRequestHandler(ctx)]
