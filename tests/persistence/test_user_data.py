"""user_data: the one safe way handlers touch persistent attributes (layout, migration, allow-list,
store failures). Real SQLite files and real ASK AttributesManagers built from real envelopes; the
only fake is `FlakyStore`, a store that can be told to fail."""

from __future__ import annotations

import json
import logging
from datetime import time
from decimal import Decimal

import pytest
from ask_sdk_core.attributes_manager import AttributesManager
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import RequestEnvelope

from backcare import schedule
from backcare.persistence import user_data
from backcare_tools import envelopes
from support.dynamodb import handler_input_for, new_user_id
from support.stores import FlakyStore


@pytest.fixture
def store(tmp_path):
    return FlakyStore(tmp_path / "state" / "backcare.sqlite3")


@pytest.fixture
def user_id():
    return new_user_id()


def visit(store, user_id, **kwargs):
    """One request's HandlerInput for this user."""
    return handler_input_for(store, user_id=user_id, **kwargs)


def stored(store, user_id):
    return store.get_attributes(visit(None, user_id).request_envelope)


# -- the ordinary path --------------------------------------------------------------------------


def test_a_new_user_loads_the_defaults(store, user_id):
    data = user_data.load(visit(store, user_id))
    assert data == user_data.defaults(), f"a new user should get the default layout, got {data!r}"
    assert data["schema"] == 2, "the layout must carry its schema version"
    handler_input = visit(store, user_id)
    assert user_data.status(handler_input) is None, "nothing ran yet"
    user_data.load(handler_input)
    assert user_data.status(handler_input) == user_data.NEW, "the store answered: nothing is stored"


def test_changes_saved_in_one_request_are_loaded_in_the_next(store, user_id):
    first = visit(store, user_id)

    def first_visit(data):
        data["visits"] += 1
        data["disclaimer_heard"] = True
        data["last_tip"] = {"topic": "posture", "index": 2}

    assert user_data.update(first, first_visit) is True, "an update to a working store must report True"
    again = user_data.load(visit(store, user_id))
    assert (again["visits"], again["disclaimer_heard"], again["last_tip"]) == (
        1, True, {"topic": "posture", "index": 2}), f"the next request read {again!r}"


def test_the_store_is_read_at_most_once_per_request(store, user_id):
    handler_input = visit(store, user_id)
    assert store.calls == [], "building a HandlerInput must not touch the store"
    first = user_data.load(handler_input)
    second = user_data.load(handler_input)
    assert second is first, "a second load in the same request must return the same dict"
    assert store.calls == ["read"], f"expected one read, saw {store.calls}"


def test_delete_forgets_the_user_and_nothing_recreates_the_record_in_that_request(store, user_id):
    assert user_data.update(visit(store, user_id), lambda data: data.update(visits=9)), "set-up failed"
    forget = visit(store, user_id)
    user_data.load(forget)
    assert user_data.delete(forget) is True, "delete on a working store must report True"
    assert user_data.load(forget) == user_data.defaults(), "after delete the request should see defaults"
    assert user_data.update(forget, lambda data: data.update(visits=1)) is False, \
        "an update after delete in the same request must be refused"
    assert stored(store, user_id) == {}, "the record must be gone"


def test_without_a_store_load_gives_defaults_update_is_false_and_delete_is_true(user_id):
    handler_input = visit(None, user_id)
    assert user_data.load(handler_input) == user_data.defaults(), "PERSISTENCE=none still gives defaults"
    assert user_data.status(handler_input) == user_data.NO_STORE, "the status should say there is no store"
    assert user_data.update(handler_input, lambda data: None) is False, "nothing can be stored without a store"
    assert user_data.delete(handler_input) is True, "without a store nothing is kept, so deletion is true"


# -- migration ----------------------------------------------------------------------------------------


def test_a_v0_record_is_migrated_and_written_in_the_current_layout(store, user_id):
    store.save_attributes(visit(None, user_id).request_envelope,
                          {"disclaimerHeard": True, "visitCount": 4, "lastTip": "heat_ice:3"})
    handler_input = visit(store, user_id)
    data = user_data.load(handler_input)
    assert data == {**user_data.defaults(), "disclaimer_heard": True, "visits": 4,
                    "last_tip": {"topic": "heat_ice", "index": 3}}, f"v0 migrated wrongly: {data!r}"
    assert user_data.update(handler_input, lambda data: data.update(visits=data["visits"] + 1)), \
        "updating a migrated record must work"
    raw = stored(store, user_id)
    assert raw["schema"] == 2 and raw["visits"] == 5, f"the record was not rewritten as schema 2: {raw!r}"
    assert not {"disclaimerHeard", "visitCount", "lastTip"} & raw.keys(), f"v0 keys survived: {raw!r}"


