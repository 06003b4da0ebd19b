"""The red-flag check: the one place the clinical rules live (SPEC §3).

Pure Python, no ASK imports. Handlers translate requests into calls on `TriageCheck`
and speak the `Step` it returns.

Rules, in one sentence each:
- Questions are asked in a fixed order, most serious first.
- The outcome is the most serious level among the yes answers; the check stops as soon as no
  unanswered question is more serious than that (so in the ordinary flow: at the first yes).
- "Unsure" once on a question re-asks it with its explanation; twice counts as yes.
- Two off-topic replies in a row on a question count as one "unsure".
- A volunteered symptom counts as a yes to its question, at any point.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import IntEnum, StrEnum


class Disposition(IntEnum):
    """Outcomes, ordered so that a larger value is more serious."""

    SELF_CARE = 0
    SEE_DOCTOR = 1
    URGENT = 2
    EMERGENCY = 3


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNSURE = "unsure"


@dataclass(frozen=True)
class Question:
    id: str
    level: Disposition


QUESTIONS: tuple[Question, ...] = (
    Question("bladder_bowel", Disposition.EMERGENCY),
    Question("saddle_numbness", Disposition.EMERGENCY),
    Question("leg_weakness", Disposition.EMERGENCY),
    Question("major_trauma", Disposition.EMERGENCY),
    Question("chest_pain", Disposition.EMERGENCY),
    Question("fever", Disposition.URGENT),
    Question("weight_loss", Disposition.URGENT),
    Question("cancer_history", Disposition.URGENT),
    Question("duration", Disposition.SEE_DOCTOR),
    Question("worsening", Disposition.SEE_DOCTOR),
    Question("radiating", Disposition.SEE_DOCTOR),
    Question("one_leg_numbness", Disposition.SEE_DOCTOR),
    Question("osteoporosis", Disposition.SEE_DOCTOR),
    Question("sleep_daily", Disposition.SEE_DOCTOR),
)
QUESTION_IDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)
_INDEX = {q.id: i for i, q in enumerate(QUESTIONS)}

# How each question got its mark in the compact state string.
UNASKED, NO, YES, UNSURE_YES, VOLUNTEERED = ".", "n", "y", "u", "v"
_YES_MARKS = frozenset((YES, UNSURE_YES, VOLUNTEERED))
_MARKS = frozenset((UNASKED, NO, YES, UNSURE_YES, VOLUNTEERED))
STATE_VERSION = 1


def question(question_id: str) -> Question:
    return QUESTIONS[_INDEX[question_id]]


class StateError(ValueError):
    """A session's triage state that cannot be trusted (corrupt or from an unknown version)."""


@dataclass(frozen=True)
class TriageState:
    """Compact, serialisable progress of one check.

    marks: one character per question in QUESTIONS order (see the *_MARKS constants).
    current: index of the question being asked, or None when the check has an outcome.
    unsure: how many times the user was unsure about the current question.
    strays: off-topic replies in a row on the current question.
    """

    marks: str = UNASKED * len(QUESTIONS)
    current: int | None = 0
    unsure: int = 0
    strays: int = 0

    def to_dict(self) -> dict:
        return {"v": STATE_VERSION, "m": self.marks, "c": self.current, "u": self.unsure, "s": self.strays}

    @classmethod
    def from_dict(cls, data: object) -> TriageState:
        if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
            raise StateError("unknown triage state version")
        marks, current = data.get("m"), data.get("c")
        unsure, strays = data.get("u", 0), data.get("s", 0)
        valid = (
            isinstance(marks, str)
            and len(marks) == len(QUESTIONS)
            and set(marks) <= _MARKS
            and (current is None or (isinstance(current, int) and 0 <= current < len(QUESTIONS)))
            and isinstance(unsure, int) and 0 <= unsure <= 1
            and isinstance(strays, int) and 0 <= strays <= 1
        )
        if not valid:
            raise StateError("corrupt triage state")
        if current != _next_index(marks):
            # E.g. "finished" with questions unanswered: never trust it, it could reassure.
            raise StateError("inconsistent triage state")
        return cls(marks=marks, current=current, unsure=unsure, strays=strays)

    # -- derived facts ---------------------------------------------------------------
    @property
    def worst(self) -> Disposition:
        """The most serious level among the yes answers so far (SELF_CARE if none)."""
        levels = [q.level for q, m in zip(QUESTIONS, self.marks, strict=True) if m in _YES_MARKS]
        return max(levels, default=Disposition.SELF_CARE)

    @property
    def question(self) -> Question | None:
        return None if self.current is None else QUESTIONS[self.current]

    @property
    def finished(self) -> bool:
        return self.current is None

    def mark(self, question_id: str) -> str:
        return self.marks[_INDEX[question_id]]

    def answered_count(self) -> int:
        return sum(m != UNASKED for m in self.marks)


