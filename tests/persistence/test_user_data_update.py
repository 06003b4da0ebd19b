"""user_data.update, status and delete: the contract handlers rely on to never lose a change, never
claim a change that did not happen, and tell "nothing stored" from "the store is down". Real
SQLite files, real HandlerInputs from real envelopes; the store fails for real (FlakyStore)."""

from __future__ import annotations

import pytest

from backcare.persistence import user_data
from support.dynamodb import handler_input_for, new_user_id
from support.stores import FlakyStore


@pytest.fixture
def store(tmp_path):
    return FlakyStore(tmp_path / "state" / "backcare.sqlite3")


@pytest.fixture
def user_id():
    return new_user_id()


def visit(store, user_id):
    return handler_input_for(store, user_id=user_id)


def stored(store, user_id):
    return store.get_attributes(visit(None, user_id).request_envelope)


def add_reminder(token: str, kind: str = "stretch"):
    def mutate(data):
        data["reminders"].append({"kind": kind, "alert_token": token, "schedule": {"time": "15:00"}})
    return mutate


def count_visit(data):
    data["visits"] += 1


# -- update -------------------------------------------------------------------------------------------


def test_update_stores_the_change_and_refreshes_what_load_returns(store, user_id):
    handler_input = visit(store, user_id)
    snapshot = user_data.load(handler_input)
    assert user_data.update(handler_input, add_reminder("tok-1")) is True, "an update to a working store is stored"
    assert [r["alert_token"] for r in snapshot["reminders"]] == ["tok-1"], \
        f"the dict load handed out must show what is stored now: {snapshot!r}"
    assert user_data.load(handler_input) is snapshot, "load must keep returning the same dict"
    assert user_data.status(handler_input) == user_data.LOADED, "after a stored update the status is LOADED"
    assert stored(store, user_id)["reminders"][0]["alert_token"] == "tok-1", "the change must be in the store"


def test_update_without_a_load_reads_the_record_itself(store, user_id):
    first = visit(store, user_id)
    assert user_data.update(first, count_visit), "the first visit should be counted"
    second = visit(store, user_id)
    assert user_data.update(second, count_visit), "the second visit should be counted"
    assert user_data.load(second)["visits"] == 2, "load after update must not need another read"
    assert store.calls == ["update", "update"], f"unexpected store operations: {store.calls}"


def test_update_applies_mutate_to_a_copy_of_what_is_stored_not_to_the_snapshot(store, user_id):
    """Another request's change between this request's load and its update is kept."""
    mine, theirs = visit(store, user_id), visit(store, user_id)
    user_data.load(mine)  # an old snapshot: no reminders
    assert user_data.update(theirs, add_reminder("theirs")), "the other request's update should be stored"
    assert user_data.update(mine, add_reminder("mine")), "this request's update should be stored"
    tokens = [r["alert_token"] for r in stored(store, user_id)["reminders"]]
    assert tokens == ["theirs", "mine"], f"an update overwrote another request's change: {tokens}"


def test_an_update_that_changes_nothing_writes_nothing(store, user_id):
    handler_input = visit(store, user_id)
    assert user_data.update(handler_input, lambda data: None) is True, "no change is not a failure"
    assert user_data.status(handler_input) == user_data.NEW, "nothing was stored, so the user is still new"
    assert stored(store, user_id) == {}, "a no-op update must not create a record"


def test_a_mutate_that_raises_is_a_bug_that_propagates_and_writes_nothing(store, user_id):
    handler_input = visit(store, user_id)

    def broken(data):
        data["visits"] = 5
        raise KeyError("handler bug")

    with pytest.raises(KeyError):
        user_data.update(handler_input, broken)
    assert stored(store, user_id) == {}, "nothing may be written when mutate fails"


def test_update_passes_the_allow_list(store, user_id):
    handler_input = visit(store, user_id)

    def sneaky(data):
        data["answers"] = {"bladder": "yes"}
        data["checkin"] = {"due": "2026-02-01", "alert_token": "t", "answer": "worse"}
        data["reminders"].append({"kind": "checkin", "alert_token": "t2", "schedule": {}})
        data["exercise"] = {"level": 2, "sessions": 4, "pain_score": 7}

    assert user_data.update(handler_input, sneaky), "the allowed part should be stored"
    raw = stored(store, user_id)
    assert "answers" not in raw, f"an answer reached the store: {raw!r}"
    assert raw["checkin"] == {"due": "2026-02-01", "alert_token": "t"}, f"check-in not cleaned: {raw!r}"
    assert raw["reminders"] == [], f"the check-in must never be a reminder record: {raw!r}"
    assert raw["exercise"] == {"level": 2, "sessions": 4}, f"a pain score reached the store: {raw!r}"


