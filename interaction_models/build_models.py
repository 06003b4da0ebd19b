"""Generate the five interaction models from the data files in sources/, and validate them.

    python interaction_models/build_models.py            # write <locale>.json beside this file
    python interaction_models/build_models.py --check    # validate, and fail if a committed file differs

Sources (one value per line; blank lines and lines starting with # are ignored):

    sources/intents.txt                         every intent, in model order, with its slots
                                                ("ReportSymptomIntent symptom:SYMPTOM")
    sources/common/samples/<Intent>.txt         samples every locale shares
    sources/common/types/<TYPE>/<id>.txt        a slot value: first line its name, then synonyms
    sources/<locale>/samples/<Intent>.txt       samples only that locale adds (GP, A and E, ...)
    sources/<locale>/types/<TYPE>/<id>.txt      synonyms that locale adds (bum, wee, ...); for the
                                                symptoms (SHARED_IN_EVERY_LOCALE) every locale gets them
    sources/common/classes/<name>.txt           a vocabulary class: words that fill the same place
                                                ("a and e", "casualty", "the e r"); a sample or synonym
                                                line that says <name> stands for one line per member,
                                                so every frame gets the whole class (classes may use
                                                classes)

The committed <locale>.json files are the deploy artefact; a test checks they equal this output.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path

INVOCATION_NAME = "back care coach"
LOCALES = ("en-US", "en-GB", "en-CA", "en-AU", "en-IN")
HERE = Path(__file__).resolve().parent
SOURCES = HERE / "sources"

# Alexa's limits and character rules for what we write (numbers are spelled out).
MAX_SAMPLE_CHARS = 200
MAX_VALUE_CHARS = 140
SAMPLE_WORDS = re.compile(r"^[a-z][a-z' .\-]*$")
VALUE_TEXT = re.compile(r"^[a-z][a-z' .\-]*$")
SLOT_REF = re.compile(r"\{([^{}]*)\}")
CLASS_REF = re.compile(r"<([a-z_]+)>")
MAX_CLASS_DEPTH = 4
# Safety vocabulary is shared: a red flag said in any region's words ("bum", "butt", "wee",
# "loo") is understood in every locale (people travel and move; many use an en-US device).
# For these types every locale's extras are merged into every locale, its own first.
SHARED_IN_EVERY_LOCALE = ("SYMPTOM",)
NAME = re.compile(r"^[A-Za-z][A-Za-z_]*$")


class SourceError(ValueError):
    """The sources break a rule the Alexa build (or our contract) would reject."""


def read_lines(path: Path) -> list[str]:
    if not path.is_file():
        return []
    lines = (line.strip() for line in path.read_text(encoding="utf-8").splitlines())
    return [" ".join(line.split()) for line in lines if line and not line.startswith("#")]


@dataclass(frozen=True)
class IntentSpec:
    name: str
    slots: tuple[tuple[str, str], ...]  # (slot name, slot type)


def read_intents(root: Path = SOURCES) -> list[IntentSpec]:
    intents = []
    for line in read_lines(root / "intents.txt"):
        name, *slots = line.split()
        pairs = tuple(tuple(slot.split(":", 1)) for slot in slots)
        if any(len(pair) != 2 for pair in pairs):
            raise SourceError(f"intents.txt: {line!r}: slots are written name:TYPE")
        intents.append(IntentSpec(name, pairs))  # type: ignore[arg-type]
    return intents


def unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    return [item for item in items if not (item in seen or seen.add(item))]


def read_class(name: str, root: Path = SOURCES) -> list[str]:
    path = root / "common" / "classes" / f"{name}.txt"
    members = read_lines(path)
    if not members:
        raise SourceError(f"{path}: no such vocabulary class (or it is empty)")
    return members


def expand_classes(lines: list[str], root: Path = SOURCES, where: str = "", depth: int = 0) -> list[str]:
    """Each line with <name> becomes one line per member of that class (all combinations)."""
    out: list[str] = []
    for line in lines:
        ref = CLASS_REF.search(line)
        if not ref:
            out.append(line)
            continue
        if depth >= MAX_CLASS_DEPTH:
            raise SourceError(f"{where}: {line!r}: classes nested more than {MAX_CLASS_DEPTH} deep")
        filled = [" ".join((line[:ref.start()] + member + line[ref.end():]).split())
                  for member in read_class(ref.group(1), root)]
        out += expand_classes(filled, root, where, depth + 1)
    return out


def samples_for(intent: str, locale: str, root: Path = SOURCES) -> list[str]:
    common = root / "common" / "samples" / f"{intent}.txt"
    own = root / locale / "samples" / f"{intent}.txt"
    return unique(expand_classes(read_lines(common), root, str(common))
                  + expand_classes(read_lines(own), root, str(own)))


def slot_types(root: Path = SOURCES) -> list[str]:
    return sorted(p.name for p in (root / "common" / "types").iterdir() if p.is_dir())


def values_for(type_name: str, locale: str, root: Path = SOURCES) -> list[dict]:
    values = []
    for path in sorted((root / "common" / "types" / type_name).glob("*.txt")):
        words = read_lines(path)
        if not words:
            raise SourceError(f"{path}: empty (first line is the value's name)")
        if CLASS_REF.search(words[0]):
            raise SourceError(f"{path}: the value's name (first line) cannot use a class")
        words = expand_classes(words, root, str(path))
        sources = [locale, *(other for other in LOCALES if other != locale)] \
            if type_name in SHARED_IN_EVERY_LOCALE else [locale]
        extra = [word for source in sources
                 for word in expand_classes(read_lines(root / source / "types" / type_name / path.name), root,
                                            str(root / source / "types" / type_name / path.name))]
        name, synonyms = words[0], [w for w in unique(words[1:] + extra) if w != words[0]]
        values.append({"id": path.stem, "name": {"value": name, "synonyms": synonyms}})
    for path in (root / locale / "types" / type_name).glob("*.txt"):
        if not (root / "common" / "types" / type_name / path.name).is_file():
            raise SourceError(f"{path}: no common value {type_name}/{path.name} to add synonyms to")
    return values


def build_model(locale: str, root: Path = SOURCES) -> dict:
    intents = []
    for spec in read_intents(root):
        intent: dict = {"name": spec.name, "samples": samples_for(spec.name, locale, root)}
        if spec.slots:
            intent["slots"] = [{"name": slot, "type": type_} for slot, type_ in spec.slots]
        intents.append(intent)
    types = [{"name": name, "values": values_for(name, locale, root)} for name in slot_types(root)]
    model = {"interactionModel": {"languageModel": {
        "invocationName": INVOCATION_NAME, "intents": intents, "types": types}}, "version": "1"}
    problems = validate(model, locale, root)
    if problems:
        raise SourceError(f"{locale}: " + "\n  ".join(problems))
    return model


def validate(model: dict, locale: str, root: Path = SOURCES) -> list[str]:
    """Everything the ASK build would reject or that would make two intents ambiguous."""
    language = model["interactionModel"]["languageModel"]
    problems: list[str] = []
    declared_types = {t["name"] for t in language["types"]}
    known = {i["name"] for i in language["intents"]}
    for folder in (root / "common" / "samples", root / locale / "samples"):
        for path in folder.glob("*.txt"):
            if path.stem not in known:
                problems.append(f"{path}: no intent {path.stem} in intents.txt")
    owner: dict[str, str] = {}
    for intent in language["intents"]:
        name = intent["name"]
        if not NAME.match(name.removeprefix("AMAZON.")):
            problems.append(f"intent name {name!r} has characters Alexa rejects")
        slots = {s["name"]: s["type"] for s in intent.get("slots", [])}
        for slot, type_ in slots.items():
            if not NAME.match(slot):
                problems.append(f"{name}: slot name {slot!r} is invalid")
            if not type_.startswith("AMAZON.") and type_ not in declared_types:
                problems.append(f"{name}.{slot}: slot type {type_} has no values in sources/common/types")
        used: set[str] = set()
        for sample in intent["samples"]:
            refs = SLOT_REF.findall(sample)
            used |= set(refs)
            words = " ".join(SLOT_REF.sub(" ", sample).split())
            if set(refs) - set(slots):
                problems.append(f"{name}: {sample!r} uses undeclared slots {sorted(set(refs) - set(slots))}")
            if len(sample) > MAX_SAMPLE_CHARS:
                problems.append(f"{name}: sample longer than {MAX_SAMPLE_CHARS} characters: {sample!r}")
            if words and not SAMPLE_WORDS.match(words):
                problems.append(f"{name}: {sample!r} has characters Alexa rejects (lower case, numbers as words)")
            if re.search(r"\}\s*\{", sample) or re.search(r"\w\{|\}\w", sample):
                problems.append(f"{name}: {sample!r} has adjacent or glued slots")
            if sample in owner:
                problems.append(f"{sample!r} is in {owner[sample]} and {name}")
            owner[sample] = name
        if set(slots) - used:
            problems.append(f"{name}: slots never used in a sample: {sorted(set(slots) - used)}")
    for type_ in language["types"]:
        seen: dict[str, str] = {}
        for value in type_["values"]:
            for word in [value["name"]["value"], *value["name"]["synonyms"]]:
                if len(word) > MAX_VALUE_CHARS or not VALUE_TEXT.match(word):
                    problems.append(f"{type_['name']}/{value['id']}: bad slot value {word!r}")
                if word in seen and seen[word] != value["id"]:
                    problems.append(f"{type_['name']}: {word!r} is in both {seen[word]} and {value['id']}")
                seen[word] = value["id"]
    return problems


def render(locale: str, root: Path = SOURCES) -> str:
    return json.dumps(build_model(locale, root), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    check = "--check" in args
    out_dir = Path(next((a for a in args if not a.startswith("--")), HERE))
    stale = []
    for locale in LOCALES:
        try:
            text = render(locale)
        except SourceError as error:
            print(f"error: {error}", file=sys.stderr)
            return 1
        path = out_dir / f"{locale}.json"
        if check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path}")
    if stale:
        print(f"out of date: {', '.join(stale)}: run python interaction_models/build_models.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
