"""The conversation state: what the session may hold, and what is never trusted."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.conversation import LAYOUT_VERSION, Conversation, ExercisePlace, Mode, Offer, TipsPlace
from backcare.triage import Answer, TriageCheck


def saved(conversation: Conversation) -> dict:
    attributes: dict = {}
    conversation.save(attributes)
    return attributes


def test_a_running_check_survives_the_session():
    state = TriageCheck.answer(TriageCheck.start().state, Answer.NO).state
    conv = Conversation()
    conv.in_check(state)
    loaded = Conversation.load(saved(conv))
    assert loaded.mode is Mode.CHECK and loaded.triage == state, f"the check was not kept: {loaded}"


def test_check_mode_without_a_readable_triage_is_a_lost_check_not_home():
    attributes = saved(Conversation(mode=Mode.CHECK, triage=TriageCheck.start().state))
    attributes["triage"]["m"] = "garbage"
    loaded = Conversation.load(attributes)
    assert loaded.mode is Mode.CHECK_LOST and loaded.lost, f"a corrupt check must restart, got {loaded.mode}"


def test_a_session_from_another_layout_is_dropped_and_a_check_in_it_restarts():
    old_check = {"v": 1, "mode": "check", "triage": {"v": 1, "m": "." * 14, "c": 0}}
    assert Conversation.load(old_check).mode is Mode.CHECK_LOST, "a v1 check must be restarted, never trusted"
    old_tips = {"v": 1, "mode": "tips", "tips": {"topic": "core"}}
    assert Conversation.load(old_tips).mode is Mode.HOME, "other v1 state is simply dropped"


def test_moving_on_drops_the_previous_places_fields_but_keeps_a_finished_check():
    finished = TriageCheck.start().state
    for _ in range(16):
        finished = TriageCheck.answer(finished, Answer.NO).state
    conv = Conversation(mode=Mode.TIPS, tips=TipsPlace("movement"), triage=finished)
    conv.go(Mode.EXERCISE, exercise=ExercisePlace(level=1, step=2))
    assert conv.tips is None and conv.exercise is not None, "the tips place leaked into the exercises"
    assert conv.triage == finished, "a finished check should stay for later symptoms and corrections"


def test_an_unfinished_check_never_lives_outside_check_mode():
    running = TriageCheck.start().state
    conv = Conversation(mode=Mode.TIPS, tips=TipsPlace("movement"), triage=running).validated()
    assert conv.triage is None, "an unfinished triage outside mode CHECK would be a check nobody is in"


def test_fields_that_do_not_fit_the_mode_are_dropped():
    conv = Conversation(mode=Mode.OFFER, offers=(), pending_cancel="all").validated()
    assert conv.mode is Mode.HOME and conv.pending_cancel is None, f"{conv}"


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(
    st.sampled_from(["v", "mode", "offers", "triage", "tips", "exercise", "pending_reminder", "pending_cancel",
                     "last", "junk"]),
    st.one_of(st.none(), st.integers(-2, 5), st.text(max_size=12), st.booleans(),
              st.lists(st.sampled_from([o.value for o in Offer] + ["x"]), max_size=3),
              st.dictionaries(st.text(max_size=6), st.one_of(st.integers(-1, 30), st.text(max_size=6)), max_size=4)),
))
def test_any_session_loads_into_a_valid_conversation_that_round_trips(attributes):
    attributes = {**attributes, "v": LAYOUT_VERSION} if attributes.get("v") == 2 else attributes
    conv = Conversation.load(attributes)
    assert conv == conv.validated(), "load must return a validated conversation"
    again = Conversation.load(saved(conv))
    expected_mode = Mode.HOME if conv.mode is Mode.CHECK_LOST else conv.mode
    assert again.mode is expected_mode, f"{conv.mode} did not survive the session"
