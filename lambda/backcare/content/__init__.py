"""Everything the skill says, per locale: an English base (`en.json`) with per-locale overrides.

Each area may keep its words in files of its own: `en.<area>.json` adds to the base and
`<locale>.<area>.json` to that locale's overrides (e.g. `en.exercises.json`, `en-GB.exercises.json`).

The base is also what a locale the skill does not serve hears: its facts are generic ("your
local emergency number"), never a guessed number. A locale override names the base text it
replaces by a hash (`{"text": ..., "base": base_hash(base text)}`), so a test can tell when the
base changed and the override was not looked at again.

`texts(locale)` returns a `Texts` lookup. `Texts.say(key, **fields)` gives SSML-ready speech,
`Texts.plain(key, **fields)` card text. Placeholders such as `{emergency}` are filled from the
locale's facts (speech facts may carry SSML, card facts never do).

Pure module: no ASK imports.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from typing import Any, NamedTuple

LOCALES: tuple[str, ...] = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
GENERIC = "en"  # any other locale: the base texts and generic facts

# Patterns are compiled on first use (re caches them), not at import: a yes/no turn of the check
# never needs _TAG or _SPACES, and a cold start should not pay for them.
_TAG = r"<[^>]+>"
_SPACES = r"\s+"


def normalize_locale(locale: str | None) -> str:
    """One of LOCALES, or GENERIC for a locale the skill does not serve (or none)."""
    if not isinstance(locale, str) or not locale:
        return GENERIC
    for known in LOCALES:
        if known.lower() == locale.replace("_", "-").lower():
            return known
    return GENERIC


def base_hash(text: str) -> str:
    """The short hash an override stores of the base text it replaces."""
    import hashlib

    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def strip_ssml(text: str) -> str:
    return re.sub(_SPACES, " ", re.sub(_TAG, "", text)).strip()


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
    # An override is {"text": ..., "base": hash}; the runtime needs only the text.
    merged["texts"] = {key: value["text"] if isinstance(value, dict) else value
                       for key, value in merged["texts"].items()}
    return merged


def overrides(locale: str) -> dict[str, dict[str, str]]:
    """A locale's text overrides as written: {key: {"text": ..., "base": hash}} (for tests)."""
    folder = os.path.dirname(os.path.abspath(__file__))
    found: dict[str, dict[str, str]] = {}
    for name in sorted(os.listdir(folder)):
        if name == f"{locale}.json" or (name.startswith(f"{locale}.") and name.endswith(".json")):
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                found.update(json.load(fh).get("texts", {}))
    return found


class _Fields(dict):
    """Format fields: the caller's, then the locale's facts; a missing one is an error."""

    def __missing__(self, key: str) -> str:
        raise KeyError(f"no value for placeholder {{{key}}}")


class Texts(NamedTuple):  # immutable; a NamedTuple costs a tenth of a frozen dataclass at import
    """One locale's texts and facts: `say` (SSML-ready) and `plain` (card text) fill a text's placeholders."""

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
    base = _load(GENERIC)
    override = _load(locale) if locale != GENERIC else {"texts": {}, "facts": {}, "facts_speech": {}}
    return Texts(
        locale=locale,
        texts={**base["texts"], **override["texts"]},
        facts={**base["facts"], **override["facts"]},
        facts_speech={**base["facts_speech"], **override["facts_speech"]},
    )
