"""Every tip, information answer and outcome, in every locale, carries the facts SPEC §4 (and §3's
outcomes) require: what must be *said* is checked in the speech, and the long version on the card.

An answer is named by what the user asked for (a tip topic, an information intent, an outcome);
its keys come from the handlers' own tables, so a renamed key cannot silently drop a fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest

from backcare.content import GENERIC, LOCALES, strip_ssml, texts
from backcare.handlers.check import ADVICE_TEXTS, OUTCOME_TEXTS
from backcare.handlers.info import INFO_TEXTS
from backcare.handlers.tips import TIP_TEXTS
from backcare.triage import Disposition

ALL = (*LOCALES, GENERIC)
AMERICAN = ("en-US", "en-CA")

# What each locale calls things (SPEC §3's table and §4's local words).
LOCAL = {
    "emergency": {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "triple zero", "en-IN": "112",
                  GENERIC: "your local emergency number"},
    "emergency_card": {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112",
                       GENERIC: "your local emergency number"},
    "urgent": {"en-US": "urgent care", "en-CA": "walk-in clinic", "en-GB": "NHS 111", "en-AU": "healthdirect",
               "en-IN": "a doctor today", GENERIC: "a doctor today"},
    "department": {"en-US": "emergency room", "en-CA": "emergency department", "en-GB": "A and E",
                   "en-AU": "hospital emergency department", "en-IN": "hospital emergency department",
                   GENERIC: "emergency department"},
    "department_card": {"en-GB": "A&E"},
    "doctor": {"en-GB": "GP", "en-AU": "GP"},
    "physio": {"en-US": "physical therapist", "en-CA": "physiotherapist", "en-GB": "physio", "en-AU": "physio",
               "en-IN": "physiotherapist", GENERIC: "physiotherapist"},
    "physio_care": {"en-US": "physical therapy"},
    "paracetamol": {"en-US": "acetaminophen", "en-CA": "acetaminophen"},
    "advisor": {"en-US": "a pharmacist or your doctor", "en-CA": "a pharmacist or your doctor",
                "en-GB": "a pharmacist", "en-AU": "a pharmacist", "en-IN": "a pharmacist",
                GENERIC: "a pharmacist or doctor"},
    "peeing": {"en-GB": "weeing", "en-IN": "passing urine"},
}
DEFAULTS = {"doctor": "doctor", "physio_care": "physiotherapy", "paracetamol": "paracetamol", "peeing": "peeing",
            "department_card": None}


def local(name: str, locale: str) -> str:
    value = LOCAL[name].get(locale, DEFAULTS.get(name))
    if value is None and name == "department_card":
        return local("department", locale)
    return value


@dataclass(frozen=True)
class Answer:
    said: str  # every spoken page, as heard
    card: str  # title and text


def _plain(t, key: str) -> str:
    return strip_ssml(t.say(key))


def tip(locale: str, topic: str) -> Answer:
    t, keys = texts(locale), TIP_TEXTS[topic]
    return Answer(" ".join(_plain(t, page) for page in keys.pages),
                  t.plain(keys.card_title) + "\n" + t.plain(keys.card_text))


def info(locale: str, intent: str) -> Answer:
    t, keys = texts(locale), INFO_TEXTS[intent]
    return Answer(_plain(t, keys.speech), t.plain(keys.card_title) + "\n" + t.plain(keys.card_text))


def outcome(locale: str, disposition: Disposition) -> Answer:
    t, keys = texts(locale), OUTCOME_TEXTS[disposition]
    return Answer(_plain(t, keys.speech), t.plain(keys.card_title) + "\n" + t.plain(keys.card_text))


def rendered(t, key: str, plain: bool = False) -> str:
    """A text with handler-supplied fields ({count}, {time}) set to a dummy."""
    fields = {name: "7" for name in re.findall(r"{(\w+)}", t.raw(key)) if name not in t.facts and not t.has(name)}
    return t.plain(key, **fields) if plain else t.say(key, **fields)


def has(text: str, *needles: str) -> list[str]:
    """The needles missing from text (case-insensitive)."""
    return [needle for needle in needles if needle.lower() not in text.lower()]


def check(answer: Answer, said: tuple[str, ...] = (), card: tuple[str, ...] = ()) -> list[str]:
    missing = [f"said: {n!r}" for n in has(answer.said, *said)]
    missing += [f"card: {n!r}" for n in has(answer.card, *card)]
    return missing


# -- tips --------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ALL)
def test_keep_moving(locale):
    answer = tip(locale, "movement")
    facts = ("bed rest isn't recommended", "walk", "work", "normal activities", "heavy lifting")
    assert not check(answer, facts, ("bed rest is not recommended", "walk", "work", "heavy lifting")), answer


@pytest.mark.parametrize("locale", ALL)
def test_positions_and_breaks(locale):
    answer = tip(locale, "positions")
    said = ("no single correct posture", "changing position often", "30 to 60 minutes", "chair", "feet flat",
            "shoulders relaxed", "lower back")
    assert not check(answer, said, said), answer
    assert "mind your posture" not in answer.said.lower()


@pytest.mark.parametrize("locale", ALL)
def test_exercise_and_strength(locale):
    answer = tip(locale, "exercise")
    said = ("regular exercise", local("physio", locale), "guided", "pilates", "yoga", "exercise my back")
    assert not check(answer, said, said[:-1]), answer
    assert "core" not in answer.said.lower(), "v2 speaks of exercise, not a 'core'"
    if locale in ("en-GB", "en-AU", "en-IN", "en-CA"):
        assert "physical therapist" not in answer.said + answer.card


@pytest.mark.parametrize("locale", ALL)
def test_heat_and_cold(locale):
    answer = tip(locale, "heat_cold")
    said = ("heat", "first days", "cold", "wrap", "numb skin", "while you sleep", "burn")
    assert not check(answer, said, ("best evidence", "numb", "asleep", "burn", "wrap", "never put ice")), answer


@pytest.mark.parametrize("locale", ALL)
def test_pain_relief_cautions_are_said_with_the_locales_words(locale):
    answer = tip(locale, "pain_relief")
    cautions = ("over 65", "pregnant", "blood thinners", "asthma", "stomach ulcer", "bleeding", "kidney", "liver",
                "heart disease")
    said = ("anti-inflammatory", "ibuprofen", "lowest dose", "shortest time", "label", *cautions,
            f"check with {local('advisor', locale)} first", f"{local('paracetamol', locale)} on its own",
            "unlikely to help", "opioids aren't recommended", "20 weeks")
    card = ("NSAID", "ibuprofen", "lowest dose", "shortest time", "label", *cautions, "aspirin-like",
            f"ask {local('advisor', locale)} first", local("paracetamol", locale), "unlikely to help",
            "opioids are not recommended", "20 weeks")
    assert not check(answer, said, card), answer
    if locale in ("en-GB", "en-AU", "en-IN"):  # "a pharmacist can advise"
        assert "doctor" not in re.search(r"check with ([^.]*?) first", answer.said, re.I).group(1), answer.said


@pytest.mark.parametrize("locale", ALL)
def test_acetaminophen_in_north_america_paracetamol_elsewhere(locale):
    t = texts(locale)
    everything = " ".join(f"{rendered(t, key, plain=True)} {strip_ssml(rendered(t, key))}" for key in t.texts)
    wrong = "paracetamol" if locale in AMERICAN else "acetaminophen"
    assert wrong not in everything.lower(), f"{locale} says {wrong}"


@pytest.mark.parametrize("locale", ALL)
def test_prevention(locale):
    answer = tip(locale, "prevention")
    said = ("exercise", "healthy weight", "smoke", "sleep", "stress", "close to your body", "twist")
    assert not check(answer, said, said), answer


# -- information -------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ALL)
def test_causes_said_briefly_details_on_the_card(locale):
    answer = info(locale, "CausesIntent")
    said = ("strained muscle or ligament", "within weeks", "rarely dangerous", "scans rarely show the cause")
    card = ("muscle or ligament strain", "disc", "sciatica", "arthritis", "stenosis", "sitting", "stress",
            "sleep", "fracture", "infection", "cancer", "kidney", "inflammatory", "chronic",
            "more than 12 weeks", "not dangerous", "scans rarely show the cause or change the treatment")
    assert not check(answer, said, card), answer
    assert "poor posture" not in answer.said + answer.card


@pytest.mark.parametrize("locale", ALL)
def test_when_to_see_a_doctor(locale):
    answer = info(locale, "WhenToSeeDoctorIntent")
    said = (local("doctor", locale), "more than two weeks", "gets worse", "down a leg", "numbness or weakness",
            "sleep", "daily life", "thin bones", "steroid")
    card = (*said, "scans are not usually needed", "surgery rarely", local("physio_care", locale))
    assert not check(answer, said, card), answer


@pytest.mark.parametrize("locale", ALL)
def test_warning_signs(locale):
    answer = info(locale, "WarningSignsIntent")
    said = (local("emergency", locale), f"trouble {local('peeing', locale)}", "bowels",
            "numbness between your legs", "both legs", "sexual function", "chest pain", "serious accident")
    card = (local("emergency_card", locale), local("department_card", locale), "bladder", "bowel",
            "between your legs", "wiping", "both legs", "sexual function", "chest pain", "accident",
            "fever", "weaker", "immune", "cancer", "weight")
    assert not check(answer, said, card), answer
    assert answer.said.startswith(f"Call {local('emergency', locale)}"), answer.said


# -- outcomes (SPEC §3) --------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ALL)
def test_emergency_says_the_number_first_and_twice(locale):
    number = local("emergency", locale)
    for said in (outcome(locale, Disposition.EMERGENCY).said, _plain(texts(locale), "emergency.request")):
        assert said.startswith(f"Call {number} now"), said
        assert said.count(number) == 2, f"{locale}: number said {said.count(number)} times: {said}"
        assert local("department", locale).lower() in said.lower(), said
        assert "don't wait" in said.lower(), said
    card = outcome(locale, Disposition.EMERGENCY).card
    assert not has(card, local("emergency_card", locale), local("department_card", locale)), card


@pytest.mark.parametrize("locale", ALL)
def test_urgent_names_the_local_service_today_and_the_number(locale):
    answer = outcome(locale, Disposition.URGENT)
    facts = (local("urgent", locale), "today", local("emergency", locale))
    assert not check(answer, facts, (local("urgent", locale), local("emergency_card", locale))), answer
    if locale == "en-GB":
        assert "GP" in answer.said and "GP" in answer.card
    advice = _plain(texts(locale), ADVICE_TEXTS[Disposition.URGENT])
    assert not has(advice, local("urgent", locale), "today", local("emergency", locale)), advice


@pytest.mark.parametrize("locale", ALL)
def test_see_doctor(locale):
    answer = outcome(locale, Disposition.SEE_DOCTOR)
    said = (local("doctor", locale), "next few days", local("physio_care", locale), "medicine", "injections",
            "specialist", "scans usually aren't needed", "surgery rarely")
    card = (local("doctor", locale), "next few days", "scans are not usually needed", "surgery rarely",
            local("emergency_card", locale))
    assert not check(answer, said, card), answer
    advice = _plain(texts(locale), ADVICE_TEXTS[Disposition.SEE_DOCTOR])
    assert not has(advice, local("doctor", locale), "next few days"), advice


@pytest.mark.parametrize("locale", ALL)
def test_self_care_says_what_the_user_said_never_a_diagnosis(locale):
    answer = outcome(locale, Disposition.SELF_CARE)
    said = ("You didn't mention any of the warning signs I asked about", "few weeks", "movement",
            local("emergency", locale), f"trouble {local('peeing', locale)}", "numbness between your legs",
            "two weeks", "worse", "down a leg", "numb", "weak")
    card = ("didn't mention any of the warning signs", local("emergency_card", locale),
            f"trouble {local('peeing', locale)}", "numbness between your legs", "more than two weeks",
            "worse", "down a leg", "numbness or weakness")
    assert not check(answer, said, card), answer
    for text in (answer.said, answer.card):
        assert not re.search(r"(you )?(don't|do not) have any (of the )?warning signs", text, re.I), text
        assert "no warning signs" not in text.lower(), text
    # the emergency signs come before the doctor threshold, and with the number
    assert answer.said.index(local("emergency", locale)) < answer.said.index("two weeks"), answer.said


@pytest.mark.parametrize("locale", ALL)
def test_the_two_week_threshold_is_the_same_in_the_check_tips_and_outcomes(locale):
    t = texts(locale)
    for key in ("question.duration_worsening.ask", OUTCOME_TEXTS[Disposition.SELF_CARE].speech,
                INFO_TEXTS["WhenToSeeDoctorIntent"].speech, "offer.checkin_reminder"):
        assert "two weeks" in _plain(t, key), f"{locale} {key}: {_plain(t, key)}"
