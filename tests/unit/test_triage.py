"""The clinical rules of SPEC §3 (version 2), checked against an independent reference model."""

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
    StepKind,
    TriageCheck,
    TriageState,
    most_serious,
    outcome_of,
)

STRAY = "stray"
REPLIES = [Answer.YES, Answer.NO, Answer.UNSURE, STRAY]
LEVEL = {q.id: q.level for q in QUESTIONS}
E, U, D = Disposition.EMERGENCY, Disposition.URGENT, Disposition.SEE_DOCTOR
SPEC_TABLE = [  # SPEC §3 v2, row by row
    ("bladder", E), ("bowel", E), ("saddle_numbness", E), ("both_legs", E), ("major_trauma", E),
    ("chest_pain", E), ("sexual_function", E), ("fever", U), ("leg_getting_weaker", U), ("infection_risk", U),
    ("cancer_history", U), ("weight_loss", U), ("bone_risk", D), ("duration_worsening", D), ("one_leg", D),
    ("sleep_daily", D),
]
EMERGENCY_IDS = [qid for qid, level in SPEC_TABLE if level is E]


def reference(replies: list) -> tuple[Disposition, list[str]] | None:
    """SPEC §3 read literally: ask in order, stop at the first yes, unsure twice is a yes,
    two off-topic replies in a row are one unsure. Returns (outcome, questions asked) or None
    if the replies run out first."""
    asked: list[str] = []
    replies = list(replies)
    for qid, level in SPEC_TABLE:
        asked.append(qid)
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
                return level, asked
            unsure += 1
            if unsure == 2:
                return level, asked
    return Disposition.SELF_CARE, asked


def roundtrip(step):
    """Every state goes through the session as JSON-ish data, so test that path too."""
    state = TriageState.from_dict(step.state.to_dict())
    assert state == step.state, "triage state changed on its way through the session"
    return step


def run(replies: list) -> tuple[Disposition, list[str]] | None:
    step = TriageCheck.start()
    asked = [step.question.id]
    for reply in replies:
        if step.kind is StepKind.OUTCOME:
            break
        step = roundtrip(TriageCheck.stray(step.state) if reply == STRAY else TriageCheck.answer(step.state, reply))
        if step.kind is StepKind.ASK:
            asked.append(step.question.id)
    if step.kind is not StepKind.OUTCOME:
        return None
    return step.disposition, asked


def finish_with_no(step):
    """Answer no (and yes to any offer to go on) until the outcome; returns it and what was asked."""
    asked = []
    while step.kind is not StepKind.OUTCOME:
        if step.kind is StepKind.CONSENT:
            step = TriageCheck.answer(step.state, Answer.YES)
            continue
        asked.append(step.question.id)
        step = roundtrip(TriageCheck.answer(step.state, Answer.NO))
    return step, asked


def test_questions_are_the_spec_table_in_order():
    assert [(q.id, q.level) for q in QUESTIONS] == SPEC_TABLE, "the question set differs from SPEC §3 v2"


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(REPLIES), max_size=70))
def test_every_answer_sequence_matches_the_spec_reference(replies):
    assert run(replies) == reference(replies), f"replies {replies} diverge from SPEC §3"


@pytest.mark.parametrize("position", range(len(EMERGENCY_IDS)))
@pytest.mark.parametrize("earlier", [Answer.NO, "unsure_then_no", "stray_then_no"])
def test_yes_to_any_emergency_question_gives_emergency(position, earlier):
    replies: list = []
    for _ in range(position):
        replies += {Answer.NO: [Answer.NO], "unsure_then_no": [Answer.UNSURE, Answer.NO],
                    "stray_then_no": [STRAY, Answer.NO]}[earlier]
    replies.append(Answer.YES)
    outcome, asked = run(replies)
    assert outcome is E, f"yes to {EMERGENCY_IDS[position]} gave {outcome.name}"
    assert asked[-1] == EMERGENCY_IDS[position], "the check did not stop at the first yes"


def test_all_no_reaches_self_care_after_all_sixteen_questions():
    outcome, used = outcome_of([Answer.NO] * len(QUESTIONS))
    assert (outcome, used) == (Disposition.SELF_CARE, 16), f"all-no gave {outcome.name} after {used} answers"


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_unsure_once_reasks_the_same_question_and_twice_counts_as_yes(qid):
    step = TriageCheck.start()
    while step.question.id != qid:
        step = TriageCheck.answer(step.state, Answer.NO)
    again = TriageCheck.answer(step.state, Answer.UNSURE)
    assert again.kind is StepKind.REASK and again.question.id == qid, f"unsure on {qid} did not re-ask it"
    counted = TriageCheck.answer(again.state, Answer.UNSURE)
    assert counted.kind is StepKind.OUTCOME and counted.disposition is LEVEL[qid], f"unsure twice on {qid}"
    assert counted.unsure_counted is not None and counted.unsure_counted.id == qid, "the user is not told why"


