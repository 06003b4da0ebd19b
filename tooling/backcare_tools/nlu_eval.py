"""`backcare nlu-eval FILE`: score the interaction model on an annotation set.

The CSV has the columns Alexa's NLU evaluation tool uses: `utterance`, `intent` and one
`slot[NAME]` column per slot (empty when the slot should be absent); an optional `locale`
column limits a row to one locale (for wording such as "GP" or "bum"). For custom slot types the
expected value is the value id (e.g. `saddle_numbness`); for AMAZON.DURATION/TIME it is the
value Alexa sends (PT1H, 15:00). Prints intent accuracy, per-intent precision and recall, slot
accuracy, red-flag recall and every miss. Local tooling only.

Red-flag rows expect `EmergencyIntent` or `ReportSymptomIntent` with a symptom. One is resolved
when the NLU returns that symptom, `EmergencyIntent`, or a symptom at least as serious in
SPEC §3 (`backcare_tools.nlu.levels`): a safe answer even where not the exact one.

Over-triage harms too: a false emergency is a row whose expected outcome is below EMERGENCY
(any intent other than `EmergencyIntent`, or a symptom below EMERGENCY level) where the NLU's
answer would give EMERGENCY (`EmergencyIntent`, or a symptom of EMERGENCY level).
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from backcare_tools.nlu import LOCALES, Nlu, load_nlu
from backcare_tools.nlu.levels import Level, level

SLOT_COLUMN = re.compile(r"^slot\[(\w+)\]$")
EMERGENCY = "EmergencyIntent"
REPORT = "ReportSymptomIntent"


@dataclass(frozen=True)
class Example:
    utterance: str
    intent: str
    slots: dict[str, str]
    locale: str | None = None  # optional `locale` column: the row is only for that locale


def outcome_level(intent: str, slots: dict[str, str]) -> Level:
    """The triage level an answer gives by itself (outside any question): an emergency request is
    EMERGENCY, a reported symptom its SPEC §3 level, anything else no level (SELF_CARE)."""
    if intent == EMERGENCY:
        return Level.EMERGENCY
    if intent == REPORT and "symptom" in slots:
        return level(slots["symptom"])
    return Level.SELF_CARE


@dataclass
class Outcome:
    example: Example
    intent: str
    slots: dict[str, str]
    confidence: float

    @property
    def intent_ok(self) -> bool:
        return self.intent == self.example.intent

    @property
    def slots_ok(self) -> bool:
        return self.intent_ok and self.slots == self.example.slots

    @property
    def red_flag(self) -> bool:
        return self.example.intent == EMERGENCY or (self.example.intent == REPORT and "symptom" in self.example.slots)

    @property
    def false_emergency(self) -> bool:
        """Expected below EMERGENCY, but the answer would give EMERGENCY."""
        return (outcome_level(self.example.intent, self.example.slots) < Level.EMERGENCY
                and outcome_level(self.intent, self.slots) == Level.EMERGENCY)

    @property
    def red_flag_resolved(self) -> bool:
        """Resolved to the expected symptom, an emergency, or a symptom at least as serious."""
        if self.intent == EMERGENCY:
            return True
        if self.intent != REPORT or "symptom" not in self.slots:
            return False
        got = self.slots["symptom"]
        if self.example.intent == EMERGENCY:
            return level(got) == Level.EMERGENCY
        wanted = self.example.slots["symptom"]
        return got == wanted or level(got) >= level(wanted) > Level.SELF_CARE


@dataclass
class Report:
    locale: str
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.intent_ok for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    @property
    def slot_accuracy(self) -> float:
        with_slots = [o for o in self.outcomes if o.example.slots]
        return sum(o.slots_ok for o in with_slots) / len(with_slots) if with_slots else 1.0

    @property
    def red_flags(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.red_flag]

    @property
    def red_flag_recall(self) -> float:
        flags = self.red_flags
        return sum(o.red_flag_resolved for o in flags) / len(flags) if flags else 1.0

    @property
    def below_emergency(self) -> list[Outcome]:
        return [o for o in self.outcomes if outcome_level(o.example.intent, o.example.slots) < Level.EMERGENCY]

    @property
    def false_emergencies(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.false_emergency]

    def per_intent(self) -> dict[str, dict[str, float]]:
        expected = Counter(o.example.intent for o in self.outcomes)
        predicted = Counter(o.intent for o in self.outcomes)
        correct = Counter(o.intent for o in self.outcomes if o.intent_ok)
        table = {}
        for intent in sorted(set(expected) | set(predicted)):
            table[intent] = {
                "support": expected[intent],
                "precision": correct[intent] / predicted[intent] if predicted[intent] else 0.0,
                "recall": correct[intent] / expected[intent] if expected[intent] else 0.0,
            }
        return table

    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.slots_ok or not o.intent_ok]

    def to_json(self) -> dict:
        return {
            "locale": self.locale,
            "examples": len(self.outcomes),
            "intent_accuracy": round(self.accuracy, 4),
            "slot_accuracy": round(self.slot_accuracy, 4),
            "red_flag_rows": len(self.red_flags),
            "red_flag_recall": round(self.red_flag_recall, 4),
            "false_emergencies": len(self.false_emergencies),
            "rows_below_emergency": len(self.below_emergency),
            "per_intent": {k: {m: round(v, 4) if isinstance(v, float) else v for m, v in row.items()}
                           for k, row in self.per_intent().items()},
            "misses": [{"utterance": o.example.utterance, "expected": o.example.intent, "got": o.intent,
                        "expected_slots": o.example.slots, "got_slots": o.slots,
                        "confidence": round(o.confidence, 3)} for o in self.misses()],
        }


def read_annotations(path: Path) -> list[Example]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        if "utterance" not in fields or "intent" not in fields:
            raise ValueError(f"{path}: needs the columns utterance and intent (and optional slot[NAME])")
        slot_columns = {name: SLOT_COLUMN.match(name).group(1) for name in fields if SLOT_COLUMN.match(name)}
        examples = []
        for row in reader:
            if not (row.get("utterance") or "").strip():
                continue
            slots = {slot: row[col].strip() for col, slot in slot_columns.items() if (row.get(col) or "").strip()}
            locale = (row.get("locale") or "").strip() or None
            examples.append(Example(row["utterance"].strip(), row["intent"].strip(), slots, locale))
        return examples


def evaluate(nlu: Nlu, examples: list[Example], locale: str = "") -> Report:
    report = Report(locale)
    for example in examples:
        if example.locale and locale and example.locale != locale:
            continue
        result = nlu.resolve(example.utterance)
        slots = {k: v for k, v in result.to_json()["slots"].items()}
        report.outcomes.append(Outcome(example, result.intent, slots, result.confidence))
    return report


def format_report(report: Report) -> str:
    lines = [f"locale {report.locale}: {len(report.outcomes)} utterances, "
             f"intent accuracy {report.accuracy:.1%}, slot accuracy {report.slot_accuracy:.1%}", ""]
    resolved = sum(o.red_flag_resolved for o in report.red_flags)
    lines.insert(1, f"red-flag recall {report.red_flag_recall:.1%} ({resolved} of {len(report.red_flags)} red-flag "
                    "sentences resolved to their symptom or something at least as serious)")
    lines.insert(2, f"false emergencies {len(report.false_emergencies)} (of {len(report.below_emergency)} rows "
                    "expected below EMERGENCY, answered as an emergency request or an EMERGENCY-level symptom)")
    width = max([len(k) for k in report.per_intent()] + [6])
    lines.append(f"{'intent'.ljust(width)}  support  precision  recall")
    for intent, row in report.per_intent().items():
        lines.append(f"{intent.ljust(width)}  {row['support']:7d}  {row['precision']:9.1%}  {row['recall']:6.1%}")
    missed_flags = [o for o in report.red_flags if not o.red_flag_resolved]
    misses = report.misses()
    lines += ["", f"misses ({len(misses)}):" if misses else "misses: none"]
    for o in misses:
        detail = f"expected {o.example.intent}"
        if o.example.slots:
            detail += f" {o.example.slots}"
        detail += f", got {o.intent}"
        if o.slots:
            detail += f" {o.slots}"
        flag = "  RED FLAG MISSED" if o in missed_flags else "  FALSE EMERGENCY" if o.false_emergency else ""
        lines.append(f"  {o.example.utterance!r}: {detail} (confidence {o.confidence:.2f}){flag}")
    return "\n".join(lines)


def combined(reports: list[Report]) -> Report:
    """All locales' outcomes as one report (each row of a set with a locale column counts once)."""
    total = Report("all")
    for report in reports:
        total.outcomes += report.outcomes
    return total


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare nlu-eval",
                                     description="Score the interaction model on an annotation set (CSV).")
    parser.add_argument("file", type=Path, help="CSV with utterance, intent, slot[NAME] columns")
    parser.add_argument("--locale", default="en-US", help="a locale, or 'all' (default en-US)")
    parser.add_argument("--models", help="directory with <locale>.json (default: interaction_models/)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--min-accuracy", type=float, default=None,
                        help="exit with status 1 when intent accuracy is below this (0-1)")
    args = parser.parse_args(argv)
    locales = LOCALES if args.locale == "all" else (args.locale,)
    examples = read_annotations(args.file)
    reports = [evaluate(load_nlu(locale, args.models), examples, locale) for locale in locales]
    if len(reports) > 1:
        total = combined(reports)
        summary = (f"all locales: {len(total.outcomes)} utterances, intent accuracy {total.accuracy:.1%}, "
                   f"slot accuracy {total.slot_accuracy:.1%}, red-flag recall {total.red_flag_recall:.1%} "
                   f"({len(total.red_flags)} red-flag rows), false emergencies {len(total.false_emergencies)} "
                   f"(of {len(total.below_emergency)} rows below EMERGENCY)")
    text = (json.dumps([r.to_json() for r in reports], indent=2) if args.json
            else "\n\n".join(format_report(r) for r in reports) + ("\n\n" + summary if len(reports) > 1 else ""))
    try:
        print(text)
    except BrokenPipeError:  # `backcare nlu-eval ... | head`
        sys.stderr.close()
    if args.min_accuracy is not None and any(r.accuracy < args.min_accuracy for r in reports if r.outcomes):
        return 1
    return 0
