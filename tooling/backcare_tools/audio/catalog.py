"""Every spoken text of a locale, with its kind: what the speech-length report measures.

Kinds come from the handlers' own tables where there is one (a tip page is what `TIP_TEXTS`
speaks, an answer to a question what `INFO_TEXTS` speaks), so a new page or answer is measured
against its limit without a change here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from backcare.content import texts


@dataclass(frozen=True)
class Prompt:
    key: str
    kind: str  # question, reask, why, outcome, advice, tip, info, help, exercise, other
    text: str


# The kinds that are answers: what a user asked for or must act on, each at most 20 s to say.
ANSWER_KINDS = ("tip", "info", "outcome", "advice")


@cache
def _tables() -> dict[str, str]:
    """key -> kind for the texts the handlers name in their tables."""
    from backcare.handlers.check import ADVICE_TEXTS, OUTCOME_TEXTS, QUESTION_TEXTS
    from backcare.handlers.info import INFO_TEXTS
    from backcare.handlers.tips import TIP_TEXTS

    kinds: dict[str, str] = {}
    for question in QUESTION_TEXTS.values():
        kinds.update({question.ask: "question", question.reask: "reask", question.why: "why"})
    kinds.update({keys.speech: "outcome" for keys in OUTCOME_TEXTS.values()})
    kinds.update({key: "advice" for key in ADVICE_TEXTS.values()})
    kinds.update({keys.speech: "info" for keys in INFO_TEXTS.values()})
    kinds.update({page: "tip" for tip in TIP_TEXTS.values() for page in tip.pages})
    return kinds


def kind_of(key: str) -> str:
    known = _tables().get(key)
    if known:
        return known
    parts = key.split(".")
    if parts[0] == "emergency":  # the EMERGENCY outcome, said for "call an ambulance"
        return "outcome"
    if parts[0] == "help" or parts[-1] == "help":
        return "help"
    if parts[0] == "exercise":
        return "exercise"
    return "other"


def is_card(key: str) -> bool:
    """Card texts are read, not heard."""
    return key.split(".")[-1] in ("card_title", "card_text") or key == "card.title"


def prompt_catalog(locale: str) -> list[Prompt]:
    """Every spoken text for `locale` (card texts are left out)."""
    t = texts(locale)
    prompts = []
    for key in t.texts:
        if is_card(key):
            continue
        try:
            text = t.say(key)
        except KeyError:  # needs a field only a handler knows (a time, a count)
            text = t.raw(key)
        prompts.append(Prompt(key, kind_of(key), text))
    return prompts
