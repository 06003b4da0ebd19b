"""Self-care tips, one topic at a time, starting where the user's last visit left off."""

from __future__ import annotations

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer, TipsPlace
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join
from backcare.handlers.offers import DECLINED, offer
from backcare.handlers.slots import resolved_id, slot_value
from backcare.persistence import user_data

TIP_TEXTS: dict[str, str] = {
    "movement": "tips.movement",
    "positions": "tips.positions",
    "exercise": "tips.exercise",
    "heat_cold": "tips.heat_cold",
    "pain_relief": "tips.pain_relief",
    "prevention": "tips.prevention",
}
TIP_TOPICS: tuple[str, ...] = tuple(TIP_TEXTS)
MORE, MORE_REPROMPT = "tips.more", "tips.more.reprompt"


def _next_topic(after: str | None) -> str:
    if after not in TIP_TOPICS:
        return TIP_TOPICS[0]
    return TIP_TOPICS[(TIP_TOPICS.index(after) + 1) % len(TIP_TOPICS)]


def read_tip(turn: Turn, ctx: SkillContext, topic: str, prefix: str = "") -> Response:
    place = turn.conv.tips
    heard = place.heard if place else ()
    heard = heard if topic in heard else (*heard, topic)

    def remember(data: dict) -> None:
        data["last_tip"] = {"topic": topic, "index": 0}

    user_data.update(turn.handler_input, remember)
    speech = join(prefix, turn.t(TIP_TEXTS[topic]))
    if len(heard) >= len(TIP_TOPICS):
        # Every topic heard in this session: offer something else instead of looping.
        turn.conv.go(Mode.HOME)
        return offer(turn, ctx, (Offer.EXERCISES,), prefix=join(speech, turn.t("tips.all_heard")))
    turn.conv.go(Mode.TIPS, tips=TipsPlace(topic=topic, heard=heard))
    return ask(turn, join(speech, turn.t(MORE)), turn.t(MORE_REPROMPT))


def next_tip(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    place = turn.conv.tips
    if place is not None:
        current, heard = place.topic, place.heard
    else:
        current = (user_data.load(turn.handler_input).get("last_tip") or {}).get("topic")
        heard = ()
    topic = _next_topic(current)
    while topic in heard and len(heard) < len(TIP_TOPICS):
        topic = _next_topic(topic)
    return read_tip(turn, ctx, topic, prefix)


class TipsHandler(Handler):
    """"Give me tips about heat", or just "give me tips"."""

    intents = ("SelfCareTipsIntent",)

    def respond(self, turn: Turn) -> Response:
        topic = resolved_id(turn.handler_input, "topic")
        if topic in TIP_TEXTS:
            return read_tip(turn, self.ctx, topic)
        prefix = turn.t("tips.unknown_topic") if slot_value(turn.handler_input, "topic") else ""
        return next_tip(turn, self.ctx, prefix)


class MoreTipsHandler(Handler):
    """"Yes" or "next" after a tip."""

    intents = ("AMAZON.YesIntent", "AMAZON.NextIntent")
    modes = (Mode.TIPS,)

    def respond(self, turn: Turn) -> Response:
        return next_tip(turn, self.ctx)


class NoMoreTipsHandler(Handler):
    """"No" (or "pause") after a tip: the next offer."""

    intents = ("AMAZON.NoIntent", "AMAZON.PauseIntent")
    modes = (Mode.TIPS,)

    def respond(self, turn: Turn) -> Response:
        return offer(turn, self.ctx, (Offer.EXERCISES,), prefix=turn.t(DECLINED))


class TipsNotUnderstoodHandler(Handler):
    """Fallback or "not sure" after a tip: ask again, with what the user can say."""

    intents = ("AMAZON.FallbackIntent", "UnsureIntent")
    modes = (Mode.TIPS,)

    def respond(self, turn: Turn) -> Response:
        return ask(turn, turn.t("tips.not_understood"), turn.t(MORE_REPROMPT))


class TipsHelpHandler(Handler):
    intents = ("AMAZON.HelpIntent",)
    modes = (Mode.TIPS,)

    def respond(self, turn: Turn) -> Response:
        return ask(turn, turn.t("tips.help"), turn.t(MORE_REPROMPT))


def handlers(ctx: SkillContext) -> list[Handler]:
    ctx.offer_actions[Offer.TIPS] = lambda turn, prefix="": next_tip(turn, ctx, prefix)
    return [TipsHandler(ctx), MoreTipsHandler(ctx), NoMoreTipsHandler(ctx), TipsNotUnderstoodHandler(ctx),
            TipsHelpHandler(ctx)]
