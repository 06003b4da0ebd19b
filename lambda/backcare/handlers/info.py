"""Spoken information: causes, when to see a doctor, warning signs. Each ends with the offer of
the symptom check, the most useful next step after any of them.

The spoken answer is short (the causes at most 15 s, the others at most 20 s); its card holds the
long version with every fact (docs/clinical.md).
"""

from __future__ import annotations

from typing import NamedTuple

from ask_sdk_model import Response

from backcare.conversation import Offer
from backcare.handlers.base import Handler, SkillContext, Turn
from backcare.handlers.offers import offer


class InfoTexts(NamedTuple):  # a NamedTuple: a key table costs a tenth of a dataclass at import
    speech: str
    card_title: str
    card_text: str


INFO_TEXTS: dict[str, InfoTexts] = {
    "CausesIntent": InfoTexts("info.causes", "info.causes.card_title", "info.causes.card_text"),
    "WhenToSeeDoctorIntent": InfoTexts("info.when_doctor", "info.when_doctor.card_title",
                                       "info.when_doctor.card_text"),
    "WarningSignsIntent": InfoTexts("info.warning_signs", "info.warning_signs.card_title",
                                    "info.warning_signs.card_text"),
}


class InfoHandler(Handler):
    intents = tuple(INFO_TEXTS)

    def respond(self, turn: Turn) -> Response:
        keys = INFO_TEXTS[turn.intent_name]
        card = (turn.t.plain(keys.card_title), turn.t.plain(keys.card_text))
        return offer(turn, self.ctx, (Offer.CHECK,), prefix=turn.t(keys.speech), card=card)


def handlers(ctx: SkillContext) -> list[Handler]:
    return [InfoHandler(ctx)]