@dataclass(frozen=True)
class Step:
    """What the check wants said next.

    kind: "ask" (a new question), "reask" (the same question again, simpler, after "unsure"),
    "redirect" (bring an off-topic user back to the question), "outcome".
    unsure_counted: set when an unsure answer was just counted as yes (say so).
    """

    kind: str
    state: TriageState
    question: Question | None = None
    disposition: Disposition | None = None
    unsure_counted: Question | None = None
    volunteered: Question | None = None


def _next_index(marks: str) -> int | None:
    """The next question still worth asking, or None when the outcome is fixed."""
    worst = max(
        (q.level for q, m in zip(QUESTIONS, marks, strict=True) if m in _YES_MARKS),
        default=None,
    )
    for i, (q, m) in enumerate(zip(QUESTIONS, marks, strict=True)):
        if m != UNASKED:
            continue
        if worst is None or q.level > worst:
            return i
        # Questions are ordered by level, so nothing later can be more serious.
        return None
    return None


def _advance(marks: str, *, unsure_counted: Question | None = None,
             volunteered: Question | None = None) -> Step:
    """Move to the next question worth asking, or to the outcome."""
    nxt = _next_index(marks)
    state = TriageState(marks=marks, current=nxt, unsure=0, strays=0)
    if nxt is None:
        return Step("outcome", state, disposition=state.worst,
                    unsure_counted=unsure_counted, volunteered=volunteered)
    return Step("ask", state, question=QUESTIONS[nxt],
                unsure_counted=unsure_counted, volunteered=volunteered)


def _set_mark(marks: str, index: int, mark: str) -> str:
    return marks[:index] + mark + marks[index + 1 :]


class TriageCheck:
    """Transitions of the red-flag check. Every method is pure: state in, Step out."""

    @staticmethod
    def start() -> Step:
        return _advance(UNASKED * len(QUESTIONS))

    @staticmethod
    def current(state: TriageState) -> Step:
        """Where the check stands (for Repeat, Why, resume)."""
        if state.finished:
            return Step("outcome", state, disposition=state.worst)
        return Step("ask", state, question=state.question)

    @staticmethod
    def answer(state: TriageState, answer: Answer) -> Step:
        if state.finished:
            return Step("outcome", state, disposition=state.worst)
        assert state.current is not None
        index = state.current
        if answer is Answer.YES:
            return _advance(_set_mark(state.marks, index, YES))
        if answer is Answer.NO:
            return _advance(_set_mark(state.marks, index, NO))
        if state.unsure == 0:
            return Step("reask", replace(state, unsure=1, strays=0), question=QUESTIONS[index])
        # Second "unsure": the safe choice is to treat it as a yes.
        return _advance(_set_mark(state.marks, index, UNSURE_YES), unsure_counted=QUESTIONS[index])

    @staticmethod
    def stray(state: TriageState) -> Step:
        """An off-topic reply while a question is pending; two in a row count as one unsure."""
        if state.finished:
            return Step("outcome", state, disposition=state.worst)
        if state.strays == 0:
            return Step("redirect", replace(state, strays=1), question=state.question)
        return TriageCheck.answer(replace(state, strays=0), Answer.UNSURE)

    @staticmethod
    def volunteer(state: TriageState | None, question_id: str) -> Step:
        """A symptom the user mentioned unprompted: a yes to its question, wherever we are."""
        marks = (state or TriageState()).marks
        index = _INDEX[question_id]
        marks = _set_mark(marks, index, VOLUNTEERED)
        step = _advance(marks, volunteered=QUESTIONS[index])
        # Stay on the same pending question if it is still the one to ask (keep its counters).
        if state is not None and not state.finished and step.state.current == state.current:
            kept = replace(step.state, unsure=state.unsure, strays=state.strays)
            return replace(step, state=kept)
        return step


def outcome_of(answers: list[Answer]) -> tuple[Disposition, int]:
    """Run a whole check on a sequence of answers (used by tests and tools).

    Returns the outcome and how many answers were consumed. Raises ValueError if the
    answers run out before an outcome.
    """
    step = TriageCheck.start()
    used = 0
    while step.kind != "outcome":
        if used >= len(answers):
            raise ValueError("answers ran out before the check finished")
        step = TriageCheck.answer(step.state, answers[used])
        used += 1
    assert step.disposition is not None
    return step.disposition, used
