"""How long every prompt takes to say, per locale, with the prompts over a limit flagged.

Durations come from espeak-ng (see `speech` for the voice and pace), cached on disk, so a
second run is quick. They estimate Alexa's timing; the limits are the product's:
- a red-flag question (ask or reask) over 6 s or over 15 words;
- an answer (a tip page, an information answer, an outcome, advice) over 20 s; the causes
  answer over 15 s (its details are on the card);
- any other prompt over 30 s, and Alexa's 240 s of audio or 8000 characters of speech per
  response (a prompt alone over those can never be sent);
- the all-no check (intro, the 16 questions with the "OK." said between them, the SELF_CARE
  outcome) over 100 s, in the per-locale summary.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backcare_tools.audio import speech
from backcare_tools.audio.render import measure_items
from backcare_tools.audio.ssml import Speech, parse_ssml, word_count

RED_FLAG_QUESTION_MAX_S = 6.0
QUESTION_MAX_WORDS = 15
ANSWER_MAX_S = 20.0
CAUSES_MAX_S = 15.0
PROMPT_MAX_S = 30.0
ALL_NO_MAX_S = 100.0
RESPONSE_MAX_S = 240.0
RESPONSE_MAX_CHARS = 8000


@dataclass(frozen=True)
class Prompt:
    key: str
    kind: str
    text: str


@dataclass(frozen=True)
class Row:
    locale: str
    key: str
    kind: str
    seconds: float
    words: int
    chars: int
    flags: tuple[str, ...]
    text: str


def is_red_flag_question(prompt: Prompt) -> bool:
    """The catalog's "question" kind is exactly the triage questions (`question.<id>.ask`)."""
    return prompt.kind == "question"


def is_answer(prompt: Prompt) -> bool:
    from backcare_tools.audio.catalog import ANSWER_KINDS

    return prompt.kind in ANSWER_KINDS


def causes_key() -> str:
    from backcare.handlers.info import INFO_TEXTS

    return INFO_TEXTS["CausesIntent"].speech


def answer_limit(prompt: Prompt) -> float:
    return CAUSES_MAX_S if prompt.key == causes_key() else ANSWER_MAX_S


PLACEHOLDER = re.compile(r"{(\w+)}")
PLACEHOLDER_SAMPLE = "two"  # what a field only a handler knows ({number}, {time}) is measured as


def speakable(text: str) -> str:
    return PLACEHOLDER.sub(PLACEHOLDER_SAMPLE, text)


def flags_for(prompt: Prompt, seconds: float) -> tuple[str, ...]:
    flags = []
    if is_red_flag_question(prompt) and seconds > RED_FLAG_QUESTION_MAX_S:
        flags.append(f"red-flag question > {RED_FLAG_QUESTION_MAX_S:g} s")
    if prompt.kind in ("question", "reask") and word_count(speakable(prompt.text)) > QUESTION_MAX_WORDS:
        flags.append(f"red-flag question > {QUESTION_MAX_WORDS} words")
    if is_answer(prompt) and seconds > answer_limit(prompt):
        flags.append(f"answer > {answer_limit(prompt):g} s")
    if seconds > PROMPT_MAX_S:
        flags.append(f"prompt > {PROMPT_MAX_S:g} s")
    if seconds > RESPONSE_MAX_S:
        flags.append(f"response audio > {RESPONSE_MAX_S:g} s")
    if len(prompt.text) > RESPONSE_MAX_CHARS:
        flags.append(f"response > {RESPONSE_MAX_CHARS} chars")
    return tuple(flags)


def as_prompt(entry: Any) -> Prompt:
    """Accept catalog entries as objects with key/kind/text or as (key, kind, text) tuples."""
    if isinstance(entry, tuple | list):
        return Prompt(*entry)
    return Prompt(entry.key, entry.kind, entry.text)


def measure(prompts: Iterable[Prompt], locale: str) -> list[Row]:
    """Rows for one locale, longest first. espeak-ng runs in parallel for the whole batch."""
    prompts = list(prompts)
    parsed = [parse_ssml(speakable(p.text), warn=lambda message: None) for p in prompts]
    voice = speech.voice_for(locale)
    speech.synthesize_many([(i.text, voice, i.style) for items in parsed for i in items if isinstance(i, Speech)])
    rows = []
    for prompt, items in zip(prompts, parsed, strict=True):
        seconds = measure_items(items, locale, warn=lambda message: None) / 1000
        rows.append(Row(locale, prompt.key, prompt.kind, round(seconds, 2), word_count(speakable(prompt.text)),
                        len(prompt.text), flags_for(prompt, seconds), prompt.text))
    return sorted(rows, key=lambda row: (-row.seconds, row.key))


Catalog = Callable[[str], Iterable[Any]]


def real_catalog() -> tuple[Catalog, tuple[str, ...]]:
    from backcare.content import LOCALES
    from backcare_tools.audio.catalog import prompt_catalog

    return prompt_catalog, tuple(LOCALES)


