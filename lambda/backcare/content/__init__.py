"""Everything the skill says, per locale: an English base (`en.json`) with per-locale overrides.

Each area may keep its words in files of its own: `en.<area>.json` adds to the base and
`<locale>.<area>.json` to that locale's overrides (e.g. `en.stretches.json`, `en-GB.stretches.json`).

`texts(locale)` returns a `Texts` lookup. `Texts.say(key, **fields)` gives SSML-ready speech,
`Texts.plain(key, **fields)` card text. Placeholders such as `{emergency}` are filled from the
locale's facts (speech facts may carry SSML, card facts never do).

Pure module: no ASK imports.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

LOCALES: tuple[str, ...] = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
DEFAULT_LOCALE = "en-US"
TIP_TOPICS: tuple[str, ...] = ("movement", "posture", "core", "heat_ice", "pain_relief", "prevention")

_TAG = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")


def normalize_locale(locale: str | None) -> str:
    """Map any request locale onto one we have content for (other English → en-US)."""
    if not locale:
        return DEFAULT_LOCALE
    for known in LOCALES:
        if known.lower() == locale.replace("_", "-").lower():
            return known
    return DEFAULT_LOCALE


def strip_ssml(text: str) -> str:
    return _SPACES.sub(" ", _TAG.sub("", text)).strip()


def _load(prefix: str) -> dict[str, dict[str, str]]:
    """`<prefix>.json` merged with every `<prefix>.<area>.json` (areas in name order)."""
    # os.path rather than importlib.resources/pathlib: they cost a Lambda cold start ~20 ms.
    folder = os.path.dirname(os.path.abspath(__file__))
    def belongs(name: str) -> bool:
        return name == f"{prefix}.json" or (
            name.startswith(f"{prefix}.") and name.endswith(".json") and name.count(".") == 2
        )

    names = sorted(filter(belongs, os.listdir(folder)))
    merged: dict[str, dict[str, str]] = {"texts": {}, "facts": {}, "facts_speech": {}}
    for name in names:
        with open(os.path.join(folder, name), encoding="utf-8") as fh:
            data = json.load(fh)
        for section in merged:
            duplicated = set(merged[section]) & set(data.get(section, {}))
            if duplicated:
                raise ValueError(f"{name} repeats {section} keys {sorted(duplicated)}")
            merged[section].update(data.get(section, {}))
    return merged


class _Fields(dict):
    """Format fields: the caller's, then the locale's facts; a missing one is an error."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"no value for placeholder {{{key}}}")


@dataclass(frozen=True)
class Texts:
    locale: str
    texts: dict[str, str]
    facts: dict[str, str]
    facts_speech: dict[str, str]

    def has(self, key: str) -> bool:
        return key in self.texts

    def raw(self, key: str) -> str:
        try:
            return self.texts[key]
        except KeyError:
            raise KeyError(f"no text {key!r} for {self.locale}") from None

    def _render(self, template: str, facts: dict[str, str], fields: dict[str, Any], depth: int = 0) -> str:
        values = _Fields(facts)
        for name in re.findall(r"{(\w+)}", template):
            if name in fields:
                values[name] = fields[name]
            elif name not in values and name in self.texts and depth < 3:
                # A placeholder may name another text (e.g. {disclaimer}).
                values[name] = self._render(self.texts[name], facts, fields, depth + 1)
        return template.format_map(values)

    def say(self, key: str, **fields: Any) -> str:
        """Speech for `key`, SSML-ready."""
        return self._render(self.raw(key), {**self.facts, **self.facts_speech}, fields)

    def plain(self, key: str, **fields: Any) -> str:
        """Card or log text for `key`: the same words without SSML."""
        return strip_ssml(self._render(self.raw(key), self.facts, fields))

    __call__ = say

    def fact(self, name: str) -> str:
        return self.facts[name]


@cache
def texts(locale: str | None) -> Texts:
    locale = normalize_locale(locale)
    base, override = _load("en"), _load(locale)
    return Texts(
        locale=locale,
        texts={**base["texts"], **override["texts"]},
        facts={**base["facts"], **override["facts"]},
        facts_speech={**base["facts_speech"], **override["facts_speech"]},
    )


@dataclass(frozen=True)
class Prompt:
    key: str
    kind: str  # question, reask, why, outcome, tip, help, stretch, other
    text: str


def _kind_of(key: str) -> str:
    if key.startswith("q."):
        return {"ask": "question", "reask": "reask", "why": "why"}[key.rsplit(".", 1)[1]]
    if key.startswith("outcome.") and key.endswith(".speech"):
        return "outcome"
    if key.startswith("tips.") and key.split(".", 1)[1] in TIP_TOPICS:
        return "tip"
    if key.startswith("help."):
        return "help"
    if key.startswith("stretch."):
        return "stretch"
    return "other"


def prompt_catalog(locale: str) -> list[Prompt]:
    """Every spoken text for `locale`, with its kind (for the speech-length report).

    Card texts are left out (they are read, not heard). An all-no check says the keys
    `check.intro`, `q.<id>.ask` for every question, and `outcome.SELF_CARE.speech`.
    """
    t = texts(locale)
    prompts = []
    for key in t.texts:
        if ".card" in key or key.endswith("card_title") or key == "card.title":
            continue
        try:
            text = t.say(key)
        except KeyError:  # needs a field only a handler knows (a time, a count)
            text = t.raw(key)
        prompts.append(Prompt(key, _kind_of(key), text))
    return prompts
