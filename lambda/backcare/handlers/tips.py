"""Self-care tips, one topic at a time, starting where the user's last visit left off."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.content import TIP_TOPICS
from backcare.handlers.common import Handler, SkillContext, in_mode, is_intent, join, offer, reply, session, set_mode, t
from backcare.handlers.slots import resolved_id, slot_value
from backcare.persistence import user_data


def _next_topic(after: str | None) -> str:
    if after not in TIP_TOPICS:
        return TIP_TOPICS[0]
    return TIP_TOPICS[(TIP_TOPICS.index(after) + 1) % len(TIP_TOPICS)]


def _remembered_topic(handler_input: HandlerInput) -> str | None:
    last = user_data.load(handler_input).get("last_tip") or {}
    return last.get("topic")


def read_tip(handler_input: HandlerInput, ctx: SkillContext, topic: str, prefix: str = "") -> Response:
    texts = t(handler_input)
    heard = list(session(handler_input).get("tips", {}).get("heard", []))
    heard = [*heard, topic] if topic not in heard else heard
    data = user_data.load(handler_input)
    data["last_tip"] = {"topic": topic, "index": 0}
    user_data.save(handler_input)
    speech = join(prefix, texts(f"tips.{topic}"))
    if len(heard) >= len(TIP_TOPICS):
        # Every topic heard in this session: offer something else instead of looping.
        return offer(handler_input, ctx, "stretches", prefix=join(speech, texts("tips.all_heard")))
    set_mode(handler_input, "tips", tips={"topic": topic, "heard": heard})
    return reply(handler_input, join(speech, texts("tips.more")), reprompt=texts("tips.more.reprompt"))


def next_tip(handler_input: HandlerInput, ctx: SkillContext, prefix: str = "") -> Response:
    current = session(handler_input).get("tips", {}).get("topic") or _remembered_topic(handler_input)
    heard = session(handler_input).get("tips", {}).get("heard", [])
    topic = _next_topic(current)
    while topic in heard and len(heard) < len(TIP_TOPICS):
        topic = _next_topic(topic)
    return read_tip(handler_input, ctx, topic, prefix)


class TipsHandler(Handler):
    """"Give me tips about posture", or just "give me tips"."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("SelfCareTipsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from backcare.handlers.launch import opening

        prefix = opening(handler_input)
        topic = resolved_id(handler_input, "topic")
        if topic in TIP_TOPICS:
            return read_tip(handler_input, self.ctx, topic, prefix)
        if slot_value(handler_input, "topic"):
            prefix = join(prefix, t(handler_input)("tips.unknown_topic"))
        return next_tip(handler_input, self.ctx, prefix)


class MoreTipsHandler(Handler):
    """"Yes" or "next" after a tip."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("tips")(handler_input) and is_intent("AMAZON.YesIntent", "AMAZON.NextIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return next_tip(handler_input, self.ctx)


class NoMoreTipsHandler(Handler):
    """"No" (or "pause") after a tip: move on to the next offer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("tips")(handler_input) and is_intent("AMAZON.NoIntent", "AMAZON.PauseIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return offer(handler_input, self.ctx, "stretches", prefix=t(handler_input)("offer.declined"))


class TipsNotUnderstoodHandler(AbstractRequestHandler):
    """Fallback or "not sure" after a tip: ask again, with what the user can say."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("tips")(handler_input) and is_intent("AMAZON.FallbackIntent", "UnsureIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        return reply(handler_input, texts("tips.not_understood"), reprompt=texts("tips.more.reprompt"))


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    ctx.offer_actions["tips"] = lambda handler_input, prefix="": next_tip(handler_input, ctx, prefix)
    return [MoreTipsHandler(ctx), NoMoreTipsHandler(ctx), TipsNotUnderstoodHandler(), TipsHandler(ctx)]
