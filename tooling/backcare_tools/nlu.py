"""A local stand-in for Alexa's NLU: utterance -> intent, slots and a confidence.

It reads the same interaction model that is deployed (interaction_models/<locale>.json) plus the
usual phrasings of Alexa's built-in intents (builtin_phrases.json), and resolves in three steps:

1. Normalise (lower case, contractions expanded, "GP" -> "g p", small numbers as words).
2. Find slot values: custom slot synonyms (exact, then by their content words, then fuzzy),
   AMAZON.DURATION ("every hour" -> PT1H) and AMAZON.TIME ("three pm" -> 15:00; see
   spoken_values.py). Each kind of value may or may not be replaced by a placeholder, which gives
   a few variants of the utterance.
3. Score every variant against every sample (placeholders in place of slots) with a mix of
   character similarity (rapidfuzz) and IDF-weighted word overlap; the best sample's intent wins.
   Below a threshold the answer is AMAZON.FallbackIntent, as Alexa's fallback would be.

Local tooling only: the Lambda never imports this module.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from itertools import pairwise, product
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from backcare_tools.paths import models_dir
from backcare_tools.spoken_values import UNITS, Span, find_durations, find_times, number_words

LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
INVOCATION_NAME = "back care coach"
FALLBACK = "AMAZON.FallbackIntent"
LAUNCH = "LaunchRequest"
REPORT = "ReportSymptomIntent"
SYMPTOM_EVIDENCE_FLOOR = 0.55
_NEGATIONS = frozenset(("no", "not", "never", "without", "none", "nothing", "nope"))
_QUESTION_WORDS = frozenset(("what", "why", "how", "could", "can", "is", "does", "do", "should", "when", "which",
                             "will", "would", "are", "tell", "explain"))
_UNCERTAINTY = frozenset(("sure", "know", "certain", "tell", "unsure", "idea", "remember"))
DEFAULT_THRESHOLD = float(os.environ.get("BACKCARE_NLU_THRESHOLD", "0.5"))
UNKNOWN_WORD_PENALTY = float(os.environ.get("BACKCARE_NLU_UNKNOWN", "0.3"))

# --- normalisation ---------------------------------------------------------------------------------

_CONTRACTIONS = {
    "i've": "i have", "i'm": "i am", "i'd": "i would", "i'll": "i will", "can't": "cannot",
    "don't": "do not", "doesn't": "does not", "didn't": "did not",
    "won't": "will not", "isn't": "is not", "aren't": "are not", "haven't": "have not",
    "hasn't": "has not", "wasn't": "was not", "couldn't": "could not", "wouldn't": "would not",
    "shouldn't": "should not", "it's": "it is", "what's": "what is", "that's": "that is",
    "there's": "there is", "let's": "let us", "you're": "you are", "we're": "we are",
    "they're": "they are", "you've": "you have", "we've": "we have", "who's": "who is",
    "how's": "how is", "where's": "where is", "here's": "here is", "back's": "back is",
    "leg's": "leg is", "that'll": "that will", "y'know": "you know", "gonna": "going to",
    "wanna": "want to", "gotta": "got to", "kinda": "kind of", "sorta": "sort of", "pls": "please",
    "plz": "please", "ya": "you", "cos": "because", "coz": "because",
}
_ACRONYMS = {"gp": "g p", "gps": "g p", "a&e": "a and e", "mri": "m r i", "x-ray": "x ray", "xray": "x ray",
             "physio's": "physio", "bum's": "bum is"}
_FILLERS_START = ("alexa", "um", "umm", "uh", "uhh", "erm", "hmm", "well", "so", "oh", "please", "hey")
_FILLERS_END = ("please", "thanks", "thank you", "alexa", "yesterday", "last week", "last night", "recently",
                "a few days ago", "the other day", "earlier", "to be honest", "i think")


def normalise(text: str) -> str:
    """Canonical form used for samples, slot values and utterances alike."""
    text = text.lower().replace("’", "'").replace("‘", "'").replace("`", "'")
    text = re.sub(r"\ba\s*&\s*e\b", "a and e", text)
    text = re.sub(r"\b([ap])\.\s?m\.?(?=\s|$)", r"\1m", text)  # p.m. -> pm
    text = re.sub(r"(?<=\d)([ap]m)\b", r" \1", text)            # 3pm -> 3 pm
    text = re.sub(r"[^a-z0-9':& ]+", " ", text)
    text = re.sub(r"(?<!\d):|:(?!\d)", " ", text)                # keep 3:30, drop other colons
    text = re.sub(r"\s'|'\s|^'|'$", " ", text)                   # quotes, not apostrophes
    words = " ".join(text.split())
    words = re.sub(r"\bcan not\b", "cannot", words)
    tokens = []
    for token in words.split():
        if token.isdigit() and len(token) <= 2:
            token = number_words(int(token))
        elif token.isdigit() and len(token) == 3:  # 911, 999, 000, 112: said digit by digit
            token = " ".join(UNITS[int(d)] for d in token)
        token = _ACRONYMS.get(token, token)
        tokens.append(_CONTRACTIONS.get(token, token))
    words = " ".join(tokens)
    words = re.sub(r"\bthe e ?r\b", "the e r", words)
    words = re.sub(r"\bthe er\b", "the e r", words)
    return words


# Words that carry no meaning of their own inside a slot phrase.
_FUNCTION_WORDS = frozenset((
    "i", "my", "me", "a", "an", "the", "is", "are", "am", "have", "has", "had", "been", "be", "it", "its",
    "to", "of", "in", "on", "at", "around", "near", "with", "from", "off", "down", "and", "or", "so", "very",
    "really", "all",
    "got", "gone", "get",
    "getting", "keep", "keeps", "do", "does", "did", "this", "that", "there",
))
_TRAILING_WHEN = re.compile(
    r" (?:since|from|for|over) (?:yesterday|last (?:night|week|weekend)|the weekend|this morning|a few days"
    r"|a couple of days|two days|three days|a day or two|monday|tuesday|wednesday|thursday|friday"
    r"|saturday|sunday)$"
)


def strip_fillers(text: str) -> str:
    text = _TRAILING_WHEN.sub("", text)
    changed = True
    while changed and text:
        changed = False
        for filler in _FILLERS_START:
            if text.startswith(filler + " "):
                text, changed = text[len(filler) + 1:], True
        for filler in _FILLERS_END:
            if text.endswith(" " + filler):
                text, changed = text[: -len(filler) - 1], True
    return text


# --- the model -------------------------------------------------------------------------------------

SLOT_MARK = re.compile(r"\{(\w+)\}")


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
    matched_sample: str | None = None
    invoked: bool = False  # the utterance named the skill ("ask back care coach to ...")

    def to_json(self) -> dict[str, Any]:
        return {"intent": self.intent, "slots": {k: v.as_output() for k, v in self.slots.items()},
                "confidence": round(self.confidence, 3)}

    def envelope_slots(self, declared: list[str] | None = None) -> dict[str, Any]:
        slots: dict[str, Any] = dict.fromkeys(declared or [])
        slots.update({k: v.envelope_spec() for k, v in self.slots.items()})
        return slots


@dataclass
class _Template:
    intent: str
    text: str          # normalised, slots replaced by {TYPE}
    tokens: Counter
    placeholders: Counter
    original: str
    weight: float = 0.0  # IDF-weighted size, filled in once the IDF is known




class Nlu:
    """Resolves utterances against one locale's interaction model."""

    def __init__(self, model: dict[str, Any], builtin_phrases: dict[str, list[str]], *,
                 threshold: float = DEFAULT_THRESHOLD) -> None:
        language_model = model["interactionModel"]["languageModel"]
        self.threshold = threshold
        self.invocation_name = language_model.get("invocationName", INVOCATION_NAME)
        self.intent_slots: dict[str, dict[str, str]] = {
            i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in language_model["intents"]
        }
        self.intents = list(self.intent_slots)
        self._values: dict[str, list[tuple[str, str, str, str]]] = {}  # type -> (norm, heard, id, name)
        for type_ in language_model.get("types", []):
            entries = []
            for value in type_["values"]:
                name = value["name"]["value"]
                for word in [name, *value["name"].get("synonyms", [])]:
                    entries.append((normalise(word), word, value.get("id") or name, name))
            entries.sort(key=lambda e: len(e[0]), reverse=True)
            self._values[type_["name"]] = entries
        self._value_patterns = {
            type_: re.compile(r"\b(" + "|".join(re.escape(e[0]) for e in entries) + r")\b")
            for type_, entries in self._values.items()
        }
        self.templates: list[_Template] = []
        for intent in language_model["intents"]:
            samples = list(intent.get("samples", []))
            if intent["name"].startswith("AMAZON."):
                samples += builtin_phrases.get(intent["name"], [])
            for sample in samples:
                self._add_template(intent["name"], sample)
        documents = len(self.templates)
        frequency = Counter(token for t in self.templates for token in set(t.tokens))
        self._idf = {token: math.log(1 + documents / count) for token, count in frequency.items()}
        self._default_idf = math.log(1 + documents)
        for template in self.templates:
            template.weight = self._weight(template.tokens)
        self._vocabulary = set(frequency) | {w for entries in self._values.values()
                                             for e in entries for w in e[0].split()}

    def _add_template(self, intent: str, sample: str) -> None:
        slot_types = self.intent_slots.get(intent, {})
        refs: list[str] = []

        def mark(match: re.Match[str]) -> str:
            refs.append(slot_types.get(match.group(1), match.group(1)))
            return f" qqslot{len(refs) - 1}qq "

        text = normalise(SLOT_MARK.sub(mark, sample))
        text = re.sub(r"qqslot(\d+)qq", lambda m: "{" + refs[int(m.group(1))] + "}", text)
        tokens = Counter(text.split())
        placeholders = Counter(t for t in tokens if t.startswith("{"))
        self.templates.append(_Template(intent, text, tokens, placeholders, sample))

    # --- slot values ----------------------------------------------------------------------------

    def _custom_spans(self, text: str) -> list[Span]:
        spans: list[Span] = []
        for type_, pattern in self._value_patterns.items():
            lookup = {e[0]: e for e in self._values[type_]}
            found = []
            for m in pattern.finditer(text):
                _norm, _heard, id_, name = lookup[m.group(1)]
                found.append(Span(m.start(), m.end(), type_, m.group(1), id_, name))
            if not found and type_ in ("SYMPTOM", "TIP_TOPIC"):
                found = self._content_word_spans(text, type_)
            if not found and type_ == "SYMPTOM":
                found = self._fuzzy_spans(text, type_)
            spans += found
        return spans

    def _content_word_spans(self, text: str, type_: str) -> list[Span]:
        """A slot phrase said in other words around the same content words: "my legs are really
        weak" has the words of "my legs are weak"; "my toes are numb" those of "numb toes"."""
        words = text.split()
        starts, position = [], 0
        for word in words:
            starts.append(position)
            position += len(word) + 1
        best: tuple[tuple[int, int], Span] | None = None
        for norm, _heard, id_, name in self._values[type_]:
            content = [w for w in norm.split() if w not in _FUNCTION_WORDS]
            if len(content) < 2 or not set(content) <= set(words):
                continue
            positions = sorted(i for i, w in enumerate(words) if w in content)
            first, last = positions[0], positions[-1]
            if last - first + 1 > len(norm.split()) + 3:
                continue
            span = Span(starts[first], starts[last] + len(words[last]), type_, " ".join(words[first:last + 1]),
                        id_, name)
            rank = (len(content), len(norm))
            if best is None or rank > best[0]:
                best = (rank, span)
        return [best[1]] if best else []

    def _fuzzy_spans(self, text: str, type_: str) -> list[Span]:
        """A long slot phrase said with a small difference ("my legs have gone all weak")."""
        best: tuple[float, Span] | None = None
        for norm, _heard, id_, name in self._values[type_]:
            if len(norm) < 12 or len(norm) > len(text) + 4:
                continue
            alignment = fuzz.partial_ratio_alignment(norm, text, score_cutoff=88)
            if alignment is None:
                continue
            start, end = alignment.dest_start, alignment.dest_end
            # widen to whole words
            while start > 0 and text[start - 1] != " ":
                start -= 1
            while end < len(text) and text[end] != " ":
                end += 1
            score = alignment.score + len(norm) / 100
            if best is None or score > best[0]:
                best = (score, Span(start, end, type_, text[start:end], id_, name))
        return [best[1]] if best else []

    # --- scoring ----------------------------------------------------------------------------------

    def _variants(self, text: str) -> list[tuple[str, list[Span]]]:
        durations = find_durations(text)
        times = find_times(text, durations)
        by_type: dict[str, list[Span]] = {}
        for span in [*durations, *times, *self._custom_spans(text)]:
            by_type.setdefault(span.type, []).append(span)
        types = list(by_type)
        variants = []
        for choice in product((False, True), repeat=len(types)):
            chosen = [s for t, use in zip(types, choice, strict=True) if use for s in by_type[t]]
            chosen.sort(key=lambda s: (s.start, -(s.end - s.start)))
            if any(a.end > b.start for a, b in pairwise(chosen)):
                continue
            pieces, last = [], 0
            for span in chosen:
                pieces += [text[last:span.start], "{" + span.type + "}"]
                last = span.end
            pieces.append(text[last:])
            variants.append((" ".join(" ".join(pieces).split()), chosen))
        return variants

    def _unknown_share(self, tokens: Counter) -> float:
        """How much of what was said (weighted by rarity) the model has never heard of:
        "what's the weather" is mostly unknown words, "my back is aching" is not."""
        default = self._default_idf
        total = sum(n * self._idf.get(t, default) for t, n in tokens.items() if not t.startswith("{"))
        unknown = sum(n * default for t, n in tokens.items() if t not in self._vocabulary and not t.startswith("{"))
        return unknown / total if total else 0.0

    def _weight(self, tokens: Counter) -> float:
        return sum(n * self._idf.get(t, self._default_idf) for t, n in tokens.items())

    def _overlap(self, tokens: Counter, weight: float, template: _Template) -> float:
        """IDF-weighted Dice overlap of the words: rare shared words count most."""
        other = template.tokens
        idf, default = self._idf, self._default_idf
        common = sum(min(n, other[t]) * idf.get(t, default) for t, n in tokens.items() if t in other)
        total = weight + template.weight
        return 2 * common / total if total else 0.0

    def _score(self, variant: str, tokens: Counter, placeholders: Counter, template: _Template,
               weight: float) -> float:
        chars = fuzz.ratio(variant, template.text) / 100
        words = self._overlap(tokens, weight, template)
        score = 0.45 * chars + 0.55 * words
        mismatch = sum(((placeholders - template.placeholders) + (template.placeholders - placeholders)).values())
        return score - 0.12 * mismatch

    # --- public API -------------------------------------------------------------------------------

    def parse_invocation(self, utterance: str) -> tuple[bool, str]:
        """("open back care coach" -> (True, ""); "ask back care coach to X" -> (True, "X"))."""
        text = normalise(utterance)
        name = re.escape(self.invocation_name)
        launch = re.fullmatch(rf"(?:alexa )?(?:(?:please )?(?:open|launch|start|run|begin|load|use|play"
                              rf"|talk to|ask|tell|go to|enable|let us talk to|i want to talk to) )?{name}"
                              rf"(?: please)?", text)
        if launch:
            return True, ""
        one_shot = re.fullmatch(rf"(?:alexa )?(?:ask|tell|use|open|start|launch|get|have) {name}"
                                rf"(?: (?:to|for|about|if|whether|that|and|how|what|when|why))?(?: (?P<rest>.+))?",
                                text)
        if one_shot:
            rest = one_shot["rest"] or ""
            # "ask back care coach what causes..." keeps the question word
            prefix_kept = re.match(rf"(?:alexa )?\w+ {name} (how|what|when|why) ", text)
            if prefix_kept:
                rest = f"{prefix_kept.group(1)} {rest}"
            return True, rest
        suffix = re.fullmatch(rf"(?:alexa )?(?P<rest>.+?) (?:with|using|from|on|in) {name}", text)
        if suffix:
            return True, suffix["rest"]
        return False, text

    def resolve(self, utterance: str) -> Resolution:
        invoked, rest = self.parse_invocation(utterance)
        if invoked and not rest:
            return Resolution(LAUNCH, {}, 1.0, utterance, invoked=True)
        text = strip_fillers(rest)
        if not text:
            return Resolution(FALLBACK, {}, 0.0, utterance, invoked=invoked)
        best: dict[str, tuple[float, _Template, list[Span]]] = {}
        variants = self._variants(text)
        all_spans = sorted({span for _, spans in variants for span in spans}, key=lambda s: (s.start, s.type))
        for variant, spans in variants:
            tokens = Counter(variant.split())
            placeholders = Counter(t for t in tokens if t.startswith("{"))
            unknown = self._unknown_share(tokens)
            weight = self._weight(tokens)
            for template in self.templates:
                score = self._score(variant, tokens, placeholders, template, weight) - UNKNOWN_WORD_PENALTY * unknown
                if template.intent not in best or score > best[template.intent][0]:
                    best[template.intent] = (score, template, spans)
        symptom = next((s for s in all_spans if s.type == "SYMPTOM"), None)
        if symptom is not None and REPORT in best and text.split()[0] not in _QUESTION_WORDS:
            # Naming a symptom is strong evidence in itself, however the rest is worded.
            evidence = SYMPTOM_EVIDENCE_FLOOR + (1 - SYMPTOM_EVIDENCE_FLOOR) * (symptom.end - symptom.start) / len(text)
            report_score, report_template, report_spans = best[REPORT]
            if evidence > report_score:
                best[REPORT] = (evidence, report_template, [*report_spans, symptom])
        score, template, spans = max(best.values(), key=lambda entry: entry[0])
        confidence = max(0.0, min(1.0, score))
        if confidence < self.threshold:
            return Resolution(FALLBACK, {}, confidence, utterance, invoked=invoked)
        slots = self._assign_slots(template.intent, text, self._with_unused(template.intent, spans, all_spans))
        if template.intent == REPORT and "symptom" in slots and symptom is not None:
            denial = self._denial(text, symptom)
            if denial:
                return Resolution(denial, {}, confidence, utterance, template.original, invoked)
        return Resolution(template.intent, slots, confidence, utterance, template.original, invoked)

    @staticmethod
    def _denial(text: str, symptom: Span) -> str | None:
        """"I don't have a fever" is an answer, not a report: a no (or an unsure when the user
        says they cannot tell). Only the words before the symptom are read."""
        before = text[:symptom.start].split()[-6:]
        if not _NEGATIONS & set(before):
            return None
        return "UnsureIntent" if _UNCERTAINTY & set(before) else "AMAZON.NoIntent"

    def _with_unused(self, intent: str, chosen: list[Span], others: list[Span]) -> list[Span]:
        """The best variant's slot values, plus values of the intent's other slot types that it
        left as words (a time in "remind me to stop slouching every hour" still fills the interval)."""
        result = list(chosen)
        chosen_types = {s.type for s in chosen}
        wanted = set(self.intent_slots.get(intent, {}).values())
        for span in others:
            if (span.type in chosen_types or span.type not in wanted
                    or any(span.start < c.end and c.start < span.end for c in result)):
                continue
            result.append(span)
        return sorted(result, key=lambda s: s.start)

    def _assign_slots(self, intent: str, text: str, spans: list[Span]) -> dict[str, SlotValue]:
        declared = self.intent_slots.get(intent, {})
        slots: dict[str, SlotValue] = {}
        for slot_type in set(declared.values()):
            names = [n for n, t in declared.items() if t == slot_type]
            found = [s for s in spans if s.type == slot_type]
            if not found:
                continue
            if len(names) == 1:
                span = found[0]
                slots[names[0]] = SlotValue(names[0], span.value, slot_type, span.id, span.name)
                continue
            # several slots of one type (startTime/endTime): the word before each value decides
            remaining = list(names)
            for span in found:
                before = text[:span.start].split()[-1:] or [""]
                wants_end = before[0] in ("to", "until", "till", "and", "before", "by")
                pick = next((n for n in remaining if ("end" in n.lower()) == wants_end), None)
                pick = pick or (remaining[0] if remaining else None)
                if pick:
                    remaining.remove(pick)
                    slots[pick] = SlotValue(pick, span.value, slot_type, span.id, span.name)
        return slots


@cache
def builtin_phrases() -> dict[str, list[str]]:
    data = json.loads((Path(__file__).with_name("builtin_phrases.json")).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


@cache
def load_nlu(locale: str = "en-US", directory: str | None = None) -> Nlu:
    """The NLU for one locale, built once per process."""
    path = Path(directory) if directory else models_dir()
    model = json.loads((path / f"{locale}.json").read_text(encoding="utf-8"))
    return Nlu(model, builtin_phrases())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare nlu", description="Resolve an utterance to intent and slots.")
    parser.add_argument("utterance", nargs="+", help="what the user says")
    parser.add_argument("--locale", default="en-US", choices=LOCALES)
    parser.add_argument("--models", help="directory with <locale>.json (default: interaction_models/)")
    parser.add_argument("--explain", action="store_true", help="also print the sample that matched")
    args = parser.parse_args(argv)
    result = load_nlu(args.locale, args.models).resolve(" ".join(args.utterance))
    output = result.to_json()
    if args.explain:
        output["sample"] = result.matched_sample
    json.dump(output, sys.stdout)
    sys.stdout.write("\n")
    return 0
