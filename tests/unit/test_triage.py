"""The clinical rules of SPEC §3, checked against an independent reference model."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.triage import (
    QUESTION_IDS,
    QUESTIONS,
    Answer,
    Disposition,
    StateError,
    TriageCheck,
    TriageState,
    outcome_of,
)

STRAY = "stray"
REPLIES = [Answer.YES, Answer.NO, Answer.UNSURE, STRAY]
LEVEL = {q.id: q.level for q in QUESTIONS}
EMERGENCY_IDS = [q.id for q in QUESTIONS if q.level is Disposition.EMERGENCY]


def reference(replies: list) -> tuple[Disposition, list[str]] | None:
    """SPEC §3 read literally: ask in order, stop at the first yes, unsure twice is a yes,
    two off-topic replies in a row are one unsure. Returns (outcome, questions asked) or None
    if the replies run out first."""
    asked: list[str] = []
    replies = list(replies)
    for q in QUESTIONS:
        asked.append(q.id)
        unsure = strays = 0
        while True:
            if not replies:
                return None
            reply = replies.pop(0)
            if reply == STRAY:
                strays += 1
                if strays < 2:
                    continue
                reply = Answer.UNSURE
            strays = 0
            if reply is Answer.NO:
                break
            if reply is Answer.YES:
                return q.level, asked
            unsure += 1
            if unsure == 2:
                return q.level, asked
    return Disposition.SELF_CARE, asked


def run(replies: list) -> tuple[Disposition, list[str]] | None:
    step = TriageCheck.start()
    asked = [step.question.id]
    for reply in replies:
        if step.kind == "outcome":
            break
        step = TriageCheck.stray(step.state) if reply == STRAY else TriageCheck.answer(step.state, reply)
        step = _roundtrip(step)
        if step.kind == "ask":
            asked.append(step.question.id)
    if step.kind != "outcome":
        return None
    return step.disposition, asked


def _roundtrip(step):
    """Every state goes through the session as JSON-ish data, so test that path too."""
    state = TriageState.from_dict(step.state.to_dict())
    assert state == step.state, "triage state changed on its way through the session"
    return step


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(REPLIES), max_size=60))
def test_every_answer_sequence_matches_the_spec_reference(replies):
    assert run(replies) == reference(replies), f"replies {replies} diverge from SPEC §3"


@settings(max_examples=1000, deadline=None)
@given(st.lists(st.sampled_from(REPLIES), max_size=60))
def test_no_sequence_with_a_yes_or_double_unsure_reaches_self_care(replies):
    result = run(replies)
    if result is None:
        return
    outcome, asked = result
    consumed_yes = outcome is not Disposition.SELF_CARE
    if outcome is Disposition.SELF_CARE:
        assert len(asked) == len(QUESTIONS), "self-care given before every question was answered"
    assert consumed_yes or Answer.YES not in replies[: _consumed(replies)], "a yes was followed by self-care"


def _consumed(replies: list) -> int:
    step, used = TriageCheck.start(), 0
    for reply in replies:
        if step.kind == "outcome":
            break
        step = TriageCheck.stray(step.state) if reply == STRAY else TriageCheck.answer(step.state, reply)
        used += 1
    return used


@pytest.mark.parametrize("position", range(len(EMERGENCY_IDS)))
@pytest.mark.parametrize("earlier", [Answer.NO, "unsure_then_no", "stray_then_no"])
def test_yes_to_any_emergency_question_gives_emergency(position, earlier):
    replies: list = []
    for _ in range(position):
        replies += {Answer.NO: [Answer.NO], "unsure_then_no": [Answer.UNSURE, Answer.NO],
                    "stray_then_no": [STRAY, Answer.NO]}[earlier]
    replies.append(Answer.YES)
    outcome, asked = run(replies)
    assert outcome is Disposition.EMERGENCY, f"yes to {EMERGENCY_IDS[position]} gave {outcome.name}"
    assert asked[-1] == EMERGENCY_IDS[position], "the check did not stop at the first yes"


def test_all_no_reaches_self_care_after_all_fourteen_questions():
    outcome, used = outcome_of([Answer.NO] * len(QUESTIONS))
    assert (outcome, used) == (Disposition.SELF_CARE, 14), f"all-no gave {outcome.name} after {used} answers"


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_unsure_once_reasks_the_same_question(qid):
    step = TriageCheck.start()
    while step.question.id != qid:
        step = TriageCheck.answer(step.state, Answer.NO)
    again = TriageCheck.answer(step.state, Answer.UNSURE)
    assert again.kind == "reask" and again.question.id == qid, f"unsure on {qid} did not re-ask it: {again}"


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_unsure_twice_counts_as_yes(qid):
    step = TriageCheck.start()
    while step.question.id != qid:
        step = TriageCheck.answer(step.state, Answer.NO)
    step = TriageCheck.answer(TriageCheck.answer(step.state, Answer.UNSURE).state, Answer.UNSURE)
    assert step.kind == "outcome" and step.disposition is LEVEL[qid], f"unsure twice on {qid}: {step}"
    assert step.unsure_counted is not None and step.unsure_counted.id == qid, "the user is not told why"


def test_two_strays_in_a_row_count_as_one_unsure():
    first = TriageCheck.stray(TriageCheck.start().state)
    assert first.kind == "redirect", "one off-topic reply should only bring the user back"
    second = TriageCheck.stray(first.state)
    assert second.kind == "reask", "two off-topic replies in a row should count as one unsure"


def test_stray_then_answer_resets_the_stray_count():
    state = TriageCheck.stray(TriageCheck.start().state).state
    state = TriageCheck.answer(state, Answer.NO).state
    assert TriageCheck.stray(state).kind == "redirect", "strays on different questions must not add up"


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_volunteered_symptom_asks_only_unanswered_more_serious_questions(qid):
    step = TriageCheck.volunteer(None, qid)
    asked = []
    while step.kind != "outcome":
        asked.append(step.question.id)
        step = TriageCheck.answer(step.state, Answer.NO)
    expected = [q.id for q in QUESTIONS if q.level > LEVEL[qid]]
    assert asked == expected, f"volunteering {qid} asked {asked}"
    assert step.disposition is LEVEL[qid], f"volunteering {qid} then all-no gave {step.disposition.name}"


@pytest.mark.parametrize("qid", EMERGENCY_IDS)
def test_volunteered_emergency_symptom_gives_emergency_at_once(qid):
    mid_check = TriageCheck.answer(TriageCheck.start().state, Answer.NO).state
    for state in (None, mid_check):
        step = TriageCheck.volunteer(state, qid)
        assert step.kind == "outcome" and step.disposition is Disposition.EMERGENCY, f"{qid}: {step}"


def test_volunteered_fever_still_gets_the_five_emergency_questions():
    step = TriageCheck.volunteer(None, "fever")
    asked = []
    while step.kind != "outcome":
        asked.append(step.question.id)
        step = TriageCheck.answer(step.state, Answer.NO)
    assert asked == EMERGENCY_IDS and step.disposition is Disposition.URGENT, f"asked {asked}, got {step}"


def test_yes_to_a_more_serious_question_after_a_volunteered_symptom_wins():
    step = TriageCheck.volunteer(None, "radiating")
    for _ in range(5):
        step = TriageCheck.answer(step.state, Answer.NO)
    assert step.question.id == "fever"
    step = TriageCheck.answer(step.state, Answer.YES)
    assert step.disposition is Disposition.URGENT, f"fever after volunteered sciatica gave {step}"


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(REPLIES), max_size=20), st.sampled_from(QUESTION_IDS))
def test_volunteering_never_lowers_the_outcome(replies, qid):
    step = TriageCheck.start()
    for reply in replies:
        if step.kind == "outcome":
            break
        step = TriageCheck.stray(step.state) if reply == STRAY else TriageCheck.answer(step.state, reply)
    step = TriageCheck.volunteer(step.state, qid)
    while step.kind != "outcome":
        step = TriageCheck.answer(step.state, Answer.NO)
    assert step.disposition >= LEVEL[qid], f"volunteering {qid} ended at {step.disposition.name}"


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.none(), st.integers(), st.text(),
    st.dictionaries(st.sampled_from(["v", "m", "c", "u", "s", "x"]),
                    st.one_of(st.integers(-3, 20), st.text(max_size=16), st.none())),
))
def test_untrusted_state_is_rejected_or_valid(data):
    try:
        state = TriageState.from_dict(data)
    except StateError:
        return
    assert TriageState.from_dict(state.to_dict()) == state, "an accepted state must round-trip"


def test_state_from_an_older_version_is_rejected():
    with pytest.raises(StateError):
        TriageState.from_dict({"v": 0, "m": "." * 14, "c": 0})
