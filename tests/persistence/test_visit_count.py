"""The first read of a session counts the visit in the same store call where it can
(`user_data.load_counting_visit`, `VersionedAdapter.count_visit`): on DynamoDB, one UpdateItem for a
returning user who has heard the disclaimer, returning the record as it was. Every other record
(a first visit, an older layout, an unversioned or newer one, odd values) is left as it is and read,
and the visit is counted by an update as before. The record is the same as after the two calls
it replaces, no visit is counted twice (also when the reply is lost), and concurrent writers still
lose nothing. Against moto over HTTP (through the fault proxy) and SQLite."""

from __future__ import annotations

import pytest

from backcare.persistence import user_data
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from backcare_tools.local_table import local_client
from support.dynamodb import (  # the *_fixture names register fixtures
    TABLE_NAME,
    FaultProxy,
    dynamodb_adapter,
    dynamodb_table_fixture,  # noqa: F401
    fault_proxy_fixture,  # noqa: F401
    handler_input_for,
    moto_server_fixture,  # noqa: F401
    new_user_id,
    serial_moto_server_fixture,  # noqa: F401
)
from support.processes import run_plans

RETURNING = {"disclaimer_heard": True, "visits": 4, "last_tip": {"topic": "posture", "index": 1},
             "checkin": {"due": "2026-01-02", "alert_token": "tok-1"}}


@pytest.fixture
def adapter(fault_proxy):
    return dynamodb_adapter(fault_proxy.url, timeout=0.5)


def stored_item(fault_proxy, user_id: str) -> dict | None:
    return local_client(fault_proxy.url).get_item(TableName=TABLE_NAME, Key={"id": {"S": user_id}}).get("Item")


def put_raw(fault_proxy, user_id: str, attributes: dict, version: int | None = 3) -> None:
    """A record as some writer left it (AttributeValue map for `attributes`)."""
    item = {"id": {"S": user_id}, "attributes": {"M": attributes}}
    if version is not None:
        item["version"] = {"N": str(version)}
    local_client(fault_proxy.url).put_item(TableName=TABLE_NAME, Item=item)


def returning_user(adapter, **changes) -> str:
    user_id = new_user_id()
    assert user_data.update(handler_input_for(adapter, user_id=user_id), lambda data: data.update(RETURNING, **changes))
    return user_id


def launch(adapter, user_id: str):
    """What the first-visit interceptor does on a LaunchRequest: the read, counting the visit in it
    where the store can; otherwise the visit counted by an update (the disclaimer owed or not)."""
    handler_input = handler_input_for(adapter, user_id=user_id)
    data = dict(user_data.load_counting_visit(handler_input))
    counted = user_data.visit_counted(handler_input)
    stored = counted or user_data.update(handler_input, lambda record: record.update(
        visits=record["visits"] + 1, disclaimer_heard=True))
    return data, counted, handler_input, stored


def test_a_returning_users_visit_is_counted_in_the_read(adapter, fault_proxy):
    user_id = returning_user(adapter)
    before = user_data.load(handler_input_for(adapter, user_id=user_id))
    fault_proxy.switch(FaultProxy.PASS)
    data, counted, handler_input, _ = launch(adapter, user_id)
    assert fault_proxy.targets() == ["UpdateItem"], f"one store call expected: {fault_proxy.targets()}"
    assert counted, "the visit should be counted with the read"
    assert data == before, "the request sees the record as it was before this visit (as load gives it)"
    assert user_data.status(handler_input) == user_data.LOADED
    after = user_data.load(handler_input_for(adapter, user_id=user_id))
    assert after == {**before, "visits": before["visits"] + 1}, "only the visit count may change"
    assert stored_item(fault_proxy, user_id)["version"] == {"N": "2"}, "the version must move (no lost update)"


def test_an_update_later_in_the_same_request_builds_on_the_counted_visit(adapter, fault_proxy):
    user_id = returning_user(adapter)
    _, counted, handler_input, _ = launch(adapter, user_id)
    assert counted
    fault_proxy.switch(FaultProxy.PASS)
    assert user_data.update(handler_input, lambda data: data.update(last_tip={"topic": "sleep", "index": 0}))
    assert fault_proxy.targets() == ["PutItem"], \
        f"the update should start from the counted record: {fault_proxy.targets()}"
    after = user_data.load(handler_input_for(adapter, user_id=user_id))
    assert (after["visits"], after["last_tip"]) == (RETURNING["visits"] + 1, {"topic": "sleep", "index": 0})


@pytest.mark.parametrize("case", ["first visit", "disclaimer not heard", "schema 1", "schema 0", "no version",
                                  "newer schema", "visits not a number", "visits negative"])
