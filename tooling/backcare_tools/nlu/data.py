"""What the NLU learns from: one locale's interaction model (samples, slots, slot values) plus
the usual phrasings of Alexa's built-in intents (builtin_phrases.json), turned into training
examples. Slot samples are expanded with slot values, as Alexa does when it builds a model."""

from __future__ import annotations

import hashlib
import json
import random
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

from backcare_tools.nlu.text import drop_now, normalise

SLOT_REF = re.compile(r"\{(\w+)\}")
NONE = "-"  # the "no value here" label of a slot-value classifier

# What people say for AMAZON.DURATION and AMAZON.TIME, to fill samples while training.
BUILT_IN_VALUES: dict[str, tuple[str, ...]] = {
    "AMAZON.DURATION": ("hour", "an hour", "half an hour", "thirty minutes", "two hours", "forty five minutes",
                        "ninety minutes", "hour and a half", "twenty minutes", "three hours"),
    "AMAZON.TIME": ("three pm", "nine am", "five", "nine in the morning", "noon", "half past four", "seven thirty",
                    "six in the evening", "morning", "evening", "ten o'clock", "quarter past eight"),
}
EXPANSIONS_PER_SAMPLE = 6
CARRIERS_PER_VALUE = 2  # each synonym is also learned inside this many of its intent's sentences
BARE_SLOT_EXAMPLES = 600  # at most this many synonyms fill a bare "{slot}" sample for the intent classifier
FRAGMENT_WORDS = 3  # pieces of sentences without a value, up to this long, teach "no value here"


@dataclass(frozen=True)
class Value:
    id: str
    name: str
    words: tuple[str, ...]  # normalised name and synonyms


@dataclass
class ModelData:
    """One locale's model, read for learning."""

    invocation_name: str
    intent_slots: dict[str, dict[str, str]]  # intent -> slot name -> slot type
    samples: dict[str, list[str]]            # intent -> samples (model samples + built-in phrases)
    values: dict[str, list[Value]]           # custom slot type -> values
    digest: str = field(default="")

    def slot_types(self) -> set[str]:
        return {t for slots in self.intent_slots.values() for t in slots.values()}


@cache
def builtin_phrases() -> dict[str, list[str]]:
    text = resources.files("backcare_tools").joinpath("builtin_phrases.json").read_text(encoding="utf-8")
    return {k: v for k, v in json.loads(text).items() if not k.startswith("_")}


def read_model(model: dict[str, Any], phrases: dict[str, list[str]] | None = None) -> ModelData:
    phrases = builtin_phrases() if phrases is None else phrases
    language = model["interactionModel"]["languageModel"]
    intent_slots = {i["name"]: {s["name"]: s["type"] for s in i.get("slots", [])} for i in language["intents"]}
    samples: dict[str, list[str]] = {}
    for intent in language["intents"]:
        extra = phrases.get(intent["name"], []) if intent["name"].startswith("AMAZON.") else []
        samples[intent["name"]] = list(dict.fromkeys([*intent.get("samples", []), *extra]))
    samples["AMAZON.FallbackIntent"] = list(phrases.get("AMAZON.FallbackIntent", []))
    values = {}
    for type_ in language.get("types", []):
        values[type_["name"]] = [
            Value(v["id"], v["name"]["value"],
                  tuple(dict.fromkeys(normalise(w) for w in [v["name"]["value"], *v["name"].get("synonyms", [])])))
            for v in type_["values"]
        ]
    digest = hashlib.sha256(json.dumps([model, phrases], sort_keys=True).encode()).hexdigest()
    return ModelData(language.get("invocationName", ""), intent_slots, samples, values, digest)


def _fillers(data: ModelData, slot_type: str) -> list[str]:
    if slot_type in data.values:
        return [w for value in data.values[slot_type] for w in value.words]
    return list(BUILT_IN_VALUES.get(slot_type, ("something",)))


