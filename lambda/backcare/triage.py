"""The red-flag check, version 2: the one place the clinical rules live (SPEC §3).

Pure Python, no ASK imports. Handlers translate requests into calls on `TriageCheck` and speak
the `Step` it returns; `docs/clinical.md` gives each question's source.

The rules, one sentence each:
- Questions are asked in a fixed order, most serious first, and the check stops as soon as no
  unanswered question is more serious than the worst yes so far (in the plain flow: the first yes).
- "Unsure" once on a question re-asks it with its explanation; the second time counts as yes.
- Two off-topic replies in a row on a question count as one "unsure".
- A volunteered symptom is a yes to its question, wherever the user is and whatever was asked:
  - nothing more serious left to ask: the outcome at once;
  - its level is higher than any advice given so far and more serious questions remain (a
    volunteered URGENT or SEE_DOCTOR sign): that advice at once, then the remaining more
    serious questions (offered first when no check was running);
  - otherwise the pending question is asked again "to be sure", never dropped.
- "Go back" re-asks the last question the user answered (a correction is never applied blind);
  starting again keeps the signs the user named.
- A state that is corrupt, inconsistent or from another layout is refused (`StateError`): a
  state that cannot be trusted could reassure.
"""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import NamedTuple


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


class Question(NamedTuple):  # a table row: a NamedTuple costs a tenth of a frozen dataclass at import
    id: str
    level: Disposition


_E, _U, _D = Disposition.EMERGENCY, Disposition.URGENT, Disposition.SEE_DOCTOR
QUESTIONS: tuple[Question, ...] = (
    Question("bladder", _E),
    Question("bowel", _E),
    Question("saddle_numbness", _E),
    Question("both_legs", _E),
    Question("major_trauma", _E),
    Question("chest_pain", _E),
    Question("sexual_function", _E),
    Question("fever", _U),
    Question("leg_getting_weaker", _U),
    Question("infection_risk", _U),
    Question("cancer_history", _U),
    Question("weight_loss", _U),
    Question("bone_risk", _D),
    Question("duration_worsening", _D),
    Question("one_leg", _D),
    Question("sleep_daily", _D),
)
QUESTION_IDS: tuple[str, ...] = tuple(q.id for q in QUESTIONS)
_INDEX = {q.id: i for i, q in enumerate(QUESTIONS)}

# How each question got its mark in the compact state string.
UNASKED, NO, YES, UNSURE_YES, VOLUNTEERED = ".", "n", "y", "u", "v"
_YES_MARKS = frozenset((YES, UNSURE_YES, VOLUNTEERED))
_ASKED_MARKS = frozenset((NO, YES, UNSURE_YES))  # marks the user gave in answer to a question
_MARKS = frozenset((UNASKED, NO, YES, UNSURE_YES, VOLUNTEERED))
STATE_VERSION = 2


def question(question_id: str) -> Question:
    return QUESTIONS[_INDEX[question_id]]


def most_serious(question_ids: list[str] | tuple[str, ...]) -> str | None:
    """Of several symptoms named at once, the one whose question comes first (most serious)."""
    known = [qid for qid in question_ids if qid in _INDEX]
    return min(known, key=_INDEX.__getitem__, default=None)


class StateError(ValueError):
    """A session's triage state that cannot be trusted (corrupt, or from another version)."""


def _worst(marks: str) -> Disposition:
    levels = [q.level for q, m in zip(QUESTIONS, marks, strict=True) if m in _YES_MARKS]
    return max(levels, default=Disposition.SELF_CARE)


def _next_index(marks: str) -> int | None:
    """The next question still worth asking, or None when the outcome is fixed."""
    has_yes = any(m in _YES_MARKS for m in marks)
    worst = _worst(marks)
    for i, (q, m) in enumerate(zip(QUESTIONS, marks, strict=True)):
        if m != UNASKED:
            continue
        # Questions are ordered by level, so nothing after the first unasked one can be
        # more serious than it.
        return i if not has_yes or q.level > worst else None
    return None