def test_any_other_record_is_read_as_it_is_and_the_visit_counted_as_before(adapter, fault_proxy, case):
    user_id = new_user_id()
    current = {"schema": {"N": "2"}, "disclaimer_heard": {"BOOL": True}, "visits": {"N": "4"}}
    raw = {
        "first visit": None,
        "disclaimer not heard": ({**current, "disclaimer_heard": {"BOOL": False}}, 3),
        "schema 1": ({**current, "schema": {"N": "1"}}, 3),
        "schema 0": ({"disclaimerHeard": {"BOOL": True}, "visitCount": {"N": "4"}}, 3),
        "no version": (current, None),
        "newer schema": ({**current, "schema": {"N": "3"}}, 3),
        "visits not a number": ({**current, "visits": {"S": "4"}}, 3),
        "visits negative": ({**current, "visits": {"N": "-2"}}, 3),
    }[case]
    if raw is not None:
        put_raw(fault_proxy, user_id, *raw)
    expected = user_data.load(handler_input_for(adapter, user_id=user_id))
    item_before = stored_item(fault_proxy, user_id)
    fault_proxy.switch(FaultProxy.PASS)
    handler_input = handler_input_for(adapter, user_id=user_id)
    data = user_data.load_counting_visit(handler_input)
    assert fault_proxy.targets() == ["UpdateItem"], f"{case}: one store call for the read: {fault_proxy.targets()}"
    assert not user_data.visit_counted(handler_input), f"{case}: the visit must not be counted with the read"
    assert data == expected, f"{case}: the read must give what load gives"
    assert stored_item(fault_proxy, user_id) == item_before, f"{case}: nothing may be written by the refused update"
    if case == "newer schema":
        assert user_data.status(handler_input) == user_data.READ_ONLY
    else:
        assert user_data.status(handler_input) == (user_data.NEW if case == "first visit" else user_data.LOADED)


def test_a_visit_whose_reply_was_lost_is_counted_exactly_once(adapter, fault_proxy):
    """The UpdateItem lands but the connection drops before the answer: the retry is refused (its
    write_id is already stored) and the refusal's record shows the visit landed."""
    user_id = returning_user(adapter)
    fault_proxy.switch(FaultProxy.LOSE_REPLY, lose=1, only="UpdateItem")
    data, counted, handler_input, _ = launch(adapter, user_id)
    assert fault_proxy.targets() == ["UpdateItem", "UpdateItem"], f"write, retry: {fault_proxy.targets()}"
    assert counted, "the visit landed: it is counted"
    assert data["visits"] == RETURNING["visits"], "the request sees the record as it was before the visit"
    assert user_data.status(handler_input) == user_data.LOADED
    after = user_data.load(handler_input_for(adapter, user_id=user_id))
    assert after["visits"] == RETURNING["visits"] + 1, f"counted once, not twice: {after['visits']}"


def test_a_store_that_is_down_gives_defaults_and_counts_nothing(adapter, fault_proxy):
    user_id = returning_user(adapter)
    fault_proxy.switch(FaultProxy.REFUSE)
    data, counted, handler_input, _ = launch(adapter, user_id)
    assert not counted and data == user_data.defaults(), "defaults, as after a failed load"
    assert user_data.status(handler_input) == user_data.UNAVAILABLE
    fault_proxy.switch(FaultProxy.PASS)
    assert user_data.load(handler_input_for(adapter, user_id=user_id))["visits"] == RETURNING["visits"]


def test_sqlite_reads_and_counts_the_visit_with_the_update(tmp_path):
    store = SqlitePersistenceAdapter(tmp_path / "backcare.sqlite3")
    user_id = new_user_id()
    assert user_data.update(handler_input_for(store, user_id=user_id), lambda data: data.update(RETURNING))
    data, counted, _, _ = launch(store, user_id)
    assert not counted and data["visits"] == RETURNING["visits"]
    assert user_data.load(handler_input_for(store, user_id=user_id))["visits"] == RETURNING["visits"] + 1


def _step(user_id: str):
    """One request per step: "launch" is a returning user's LaunchRequest (`launch`), a token adds a
    reminder by `update`."""
    def run(store, step) -> tuple[str, bool]:
        if step == "launch":
            return step, launch(store, user_id)[3]
        def add(data):
            data["reminders"].append({"kind": "stretch", "alert_token": step, "schedule": {"time": "15:00"}})
        return step, user_data.update(handler_input_for(store, user_id=user_id), add)
    return run


@pytest.mark.timeout(300)
def test_visits_counted_with_the_read_and_concurrent_updates_are_all_kept(serial_moto_server):
    """Launches (the one-call visit) and full read-modify-write updates of one user at once, from
    several processes: every visit and every reminder reported stored is in the record."""
    make_store = lambda: dynamodb_adapter(serial_moto_server.url, timeout=5.0, update_attempts=50)  # noqa: E731
    user_id = returning_user(make_store())
    plans = [["launch", f"tok-{worker}", "launch", "launch"] for worker in range(4)]
    outcomes = run_plans(make_store, plans, _step(user_id))
    assert all(ok for _, ok in outcomes), f"every step should be stored under this contention: {outcomes}"
    record = user_data.load(handler_input_for(make_store(), user_id=user_id))
    assert record["visits"] == RETURNING["visits"] + 12, f"visits lost or counted twice: {record['visits']}"
    assert sorted(r["alert_token"] for r in record["reminders"]) == sorted(f"tok-{w}" for w in range(4)), \
        f"a reminder was lost: {record['reminders']}"
