"""Every spoken text of a locale, with its kind: what the speech-length report measures."""

from __future__ import annotations

from dataclasses import dataclass

from backcare.content import texts


@dataclass(frozen=True)
class Prompt:
    key: str
    kind: str  # question, reask, why, outcome, tip, help, exercise, other
    text: str


def kind_of(key: str) -> str:
    parts = key.split(".")
    if parts[0] == "question":
        return {"ask": "question", "reask": "reask", "why": "why"}.get(parts[-1], "other")
    if parts[0] == "outcome" and parts[-1] == "speech":
        return "outcome"
    if parts[0] == "tips" and len(parts) == 2:
        return "tip"
    if parts[0] == "help" or parts[-1] == "help":
        return "help"
    if parts[0] == "exercise":
        return "exercise"
    return "other"


def prompt_catalog(locale: str) -> list[Prompt]:
    """Every spoken text for `locale` (card texts are read, not heard, and are left out)."""
    t = texts(locale)
    prompts = []
    for key in t.texts:
        if key.split(".")[-1] in ("card_title", "card_text") or key == "card.title":
            continue
        try:
            text = t.say(key)
        except KeyError:  # needs a field only a handler knows (a time, a count)
            text = t.raw(key)
        prompts.append(Prompt(key, kind_of(key), text))
    return prompts