class TriageState(NamedTuple):
    """Compact, serialisable progress of one check (immutable: `_replace` gives a changed copy).

    marks: one character per question in QUESTIONS order (see the mark constants).
    current: index of the pending question, or None when the check has its outcome.
    unsure: how many times the user was unsure about the pending question (0 or 1).
    strays: off-topic replies in a row on the pending question (0 or 1).
    consent: the skill has asked whether to go on with the remaining questions, rather than
      the pending question itself (after a volunteered sign, outside a running check).
    advised: the most serious advice already said in this check (so it is not said twice).
    """

    marks: str = UNASKED * len(QUESTIONS)
    current: int | None = 0
    unsure: int = 0
    strays: int = 0
    consent: bool = False
    advised: Disposition = Disposition.SELF_CARE

    def to_dict(self) -> dict:
        return {"v": STATE_VERSION, "m": self.marks, "c": self.current, "u": self.unsure, "s": self.strays,
                "k": self.consent, "a": int(self.advised)}

    @classmethod
    def from_dict(cls, data: object) -> TriageState:
        if not isinstance(data, dict) or data.get("v") != STATE_VERSION:
            raise StateError("unknown triage state version")
        marks, current = data.get("m"), data.get("c")
        unsure, strays, consent, advised = data.get("u", 0), data.get("s", 0), data.get("k", False), data.get("a", 0)
        valid = (
            isinstance(marks, str)
            and len(marks) == len(QUESTIONS)
            and set(marks) <= _MARKS
            and (current is None or (type(current) is int and 0 <= current < len(QUESTIONS)))
            and type(unsure) is int and 0 <= unsure <= 1
            and type(strays) is int and 0 <= strays <= 1
            and type(consent) is bool
            and type(advised) is int and advised in set(Disposition)
        )
        if not valid:
            raise StateError("corrupt triage state")
        if current != _next_index(marks) or (consent and current is None) or advised > _worst(marks):
            # E.g. "finished" with questions left to ask: never trust it, it could reassure.
            raise StateError("inconsistent triage state")
        return cls(marks=marks, current=current, unsure=unsure, strays=strays, consent=consent,
                   advised=Disposition(advised))

    # -- derived facts ---------------------------------------------------------------
    @property
    def worst(self) -> Disposition:
        """The most serious level among the yes answers so far (SELF_CARE if none)."""
        return _worst(self.marks)

    @property
    def question(self) -> Question | None:
        return None if self.current is None else QUESTIONS[self.current]

    @property
    def finished(self) -> bool:
        return self.current is None

    def mark(self, question_id: str) -> str:
        return self.marks[_INDEX[question_id]]

    def remaining(self) -> int:
        """How many questions may still be asked (each more serious than the worst yes so far)."""
        worst, has_yes = self.worst, any(m in _YES_MARKS for m in self.marks)
        return sum(1 for q, m in zip(QUESTIONS, self.marks, strict=True)
                   if m == UNASKED and (not has_yes or q.level > worst))

    def last_answered(self) -> int | None:
        """The question the user answered most recently (questions are answered in order)."""
        asked = [i for i, m in enumerate(self.marks) if m in _ASKED_MARKS]
        return max(asked, default=None)


class StepKind(StrEnum):
    ASK = "ask"            # a question (new, or the same again with what was said before it)
    REASK = "reask"        # the same question in simpler words, after a first "unsure"
    REDIRECT = "redirect"  # bring an off-topic reply back to the question
    CONFIRM = "confirm"    # the same question "to be sure", after a less serious sign was named
    CONSENT = "consent"    # advice given; ask whether to go on with the remaining questions
    OUTCOME = "outcome"    # the check is over: say the disposition
    DECLINED = "declined"  # the user did not want the remaining questions


class Step(NamedTuple):
    """What the check wants said next.

    advice: a disposition whose advice must be said now, before the question (a volunteered
      URGENT or SEE_DOCTOR sign while more serious questions remain).
    unsure_counted: the question whose second "unsure" was just counted as yes (say so).
    volunteered: the question a volunteered symptom was counted against.
    went_back: the step re-asks an earlier question after "go back".
    """

    kind: StepKind
    state: TriageState
    advice: Disposition | None = None
    unsure_counted: Question | None = None
    volunteered: Question | None = None
    went_back: bool = False

    @property
    def question(self) -> Question | None:
        return self.state.question

    @property
    def disposition(self) -> Disposition:
        return self.state.worst


def _set_mark(marks: str, index: int, mark: str) -> str:
    return marks[:index] + mark + marks[index + 1 :]


def _advance(marks: str, advised: Disposition, **details) -> Step:
    """Move to the next question worth asking, or to the outcome."""
    nxt = _next_index(marks)
    state = TriageState(marks=marks, current=nxt, advised=advised)
    if nxt is None:
        return Step(StepKind.OUTCOME, state._replace(advised=state.worst), **details)
    return Step(StepKind.ASK, state, **details)