def expand(data: ModelData, intent: str, sample: str, rng: random.Random) -> list[str]:
    """A sample with its slots filled: every value for a bare "{slot}" sample, a few otherwise."""
    refs = SLOT_REF.findall(sample)
    if not refs:
        return [normalise(sample)]
    types = data.intent_slots.get(intent, {})
    pools = [_fillers(data, types.get(ref, "")) for ref in refs]
    if sample.strip() == "{" + refs[0] + "}" and len(refs) == 1:
        return list(dict.fromkeys(pools[0]))
    count = EXPANSIONS_PER_SAMPLE
    filled = []
    for _ in range(count):
        text = sample
        for ref, pool in zip(refs, pools, strict=True):
            text = text.replace("{" + ref + "}", rng.choice(pool), 1)
        filled.append(normalise(text))
    return list(dict.fromkeys(filled))


def intent_examples(data: ModelData, seed: int = 7) -> tuple[list[str], list[str]]:
    """(texts, intents) for the intent classifier ("now" dropped, as from what people say)."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    for intent, samples in data.samples.items():
        for sample in samples:
            filled = expand(data, intent, sample, rng)
            if len(filled) > BARE_SLOT_EXAMPLES:
                # a bare "{symptom}" filled with every synonym would drown the intent's other
                # sentences ("I've done something to my back"); the value classifier learns them all
                filled = rng.sample(filled, BARE_SLOT_EXAMPLES)
            texts += [drop_now(text) for text in filled]
            labels += [intent] * len(filled)
    return texts, labels


def value_examples(data: ModelData, slot_type: str, seed: int = 11) -> tuple[list[str], list[str]]:
    """(texts, value ids or NONE) for one custom slot type's value classifier: every synonym is
    an example of its value; sentences of intents without the slot (and slot samples with the
    slot left out) are examples of no value."""
    rng = random.Random(seed)
    texts: list[str] = []
    labels: list[str] = []
    synonyms: set[str] = set()
    carriers = [sample for intent, samples in data.samples.items()
                for sample in samples if _only_slot_of(data, intent, sample, slot_type)]
    for value in data.values[slot_type]:
        texts += value.words
        labels += [value.id] * len(value.words)
        synonyms |= set(value.words)
        # ... and said inside the intent's own sentences ("no but i {symptom}"), so that a whole
        # utterance reads as that value, not only the words of the value
        for word in value.words:
            for carrier in rng.sample(carriers, min(len(carriers), CARRIERS_PER_VALUE)):
                texts.append(normalise(SLOT_REF.sub(word, carrier)))
                labels.append(value.id)
    sentences: set[str] = set()
    for intent, samples in data.samples.items():
        has_type = slot_type in data.intent_slots.get(intent, {}).values()
        for sample in samples:
            if has_type and SLOT_REF.search(sample):
                # the words around the slot, each side on its own
                sentences |= {normalise(part) for part in SLOT_REF.split(sample)[::2] if normalise(part)}
                continue
            sentences |= set(expand(data, intent, sample, rng)[:2])
    # Whole sentences and their short pieces, since the resolver reads spans of an utterance.
    negatives = {piece for sentence in sentences for piece in pieces(sentence, FRAGMENT_WORDS)} | sentences
    # the values of the other slot types ("heat or cold", "holiday", "posture") are not this type's
    negatives |= {word for other, values in data.values.items() if other != slot_type
                  for value in values for word in value.words}
    negatives -= synonyms
    texts += sorted(negatives)
    labels += [NONE] * len(negatives)
    return texts, labels


def _only_slot_of(data: ModelData, intent: str, sample: str, slot_type: str) -> bool:
    refs = SLOT_REF.findall(sample)
    return len(refs) == 1 and data.intent_slots.get(intent, {}).get(refs[0]) == slot_type and sample != f"{{{refs[0]}}}"


def pieces(sentence: str, longest: int) -> list[str]:
    words = sentence.split()
    return [" ".join(words[i:j]) for i in range(len(words)) for j in range(i + 1, min(len(words), i + longest) + 1)]
