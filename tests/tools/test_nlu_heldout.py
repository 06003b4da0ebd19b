"""The held-out rounds (tests/nlu_heldout/): phrasings written before the NLU saw them and never
tuned to. Each round is pinned slightly below its score when it was pinned (README.md there
records every round's first score, which is the honest figure), so a regression fails."""

from __future__ import annotations

from collections import Counter

import pytest

from backcare_tools.nlu import LOCALES, load_nlu
from backcare_tools.nlu_eval import combined, evaluate, read_annotations
from support.nlu import HELDOUT_DIR

# round -> (first intent accuracy, first red-flag recall, pinned intent accuracy, pinned red-flag recall)
ROUNDS = {
    "round1.csv": (0.486, 0.236, 0.96, 0.96),
    "round2.csv": (0.958, 0.862, 0.96, 0.93),
    "round3.csv": (0.969, 0.933, 0.96, 0.93),
    "round4.csv": (0.984, 0.967, 0.97, 0.95),
    "round5.csv": (0.674, 0.637, 0.92, 0.88),
    "round6.csv": (0.963, 0.955, 0.95, 0.94),
    "round7.csv": (0.925, 0.921, 0.91, 0.91),
    "round8.csv": (0.950, 0.959, 0.94, 0.95),
}


def test_every_round_in_the_folder_is_pinned_and_recorded():
    rounds = sorted(p.name for p in HELDOUT_DIR.glob("round*.csv"))
    assert rounds == sorted(ROUNDS), f"rounds without a pin (or pins without a round): {rounds} vs {sorted(ROUNDS)}"
    readme = (HELDOUT_DIR / "README.md").read_text(encoding="utf-8")
    for name, (intent, red_flags, _, _) in ROUNDS.items():
        row = f"| {name.removeprefix('round').removesuffix('.csv')} |"
        assert row in readme, f"{name}: no row in the README's table of first scores"
        assert f"{intent:.1%}".replace("%", " %") in readme, f"{name}: first intent accuracy not recorded"
        assert f"{red_flags:.1%}".replace("%", " %") in readme, f"{name}: first red-flag recall not recorded"


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_a_round_is_a_real_held_out_set(name):
    examples = read_annotations(HELDOUT_DIR / name)
    assert len(examples) >= 150, f"{name}: only {len(examples)} rows"
    assert {e.locale for e in examples} == set(LOCALES), f"{name}: every locale speaks in every round"
    intents = Counter(e.intent for e in examples)
    assert intents["ReportSymptomIntent"] >= 60 and intents["EmergencyIntent"] >= 8, f"{name}: {intents}"
    assert len(intents) >= 25, f"{name}: covers only {len(intents)} intents"


@pytest.mark.parametrize("name", sorted(ROUNDS))
def test_a_round_scores_at_least_its_pin(name):
    examples = read_annotations(HELDOUT_DIR / name)
    report = combined([evaluate(load_nlu(locale), examples, locale) for locale in LOCALES])
    _, _, intent_pin, red_flag_pin = ROUNDS[name]
    assert len(report.outcomes) == len(examples), f"{name}: each row is scored once, in its own locale"
    misses = [(o.example.utterance, o.intent, o.slots) for o in report.misses()]
    assert report.accuracy >= intent_pin, f"{name}: intent accuracy {report.accuracy:.1%}; misses {misses}"
    missed = [o.example.utterance for o in report.red_flags if not o.red_flag_resolved]
    assert report.red_flag_recall >= red_flag_pin, (
        f"{name}: red-flag recall {report.red_flag_recall:.1%}; missed {missed}")
