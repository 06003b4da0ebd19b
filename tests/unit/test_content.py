"""Locale content: complete, renderable, short enough for the ear, and with the right numbers.

The facts each answer must carry (SPEC §4) are in test_content_facts.py; overrides and their
base hashes in test_content_overrides.py; spoken durations in tests/tools/test_audio_report.py.
"""

from __future__ import annotations

import re

import pytest

from backcare.content import GENERIC, LOCALES, strip_ssml, texts
from backcare.handlers.check import QUESTION_TEXTS
from backcare.handlers.tips import PAGES, TIP_TEXTS, TIP_TOPICS
from backcare.triage import QUESTION_IDS

MAX_QUESTION_WORDS = 15
ALL = (*LOCALES, GENERIC)
NUMBERS = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}
SPOKEN_NUMBERS = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "triple zero", "en-IN": "112"}


def words(text: str) -> int:
    """Counted as `backcare audio report` counts them."""
    return len(re.findall(r"[\w'’]+", strip_ssml(text)))


def rendered(t, key: str, plain: bool = False) -> str:
    """A text with the locale's facts filled in and handler-supplied fields set to a dummy."""
    handler_fields = {
        name: "7" for name in re.findall(r"{(\w+)}", t.raw(key)) if name not in t.facts and not t.has(name)
    }
    return t.plain(key, **handler_fields) if plain else t.say(key, **handler_fields)


def everything(t) -> list[tuple[str, str]]:
    """(key, text) for every text of a locale, as said and as shown."""
    return [(key, text) for key in t.texts for text in (rendered(t, key), rendered(t, key, plain=True))]


@pytest.mark.parametrize("locale", ALL)
def test_every_question_has_ask_reask_and_why(locale):
    t = texts(locale)
    assert tuple(QUESTION_TEXTS) == QUESTION_IDS
    for keys in QUESTION_TEXTS.values():
        for key in (keys.ask, keys.reask, keys.why):
            assert t.has(key) and strip_ssml(t(key)), f"{locale}: missing {key}"


@pytest.mark.parametrize("locale", ALL)
def test_questions_are_one_short_sentence(locale):
    t = texts(locale)
    for keys in QUESTION_TEXTS.values():
        for key in (keys.ask, keys.reask):
            text = strip_ssml(t(key))
            assert words(text) <= MAX_QUESTION_WORDS, f"{locale} {key} has {words(text)} words: {text}"
            assert text.endswith("?") and text.count("?") == 1, f"{locale} {key} is not one question: {text}"
            assert not re.search(r"[.!]\s", text), f"{locale} {key} is more than one sentence: {text}"


@pytest.mark.parametrize("locale", ALL)
def test_every_text_renders_for_speech_and_cards(locale):
    t = texts(locale)
    for key in t.texts:
        said, shown = rendered(t, key), rendered(t, key, plain=True)
        assert "{" not in said and "{" not in shown, f"{locale} {key}: unfilled placeholder"
        assert "<" not in shown, f"{locale} {key}: SSML on a card: {shown}"
        assert not re.search(r"&(?!amp;|lt;|gt;|quot;|apos;)", said), f"{locale} {key}: bare & in SSML: {said}"


@pytest.mark.parametrize("locale", ALL)
def test_facts_are_the_base_facts_and_speech_facts_have_a_card_form(locale):
    t, base = texts(locale), texts(GENERIC)
    assert set(t.facts) == set(base.facts), f"{locale}: facts the base does not define"
    assert set(t.facts_speech) <= set(t.facts), f"{locale}: a speech fact without its card form"
    for name, value in t.facts.items():
        assert value and "<" not in value, f"{locale}: fact {name} is empty or holds SSML"


@pytest.mark.parametrize("locale", [loc for loc in ALL if loc != "en-GB"])
def test_111_is_never_said_or_shown_outside_great_britain(locale):
    for key, text in everything(texts(locale)):
        assert not re.search(r"\b111\b|one one one", text), f"{locale} {key} mentions 111: {text}"


def test_111_is_the_uk_urgent_contact():
    t = texts("en-GB")
    assert "111" in t.say("outcome.urgent.speech") and "111" in t.plain("outcome.urgent.card_text")


@pytest.mark.parametrize("locale", LOCALES)
def test_only_the_locales_emergency_number_is_named(locale):
    others = {number for loc, number in NUMBERS.items() if number != NUMBERS[locale]}
    t = texts(locale)
    for key, text in everything(t):
        for number in others:
            assert not re.search(rf"(?<![\d ]){number}(?!\d)", text), f"{locale} {key} names {number}: {text}"
    assert SPOKEN_NUMBERS[locale] in t.say("outcome.emergency.speech")
    assert NUMBERS[locale] in t.plain("outcome.emergency.card_title")


def test_a_locale_the_skill_does_not_serve_hears_no_guessed_number():
    for locale in ("en-NZ", "fr-FR", None, "en"):
        t = texts(locale)
        assert t.locale == GENERIC, f"{locale} resolved to {t.locale}"
        speech = t.say("outcome.emergency.speech")
        assert "your local emergency number" in speech, speech
        for key, text in everything(t):
            assert not re.search(r"\b(911|999|000|112|111)\b|triple zero", text), f"{locale} {key}: {text}"


def test_tip_topics_and_pages_exist_in_every_locale():
    assert TIP_TOPICS == ("movement", "positions", "exercise", "heat_cold", "pain_relief", "prevention")
    assert [page.name for page in PAGES] == ["movement", "positions", "exercise", "heat_cold", "pain_relief",
                                             "pain_relief_2", "prevention"]
    for locale in ALL:
        t = texts(locale)
        for tip in TIP_TEXTS.values():
            for key in (*tip.pages, tip.card_title, tip.card_text):
                assert t.has(key), f"{locale}: no {key}"


def test_one_threshold_two_weeks_everywhere():
    """The v1 tips said "two to four weeks"; v2 has one threshold, two weeks, everywhere."""
    for locale in ALL:
        for key, text in everything(texts(locale)):
            assert not re.search(r"(2|two)\s*(to|-|–|or)\s*(4|four)\s*weeks|four weeks|4 weeks", text, re.I), \
                f"{locale} {key}: {text}"
