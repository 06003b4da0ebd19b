"""Offline checks of the interaction models against the ASK rules we can verify without AWS."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from itertools import combinations

import pytest

from support.nlu import LOCALES, MODELS_DIR, SOURCES_DIR, load_build_models, load_model

SPEC_CUSTOM_INTENTS = {
    "CheckSymptomsIntent", "UnsureIntent", "WhyAskIntent", "SelfCareTipsIntent", "CausesIntent",
    "WhenToSeeDoctorIntent", "WarningSignsIntent", "StartStretchesIntent", "SetPostureReminderIntent",
    "SetStretchReminderIntent", "ListRemindersIntent", "CancelRemindersIntent", "DeleteMyDataIntent",
    "ReportSymptomIntent", "EmergencyIntent", "GoBackIntent", "StartExercisesIntent", "SetCheckInReminderIntent",
    "HowIsMyBackIntent",
}
PROGRAMME_INTENTS = {"SkipIntent", "EasierIntent"}  # the exercise programme's controls (SPEC §5)
REQUIRED_BUILT_INS = {
    "AMAZON.HelpIntent", "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
    "AMAZON.FallbackIntent", "AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.RepeatIntent",
    "AMAZON.StartOverIntent", "AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent",
}
TRIAGE_IDS = {  # SPEC §3, triage v2
    "bladder", "bowel", "saddle_numbness", "both_legs", "major_trauma", "chest_pain", "sexual_function", "fever",
    "leg_getting_weaker", "infection_risk", "cancer_history", "weight_loss", "bone_risk", "duration_worsening",
    "one_leg", "sleep_daily",
}
EXPECTED_SLOTS = {
    "SelfCareTipsIntent": {"topic": "TIP_TOPIC"},
    "SetPostureReminderIntent": {"interval": "AMAZON.DURATION", "startTime": "AMAZON.TIME",
                                 "endTime": "AMAZON.TIME"},
    "SetStretchReminderIntent": {"time": "AMAZON.TIME"},
    "CancelRemindersIntent": {"kind": "REMINDER_KIND"},
    "ReportSymptomIntent": {"symptom": "SYMPTOM"},
    "HowIsMyBackIntent": {"change": "CHANGE"},
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
        f"{locale}.json differs from the sources; run python interaction_models/build_models.py")


@pytest.mark.parametrize("locale", LOCALES)
def test_invocation_name_follows_alexa_rules(locale):
    name = language_model(locale)["invocationName"]
    assert name == "back care coach", f"{locale}: invocation name is {name!r}"
    assert re.fullmatch(r"[a-z][a-z ]+[a-z]", name), f"{locale}: invocation name has characters Alexa rejects"
    assert len(name.split()) >= 2, f"{locale}: one-word invocation names need brand rights"
    assert not FORBIDDEN_INVOCATION_WORDS & set(name.split()), f"{locale}: invocation name has a launch word"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_intents_are_exactly_the_spec_ones_plus_the_programme_controls(locale):
    names = {intent["name"] for intent in language_model(locale)["intents"]}
    missing = (SPEC_CUSTOM_INTENTS | REQUIRED_BUILT_INS | PROGRAMME_INTENTS) - names
    assert not missing, f"{locale}: missing intents {sorted(missing)}"
    extra = names - SPEC_CUSTOM_INTENTS - REQUIRED_BUILT_INS - PROGRAMME_INTENTS
    assert not extra, f"{locale}: intents the runtime does not handle: {sorted(extra)}"


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
def test_fallback_has_no_samples_and_only_extendable_built_ins_have_some(locale):
    extended = {i["name"] for i in language_model(locale)["intents"]
                if i["name"].startswith("AMAZON.") and i["samples"]}
    assert extended <= {"AMAZON.YesIntent", "AMAZON.NoIntent", "AMAZON.NextIntent"}, (
        f"{locale}: built-ins with samples: {sorted(extended)}")
    fallback = next(i for i in language_model(locale)["intents"] if i["name"] == "AMAZON.FallbackIntent")
    assert fallback["samples"] == [], f"{locale}: AMAZON.FallbackIntent takes no samples"


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
    assert types["TIP_TOPIC"] == {"movement", "positions", "exercise", "heat_cold", "pain_relief", "prevention"}, (
        f"{locale}: TIP_TOPIC ids {sorted(types['TIP_TOPIC'])}")
    assert types["REMINDER_KIND"] == {"posture", "stretch", "checkin", "all"}, f"{locale}: REMINDER_KIND ids wrong"
    assert types["CHANGE"] == {"better", "same", "worse"}, f"{locale}: CHANGE ids {sorted(types['CHANGE'])}"
    for symptom in next(t for t in language_model(locale)["types"] if t["name"] == "SYMPTOM")["values"]:
        assert len(symptom["name"]["synonyms"]) >= 20, f"{locale}: symptom {symptom['id']} has few synonyms"


@pytest.mark.parametrize("locale", LOCALES)
def test_no_plain_sample_is_also_a_filled_slot_sample_of_another_intent(locale):
    """E.g. a CheckSymptomsIntent sample must not be 'ReportSymptomIntent {symptom}' with a symptom
    synonym filled in, or Alexa would have to guess between them."""
    model = language_model(locale)
    values_by_type = {
        t["name"]: {normalise(w) for v in t["values"] for w in [v["name"]["value"], *v["name"]["synonyms"]]}
        for t in model["types"]
    }
    slot_types = {i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in model["intents"]}
    plain = [(i["name"], normalise(s)) for i in model["intents"] for s in i["samples"] if not SLOT_REF.search(s)]
    clashes = []
    for intent in model["intents"]:
        for sample in intent["samples"]:
            refs = SLOT_REF.findall(sample)
            if len(refs) != 1:
                continue  # two-slot samples are all reminder times, matched by no plain sample
            type_ = slot_types[intent["name"]][refs[0]]
            before, after = (normalise(part) for part in sample.split("{" + refs[0] + "}"))
            for other, text in plain:
                if other == intent["name"] or not (text.startswith(before) and text.endswith(after)):
                    continue
                middle = text[len(before):len(text) - len(after)].strip()
                if middle and (middle in values_by_type.get(type_, ()) or type_.startswith("AMAZON.")):
                    clashes.append(f"{other} {text!r} ~ {intent['name']} {sample!r}")
    assert not clashes, f"{locale}: samples that collide with slot samples: {clashes[:10]}"


def test_all_custom_slot_values_are_shared_across_locales_at_least_in_the_common_part():
    common = set.intersection(*[
        {normalise(w) for t in language_model(loc)["types"] if t["name"] == "SYMPTOM"
         for v in t["values"] for w in v["name"]["synonyms"]}
        for loc in LOCALES
    ])
    assert {"wet myself", "can't feel my bottom", "legs have gone weak", "fell off a ladder", "finished chemo",
            "in remission", "night sweats", "hot and shivery", "foot drags", "on steroids", "thin bones",
            "came off my motorbike", "lost a stone without trying"} <= common, (
        "the brief's example symptoms must resolve in every locale")


def test_locale_wording_differs_where_people_speak_differently():
    def words(locale):
        return json.dumps(load_model(locale))

    assert "bum" in words("en-GB") and "bum" in words("en-AU"), "UK/AU users say bum"
    assert re.search(r"\bg p\b", words("en-GB")), "British users see a GP"
    assert not re.search(r"\bg p\b", words("en-US")), "GP is not US wording"
    assert "holiday" in words("en-GB") and "vacation" in words("en-US"), "holiday vs vacation"
    warning_signs = {loc: " ".join(samples_of(loc, "WarningSignsIntent")) for loc in LOCALES}
    assert "nine nine nine" in warning_signs["en-GB"] and "nine nine nine" not in warning_signs["en-US"], (
        "999 is the UK's number (an emergency request naming any number is EmergencyIntent everywhere)")
    def says(locale, word):
        return re.search(rf"\b{word}\b", words(locale)) is not None

    assert "triple zero" in words("en-AU") and "motions" in words("en-IN"), "Australian and Indian words"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_regions_words_for_a_red_flag_are_understood_in_every_locale(locale):
    """Symptom vocabulary is shared (people travel; many use an en-US device): loo, wee, bum,
    butt, motions name the same red flags everywhere."""
    symptoms = next(t for t in load_model(locale)["interactionModel"]["languageModel"]["types"]
                    if t["name"] == "SYMPTOM")
    said = json.dumps(symptoms)
    for word in ("loo", "wee", "bum", "butt", "motions"):
        assert re.search(rf"\b{word}\b", said), f"{locale} does not understand {word!r} as a symptom"


def test_models_differ_only_in_locale_extras():
    # Sanity check that the generator really shares its common part: any pair of locales shares
    # the large majority of samples.
    samples = {loc: {s for i in language_model(loc)["intents"] for s in i["samples"]} for loc in LOCALES}
    for a, b in combinations(LOCALES, 2):
        shared = len(samples[a] & samples[b]) / max(len(samples[a]), len(samples[b]))
        assert shared > 0.9, f"{a} and {b} share only {shared:.0%} of samples"


def samples_of(locale: str, intent: str) -> set[str]:
    return set(next(i for i in language_model(locale)["intents"] if i["name"] == intent)["samples"])


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("intent", "expected"), [
    ("AMAZON.YesIntent", {"a bit", "a little", "sometimes", "kind of", "sort of", "i think so", "only when i cough",
                          "yeah", "yep", "aye", "haan", "uh huh", "mm hmm", "yeah mate", "correct"}),
    ("AMAZON.NoIntent", {"nope", "i don't have that", "no numbness", "my legs are fine"}),
    ("UnsureIntent", {"not really", "don't think so", "i don't know", "maybe", "can't tell", "hard to say"}),
    ("WhyAskIntent", {"why", "why do you ask", "why does that matter"}),
    ("GoBackIntent", {"go back", "i meant yes", "wait actually yes", "sorry yes to the last one", "i meant no",
                      "can i change my answer"}),
    ("EmergencyIntent", {"call an ambulance", "i need an ambulance", "i think i'm having a heart attack",
                         "i can't breathe", "i need to go to a and e", "should i ring nine nine nine",
                         "call triple zero", "get me to the e r"}),
    ("SkipIntent", {"skip", "skip this one"}),
    ("EasierIntent", {"make it easier", "that's too hard", "an easier one"}),
    ("AMAZON.NextIntent", {"next", "done", "i'm ready"}),
    ("StartExercisesIntent", {"let's do my exercises", "exercise my back"}),
    ("SetCheckInReminderIntent", {"remind me to check my back in two weeks", "set a check in reminder"}),
    ("HowIsMyBackIntent", {"{change}", "it's {change}"}),
    ("ReportSymptomIntent", {"no but {symptom}", "no i {symptom}", "not that just {symptom}",
                             "is it normal to {symptom}", "should i worry if {symptom}",
                             "what can i do for my back {symptom}", "my back hurts", "it hurts when i do that",
                             "that made it worse"}),
])
def test_the_contract_phrasings_are_samples(locale, intent, expected):
    missing = expected - samples_of(locale, intent)
    assert not missing, f"{locale}: {intent} lacks {sorted(missing)}"


@pytest.mark.parametrize("locale", LOCALES)
def test_every_symptom_has_everyday_words_of_its_own(locale):
    symptom = next(t for t in language_model(locale)["types"] if t["name"] == "SYMPTOM")
    words = {v["id"]: " ".join(v["name"]["synonyms"]) for v in symptom["values"]}
    expected = {"bladder": "pee", "bowel": "bowels", "saddle_numbness": "wipe", "both_legs": "both legs",
                "major_trauma": "motorbike", "chest_pain": "breath", "sexual_function": "erection",
                "fever": "night sweats", "leg_getting_weaker": "drag", "infection_risk": "transplant",
                "cancer_history": "remission", "weight_loss": "stone", "bone_risk": "steroids",
                "duration_worsening": "weeks", "one_leg": "sciatica", "sleep_daily": "awake"}
    wrong = {i: w for i, w in expected.items() if w not in words[i]}
    assert not wrong, f"{locale}: symptoms without their everyday words: {wrong}"


# --- the generator refuses sources that the Alexa build would reject -------------------------------

@pytest.fixture
def sources(tmp_path):
    copy = tmp_path / "sources"
    shutil.copytree(SOURCES_DIR, copy)
    return copy


def problems_in(root) -> str:
    build = load_build_models()
    with pytest.raises(build.SourceError) as refused:
        build.build_model("en-GB", root)
    return str(refused.value)


def add_line(path, line: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(line + "\n")


def test_the_committed_sources_build_without_problems():
    build = load_build_models()
    for locale in LOCALES:
        assert build.validate(build.build_model(locale), locale) == [], f"{locale}: the sources have problems"
    done = subprocess.run([sys.executable, str(MODELS_DIR / "build_models.py"), "--check"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, f"build_models.py --check failed: {done.stderr}"


def test_a_sample_in_two_intents_is_refused(sources):
    add_line(sources / "common" / "samples" / "GoBackIntent.txt", "check my back")
    assert "'check my back' is in CheckSymptomsIntent and GoBackIntent" in problems_in(sources), "duplicate kept"


def test_a_locale_sample_that_repeats_another_intent_is_refused(sources):
    add_line(sources / "en-GB" / "samples" / "SkipIntent.txt", "make it easier")
    assert "'make it easier' is in SkipIntent and EasierIntent" in problems_in(sources), "duplicate kept"


def test_an_undeclared_slot_is_refused(sources):
    add_line(sources / "common" / "samples" / "SkipIntent.txt", "skip {exercise}")
    assert "undeclared slots ['exercise']" in problems_in(sources), "undeclared slot kept"


def test_digits_and_punctuation_are_refused(sources):
    add_line(sources / "common" / "samples" / "EasierIntent.txt", "level 2 please")
    add_line(sources / "common" / "samples" / "SkipIntent.txt", "skip it, please")
    problems = problems_in(sources)
    assert "'level 2 please' has characters Alexa rejects" in problems, problems
    assert "'skip it, please' has characters Alexa rejects" in problems, problems


def test_a_synonym_of_two_values_is_refused(sources):
    add_line(sources / "common" / "types" / "SYMPTOM" / "bowel.txt", "wet myself")
    assert "'wet myself' is in both bladder and bowel" in problems_in(sources), "ambiguous synonym kept"


def test_a_too_long_slot_value_is_refused(sources):
    add_line(sources / "common" / "types" / "CHANGE" / "better.txt", "much better " * 13)
    assert "bad slot value" in problems_in(sources), "a slot value over 140 characters was kept"


def test_locale_extras_must_extend_a_common_value(sources):
    add_line(sources / "en-GB" / "types" / "SYMPTOM" / "gout.txt", "sore toe")
    assert "no common value SYMPTOM/gout.txt" in problems_in(sources), "an orphan locale value was kept"


def test_a_slot_never_used_in_a_sample_is_refused(sources):
    path = sources / "intents.txt"
    path.write_text(path.read_text().replace("SkipIntent\n", "SkipIntent exercise:SYMPTOM\n"))
    assert "slots never used in a sample: ['exercise']" in problems_in(sources), "unused slot kept"