def test_two_strays_in_a_row_count_as_one_unsure_and_an_answer_resets_them():
    first = TriageCheck.stray(TriageCheck.start().state)
    assert first.kind is StepKind.REDIRECT, "one off-topic reply should only bring the user back"
    assert TriageCheck.stray(first.state).kind is StepKind.REASK, "two off-topic replies should count as unsure"
    state = TriageCheck.answer(first.state, Answer.NO).state
    assert TriageCheck.stray(state).kind is StepKind.REDIRECT, "strays on different questions must not add up"


# -- volunteered symptoms ----------------------------------------------------------------------------


@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_a_sign_named_outside_a_check_asks_only_the_more_serious_questions(qid):
    step = TriageCheck.volunteer(None, qid)
    if LEVEL[qid] is E:
        assert step.kind is StepKind.OUTCOME and step.disposition is E, f"{qid} did not give EMERGENCY at once"
        return
    assert step.kind is StepKind.CONSENT, f"{qid}: the remaining questions were not offered first"
    assert step.advice is LEVEL[qid], f"{qid}: its advice was not given at once"
    assert step.state.remaining() == sum(1 for q in QUESTIONS if q.level > LEVEL[qid]), "wrong count said"
    final, asked = finish_with_no(step)
    assert asked == [q.id for q in QUESTIONS if q.level > LEVEL[qid]], f"volunteering {qid} asked {asked}"
    assert final.disposition is LEVEL[qid], f"volunteering {qid} then all-no gave {final.disposition.name}"


@pytest.mark.parametrize("qid", EMERGENCY_IDS)
@pytest.mark.parametrize("answered", range(0, 16, 3))
def test_an_emergency_sign_named_at_any_point_gives_emergency_at_once(qid, answered):
    step = TriageCheck.start()
    for _ in range(answered):
        step = TriageCheck.answer(step.state, Answer.NO)
    step = TriageCheck.volunteer(None if step.kind is StepKind.OUTCOME else step.state, qid)
    assert step.kind is StepKind.OUTCOME and step.disposition is E, f"{qid} after {answered} answers: {step}"


def test_an_urgent_sign_named_mid_check_gives_the_advice_now_and_confirms_the_pending_question():
    state = TriageCheck.answer(TriageCheck.start().state, Answer.NO).state  # now on "bowel"
    step = TriageCheck.volunteer(state, "fever")
    assert step.advice is U, "URGENT advice must be given at once, before more questions"
    assert step.kind is StepKind.CONFIRM and step.question.id == "bowel", f"pending question not re-asked: {step}"
    final, asked = finish_with_no(step)
    assert asked == EMERGENCY_IDS[1:] and final.disposition is U, f"asked {asked}, got {final.disposition.name}"


def test_naming_the_pending_questions_own_sign_is_a_plain_yes():
    step = TriageCheck.start()
    while step.question.id != "fever":
        step = TriageCheck.answer(step.state, Answer.NO)
    assert TriageCheck.volunteer(step.state, "fever").disposition is U


def test_advice_already_given_is_not_given_again():
    step = TriageCheck.volunteer(None, "fever")
    step = TriageCheck.answer(step.state, Answer.YES)  # go on
    again = TriageCheck.volunteer(step.state, "weight_loss")
    assert again.advice is None, "URGENT advice was repeated for a second URGENT sign"


def test_declining_the_remaining_questions_keeps_the_advice_level():
    step = TriageCheck.volunteer(None, "cancer_history")
    declined = TriageCheck.answer(step.state, Answer.NO)
    assert declined.kind is StepKind.DECLINED and declined.state.advised is U, f"{declined}"


def test_a_later_sign_overrides_an_earlier_no():
    step = TriageCheck.answer(TriageCheck.start().state, Answer.NO)  # bladder: no
    step = TriageCheck.volunteer(step.state, "bladder")  # "actually I can't pee"
    assert step.kind is StepKind.OUTCOME and step.disposition is E


def test_a_sign_named_after_a_self_care_outcome_escalates_it():
    step = TriageCheck.start()
    step, _ = finish_with_no(step)
    assert step.disposition is Disposition.SELF_CARE
    later = TriageCheck.volunteer(step.state, "fever")
    assert later.kind is StepKind.OUTCOME and later.disposition is U, f"fever after self-care: {later}"


def test_the_most_serious_of_several_named_signs_wins():
    assert most_serious(["one_leg", "fever", "bowel"]) == "bowel"
    assert most_serious(["not_a_question"]) is None