@pytest.mark.parametrize("v0", [
    {"disclaimerHeard": "yes", "visitCount": -2, "lastTip": "posture"},
    {"visitCount": "7", "lastTip": "Posture!:x"},
    {"lastTip": 12, "somethingElse": {"deep": True}},
])
def test_a_malformed_v0_record_migrates_to_safe_values(v0):
    data, source = user_data.migrate(v0)
    assert source == 0, "a record without a schema is schema 0"
    assert data["disclaimer_heard"] in (False,), "only a real True may mark the disclaimer as heard"
    assert isinstance(data["visits"], int) and data["visits"] >= 0, f"visits must be a count: {data!r}"
    assert data["last_tip"] is None, f"a malformed last tip must be dropped: {data!r}"
    assert set(data) == set(user_data.defaults()), f"unknown keys survived migration: {data!r}"


def test_numbers_from_dynamodb_become_plain_ints():
    data, source = user_data.migrate({
        "schema": Decimal(1), "visits": Decimal(3), "disclaimer_heard": True,
        "last_tip": {"topic": "core", "index": Decimal(1)},
        "reminders": [{"kind": "stretch", "alert_token": "t", "schedule": {"hour": Decimal(15)}}],
    })
    assert source == 1, "schema should be read from a Decimal"
    values = [data["visits"], data["last_tip"]["index"], data["reminders"][0]["schedule"]["hour"]]
    assert all(type(value) is int for value in values), f"Decimals leaked into the layout: {values!r}"


def test_a_record_from_a_newer_schema_is_read_but_never_overwritten(store, user_id):
    newer = {"schema": 3, "disclaimer_heard": True, "visits": 12, "future_field": {"x": 1}}
    store.save_attributes(visit(None, user_id).request_envelope, newer)
    handler_input = visit(store, user_id)
    data = user_data.load(handler_input)
    assert data["disclaimer_heard"] is True and data["visits"] == 12, "known fields should still be read"
    assert user_data.update(handler_input, lambda data: data.update(visits=99)) is False, \
        "an update must not downgrade a newer record either"
    assert user_data.status(handler_input) == user_data.READ_ONLY, "the status should say why"
    assert stored(store, user_id) == newer, "the newer record was modified"


# -- the allow-list (SPEC §6: never symptom answers or outcomes) -------------------------------------


def test_update_drops_every_key_outside_the_layout(store, user_id, caplog):
    handler_input = visit(store, user_id)
    with caplog.at_level(logging.WARNING):
        assert user_data.update(handler_input, fill_with_forbidden_things), "the update itself should work"
    assert_only_the_layout_was_stored(store, user_id, caplog)


def fill_with_forbidden_things(data):
    data["answers"] = {"fever": "yes", "bladder_bowel": "no"}
    data["outcome"] = "EMERGENCY"
    data["triage"] = {"asked": ["bladder_bowel"], "disposition": "URGENT"}
    data["last_tip"] = {"topic": "posture", "index": 1, "symptom": "fever"}
    data["reminders"].append({"kind": "posture", "alert_token": "tok-1", "answer": "yes",
                              "schedule": {"interval_minutes": 60, "fever": True, "outcome": "URGENT",
                                           "nested": {"deep": 1}, "times": ["09:00", "10:00"]}})
    data["reminders"].append({"kind": "diagnosis", "alert_token": "tok-2", "schedule": {}})
    data["prefs"] = {"stretch_time": "15:00", "disposition": "SELF_CARE"}


def assert_only_the_layout_was_stored(store, user_id, caplog):
    raw = stored(store, user_id)
    assert raw == {
        "schema": 2, "disclaimer_heard": False, "visits": 0,
        "last_tip": {"topic": "posture", "index": 1},
        "reminders": [{"kind": "posture", "alert_token": "tok-1",
                       "schedule": {"interval_minutes": 60, "times": ["09:00", "10:00"]}}],
        "prefs": {"stretch_time": "15:00"},
        "exercise": {"level": 1, "sessions": 0}, "checkin": None,
    }, f"something outside the layout was stored: {raw!r}"
    text = repr(raw)
    for forbidden in ("EMERGENCY", "URGENT", "SELF_CARE", "fever", "bladder", "diagnosis"):
        assert forbidden not in text, f"{forbidden!r} reached the store"
    assert "answers" in caplog.text and "outcome" in caplog.text, "dropped keys should be named in a warning"
    assert "EMERGENCY" not in caplog.text, "a dropped value must never be logged"


