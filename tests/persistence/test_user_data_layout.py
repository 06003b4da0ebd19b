"""The stored layout, version 2 (SPEC §5, §6): exercise progress and the check-in join what is kept,
older layouts migrate, and the allow-list keeps out anything that is not fitness progress, a date or
a reminder token. Pure functions of user_data, plus one round trip through a real SQLite store."""

from __future__ import annotations

import pytest

from backcare import triage
from backcare.persistence import user_data
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from support.dynamodb import handler_input_for, new_user_id

V1_RECORD = {
    "schema": 1, "disclaimer_heard": True, "visits": 4, "last_tip": {"topic": "heat_ice", "index": 1},
    "reminders": [{"kind": "stretch", "alert_token": "tok-s", "schedule": {"time": "15:00"}}],
    "prefs": {"stretch_time": "15:00"},
}


def test_defaults_hold_the_v2_fields():
    data = user_data.defaults()
    assert data["schema"] == 2, "the current layout is schema 2"
    assert data["exercise"] == {"level": 1, "sessions": 0}, "a new user starts the programme at level 1"
    assert data["checkin"] is None, "a new user has no check-in"


def test_a_v1_record_migrates_with_every_field_kept():
    data, source = user_data.migrate(V1_RECORD)
    assert source == 1, "the record's own schema must be reported"
    assert {key: data[key] for key in V1_RECORD if key != "schema"} == {
        key: value for key, value in V1_RECORD.items() if key != "schema"}, f"a v1 field was lost: {data!r}"
    assert (data["exercise"], data["checkin"]) == ({"level": 1, "sessions": 0}, None), "v2 fields get defaults"


def test_a_v1_record_is_written_as_v2_by_the_next_update(tmp_path):
    store = SqlitePersistenceAdapter(tmp_path / "store.sqlite3")
    user_id = new_user_id()
    store.save_attributes(handler_input_for(None, user_id=user_id).request_envelope, V1_RECORD)
    handler_input = handler_input_for(store, user_id=user_id)

    def finish_session(data):
        data["exercise"]["sessions"] += 1

    assert user_data.update(handler_input, finish_session), "updating a v1 record must work"
    raw = store.get_attributes(handler_input.request_envelope)
    assert raw["schema"] == 2 and raw["exercise"] == {"level": 1, "sessions": 1}, f"not written as v2: {raw!r}"
    assert raw["reminders"] == V1_RECORD["reminders"], "the v1 reminders must survive the migration"


@pytest.mark.parametrize(("given", "kept"), [
    ({"level": 2, "sessions": 5}, {"level": 2, "sessions": 5}),
    ({"level": 3, "sessions": 0}, {"level": 3, "sessions": 0}),
    ({"level": 0, "sessions": 2}, {"level": 1, "sessions": 2}),
    ({"level": 4, "sessions": 2}, {"level": 1, "sessions": 2}),
    ({"level": "2", "sessions": -1}, {"level": 2, "sessions": 0}),
    ({"level": True, "sessions": 1.5}, {"level": 1, "sessions": 0}),
    ({"level": 2, "sessions": 3, "pain": 8, "answer": "worse"}, {"level": 2, "sessions": 3}),
    ({"level": 2, "sessions": 1, "paused_at": 4}, {"level": 2, "sessions": 1, "paused_at": 4}),
    ({"level": 2, "sessions": 1, "paused_at": -1}, {"level": 2, "sessions": 1}),
    ({"level": 2, "sessions": 1, "paused_at": "later"}, {"level": 2, "sessions": 1}),
    ("level 3", {"level": 1, "sessions": 0}),
])
def test_exercise_keeps_only_a_level_of_1_to_3_a_session_count_and_a_kept_pause(given, kept):
    cleaned = user_data.clean({"exercise": given})["exercise"]
    assert cleaned == kept, f"exercise {given!r} was cleaned to {cleaned!r}, expected {kept!r}"


@pytest.mark.parametrize(("given", "kept"), [
    ({"due": "2026-03-14", "alert_token": "amzn1.alert.1"}, {"due": "2026-03-14", "alert_token": "amzn1.alert.1"}),
    ({"due": "2026-03-14", "alert_token": None}, {"due": "2026-03-14", "alert_token": None}),
    ({"due": "2026-03-14"}, {"due": "2026-03-14", "alert_token": None}),
    ({"due": "2026-02-30", "alert_token": "t"}, None),
    ({"due": "14/03/2026", "alert_token": "t"}, None),
    ({"due": "2026-03-14T10:00:00", "alert_token": "t"}, None),
    ({"due": "2026-03-14", "alert_token": ""}, None),
    ({"due": "2026-03-14", "alert_token": "t", "answer": "worse", "change": "better"},
     {"due": "2026-03-14", "alert_token": "t"}),
    (None, None),
    ("2026-03-14", None),
])
def test_the_check_in_keeps_only_its_date_and_reminder_token(given, kept):
    cleaned = user_data.clean({"checkin": given})["checkin"]
    assert cleaned == kept, f"check-in {given!r} was cleaned to {cleaned!r}, expected {kept!r}"


def test_a_check_in_is_never_a_reminder_record():
    data = user_data.clean({"reminders": [
        {"kind": "checkin", "alert_token": "tok-c", "schedule": {"due": "2026-03-14"}},
        {"kind": "posture", "alert_token": "tok-p", "schedule": {}},
    ]})
    assert [r["kind"] for r in data["reminders"]] == ["posture"], f"a check-in became a reminder: {data!r}"


def test_every_triage_question_id_is_refused_as_a_stored_key():
    missing = sorted(q.id for q in triage.QUESTIONS if q.id not in user_data.FORBIDDEN_KEYS)
    assert not missing, f"triage question ids that could be stored as schedule keys: {missing}"
    schedule = {q.id: True for q in triage.QUESTIONS} | {"time": "15:00"}
    kept = user_data.clean({"reminders": [{"kind": "stretch", "alert_token": "t", "schedule": schedule}]})
    assert kept["reminders"][0]["schedule"] == {"time": "15:00"}, "a question id reached a stored schedule"