def build_report(locales: Iterable[str], catalog: Catalog) -> list[Row]:
    rows: list[Row] = []
    for locale in locales:
        rows += measure((as_prompt(entry) for entry in catalog(locale)), locale)
    return rows


def format_table(rows: list[Row], limit: int = 0, width: int = 70) -> str:
    """Rows as text, longest first; `limit` shows only the first N (the counts cover all)."""
    lines = [f"{'locale':6} {'sec':>6} {'words':>5}  {'kind':8} {'key':40} flags / text"]
    for row in rows[:limit] if limit else rows:
        text = " ".join(row.text.split())
        text = text if len(text) <= width else text[: width - 1] + "…"
        flag = ("!! " + "; ".join(row.flags) + " | ") if row.flags else ""
        lines.append(f"{row.locale:6} {row.seconds:6.2f} {row.words:5d}  {row.kind:8} {row.key:40} {flag}{text}")
    flagged = sum(1 for row in rows if row.flags)
    lines.append(f"{len(rows)} prompts, {flagged} over a limit "
                 f"(espeak-ng at {speech.WORDS_PER_MINUTE} words/min, an estimate of Alexa's pace)")
    return "\n".join(lines)


def to_csv(rows: list[Row]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["locale", "key", "kind", "seconds", "words", "chars", "flags", "text"])
    for row in rows:
        writer.writerow([row.locale, row.key, row.kind, f"{row.seconds:.2f}", row.words, row.chars,
                         "; ".join(row.flags), row.text])
    return buffer.getvalue()


def write_csv(rows: list[Row], path: Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(to_csv(rows), encoding="utf-8")
    return path


ACK_KEY = "check.ack"  # the "OK." the check says before the next question after a no


def all_no_keys() -> list[str]:
    """What an all-no check says, in order: the check's own list (intro, the questions, the
    SELF_CARE outcome), with the acknowledgement said before every question after the first."""
    from backcare.handlers.check import all_no_keys as keys

    listed = keys()
    if ACK_KEY in listed:  # the check lists its acknowledgements itself
        return listed
    intro, questions, outcome = listed[0], listed[1:-1], listed[-1]
    spoken = [intro, questions[0]]
    for question in questions[1:]:
        spoken += [ACK_KEY, question]
    return [*spoken, outcome]


@dataclass(frozen=True)
class LocaleSummary:
    locale: str
    longest_question: Row | None
    longest_outcome: Row | None
    all_no_seconds: float | None  # None when a key of the all-no path is missing from the catalog
    all_no_missing: tuple[str, ...]
    longest_answer: Row | None = None
    all_no_parts: int = 0
    flagged: int = 0  # rows of this locale over a limit

    @property
    def all_no_over(self) -> bool:
        return self.all_no_seconds is None or self.all_no_seconds > ALL_NO_MAX_S


def summarize(rows: list[Row], locale: str, all_no: list[str] | None = None) -> LocaleSummary:
    from backcare_tools.audio.catalog import ANSWER_KINDS

    mine = [row for row in rows if row.locale == locale]
    by_key = {row.key: row for row in mine}
    questions = [row for row in mine if row.kind == "question"]
    outcomes = [row for row in mine if row.kind == "outcome"]
    answers = [row for row in mine if row.kind in ANSWER_KINDS]
    keys = all_no if all_no is not None else all_no_keys()
    missing = tuple(dict.fromkeys(key for key in keys if key not in by_key))
    total = None if missing else round(sum(by_key[key].seconds for key in keys), 2)
    longest = lambda found: max(found, key=lambda r: r.seconds, default=None)  # noqa: E731
    return LocaleSummary(locale, longest(questions), longest(outcomes), total, missing,
                         longest_answer=longest(answers), all_no_parts=len(keys),
                         flagged=sum(1 for row in mine if row.flags))


def all_no_description(keys: list[str] | None = None) -> str:
    keys = keys if keys is not None else all_no_keys()
    acks = keys.count(ACK_KEY)
    return f"intro + {len(keys) - acks - 2} questions + {acks} \"OK.\" + SELF_CARE outcome"


def format_summary(summaries: list[LocaleSummary]) -> str:
    lines = ["", f"per locale: longest red-flag question | longest answer (tip, info, outcome, advice; limit "
             f"{ANSWER_MAX_S:g} s) | all-no check ({all_no_description()}; limit {ALL_NO_MAX_S:g} s)"]
    for s in summaries:
        question = f"{s.longest_question.seconds:5.2f} s {s.longest_question.key}" if s.longest_question else "-"
        answer = f"{s.longest_answer.seconds:5.2f} s {s.longest_answer.key}" if s.longest_answer else "-"
        total = (f"{s.all_no_seconds:6.2f} s" if s.all_no_seconds is not None
                 else "missing " + ", ".join(s.all_no_missing))
        if s.all_no_seconds is not None and s.all_no_over:
            total += f" !! over {ALL_NO_MAX_S:g} s"
        lines.append(f"{s.locale:6} {question:40} | {answer:36} | {total}")
    return "\n".join(lines)