def test_clean_keeps_a_valid_layout_unchanged():
    layout = {"schema": 2, "disclaimer_heard": True, "visits": 3, "last_tip": {"topic": "core", "index": 0},
              "reminders": [{"kind": "stretch", "alert_token": "a", "schedule": {"time": "15:00"}}],
              "prefs": {"posture_interval_minutes": 90}, "exercise": {"level": 3, "sessions": 14},
              "checkin": {"due": "2026-03-01", "alert_token": "amzn1.alert.checkin"}}
    assert user_data.clean(layout) == layout, "the allow-list must not damage valid data"


# -- store failures -----------------------------------------------------------------------------------


def test_a_failing_load_gives_defaults_and_stops_later_writes_in_the_request(store, user_id, caplog):
    assert user_data.update(visit(store, user_id), lambda data: data.update(visits=6, disclaimer_heard=True))
    store.failing = True
    during = visit(store, user_id)
    with caplog.at_level(logging.WARNING):
        data = user_data.load(during)
    assert data == user_data.defaults(), "a failed load must still give usable defaults"
    assert user_data.status(during) == user_data.UNAVAILABLE, "the request must remember the store is down"
    store.failing = False  # even if the store comes back within the same request...
    assert user_data.update(during, lambda data: data.update(visits=1)) is False, \
        "...an update after a failed load must be refused"
    assert stored(store, user_id)["visits"] == 6, "the stored record was overwritten with defaults"
    assert "failed to load" in caplog.text, "the failure must be logged"
    assert user_id not in caplog.text, "the log must not hold the user id"


def test_a_failing_update_reports_false_and_is_not_retried_in_the_request(store, user_id):
    handler_input = visit(store, user_id)
    user_data.load(handler_input)
    store.failing = True
    assert user_data.update(handler_input, lambda data: data.update(visits=3)) is False, \
        "a failed update must not be reported as done"
    assert user_data.update(handler_input, lambda data: data.update(visits=3)) is False, \
        "a second update in the same request must not retry"
    assert store.calls.count("update") == 1, f"the store was hit again after failing: {store.calls}"
    assert user_data.status(handler_input) == user_data.UNAVAILABLE, "the status should say the store failed"


def test_a_failing_delete_reports_false(store, user_id):
    assert user_data.update(visit(store, user_id), lambda data: data.update(visits=2)), "set-up failed"
    store.failing = True
    assert user_data.delete(visit(store, user_id)) is False, "a failed delete must not be reported as done"
    store.failing = False
    assert stored(store, user_id)["visits"] == 2, "a failed delete must leave the record as it was"


def test_an_out_of_session_event_can_still_load_and_delete(store, user_id):
    """SkillDisabled arrives without a session: user_data must still work on it."""
    assert user_data.update(visit(store, user_id), lambda data: data.update(visits=2)), "set-up failed"
    body = envelopes.event_envelope(envelopes.Device(user_id=user_id), envelopes.skill_event("SkillDisabled"))
    request_envelope = DefaultSerializer().deserialize(json.dumps(body), RequestEnvelope)
    event = HandlerInput(request_envelope, AttributesManager(request_envelope, store))
    assert user_data.load(event)["visits"] == 2, "the event's user should be found"
    assert user_data.delete(event) is True, "deleting on SkillDisabled must work"
    assert stored(store, user_id) == {}, "the record must be gone after SkillDisabled"


@pytest.mark.parametrize("made", [
    schedule.posture_schedule(30, time(0, 0), time(23, 30), end_assumed_pm=True),
    schedule.posture_schedule(),
    schedule.stretch_schedule(time(15, 0)),
], ids=["posture-every-30-minutes-all-day", "posture-default", "stretch"])
def test_the_allow_list_keeps_every_reminder_record_the_reminders_area_makes(made):
    """The records come from backcare.schedule: a field dropped here would lose a user's reminders."""
    record = {"kind": made.kind, "alert_token": "amzn1.alert.token-1", "schedule": made.to_dict()}
    layout = {**user_data.defaults(), "reminders": [record]}
    kept = user_data.clean(layout)["reminders"]
    assert kept == [record], f"the allow-list changed a reminder record: {kept!r}"
    assert schedule.Schedule.from_dict(kept[0]["schedule"]) == made, "the stored schedule no longer parses back"
