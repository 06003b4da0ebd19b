"""Locale content: complete, short enough for the ear, and with the right numbers."""

from __future__ import annotations

import re

import pytest

from backcare.content import LOCALES, TIP_TOPICS, prompt_catalog, strip_ssml, texts
from backcare.triage import QUESTION_IDS

MAX_QUESTION_WORDS = 15


def words(text: str) -> int:
    return len(strip_ssml(text).split())


@pytest.mark.parametrize("locale", LOCALES)
def test_every_question_has_ask_reask_and_why(locale):
    t = texts(locale)
    for qid in QUESTION_IDS:
        for part in ("ask", "reask", "why"):
            assert t.has(f"q.{qid}.{part}"), f"{locale}: missing q.{qid}.{part}"


@pytest.mark.parametrize("locale", LOCALES)
def test_questions_are_one_short_sentence(locale):
    t = texts(locale)
    for qid in QUESTION_IDS:
        for part in ("ask", "reask"):
            text = strip_ssml(t(f"q.{qid}.{part}"))
            assert words(text) <= MAX_QUESTION_WORDS, f"{locale} q.{qid}.{part} has {words(text)} words: {text}"
            assert text.endswith("?") and text.count("?") == 1, f"{locale} q.{qid}.{part} is not one question"
            assert not re.search(r"[.!]\s", text), f"{locale} q.{qid}.{part} is more than one sentence"


def rendered(t, key: str, plain: bool = False) -> str:
    """A text with the locale's facts filled in and handler-supplied fields set to a dummy."""
    handler_fields = {
        name: "7" for name in re.findall(r"{(\w+)}", t.raw(key)) if name not in t.facts and not t.has(name)
    }
    return t.plain(key, **handler_fields) if plain else t.say(key, **handler_fields)


@pytest.mark.parametrize("locale", LOCALES)
def test_every_text_renders_for_speech_and_cards(locale):
    t = texts(locale)
    for key in t.texts:
        assert "{" not in rendered(t, key), f"{locale} {key}: unfilled placeholder"
        if key.endswith(".card"):
            assert "<" not in rendered(t, key, plain=True), f"{locale} {key}: SSML in a card"


@pytest.mark.parametrize("locale", [loc for loc in LOCALES if loc != "en-GB"])
def test_111_is_never_said_outside_great_britain(locale):
    t = texts(locale)
    for key in t.texts:
        for text in (rendered(t, key), rendered(t, key, plain=True)):
            assert "111" not in text and "one one one" not in text, f"{locale} {key} mentions 111"


def test_tip_topics_exist_in_every_locale():
    for locale in LOCALES:
        for topic in TIP_TOPICS:
            assert texts(locale).has(f"tips.{topic}"), f"{locale}: no tip on {topic}"


def test_catalog_kinds_cover_what_the_report_needs():
    kinds = {p.kind for p in prompt_catalog("en-US")}
    assert {"question", "reask", "why", "outcome", "tip", "help"} <= kinds, f"catalog kinds: {kinds}"


def test_unknown_locales_fall_back_to_us_english():
    assert texts("fr-FR").locale == "en-US" and texts("en-NZ").locale == "en-US" and texts(None).locale == "en-US"


def test_new_zealand_english_falls_back_without_111():
    t = texts("en-NZ")
    assert "111" not in t.say("outcome.URGENT.speech"), "en-NZ must never hear 111 as a non-emergency number"
