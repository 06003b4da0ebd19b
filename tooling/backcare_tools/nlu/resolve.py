"""Utterance -> intent and slots, the way Alexa would send them, with a safety-first precedence:

1. Read the invocation ("open back care coach" is a launch; "ask back care coach to X" is X).
2. The learned intent classifier scores every intent; the learned value classifiers (and the
   synonyms said word for word) find slot values.
3. Precedence (SPEC §3, "what counts as an answer"): an emergency request stays EmergencyIntent;
   a symptom said anywhere (inside a tip request, a question, after "no, but") is
   ReportSymptomIntent with that symptom, unless the sentence is confidently a plain denial
   ("no fever", "my legs are fine"); a check-in answer that only says "worse" stays a check-in
   answer. Below the confidence threshold: AMAZON.FallbackIntent.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

from backcare_tools.nlu.data import NONE, ModelData
from backcare_tools.nlu.learn import Learned
from backcare_tools.nlu.text import parse_invocation, strip_fillers
from backcare_tools.spoken_values import Span, find_durations, find_times

FALLBACK = "AMAZON.FallbackIntent"
LAUNCH = "LaunchRequest"
REPORT = "ReportSymptomIntent"
EMERGENCY = "EmergencyIntent"
CHECK_IN = "HowIsMyBackIntent"
NO = "AMAZON.NoIntent"
SYMPTOM = "SYMPTOM"

# Tuned on the development annotation sets (tests/nlu/), never on the held-out rounds.
INTENT_THRESHOLD = float(os.environ.get("BACKCARE_NLU_THRESHOLD", "0.25"))
SYMPTOM_OVERRIDE = 0.6   # a symptom this likely turns any non-emergency intent into a report
SYMPTOM_FILL = 0.4       # ... and this likely fills the slot of a sentence that is a report anyway
EMERGENCY_OVER_SYMPTOM = 0.5  # an emergency request this likely beats a symptom named with it
DENIAL = 0.75            # a plain denial must be this likely to keep a named symptom out
VALUE_FILL = 0.5         # other custom slot types
MAX_SPAN_WORDS = 9
VOTE_FLOOR = 0.3        # a span votes for a value that is its likeliest reading and this likely
EAGER_FLOOR = 0.15      # in a report, a span votes for its likeliest value when at least this likely
EAGER_ANSWER = 0.3      # an unsure answer turns into a report when a symptom reading is this likely
# Intents that an unclear sentence naming a symptom is often mistaken for.
UNSURE_OF = frozenset(("AMAZON.NoIntent", "AMAZON.YesIntent", "UnsureIntent", "AMAZON.NextIntent",
                       "AMAZON.FallbackIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.StopIntent",
                       "AMAZON.CancelIntent", "AMAZON.RepeatIntent", "AMAZON.HelpIntent", "GoBackIntent"))


@dataclass(frozen=True)
class SlotValue:
    name: str
    value: str
    type: str
    id: str | None = None
    resolved_name: str | None = None

    def as_output(self) -> str:
        return self.id or self.value

    def envelope_spec(self) -> str | dict[str, Any]:
        """The slot as `backcare_tools.envelopes.intent_request` takes it."""
        if self.type.startswith("AMAZON."):
            return self.value
        if self.id:
            return {"value": self.value, "id": self.id, "name": self.resolved_name or self.value,
                    "type": self.type}
        return {"value": self.value, "no_match": True, "type": self.type}


@dataclass(frozen=True)
class Resolution:
    intent: str
    slots: dict[str, SlotValue] = field(default_factory=dict)
    confidence: float = 0.0
    utterance: str = ""
    invoked: bool = False  # the utterance named the skill ("ask back care coach to ...")
    reason: str = ""       # how the precedence decided (for --explain)

    def to_json(self) -> dict[str, Any]:
        """The `backcare nlu` contract: exactly {"intent": NAME, "slots": {SLOT: VALUE}}."""
        return {"intent": self.intent, "slots": {k: v.as_output() for k, v in self.slots.items()}}

    def envelope_slots(self, declared: list[str] | None = None) -> dict[str, Any]:
        slots: dict[str, Any] = dict.fromkeys(declared or [])
        slots.update({k: v.envelope_spec() for k, v in self.slots.items()})
        return slots


@dataclass(frozen=True)
class Found:
    """A custom slot value found in the utterance."""

    span: Span
    score: float


class Nlu:
    """Resolves utterances for one locale, from what it learned of that locale's model."""

    def __init__(self, data: ModelData, learned: Learned, *, threshold: float = INTENT_THRESHOLD) -> None:
        self.data = data
        self.learned = learned
        self.threshold = threshold
        self.invocation_name = data.invocation_name
        self.intent_slots = data.intent_slots
        self.intents = list(data.intent_slots)
        self._exact = {
            type_: (re.compile(r"\b(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")\b"),
                    words)
            for type_, values in data.values.items()
            for words in [{w: v for v in values for w in v.words}]
        }

    # --- slot values ------------------------------------------------------------------------------

    def find_value(self, slot_type: str, text: str, *, eager: bool = False) -> Found | None:
        """The value of a custom type said in the text: a synonym word for word (longest first),
        else the value the spans of the text vote for. Eager (the sentence is a report of this
        type anyway): a span's likeliest value votes even where "no value" is likelier still."""
        pattern, words = self._exact[slot_type]
        matches = sorted(pattern.finditer(text), key=lambda m: m.end() - m.start(), reverse=True)
        if matches:
            m = matches[0]
            value = words[m.group(1)]
            return Found(Span(m.start(), m.end(), slot_type, m.group(1), value.id, value.name), 1.0)
        tokens = text.split()
        starts, position = [], 0
        for token in tokens:
            starts.append(position)
            position += len(token) + 1
        windows = [(i, j) for i in range(len(tokens)) for j in range(i + 1, min(len(tokens), i + MAX_SPAN_WORDS) + 1)]
        if len(tokens) > MAX_SPAN_WORDS:
            windows.append((0, len(tokens)))  # a long sentence also reads as a whole
        if not windows:
            return None
        scores = self.learned.value_scores(slot_type, [" ".join(tokens[i:j]) for i, j in windows])
        # Every span votes for its value, weighted by its probability and its length, so the words
        # of a whole phrase ("my left leg keeps getting weaker") outvote a fragment ("leg").
        votes: dict[str, float] = {}
        readings = []
        for (i, j), (label, score, value_label, value_score) in zip(windows, scores, strict=True):
            if label == NONE and eager and value_score >= EAGER_FLOOR:
                label, score = value_label, value_score
            readings.append((i, j, label, score))
        for i, j, label, score in readings:
            if label != NONE and score >= VOTE_FLOOR:
                votes[label] = votes.get(label, 0.0) + score * (j - i)
        if not votes:
            return None
        label = max(votes, key=votes.__getitem__)
        ranked = [(score, j - i, i, j) for i, j, got, score in readings if got == label]
        top = max(r[0] for r in ranked)
        _, _, i, j = max(
            (r for r in ranked if r[0] >= top - 0.15), key=lambda r: (r[1], r[0]))
        value = next(v for v in self.data.values[slot_type] if v.id == label)
        start, end = starts[i], starts[j - 1] + len(tokens[j - 1])
        return Found(Span(start, end, slot_type, text[start:end], value.id, value.name), top)

    def _fill_slots(self, intent: str, text: str, symptom: Found | None) -> dict[str, SlotValue]:
        declared = self.intent_slots.get(intent, {})
        slots: dict[str, SlotValue] = {}
        durations = find_durations(text)
        times = find_times(text, durations)
        for slot_type in dict.fromkeys(declared.values()):
            names = [n for n, t in declared.items() if t == slot_type]
            if slot_type == "AMAZON.DURATION":
                found = durations
            elif slot_type == "AMAZON.TIME":
                found = times
            elif slot_type == SYMPTOM:
                found = [symptom.span] if symptom and symptom.score >= SYMPTOM_FILL else []
            else:
                value = self.find_value(slot_type, text)
                found = [value.span] if value and value.score >= VALUE_FILL else []
            _assign(slots, names, slot_type, found, text)
        return slots

    # --- resolving --------------------------------------------------------------------------------

    def resolve(self, utterance: str) -> Resolution:
        invoked, rest = parse_invocation(utterance, self.invocation_name)
        if invoked and not rest:
            return Resolution(LAUNCH, {}, 1.0, utterance, invoked=True, reason="invocation")
        text = strip_fillers(rest)
        if not text:
            return Resolution(FALLBACK, {}, 0.0, utterance, invoked=invoked, reason="nothing said")
        scores = self.learned.intent_scores(text)
        intent = str(max(scores, key=scores.__getitem__))
        confidence = float(scores[intent])
        symptom = self.find_value(SYMPTOM, text)
        intent, reason = self._precedence(intent, confidence, scores, symptom)
        if intent in UNSURE_OF and confidence < DENIAL and (symptom is None or symptom.score < SYMPTOM_OVERRIDE):
            # a hesitant "no" or an unclear sentence that could name a symptom is sent as that symptom
            maybe = self.find_value(SYMPTOM, text, eager=True)
            if maybe is not None and maybe.score >= EAGER_ANSWER:
                intent, symptom, reason = REPORT, maybe, f"could be symptom {maybe.span.id} ({maybe.score:.2f})"
        if intent == REPORT and (symptom is None or symptom.score < SYMPTOM_FILL):
            symptom = self.find_value(SYMPTOM, text, eager=True)
        if intent == REPORT and symptom and symptom.score >= SYMPTOM_OVERRIDE:
            confidence = max(confidence, symptom.score)
        if intent == FALLBACK:
            return Resolution(FALLBACK, {}, confidence, utterance, invoked=invoked, reason=reason)
        return Resolution(intent, self._fill_slots(intent, text, symptom), confidence, utterance, invoked, reason)

    def _precedence(self, intent: str, confidence: float, scores: dict[str, float],
                    symptom: Found | None) -> tuple[str, str]:
        strong = symptom is not None and symptom.score >= SYMPTOM_OVERRIDE
        if intent == EMERGENCY and confidence >= (EMERGENCY_OVER_SYMPTOM if strong else self.threshold):
            return EMERGENCY, "emergency request"
        if strong and symptom is not None:
            if intent == NO and confidence >= DENIAL:
                return NO, "a plain denial"
            if intent == CHECK_IN and symptom.span.id == "duration_worsening":
                return CHECK_IN, "a check-in answer"
            return REPORT, f"symptom {symptom.span.id} named ({symptom.score:.2f})"
        if confidence < self.threshold:
            return FALLBACK, f"low confidence ({confidence:.2f})"
        return intent, "classifier"


def _assign(slots: dict[str, SlotValue], names: list[str], slot_type: str, found: list[Span], text: str) -> None:
    """Put found values into the intent's slots of that type; with two slots of one type
    (startTime/endTime), the word before each value decides which is which."""
    if not found:
        return
    if len(names) == 1:
        span = found[0]
        slots[names[0]] = SlotValue(names[0], span.value, slot_type, span.id, span.name)
        return
    remaining = list(names)
    for span in found:
        before = text[:span.start].split()[-1:] or [""]
        wants_end = before[0] in ("to", "until", "till", "and", "before", "by")
        pick = next((n for n in remaining if ("end" in n.lower()) == wants_end), None) or (
            remaining[0] if remaining else None)
        if pick:
            remaining.remove(pick)
            slots[pick] = SlotValue(pick, span.value, slot_type, span.id, span.name)