def test_update_after_a_failed_load_writes_nothing_and_says_why(store, user_id):
    assert user_data.update(visit(store, user_id), count_visit), "setting up a record failed"
    store.failing = True
    handler_input = visit(store, user_id)
    assert user_data.load(handler_input) == user_data.defaults(), "a failed load gives defaults"
    store.failing = False  # back within the same request: the request does not try again
    assert user_data.update(handler_input, count_visit) is False, "the update must report that nothing was stored"
    assert user_data.status(handler_input) == user_data.UNAVAILABLE, "the status must say the store is down"
    assert stored(store, user_id)["visits"] == 1, "the record must be as it was"


def test_a_failing_update_reports_false_and_store_down(store, user_id):
    handler_input = visit(store, user_id)
    user_data.load(handler_input)
    store.failing = True
    assert user_data.update(handler_input, add_reminder("tok")) is False, "a failed update must say False"
    assert user_data.store_down(handler_input), "store_down must say the store failed"
    store.failing = False
    assert stored(store, user_id) == {}, "nothing may have been written"


def test_update_after_delete_in_the_same_request_is_refused(store, user_id):
    assert user_data.update(visit(store, user_id), count_visit), "setting up a record failed"
    handler_input = visit(store, user_id)
    assert user_data.delete(handler_input), "delete should work"
    assert user_data.update(handler_input, count_visit) is False, "nothing may re-create a deleted record"
    assert user_data.status(handler_input) == user_data.DELETED, "the status should say it was deleted"
    assert stored(store, user_id) == {}, "the record must stay deleted"


def test_without_a_store_update_is_false_and_says_there_is_no_store(user_id):
    handler_input = visit(None, user_id)
    assert user_data.update(handler_input, count_visit) is False, "nothing can be stored without a store"
    assert user_data.status(handler_input) == user_data.NO_STORE, "the status should say there is no store"


# -- telling "nothing stored" from "the store is down" --------------------------------------------------


def test_status_tells_a_new_user_from_a_returning_one_from_a_store_that_is_down(store, user_id):
    new = visit(store, user_id)
    user_data.load(new)
    assert (user_data.status(new), user_data.store_down(new)) == (user_data.NEW, False), \
        "a user with nothing stored is NEW, and the store is up"
    assert user_data.update(new, add_reminder("tok")), "storing a reminder failed"
    returning = visit(store, user_id)
    assert user_data.load(returning)["reminders"], "the returning user's reminder should be read"
    assert user_data.status(returning) == user_data.LOADED, "a stored record is LOADED"
    store.failing = True
    down = visit(store, user_id)
    assert user_data.load(down)["reminders"] == [], "a failed load gives the default (empty) list"
    assert (user_data.status(down), user_data.store_down(down)) == (user_data.UNAVAILABLE, True), \
        "an empty list from a failed load must be told apart from 'no reminders'"


# -- delete ---------------------------------------------------------------------------------------------


def test_delete_is_idempotent_and_true_when_there_was_nothing(store, user_id):
    assert user_data.update(visit(store, user_id), count_visit), "setting up a record failed"
    assert user_data.delete(visit(store, user_id)) is True, "the first delete removes the record"
    assert user_data.delete(visit(store, user_id)) is True, "a retried delete (SkillDisabled again) also succeeds"
    assert user_data.delete(visit(store, new_user_id())) is True, "deleting a user with nothing stored is done"
    assert stored(store, user_id) == {}, "the record must be gone"


def test_a_delete_that_failed_is_false_and_a_retry_after_recovery_deletes(store, user_id):
    assert user_data.update(visit(store, user_id), count_visit), "setting up a record failed"
    store.failing = True
    failed = visit(store, user_id)
    assert user_data.delete(failed) is False, "a delete that did not happen must say False (Alexa retries)"
    assert user_data.store_down(failed), "and the status must say the store failed"
    store.failing = False
    assert stored(store, user_id)["visits"] == 1, "the record is still there after the failed delete"
    assert user_data.delete(visit(store, user_id)) is True, "the retried event deletes it"
    assert stored(store, user_id) == {}, "the record must be gone after the retry"


def test_delete_is_attempted_even_after_a_failed_load_in_the_request(store, user_id):
    assert user_data.update(visit(store, user_id), count_visit), "setting up a record failed"
    store.failing = True
    handler_input = visit(store, user_id)
    user_data.load(handler_input)
    store.failing = False
    assert user_data.delete(handler_input) is True, "a delete must not be skipped because a read failed"
    assert stored(store, user_id) == {}, "the record must be gone"
