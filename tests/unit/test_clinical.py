"""Provenance: every clinical text key has a source in docs/clinical.md, every entry there names
keys that exist and sources that are defined, and the question table matches the triage module
and the words the skill says."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field

import pytest

from backcare.content import GENERIC, strip_ssml, texts
from backcare.handlers.check import QUESTION_TEXTS
from backcare.triage import QUESTIONS
from support import ROOT

DOC = ROOT / "docs" / "clinical.md"
# The areas whose keys this file must cover, by prefix; the exercise and check-in area adds its
# rows to the same file (its test below fails, naming the keys, until it does).
AREAS = {
    "triage, outcomes, tips and information": ("question.", "outcome.", "advice.", "emergency.", "tips.", "info."),
    "exercise programme and check-in": ("exercise.", "checkin.", "change."),
}


def _code_spans(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


@dataclass
class ClinicalDoc:
    text: str
    prefixes: list[str] = field(default_factory=list)
    extra_keys: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    questions: list[list[str]] = field(default_factory=list)  # rows: #, id, level, wording, sources
    statements: list[tuple[list[str], list[str]]] = field(default_factory=list)  # (key patterns, source ids)
    not_clinical: list[str] = field(default_factory=list)

    @property
    def patterns(self) -> list[str]:
        return [p for keys, _ in self.statements for p in keys] + self.not_clinical


def _tables(section: str) -> list[list[list[str]]]:
    """The markdown tables of a section, as rows of cells (header and separator dropped)."""
    tables, rows = [], []
    for line in [*section.splitlines(), ""]:
        if line.startswith("|"):
            rows.append([cell.strip() for cell in line.strip().strip("|").split("|")])
        elif rows:
            tables.append([row for row in rows[2:]])
            rows = []
    return tables


def parse(text: str) -> ClinicalDoc:
    doc = ClinicalDoc(text)
    for line in text.splitlines():
        if line.startswith("Clinical key prefixes:"):
            doc.prefixes = _code_spans(line)
        elif line.startswith("Clinical keys outside those prefixes:"):
            doc.extra_keys = _code_spans(line)
    sections = re.split(r"^## ", text, flags=re.M)
    for section in sections:
        title = section.splitlines()[0] if section else ""
        for table in _tables(section):
            for row in table:
                if title.startswith("Sources"):
                    doc.sources[row[0]] = row[1]
                elif title.startswith("Red-flag questions"):
                    doc.questions.append(row)
                elif title.startswith("Keys under clinical prefixes that state nothing clinical"):
                    doc.not_clinical += _code_spans(row[0])
                elif len(row) == 5 and _code_spans(row[0]):  # statement tables: keys, states, sources, version, review
                    doc.statements.append((_code_spans(row[0]), [s.strip() for s in row[2].split(",") if s.strip()]))
    return doc


@pytest.fixture(scope="module")
def doc() -> ClinicalDoc:
    return parse(DOC.read_text(encoding="utf-8"))


def all_keys() -> list[str]:
    return list(texts(GENERIC).texts)


def question_keys() -> dict[str, tuple[str, ...]]:
    return {qid: (keys.ask, keys.reask, keys.why) for qid, keys in QUESTION_TEXTS.items()}


def covered(doc: ClinicalDoc, key: str) -> bool:
    if any(key in keys for keys in question_keys().values()):
        return True
    return any(fnmatch.fnmatchcase(key, pattern) for pattern in doc.patterns)


AREAS_ALL = tuple(p for prefixes in AREAS.values() for p in prefixes)


def test_the_rule_in_the_doc_is_the_rule_the_test_applies(doc):
    assert sorted(doc.prefixes) == sorted(AREAS_ALL), f"docs/clinical.md prefixes {doc.prefixes}"
    assert doc.extra_keys, "no clinical keys outside the prefixes listed"


@pytest.mark.parametrize("area", AREAS)
def test_every_clinical_key_has_a_source_entry(doc, area):
    prefixes = AREAS[area]
    keys = [k for k in all_keys() if k.startswith(prefixes)]
    if area == next(iter(AREAS)):
        keys += doc.extra_keys
    missing = [key for key in keys if not covered(doc, key)]
    assert not missing, f"clinical keys ({area}) with no entry in docs/clinical.md:\n" + "\n".join(missing)


def test_every_entry_names_keys_that_exist(doc):
    keys = set(all_keys())
    stale = [p for p in [*doc.patterns, *doc.extra_keys] if not fnmatch.filter(keys, p)]
    assert not stale, "docs/clinical.md names keys that no longer exist:\n" + "\n".join(stale)


def test_every_entry_is_clinical_and_listed_once(doc):
    patterns = doc.patterns
    assert len(patterns) == len(set(patterns)), "a key is listed twice"
    keys = all_keys()
    for pattern in patterns:
        for key in fnmatch.filter(keys, pattern):
            assert key.startswith(AREAS_ALL) or key in doc.extra_keys, f"{key} is listed but not clinical"


def test_every_cited_source_is_defined_and_every_source_is_cited(doc):
    cited = {s for _, sources in doc.statements for s in sources}
    cited |= {s.strip() for row in doc.questions for s in row[4].split(",")}
    undefined = cited - set(doc.sources)
    assert not undefined, f"sources cited but not defined: {sorted(undefined)}"
    assert doc.statements and all(sources for _, sources in doc.statements), "a statement without a source"
    unused = set(doc.sources) - cited
    assert not unused, f"sources never cited: {sorted(unused)}"


def test_questions_table_matches_the_triage_module_and_the_words_said(doc):
    t = texts(GENERIC)
    rows = doc.questions
    assert [row[1].strip("`") for row in rows] == [q.id for q in QUESTIONS], "question ids or order differ"
    for row, question in zip(rows, QUESTIONS, strict=True):
        _, _, level, wording, sources = row
        assert level == question.level.name, f"{question.id}: level {level} in the doc, {question.level.name} in code"
        said = strip_ssml(t.say(QUESTION_TEXTS[question.id].ask))
        assert wording == said, f"{question.id}: the doc says {wording!r}, the skill says {said!r}"
        assert sources.strip(), f"{question.id}: no source"


def test_the_doc_names_version_review_date_reviewer_and_changes(doc):
    assert re.search(r"Content version: \*\*v2\*\*", doc.text), "no content version"
    assert re.search(r"Review by: \d{4}-\d{2}-\d{2}", doc.text), "no review date"
    assert re.search(r"clinician must review", doc.text), "does not say a clinician must review it"
    assert "## What changed from v1" in doc.text
    versions = re.findall(r"\| (v\d+) \| (\d{4}-\d{2}-\d{2}) \|", doc.text)
    assert len(versions) == len(doc.statements), "every statement row has a version and a review date"


def test_the_parser_sees_a_missing_and_a_stale_entry():
    text = DOC.read_text(encoding="utf-8").replace("`tips.movement` ", "").replace(
        "`outcome.end`", "`outcome.end` `outcome.retired`")
    broken = parse(text)
    assert not covered(broken, "tips.movement")
    assert "outcome.retired" in broken.patterns and not fnmatch.filter(all_keys(), "outcome.retired")