class TriageCheck:
    """Transitions of the red-flag check. Every method is pure: state in, Step out."""

    @staticmethod
    def start() -> Step:
        return _advance(UNASKED * len(QUESTIONS), Disposition.SELF_CARE)

    @staticmethod
    def restart(state: TriageState | None) -> Step:
        """The check from the top, keeping only the signs the user named (a named sign is a
        floor under the outcome: starting again must not forget it)."""
        if state is None:
            return TriageCheck.start()
        marks = "".join(m if m == VOLUNTEERED else UNASKED for m in state.marks)
        return _advance(marks, min(state.advised, _worst(marks)))

    @staticmethod
    def current(state: TriageState) -> Step:
        """Where the check stands (for Why, Help, resuming after an error)."""
        if state.finished:
            return Step(StepKind.OUTCOME, state)
        return Step(StepKind.CONSENT if state.consent else StepKind.ASK, state)

    @staticmethod
    def answer(state: TriageState, answer: Answer) -> Step:
        """Yes, no or unsure to the pending question (or to the offer to go on)."""
        if state.finished:
            return Step(StepKind.OUTCOME, state)
        if state.consent:
            if answer is Answer.NO:
                return Step(StepKind.DECLINED, state)
            # Yes, or unsure: go on (asking is the safe side).
            return Step(StepKind.ASK, state._replace(consent=False))
        assert state.current is not None
        index = state.current
        if answer is Answer.YES:
            return _advance(_set_mark(state.marks, index, YES), state.advised)
        if answer is Answer.NO:
            return _advance(_set_mark(state.marks, index, NO), state.advised)
        if state.unsure == 0:
            return Step(StepKind.REASK, state._replace(unsure=1, strays=0))
        # Second "unsure": the safe choice is to treat it as a yes.
        return _advance(_set_mark(state.marks, index, UNSURE_YES), state.advised,
                        unsure_counted=QUESTIONS[index])

    @staticmethod
    def stray(state: TriageState) -> Step:
        """An off-topic reply while a question is pending; two in a row count as one unsure."""
        if state.finished:
            return Step(StepKind.OUTCOME, state)
        if state.consent:
            return Step(StepKind.CONSENT, state)
        if state.strays == 0:
            return Step(StepKind.REDIRECT, state._replace(strays=1))
        return TriageCheck.answer(state._replace(strays=0), Answer.UNSURE)

    @staticmethod
    def volunteer(state: TriageState | None, question_id: str) -> Step:
        """A symptom the user named, in any words and in any state: a yes to its question.

        `state` is the running or finished check, or None when there is none.
        """
        running = state is not None and not state.finished and not state.consent
        base = state or TriageState()
        index = _INDEX[question_id]
        if running and index == base.current:
            return TriageCheck.answer(base, Answer.YES)
        marks = _set_mark(base.marks, index, VOLUNTEERED)
        nxt = _next_index(marks)
        worst = _worst(marks)
        volunteered = QUESTIONS[index]
        if nxt is None:
            return Step(StepKind.OUTCOME, TriageState(marks=marks, current=None, advised=worst),
                        volunteered=volunteered)
        advice = worst if worst > base.advised else None
        advised = max(worst, base.advised)
        if running and nxt == base.current:
            # The pending question stays the one to ask: ask it again "to be sure", keeping its
            # counters, after any new advice.
            kept = base._replace(marks=marks, advised=advised)
            return Step(StepKind.CONFIRM, kept, advice=advice, volunteered=volunteered)
        new = TriageState(marks=marks, current=nxt, advised=advised)
        if running:
            return Step(StepKind.ASK, new, advice=advice, volunteered=volunteered)
        # No check was running: give the advice, then offer the remaining questions.
        return Step(StepKind.CONSENT, new._replace(consent=True), advice=advice, volunteered=volunteered)

    @staticmethod
    def go_back(state: TriageState) -> Step:
        """Re-ask the question the user answered last; nothing else changes."""
        index = state.last_answered()
        if index is None:
            return TriageCheck.current(state)
        marks = _set_mark(state.marks, index, UNASKED)
        nxt = _next_index(marks)
        new = TriageState(marks=marks, current=nxt, advised=min(state.advised, _worst(marks)))
        if nxt is None:
            return Step(StepKind.OUTCOME, new._replace(advised=new.worst))
        return Step(StepKind.ASK, new, went_back=True)


def outcome_of(answers: list[Answer]) -> tuple[Disposition, int]:
    """Run a whole check on a sequence of answers (used by tests and tools).

    Returns the outcome and how many answers were consumed. Raises ValueError if the
    answers run out before an outcome.
    """
    step = TriageCheck.start()
    used = 0
    while step.kind is not StepKind.OUTCOME:
        if used >= len(answers):
            raise ValueError("answers ran out before the check finished")
        step = TriageCheck.answer(step.state, answers[used])
        used += 1
    return step.disposition, used
