"""Self-care tips, one topic at a time, starting where the user's last visit left off.

Each topic is spoken in pages of at most 20 s (most topics have one; pain relief has two, so its
cautions are never rushed), and every page shows the topic's card: the long version, with every
fact of the topic (docs/clinical.md). "Another tip" steps through the pages in order.

A page is named by its topic, with its number after the first ("pain_relief", "pain_relief_2"):
that name is what the session keeps; the stored last tip is {"topic": topic, "index": page}.
"""

from __future__ import annotations

from typing import NamedTuple

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer, TipsPlace
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join
from backcare.handlers.offers import DECLINED, offer
from backcare.handlers.slots import resolved_id, slot_value


class TipTexts(NamedTuple):  # a NamedTuple: a key table costs a tenth of a dataclass at import
    pages: tuple[str, ...]  # spoken one per turn
    card_title: str
    card_text: str  # the long version


TIP_TEXTS: dict[str, TipTexts] = {
    "movement": TipTexts(("tips.movement",), "tips.movement.card_title", "tips.movement.card_text"),
    "positions": TipTexts(("tips.positions",), "tips.positions.card_title", "tips.positions.card_text"),
    "exercise": TipTexts(("tips.exercise",), "tips.exercise.card_title", "tips.exercise.card_text"),
    "heat_cold": TipTexts(("tips.heat_cold",), "tips.heat_cold.card_title", "tips.heat_cold.card_text"),
    "pain_relief": TipTexts(("tips.pain_relief", "tips.pain_relief.other"), "tips.pain_relief.card_title",
                            "tips.pain_relief.card_text"),
    "prevention": TipTexts(("tips.prevention",), "tips.prevention.card_title", "tips.prevention.card_text"),
}
TIP_TOPICS: tuple[str, ...] = tuple(TIP_TEXTS)
MORE, MORE_REPROMPT = "tips.more", "tips.more.reprompt"


class Page(NamedTuple):  # a table row too
    topic: str
    index: int  # the page's place in its topic (from 0); shadows tuple.index, never used on a page

    @property
    def name(self) -> str:
        return self.topic if self.index == 0 else f"{self.topic}_{self.index + 1}"

    @property
    def text(self) -> str:
        return TIP_TEXTS[self.topic].pages[self.index]


PAGES: tuple[Page, ...] = tuple(Page(topic, index) for topic in TIP_TOPICS
                                for index in range(len(TIP_TEXTS[topic].pages)))
_BY_NAME = {page.name: page for page in PAGES}


def _page_named(name: str | None) -> Page | None:
    return _BY_NAME.get(name) if isinstance(name, str) else None


def _stored_page(stored: dict | None) -> Page | None:
    """The page a stored last tip names (None for a topic this version doesn't have)."""
    if not stored or stored.get("topic") not in TIP_TEXTS:
        return None
    index = stored.get("index") if isinstance(stored.get("index"), int) else 0
    return Page(stored["topic"], min(max(index, 0), len(TIP_TEXTS[stored["topic"]].pages) - 1))


def _next_page(after: Page | None) -> Page:
    if after is None:
        return PAGES[0]
    return PAGES[(PAGES.index(after) + 1) % len(PAGES)]


def read_tip(turn: Turn, ctx: SkillContext, topic: str, prefix: str = "") -> Response:
    """The first page of `topic`."""
    return read_page(turn, ctx, Page(topic, 0), prefix)


def read_page(turn: Turn, ctx: SkillContext, page: Page, prefix: str = "") -> Response:
    from backcare.persistence import user_data  # here, as in every handler module: see handlers/base.py

    place = turn.conv.tips
    heard = place.heard if place else ()
    heard = heard if page.name in heard else (*heard, page.name)

    def remember(data: dict) -> None:
        data["last_tip"] = {"topic": page.topic, "index": page.index}

    user_data.update(turn.handler_input, remember)
    texts = TIP_TEXTS[page.topic]
    card = (turn.t.plain(texts.card_title), turn.t.plain(texts.card_text))
    speech = join(prefix, turn.t(page.text))
    if len(heard) >= len(PAGES):
        # Every page heard in this session: offer something else instead of looping.
        turn.conv.go(Mode.HOME)
        return offer(turn, ctx, (Offer.EXERCISES,), prefix=join(speech, turn.t("tips.all_heard")), card=card)
    turn.conv.go(Mode.TIPS, tips=TipsPlace(topic=page.name, heard=heard))
    return ask(turn, join(speech, turn.t(MORE)), turn.t(MORE_REPROMPT), card=card)


def next_tip(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    from backcare.persistence import user_data

    place = turn.conv.tips
    if place is not None:
        current, heard = _page_named(place.topic), place.heard
    else:
        current = _stored_page(user_data.load(turn.handler_input).get("last_tip"))
        heard = ()
    page = _next_page(current)
    while page.name in heard and len(heard) < len(PAGES):
        page = _next_page(page)
    return read_page(turn, ctx, page, prefix)


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
