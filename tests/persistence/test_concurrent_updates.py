"""No lost update, proven with real processes: several processes update one user's record at once
through `user_data.update`, as concurrent requests for one user would (each update is one request
with its own HandlerInput), against SQLite and against moto's DynamoDB server. Every update that
reported True is in the record, and none that reported False is. Plus 80 processes opening a
fresh SQLite file at the same moment (issue 14: one "database is locked").

The DynamoDB tests use moto on a single-threaded server (`serial_moto_server`): moto's threaded
server lets two conditional writes pass the same condition, which DynamoDB never does (see
support.dynamodb). The processes still race each other exactly as concurrent requests would."""

from __future__ import annotations

import os
from collections.abc import Callable

import pytest

from backcare.deadline import REQUEST_ATTRIBUTE, Deadline
from backcare.persistence import user_data
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from support.dynamodb import (  # the *_fixture names register fixtures
    dynamodb_adapter,
    handler_input_for,
    new_user_id,
    serial_moto_server_fixture,  # noqa: F401
)
from support.processes import run_plans


def count_visit(data):
    data["visits"] += 1


def add_reminder(token: str) -> Callable[[dict], None]:
    def mutate(data):
        data["reminders"].append({"kind": "stretch", "alert_token": token, "schedule": {"time": "15:00"}})
    return mutate


def run_concurrently(make_store, user_id: str, plans: list[list[Callable]], *,
                     budget: float | None = None) -> list[tuple[bool, str]]:
    """Run each plan (a list of mutations, one request each) in its own process; return every
    (stored, status). `budget`: each request's time budget (None: Alexa's, as in production)."""
    def request(store, mutate) -> tuple[bool, str]:
        handler_input = handler_input_for(store, user_id=user_id)
        if budget is not None:
            handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE] = Deadline(budget)
        return user_data.update(handler_input, mutate), user_data.status(handler_input)
    return run_plans(make_store, plans, request)


def final_record(store, user_id: str) -> dict:
    return user_data.load(handler_input_for(store, user_id=user_id))


def assert_counts(outcomes, record, expected_total, *, label):
    stored = sum(1 for ok, _ in outcomes if ok)
    refused = [status for ok, status in outcomes if not ok]
    assert record["visits"] == stored, (
        f"{label}: {stored} increments reported stored but the record counts {record['visits']} "
        f"(refused: {refused})")
    assert stored == expected_total, f"{label}: {len(refused)} of {expected_total} updates gave up: {refused}"


# -- SQLite ------------------------------------------------------------------------------------------------


def test_sqlite_concurrent_increments_are_all_counted(tmp_path):
    path = str(tmp_path / "state" / "backcare.sqlite3")
    user_id = new_user_id()
    processes, each = 8, 25
    outcomes = run_concurrently(lambda: SqlitePersistenceAdapter(path), user_id, [[count_visit] * each] * processes)
    record = final_record(SqlitePersistenceAdapter(path), user_id)
    assert_counts(outcomes, record, processes * each, label="SQLite")


def test_sqlite_concurrent_reminder_records_are_all_kept(tmp_path):
    path = str(tmp_path / "state" / "backcare.sqlite3")
    user_id = new_user_id()
    plans = [[add_reminder(f"tok-{worker}-{n}") for n in range(3)] for worker in range(6)]
    outcomes = run_concurrently(lambda: SqlitePersistenceAdapter(path), user_id, plans)
    assert all(ok for ok, _ in outcomes), f"an append was refused: {outcomes}"
    tokens = sorted(r["alert_token"] for r in final_record(SqlitePersistenceAdapter(path), user_id)["reminders"])
    expected = sorted(f"tok-{worker}-{n}" for worker in range(6) for n in range(3))
    assert tokens == expected, f"reminder records the user heard 'Done' for are missing: {set(expected) - set(tokens)}"


def test_80_processes_opening_a_fresh_sqlite_file_at_once_all_succeed(tmp_path):
    path = str(tmp_path / "fresh" / "backcare.sqlite3")
    user_id = new_user_id()
    processes = 80
    outcomes = run_concurrently(lambda: SqlitePersistenceAdapter(path, timeout=5.0), user_id,
                                [[count_visit]] * processes)
    statuses = [status for ok, status in outcomes if not ok]
    assert not statuses, f"{len(statuses)} of {processes} first opens failed ('database is locked'?): {statuses}"
    record = final_record(SqlitePersistenceAdapter(path), user_id)
    assert record["visits"] == processes, f"every first-open update must be counted, got {record['visits']}"
    leftovers = sorted(name for name in os.listdir(os.path.dirname(path)) if name.endswith(".tmp"))
    assert not leftovers, f"temporary files were left behind: {leftovers}"


# -- DynamoDB (moto over HTTP) -------------------------------------------------------------------------


PATIENT_BUDGET = 120.0  # seconds per request: these tests are about correctness, not the time budget


def patient_store(url: str):
    """A store that waits longer and retries more than production would (with PATIENT_BUDGET):
    five processes updating one user non-stop, on a busy two-core machine, is far more contention
    than one person's requests ever make."""
    return lambda: dynamodb_adapter(url, timeout=5.0, update_attempts=50)


@pytest.mark.timeout(300)
def test_dynamodb_concurrent_increments_are_all_counted(serial_moto_server):
    user_id = new_user_id()
    processes, each = 5, 8
    outcomes = run_concurrently(patient_store(serial_moto_server.url), user_id, [[count_visit] * each] * processes,
                                budget=PATIENT_BUDGET)
    record = final_record(dynamodb_adapter(serial_moto_server.url), user_id)
    assert_counts(outcomes, record, processes * each, label="DynamoDB")


@pytest.mark.timeout(300)
def test_dynamodb_concurrent_reminder_records_are_all_kept(serial_moto_server):
    user_id = new_user_id()
    plans = [[add_reminder(f"tok-{worker}-{n}") for n in range(3)] for worker in range(5)]
    outcomes = run_concurrently(patient_store(serial_moto_server.url), user_id, plans, budget=PATIENT_BUDGET)
    record = final_record(dynamodb_adapter(serial_moto_server.url), user_id)
    tokens = sorted(r["alert_token"] for r in record["reminders"])
    reported = sorted(f"tok-{worker}-{n}" for worker in range(5) for n in range(3)
                      if outcomes[worker * 3 + n][0])
    assert tokens == reported, (
        f"the stored records differ from the 'Done's: missing {set(reported) - set(tokens)}, "
        f"unreported {set(tokens) - set(reported)}")
    assert len(reported) == 15, f"an append gave up: {outcomes}"


@pytest.mark.timeout(300)
def test_dynamodb_with_few_attempts_never_reports_a_lost_update_as_stored(serial_moto_server):
    """With only two attempts some updates give up under this (unrealistic) contention;
    those must say False and be absent, and every True must be counted."""
    user_id = new_user_id()
    outcomes = run_concurrently(lambda: dynamodb_adapter(serial_moto_server.url, timeout=5.0, update_attempts=2),
                                user_id, [[count_visit] * 8] * 5, budget=PATIENT_BUDGET)
    record = final_record(dynamodb_adapter(serial_moto_server.url), user_id)
    stored = sum(1 for ok, _ in outcomes if ok)
    refused = [status for ok, status in outcomes if not ok]
    assert record["visits"] == stored, f"{stored} reported stored, {record['visits']} counted"
    assert set(refused) <= {user_data.CONFLICT}, f"a refused update must say CONFLICT: {refused}"
