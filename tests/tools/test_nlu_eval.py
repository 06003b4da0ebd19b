"""`backcare nlu-eval`: the annotation set and the scoring itself."""

from __future__ import annotations

import csv
import json
from collections import Counter

import pytest

from backcare_tools.nlu import load_nlu, normalise, strip_fillers
from backcare_tools.nlu_eval import evaluate, read_annotations
from support.nlu import LOCALES, REPO, load_model, run_backcare

ANNOTATIONS = REPO / "tests" / "tools" / "nlu_annotations.csv"


def custom_intents() -> set[str]:
    intents = load_model("en-US")["interactionModel"]["languageModel"]["intents"]
    return {i["name"] for i in intents if not i["name"].startswith("AMAZON.")}


def test_annotation_set_is_large_and_covers_every_custom_intent():
    examples = read_annotations(ANNOTATIONS)
    assert len(examples) >= 250, f"only {len(examples)} annotated utterances"
    counts = Counter(e.intent for e in examples)
    thin = {i: counts[i] for i in custom_intents() if counts[i] < 10}
    assert not thin, f"intents with fewer than 10 annotated utterances: {thin}"
    assert counts["AMAZON.FallbackIntent"] >= 5, "the set must also test what should fall back"


def test_annotation_set_is_mostly_phrasings_the_model_does_not_list():
    nlu = load_nlu("en-US")
    samples = {t.text for t in nlu.templates}
    rows = [e for e in read_annotations(ANNOTATIONS) if not e.intent.startswith("AMAZON.")]
    verbatim = [e.utterance for e in rows if strip_fillers(normalise(e.utterance)) in samples]
    assert len(verbatim) / len(rows) < 0.15, f"too many annotations copied from samples: {verbatim}"


def test_en_us_scores_at_least_95_percent_through_the_command_line():
    done = run_backcare("nlu-eval", str(ANNOTATIONS), "--locale", "en-US", "--min-accuracy", "0.95", "--json")
    assert done.returncode == 0, f"accuracy below 95% or error: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    report = json.loads(done.stdout)[0]
    assert report["intent_accuracy"] >= 0.95, report["misses"]
    assert report["slot_accuracy"] >= 0.9, report["misses"]


@pytest.mark.parametrize("locale", LOCALES[1:])
def test_other_locales_score_at_least_95_percent(locale):
    report = evaluate(load_nlu(locale), read_annotations(ANNOTATIONS), locale)
    assert report.accuracy >= 0.95, f"{locale}: {report.accuracy:.1%}; misses {report.to_json()['misses']}"


def test_precision_recall_and_misses_are_computed_per_intent(tmp_path):
    path = tmp_path / "set.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["utterance", "intent", "slot[topic]"])
        writer.writerow(["yes", "AMAZON.YesIntent", ""])
        writer.writerow(["no", "AMAZON.YesIntent", ""])  # deliberately wrong annotation
        writer.writerow(["give me tips about posture", "SelfCareTipsIntent", "core"])  # wrong slot
    report = evaluate(load_nlu("en-US"), read_annotations(path), "en-US")
    table = report.per_intent()
    assert table["AMAZON.YesIntent"]["recall"] == 0.5, table
    assert table["AMAZON.YesIntent"]["precision"] == 1.0, table
    assert table["AMAZON.NoIntent"]["precision"] == 0.0, table
    assert report.accuracy == pytest.approx(2 / 3), report.accuracy
    assert [o.example.utterance for o in report.misses()] == ["no", "give me tips about posture"], (
        "the wrong intent and the wrong slot are both misses")


def test_text_report_lists_intents_and_misses(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("utterance,intent\nyes,AMAZON.NoIntent\nhelp,AMAZON.HelpIntent\n")
    done = run_backcare("nlu-eval", str(path))
    assert done.returncode == 0, done.stderr
    assert "intent accuracy 50.0%" in done.stdout, done.stdout
    assert "'yes': expected AMAZON.NoIntent, got AMAZON.YesIntent" in done.stdout, done.stdout


def test_a_csv_without_the_required_columns_is_refused(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("text,label\nyes,AMAZON.YesIntent\n")
    with pytest.raises(ValueError, match="utterance and intent"):
        read_annotations(path)


LOCALE_ANNOTATIONS = REPO / "tests" / "tools" / "nlu_annotations_locales.csv"


@pytest.mark.parametrize("locale", LOCALES)
def test_locale_wording_scores_in_its_own_locale(locale):
    examples = read_annotations(LOCALE_ANNOTATIONS)
    report = evaluate(load_nlu(locale), examples, locale)
    expected = sum(1 for e in examples if e.locale == locale)
    assert len(report.outcomes) == expected > 0, f"{locale}: rows of other locales must be skipped"
    assert report.accuracy >= 0.95, f"{locale}: {report.to_json()['misses']}"


def test_a_locale_column_limits_a_row_to_its_locale(tmp_path):
    path = tmp_path / "set.csv"
    path.write_text("locale,utterance,intent\nen-GB,should I see my GP,WhenToSeeDoctorIntent\n,yes,AMAZON.YesIntent\n")
    examples = read_annotations(path)
    assert [e.locale for e in examples] == ["en-GB", None], examples
    assert len(evaluate(load_nlu("en-US"), examples, "en-US").outcomes) == 1, "the en-GB row is not for en-US"
    assert len(evaluate(load_nlu("en-GB"), examples, "en-GB").outcomes) == 2, "en-GB gets both rows"
