"""Offline checks of the interaction models against the ASK rules we can verify without AWS."""

from __future__ import annotations

import json
import re
from itertools import combinations

import pytest

from support.nlu import LOCALES, MODELS_DIR, load_build_models, load_model

SPEC_CUSTOM_INTENTS = {
    "CheckSymptomsIntent", "UnsureIntent", "WhyAskIntent", "SelfCareTipsIntent", "CausesIntent",
    "WhenToSeeDoctorIntent", "WarningSignsIntent", "StartStretchesIntent", "SetPostureReminderIntent",
    "SetStretchReminderIntent", "ListRemindersIntent", "CancelRemindersIntent", "DeleteMyDataIntent",
    "ReportSymptomIntent",
}
REQUIRED_BUILT_INS = {
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
}
TRIAGE_IDS = {
    "bladder_bowel", "saddle_numbness", "leg_weakness", "major_trauma", "chest_pain", "fever",
    "weight_loss", "cancer_history", "duration", "worsening", "radiating", "one_leg_numbness",
    "osteoporosis", "sleep_daily",
}
EXPECTED_SLOTS = {
    "SelfCareTipsIntent": {"topic": "TIP_TOPIC"},
    "SetPostureReminderIntent": {"interval": "AMAZON.DURATION", "startTime": "AMAZON.TIME",
                                 "endTime": "AMAZON.TIME"},
    "SetStretchReminderIntent": {"time": "AMAZON.TIME"},
    "CancelRemindersIntent": {"kind": "REMINDER_KIND"},
    "ReportSymptomIntent": {"symptom": "SYMPTOM"},
}
# Letters, spaces, apostrophes, periods (abbreviations), hyphens; slots in braces. No digits.
SAMPLE_TEXT = re.compile(r"^[a-z][a-z' .\-]*$")
SLOT_REF = re.compile(r"\{([^{}]*)\}")
NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")
FORBIDDEN_INVOCATION_WORDS = {"alexa", "amazon", "echo", "skill", "app", "launch", "ask", "tell", "open",
                              "load", "begin", "enable", "computer"}


def language_model(locale: str) -> dict:
    return load_model(locale)["interactionModel"]["languageModel"]


def normalise(sample: str) -> str:
    return " ".join(sample.lower().split())


@pytest.mark.parametrize("locale", LOCALES)
def test_committed_model_equals_generated_model(locale):
    build = load_build_models()
    committed = (MODELS_DIR / f"{locale}.json").read_text(encoding="utf-8")
    assert committed == build.render(locale), (
        f"{locale}.json differs from build_models.py output; run python interaction_models/build_models.py")


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_follows_alexa_rules(locale):
    name = language_model(locale)["invocationName"]
    assert name == "back care coach", f"{locale}: invocation name is {name!r}"
    assert re.fullmatch(r"[a-z][a-z ]+[a-z]", name), f"{locale}: invocation name has characters Alexa rejects"
    assert len(name.split()) >= 2, f"{locale}: one-word invocation names need brand rights"
    assert not FORBIDDEN_INVOCATION_WORDS & set(name.split()), f"{locale}: invocation name has a launch word"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_spec_intent_and_required_built_in_is_present(locale):
    names = {intent["name"] for intent in language_model(locale)["intents"]}
    missing = (SPEC_CUSTOM_INTENTS | REQUIRED_BUILT_INS) - names
    assert not missing, f"{locale}: missing intents {sorted(missing)}"


def test_every_locale_has_the_same_intents_slots_and_value_ids():
    def shape(locale):
        model = language_model(locale)
        intents = {i["name"]: sorted((s["name"], s["type"]) for s in i.get("slots", []))
                   for i in model["intents"]}
        types = {t["name"]: sorted(v["id"] for v in t["values"]) for t in model["types"]}
        return intents, types

    reference = shape("en-US")
    for locale in LOCALES[1:]:
        assert shape(locale) == reference, f"{locale} differs from en-US in intents, slots or slot value ids"