# -- going back ----------------------------------------------------------------------------------------


def test_go_back_reasks_the_last_answered_question():
    step = TriageCheck.start()
    for _ in range(3):
        step = TriageCheck.answer(step.state, Answer.NO)
    back = TriageCheck.go_back(step.state)
    assert back.kind is StepKind.ASK and back.went_back and back.question.id == "saddle_numbness", f"{back}"
    assert TriageCheck.answer(back.state, Answer.YES).disposition is E, "a yes after going back did not count"


def test_go_back_after_self_care_reopens_the_last_question():
    step, _ = finish_with_no(TriageCheck.start())
    back = TriageCheck.go_back(step.state)
    assert back.question.id == "sleep_daily", f"{back}"
    assert TriageCheck.answer(back.state, Answer.YES).disposition is D


def test_go_back_with_nothing_answered_stays_on_the_question():
    state = TriageCheck.start().state
    assert TriageCheck.go_back(state).question.id == "bladder"


# -- properties over mixed sequences -----------------------------------------------------------------

OPERATIONS = st.one_of(
    st.sampled_from(REPLIES),
    st.sampled_from(["go_back"]),
    st.tuples(st.just("volunteer"), st.sampled_from(QUESTION_IDS)),
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(OPERATIONS, max_size=40))
def test_no_mixed_sequence_ends_below_a_sign_it_named_or_a_yes_it_gave(operations):
    """Whatever is said in whatever order: a named sign's level is a floor under the outcome,
    SELF_CARE needs every question answered no, and every state survives the session."""
    step, floor, state = TriageCheck.start(), Disposition.SELF_CARE, None
    for operation in operations:
        state = step.state
        if isinstance(operation, tuple):
            step = TriageCheck.volunteer(state, operation[1])
            floor = max(floor, LEVEL[operation[1]])
        elif step.kind is StepKind.OUTCOME:
            break
        elif operation == "go_back":
            step = TriageCheck.go_back(state)
        elif operation == STRAY:
            step = TriageCheck.stray(state)
        else:
            step = TriageCheck.answer(state, operation)
        roundtrip(step)
        if step.kind is StepKind.DECLINED:
            assert step.state.advised >= floor, "declining lost advice already owed"
            return
        if step.advice is not None:
            assert step.advice >= floor or step.state.advised >= floor, "advice weaker than a named sign"
    final, _ = finish_with_no(step) if step.kind is not StepKind.DECLINED else (step, [])
    assert final.disposition >= floor, f"{operations} ended at {final.disposition.name}, below {floor.name}"
    if final.disposition is Disposition.SELF_CARE:
        assert set(final.state.marks) == {"n"}, "self-care with a question not answered no"


@settings(max_examples=300, deadline=None)
@given(st.one_of(
    st.none(), st.integers(), st.text(),
    st.dictionaries(st.sampled_from(["v", "m", "c", "u", "s", "k", "a", "x"]),
                    st.one_of(st.integers(-3, 20), st.text(max_size=16), st.none(), st.booleans())),
))
def test_untrusted_state_is_rejected_or_valid(data):
    try:
        state = TriageState.from_dict(data)
    except StateError:
        return
    assert TriageState.from_dict(state.to_dict()) == state, "an accepted state must round-trip"


@pytest.mark.parametrize("data", [
    {"v": 1, "m": "." * 14, "c": 0, "u": 0, "s": 0},  # version 1 (14 questions): never trusted
    {"v": 2, "m": "n" * 16, "c": 3, "u": 0, "s": 0},  # says a question is pending after all-no
    {"v": 2, "m": "." * 16, "c": None, "u": 0, "s": 0},  # "finished" with nothing asked: could reassure
    {"v": 2, "m": "v" + "." * 15, "c": 1, "u": 0, "s": 0},  # continuing after an emergency sign
    {"v": 2, "m": "." * 16, "c": 0, "u": 0, "s": 0, "a": 3},  # advice above anything named
])
def test_states_that_could_reassure_are_refused(data):
    with pytest.raises(StateError):
        TriageState.from_dict(data)


def test_starting_again_keeps_the_signs_the_user_named():
    step = TriageCheck.volunteer(TriageCheck.answer(TriageCheck.start().state, Answer.NO).state, "fever")
    restarted = TriageCheck.restart(step.state)
    final, asked = finish_with_no(restarted)
    assert asked == EMERGENCY_IDS, f"after a named fever only the emergency questions remain: {asked}"
    assert final.disposition is U, f"starting again forgot the fever: {final.disposition.name}"
    assert TriageCheck.restart(None).question.id == "bladder"
