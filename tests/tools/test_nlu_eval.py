"""`backcare nlu-eval`: the development annotation sets and the scoring itself."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from backcare_tools.nlu import load_nlu, normalise, strip_fillers
from backcare_tools.nlu.levels import SYMPTOM_LEVELS, Level
from backcare_tools.nlu_eval import evaluate, read_annotations
from support.nlu import DEV_LOCALE_SET, DEV_SET, LOCALES, load_model, run_backcare


def custom_intents() -> set[str]:
    intents = load_model("en-US")["interactionModel"]["languageModel"]["intents"]
    return {i["name"] for i in intents if not i["name"].startswith("AMAZON.")}


def write_set(path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def test_development_set_is_large_and_covers_every_custom_intent():
    examples = read_annotations(DEV_SET)
    assert len(examples) >= 600, f"only {len(examples)} annotated utterances"
    counts = Counter(e.intent for e in examples)
    thin = {i: counts[i] for i in custom_intents() if counts[i] < 10}
    assert not thin, f"intents with fewer than 10 annotated utterances: {thin}"
    assert counts["AMAZON.FallbackIntent"] >= 5, "the set must also test what should fall back"
    symptoms = Counter(e.slots.get("symptom") for e in examples if e.intent == "ReportSymptomIntent")
    thin_symptoms = {s: symptoms[s] for s in SYMPTOM_LEVELS if symptoms[s] < 3}
    assert not thin_symptoms, f"symptoms with fewer than 3 annotated reports: {thin_symptoms}"


def test_development_set_is_mostly_phrasings_the_model_does_not_list():
    data = load_nlu("en-US").data
    samples = {normalise(s) for samples in data.samples.values() for s in samples}
    rows = [e for e in read_annotations(DEV_SET) if not e.intent.startswith("AMAZON.")]
    verbatim = [e.utterance for e in rows if strip_fillers(normalise(e.utterance)) in samples]
    assert len(verbatim) / len(rows) < 0.15, f"too many annotations copied from samples: {verbatim}"


def test_symptom_levels_are_the_spec_table():
    levels = Counter(SYMPTOM_LEVELS.values())
    assert levels == {Level.EMERGENCY: 7, Level.URGENT: 5, Level.SEE_DOCTOR: 4}, levels
    symptom_ids = {v["id"] for t in load_model("en-GB")["interactionModel"]["languageModel"]["types"]
                   if t["name"] == "SYMPTOM" for v in t["values"]}
    assert set(SYMPTOM_LEVELS) == symptom_ids, "every SYMPTOM value has its SPEC §3 level"


def test_en_us_scores_on_the_development_set_through_the_command_line():
    done = run_backcare("nlu-eval", str(DEV_SET), "--locale", "en-US", "--min-accuracy", "0.95", "--json")
    assert done.returncode == 0, f"accuracy below 95% or error: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    report = json.loads(done.stdout)[0]
    assert report["intent_accuracy"] >= 0.95, report["misses"]
    assert report["slot_accuracy"] >= 0.9, report["misses"]
    assert report["red_flag_recall"] >= 0.97, report["misses"]


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_other_locales_score_on_the_development_set(locale):
    report = evaluate(load_nlu(locale), read_annotations(DEV_SET), locale)
    assert report.accuracy >= 0.95, f"{locale}: {report.accuracy:.1%}; misses {report.to_json()['misses']}"
    assert report.red_flag_recall >= 0.97, f"{locale}: red-flag recall {report.red_flag_recall:.1%}"


@pytest.mark.parametrize("locale", LOCALES)
def test_locale_wording_scores_in_its_own_locale(locale):
    examples = read_annotations(DEV_LOCALE_SET)
    report = evaluate(load_nlu(locale), examples, locale)
    expected = sum(1 for e in examples if e.locale == locale)
    assert len(report.outcomes) == expected > 0, f"{locale}: rows of other locales must be skipped"
    assert report.accuracy >= 0.95, f"{locale}: {report.to_json()['misses']}"


def test_precision_recall_and_misses_are_computed_per_intent(tmp_path):
    path = tmp_path / "set.csv"
    write_set(path, ["utterance", "intent", "slot[topic]"], [
        ["yes", "AMAZON.YesIntent", ""],
        ["no", "AMAZON.YesIntent", ""],  # deliberately wrong annotation
        ["give me tips about posture", "SelfCareTipsIntent", "exercise"],  # wrong slot
    ])
    report = evaluate(load_nlu("en-US"), read_annotations(path), "en-US")
    table = report.per_intent()
    assert table["AMAZON.YesIntent"]["recall"] == 0.5, table
    assert table["AMAZON.YesIntent"]["precision"] == 1.0, table
    assert table["AMAZON.NoIntent"]["precision"] == 0.0, table
    assert report.accuracy == pytest.approx(2 / 3), report.accuracy
    assert [o.example.utterance for o in report.misses()] == ["no", "give me tips about posture"], (
        "the wrong intent and the wrong slot are both misses")


def test_red_flag_recall_counts_the_symptom_or_anything_at_least_as_serious(tmp_path):
    path = tmp_path / "set.csv"
    write_set(path, ["utterance", "intent", "slot[symptom]"], [
        ["I've wet myself", "ReportSymptomIntent", "bladder"],            # exact: resolved
        ["I've been wetting myself", "ReportSymptomIntent", "one_leg"],   # bladder is more serious: resolved
        ["I've got sciatica", "ReportSymptomIntent", "bladder"],          # one_leg is less serious: missed
        ["call an ambulance", "ReportSymptomIntent", "fever"],            # an emergency: resolved
        ["I can't pee", "EmergencyIntent", ""],                           # an emergency-level symptom: resolved
        ["I've got a fever", "EmergencyIntent", ""],                      # urgent is not an emergency: missed
        ["yes", "ReportSymptomIntent", "chest_pain"],                     # a bare yes: missed
        ["my back hurts", "ReportSymptomIntent", ""],                     # no red flag expected: not counted
    ])
    report = evaluate(load_nlu("en-US"), read_annotations(path), "en-US")
    flags = {o.example.utterance: o.red_flag_resolved for o in report.red_flags}
    assert flags == {"I've wet myself": True, "I've been wetting myself": True, "I've got sciatica": False,
                     "call an ambulance": True, "I can't pee": True, "I've got a fever": False, "yes": False}, flags
    assert report.red_flag_recall == pytest.approx(4 / 7), report.red_flag_recall


def test_text_report_has_accuracy_red_flag_recall_intents_and_misses(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("utterance,intent,slot[symptom]\nyes,AMAZON.NoIntent,\nhelp,AMAZON.HelpIntent,\n"
                    "I fell off a ladder,ReportSymptomIntent,major_trauma\nyep,ReportSymptomIntent,fever\n")
    done = run_backcare("nlu-eval", str(path))
    assert done.returncode == 0, done.stderr
    assert "intent accuracy 50.0%" in done.stdout, done.stdout
    assert "red-flag recall 50.0% (1 of 2 red-flag sentences" in done.stdout, done.stdout
    assert "'yes': expected AMAZON.NoIntent, got AMAZON.YesIntent" in done.stdout, done.stdout
    assert "'yep': expected ReportSymptomIntent {'symptom': 'fever'}, got AMAZON.YesIntent" in done.stdout, (
        done.stdout)
    assert "RED FLAG MISSED" in done.stdout, "a missed red flag is marked"


def test_all_locales_add_a_combined_line(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("locale,utterance,intent\nen-GB,should I see my GP,WhenToSeeDoctorIntent\n"
                    "en-US,call 911,EmergencyIntent\n")
    done = run_backcare("nlu-eval", str(path), "--locale", "all")
    assert done.returncode == 0, done.stderr
    assert "all locales: 2 utterances, intent accuracy 100.0%" in done.stdout, done.stdout


def test_a_csv_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nyes,AMAZON.YesIntent\n")
    with pytest.raises(ValueError, match="utterance and intent"):
        read_annotations(path)


def test_a_locale_column_limits_a_row_to_its_locale(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("locale,utterance,intent\nen-GB,should I see my GP,WhenToSeeDoctorIntent\n,yes,AMAZON.YesIntent\n")
    examples = read_annotations(path)
    assert [e.locale for e in examples] == ["en-GB", None], examples
    assert len(evaluate(load_nlu("en-US"), examples, "en-US").outcomes) == 1, "the en-GB row is not for en-US"
    assert len(evaluate(load_nlu("en-GB"), examples, "en-GB").outcomes) == 2, "en-GB gets both rows"