@pytest.mark.parametrize("locale", LOCALES)
def test_intent_and_slot_names_are_valid_and_slot_types_declared(locale):
    model = language_model(locale)
    declared_types = {t["name"] for t in model["types"]}
    for intent in model["intents"]:
        name = intent["name"]
        if name.startswith("AMAZON."):
            assert NAME.match(name.removeprefix("AMAZON.")), f"{locale}: bad built-in name {name}"
        else:
            assert NAME.match(name), f"{locale}: intent name {name!r} has characters Alexa rejects"
        for slot in intent.get("slots", []):
            assert NAME.match(slot["name"]), f"{locale}: {name} slot name {slot['name']!r} is invalid"
            assert slot["type"].startswith("AMAZON.") or slot["type"] in declared_types, (
                f"{locale}: {name}.{slot['name']} uses undeclared type {slot['type']}")
    for type_ in model["types"]:
        assert NAME.match(type_["name"]), f"{locale}: slot type name {type_['name']!r} is invalid"


@pytest.mark.parametrize("locale", LOCALES)
def test_slots_match_the_spec(locale):
    intents = {i["name"]: i for i in language_model(locale)["intents"]}
    for intent_name, slots in EXPECTED_SLOTS.items():
        actual = {s["name"]: s["type"] for s in intents[intent_name].get("slots", [])}
        assert actual == slots, f"{locale}: {intent_name} slots are {actual}, expected {slots}"


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_use_only_declared_slots_and_every_slot_is_used(locale):
    for intent in language_model(locale)["intents"]:
        declared = {s["name"] for s in intent.get("slots", [])}
        used = set()
        for sample in intent["samples"]:
            refs = SLOT_REF.findall(sample)
            undeclared = set(refs) - declared
            assert not undeclared, f"{locale}: {intent['name']} {sample!r} uses undeclared {undeclared}"
            used |= set(refs)
        assert used == declared, f"{locale}: {intent['name']} declares slots never used: {declared - used}"


@pytest.mark.parametrize("locale", LOCALES)
def test_samples_contain_no_characters_alexa_rejects(locale):
    for intent in language_model(locale)["intents"]:
        for sample in intent["samples"]:
            assert len(sample) <= 200, f"{locale}: sample too long: {sample!r}"
            assert "}{" not in sample.replace(" ", ""), f"{locale}: adjacent slots in {sample!r}"
            assert not re.search(r"\w\{|\}\w", sample), f"{locale}: slot glued to a word in {sample!r}"
            text = " ".join(SLOT_REF.sub(" ", sample).split())
            if text:
                assert SAMPLE_TEXT.match(text), f"{locale}: {intent['name']} {sample!r} has bad characters"


@pytest.mark.parametrize("locale", LOCALES)
def test_each_custom_intent_has_at_least_fifteen_samples(locale):
    for intent in language_model(locale)["intents"]:
        if not intent["name"].startswith("AMAZON."):
            count = len(intent["samples"])
            assert count >= 15, f"{locale}: {intent['name']} has only {count} samples"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_sample_is_duplicated_within_or_across_intents(locale):
    owner: dict[str, str] = {}
    for intent in language_model(locale)["intents"]:
        for sample in intent["samples"]:
            key = normalise(sample)
            assert key not in owner, f"{locale}: {sample!r} in {intent['name']} also in {owner[key]}"
            owner[key] = intent["name"]


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_values_have_unique_ids_and_unambiguous_synonyms(locale):
    for type_ in language_model(locale)["types"]:
        ids = [v["id"] for v in type_["values"]]
        assert len(ids) == len(set(ids)), f"{locale}: {type_['name']} repeats an id"
        owner: dict[str, str] = {}
        for value in type_["values"]:
            for word in [value["name"]["value"], *value["name"].get("synonyms", [])]:
                key = normalise(word)
                assert re.fullmatch(r"[a-z][a-z' \-]*", key), f"{locale}: bad slot value {word!r}"
                assert key not in owner, (
                    f"{locale}: {type_['name']} {word!r} belongs to both {owner[key]} and {value['id']}")
                owner[key] = value["id"]


@pytest.mark.parametrize("locale", LOCALES)
def test_slot_type_ids_match_the_architecture(locale):
    types = {t["name"]: {v["id"] for v in t["values"]} for t in language_model(locale)["types"]}
    assert types["SYMPTOM"] == TRIAGE_IDS, f"{locale}: SYMPTOM ids {sorted(types['SYMPTOM'])}"
    assert types["TIP_TOPIC"] == {"movement", "posture", "core", "heat_ice", "pain_relief", "prevention"}, (
        f"{locale}: TIP_TOPIC ids {sorted(types['TIP_TOPIC'])}")
    assert types["REMINDER_KIND"] == {"posture", "stretch", "all"}, f"{locale}: REMINDER_KIND ids wrong"
    for symptom in next(t for t in language_model(locale)["types"] if t["name"] == "SYMPTOM")["values"]:
        assert len(symptom["name"]["synonyms"]) >= 5, f"{locale}: symptom {symptom['id']} has few synonyms"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_plain_sample_is_also_a_filled_slot_sample_of_another_intent(locale):
    """E.g. a CheckSymptomsIntent sample must not be 'ReportSymptomIntent {symptom}' with a symptom
    synonym filled in, or Alexa would have to guess between them."""
    model = language_model(locale)
    values_by_type = {
        t["name"]: [normalise(w) for v in t["values"] for w in [v["name"]["value"], *v["name"]["synonyms"]]]
        for t in model["types"]
    }
    slot_types = {i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in model["intents"]}
    patterns = []
    for intent in model["intents"]:
        for sample in intent["samples"]:
            if not SLOT_REF.search(sample):
                continue
            pieces, last = [], 0
            for match in SLOT_REF.finditer(sample):
                pieces.append(re.escape(normalise(sample[last:match.start()])))
                type_ = slot_types[intent["name"]][match.group(1)]
                alternatives = values_by_type.get(type_)
                pieces.append("(?:" + "|".join(map(re.escape, alternatives)) + ")" if alternatives else ".+")
                last = match.end()
            pieces.append(re.escape(normalise(sample[last:])))
            regex = r"\s*".join(p for p in pieces if p)
            patterns.append((intent["name"], sample, re.compile(rf"^\s*{regex}\s*$")))
    clashes = []
    for intent in model["intents"]:
        for sample in intent["samples"]:
            if SLOT_REF.search(sample):
                continue
            for other, template, pattern in patterns:
                if other != intent["name"] and pattern.match(normalise(sample)):
                    clashes.append(f"{intent['name']} {sample!r} ~ {other} {template!r}")
    assert not clashes, f"{locale}: samples that collide with slot samples: {clashes[:10]}"


def test_all_custom_slot_values_are_shared_across_locales_at_least_in_the_common_part():
    common = set.intersection(*[
        {normalise(w) for t in language_model(loc)["types"] if t["name"] == "SYMPTOM"
         for v in t["values"] for w in v["name"]["synonyms"]}
        for loc in LOCALES
    ])
    assert {"wet myself", "can't feel my bottom", "legs have gone weak", "fell off a ladder"} <= common, (
        "the brief's example symptoms must resolve in every locale")


def test_locale_wording_differs_where_people_speak_differently():
    def words(locale):
        return json.dumps(load_model(locale))

    assert "bum" in words("en-GB") and "bum" in words("en-AU"), "UK/AU users say bum"
    assert re.search(r"\bg p\b", words("en-GB")), "British users see a GP"
    assert not re.search(r"\bg p\b", words("en-US")), "GP is not US wording"
    assert "holiday" in words("en-GB") and "vacation" in words("en-US"), "holiday vs vacation"
    assert "nine nine nine" in words("en-GB") and "nine nine nine" not in words("en-US"), "999 is UK only"


def test_models_differ_only_in_locale_extras():
    # Sanity check that the generator really shares its common part: any pair of locales shares
    # the large majority of samples.
    samples = {loc: {s for i in language_model(loc)["intents"] for s in i["samples"]} for loc in LOCALES}
    for a, b in combinations(LOCALES, 2):
        shared = len(samples[a] & samples[b]) / max(len(samples[a]), len(samples[b]))
        assert shared > 0.9, f"{a} and {b} share only {shared:.0%} of samples"
