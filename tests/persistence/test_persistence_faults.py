"""DynamoDB store failures, for real: the adapter talks HTTP to moto_server through a proxy that
can refuse connections, hang, be slow, answer with DynamoDB's throttling error, or carry out a
write and lose its reply. Whatever happens, user_data gives usable defaults, never overwrites what
was stored, never applies an update twice, and says False when a write or delete did not happen.
"Bounded" is shown without timing anything: the proxy sees the client give up on a hanging
request, and sees exactly the configured number of attempts."""

from __future__ import annotations

import logging

import pytest
from ask_sdk_core.exceptions import PersistenceException

from backcare.persistence import user_data
from backcare.persistence.dynamodb import MAX_ATTEMPTS
from backcare_tools.local_table import create_table
from support.dynamodb import (  # the *_fixture names register fixtures
    REGION,
    TABLE_NAME,
    FaultProxy,
    MotoServer,
    dynamodb_adapter,
    dynamodb_table_fixture,  # noqa: F401
    fault_proxy_fixture,  # noqa: F401
    handler_input_for,
    moto_server_fixture,  # noqa: F401
    new_user_id,
)

STORE_TIMEOUT = 0.5  # seconds; the proxy holds requests far longer than this
STORED = {"disclaimer_heard": True, "visits": 7, "last_tip": {"topic": "posture", "index": 2}}


@pytest.fixture
def adapter(fault_proxy):
    return dynamodb_adapter(fault_proxy.url, timeout=STORE_TIMEOUT)


@pytest.fixture
def user_id(adapter):
    """A user whose record is stored (through the proxy, while it still behaves)."""
    user_id = new_user_id()
    handler_input = handler_input_for(adapter, user_id=user_id)
    assert user_data.update(handler_input, lambda data: data.update(STORED)), "setting up the stored record failed"
    return user_id


def returning_visit_after_failure(adapter, user_id, proxy: FaultProxy) -> dict:
    """A later request through a healthy store: what is stored now."""
    proxy.switch(FaultProxy.PASS)
    handler_input = handler_input_for(adapter, user_id=user_id)
    data = user_data.load(handler_input)
    assert user_data.status(handler_input) == user_data.LOADED, "the store should work again after the fault"
    return data


def launch_during_fault(adapter, user_id) -> tuple[dict, bool]:
    """What the launch handler does: load, then count the visit."""
    handler_input = handler_input_for(adapter, user_id=user_id)
    data = user_data.load(handler_input)
    assert user_data.status(handler_input) == user_data.UNAVAILABLE, "the failure should be noticed"

    def count_visit(stored):
        stored["visits"] += 1
        stored["disclaimer_heard"] = True

    saved = user_data.update(handler_input, count_visit)
    return {**data, "visits": data["visits"] + 1}, saved


def assert_record_intact(adapter, user_id, proxy):
    data = returning_visit_after_failure(adapter, user_id, proxy)
    for key, value in STORED.items():
        assert data[key] == value, f"{key} was lost or overwritten during the fault: {data!r}"


# -- connection refused (the server is gone) ---------------------------------------------------------


@pytest.mark.timeout(60)
def test_refused_connection_gives_defaults_refuses_the_update_and_keeps_the_record(
        adapter, user_id, fault_proxy, caplog):
    fault_proxy.switch(FaultProxy.REFUSE)
    with caplog.at_level(logging.WARNING):
        data, saved = launch_during_fault(adapter, user_id)
    assert data["visits"] == 1, "the request should carry on with defaults"
    assert saved is False, "an update after a failed load must report False"
    assert "failed to load" in caplog.text, "the failure must be logged"
    assert user_id not in caplog.text, "the warning must not hold the user id"
    assert "PutItem" not in fault_proxy.targets(), "nothing may be written while the store is failing"
    assert_record_intact(adapter, user_id, fault_proxy)


@pytest.mark.timeout(60)
def test_refused_connection_at_the_adapter_is_a_persistence_exception(adapter, user_id, fault_proxy):
    fault_proxy.switch(FaultProxy.REFUSE)
    envelope = handler_input_for(None, user_id=user_id).request_envelope
    with pytest.raises(PersistenceException):
        adapter.get_attributes(envelope)
    with pytest.raises(PersistenceException):
        adapter.save_attributes(envelope, {"visits": 0})
    with pytest.raises(PersistenceException):
        adapter.delete_attributes(envelope)
    assert_record_intact(adapter, user_id, fault_proxy)


@pytest.mark.timeout(60)
def test_delete_while_the_store_is_down_reports_false_and_deletes_later(adapter, user_id, fault_proxy):
    fault_proxy.switch(FaultProxy.REFUSE)
    assert user_data.delete(handler_input_for(adapter, user_id=user_id)) is False, \
        "a delete that did not happen must not be reported as done"
    fault_proxy.switch(FaultProxy.PASS)
    assert user_data.delete(handler_input_for(adapter, user_id=user_id)) is True, "delete should now work"
    assert adapter.get_attributes(handler_input_for(None, user_id=user_id).request_envelope) == {}, \
        "the record must be gone after a successful delete"


# -- hanging and slow ------------------------------------------------------------------------------


@pytest.mark.timeout(60)  # the proxy would hold each request for 60 s: only the client timeout ends it
def test_a_hanging_store_is_abandoned_after_the_configured_attempts(adapter, user_id, fault_proxy):
    fault_proxy.switch(FaultProxy.HANG)
    _, saved = launch_during_fault(adapter, user_id)
    assert saved is False, "an update after a hanging load must report False"
    hung = fault_proxy.targets(FaultProxy.HANG)
    assert hung == ["GetItem"] * MAX_ATTEMPTS, f"expected {MAX_ATTEMPTS} GetItem attempts, saw {hung}"
    gave_up = fault_proxy.abandoned_count(MAX_ATTEMPTS)
    assert gave_up == MAX_ATTEMPTS, f"the client should give up on each hung attempt itself, gave up on {gave_up}"
    assert_record_intact(adapter, user_id, fault_proxy)


@pytest.mark.timeout(60)
def test_a_store_slower_than_the_timeout_counts_as_down(adapter, user_id, fault_proxy):
    fault_proxy.switch(FaultProxy.SLOW, delay=20 * STORE_TIMEOUT)
    _, saved = launch_during_fault(adapter, user_id)
    assert saved is False, "an update after a timed-out load must report False"
    assert fault_proxy.abandoned_count(MAX_ATTEMPTS) == MAX_ATTEMPTS, "the client should abandon each slow attempt"
    assert "PutItem" not in fault_proxy.targets(), "nothing may be written after a timed-out load"
    assert_record_intact(adapter, user_id, fault_proxy)


@pytest.mark.timeout(60)
def test_a_store_slower_than_usual_but_within_the_timeout_still_works(fault_proxy):
    adapter = dynamodb_adapter(fault_proxy.url, timeout=5.0)
    fault_proxy.switch(FaultProxy.SLOW, delay=0.2)
    handler_input = handler_input_for(adapter, user_id=new_user_id())
    user_data.load(handler_input)
    assert user_data.status(handler_input) == user_data.NEW, "a slow but timely store must not be dropped"
    assert user_data.update(handler_input, lambda data: data.update(visits=1)) is True, \
        "a slow but timely update must succeed"
    assert fault_proxy.abandoned == 0, "nothing should have been abandoned"


@pytest.mark.timeout(60)
def test_an_update_that_times_out_is_reported_as_not_stored(adapter, user_id, fault_proxy):
    handler_input = handler_input_for(adapter, user_id=user_id)
    user_data.load(handler_input)
    fault_proxy.switch(FaultProxy.HANG)
    assert user_data.update(handler_input, lambda data: data.update(visits=100)) is False, \
        "a timed-out update must not be reported as done"
    assert fault_proxy.targets(FaultProxy.HANG) == ["PutItem"] * MAX_ATTEMPTS, "unexpected attempts"
    assert_record_intact(adapter, user_id, fault_proxy)


# -- a write that landed although its reply was lost ---------------------------------------------------


@pytest.mark.timeout(60)
def test_an_update_whose_reply_was_lost_is_applied_exactly_once_and_reported_stored(adapter, user_id, fault_proxy):
    """The PutItem reaches the table but the connection drops before the answer: the adapter
    retries the same conditional write, finds the condition failed, and recognises its own
    write_id in the stored item. Without that it would re-apply the increment (7 -> 9)."""
    handler_input = handler_input_for(adapter, user_id=user_id)
    fault_proxy.switch(FaultProxy.LOSE_REPLY, lose=1, only="PutItem")

    def count_visit(data):
        data["visits"] += 1

    assert user_data.update(handler_input, count_visit) is True, "the write landed: it must be reported stored"
    assert fault_proxy.targets() == ["GetItem", "PutItem", "PutItem", "GetItem"], \
        f"expected read, write (reply lost), retried write (condition failed), check: {fault_proxy.targets()}"
    data = returning_visit_after_failure(adapter, user_id, fault_proxy)
    assert data["visits"] == STORED["visits"] + 1, f"the increment must be applied exactly once: {data['visits']}"


@pytest.mark.timeout(60)
def test_a_lost_reply_on_a_write_that_did_lose_the_race_is_a_conflict_and_re_applied(adapter, user_id, fault_proxy):
    """Another request writes between this request's read and its write: the write is refused
    (its reply lost on the way back), the retry is refused too, the stored write_id is not ours,
    so the update re-reads and re-applies on the newest record. Both changes are kept."""
    mine, theirs = handler_input_for(adapter, user_id=user_id), handler_input_for(adapter, user_id=user_id)
    user_data.load(mine)
    assert user_data.update(theirs, lambda data: data.update(disclaimer_heard=False)), "the other write failed"
    fault_proxy.switch(FaultProxy.LOSE_REPLY, lose=1, only="PutItem")
    assert user_data.update(mine, lambda data: data.update(visits=data["visits"] + 1)) is True, \
        "the update must succeed on the re-read record"
    data = returning_visit_after_failure(adapter, user_id, fault_proxy)
    assert (data["visits"], data["disclaimer_heard"]) == (STORED["visits"] + 1, False), \
        f"one of the two changes was lost: {data!r}"


# -- throttling --------------------------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_throttling_is_retried_once_then_handled(adapter, user_id, fault_proxy, caplog):
    fault_proxy.switch(FaultProxy.THROTTLE)
    with caplog.at_level(logging.WARNING):
        _, saved = launch_during_fault(adapter, user_id)
    assert saved is False, "an update after a throttled load must report False"
    throttled = fault_proxy.targets(FaultProxy.THROTTLE)
    assert throttled == ["GetItem"] * MAX_ATTEMPTS, f"throttling should be retried boundedly, saw {throttled}"
    assert "ProvisionedThroughputExceeded" in caplog.text, "the log should say the store throttled"
    assert_record_intact(adapter, user_id, fault_proxy)


@pytest.mark.timeout(60)
def test_a_throttled_update_leaves_the_previous_record(adapter, user_id, fault_proxy):
    handler_input = handler_input_for(adapter, user_id=user_id)
    user_data.load(handler_input)
    fault_proxy.switch(FaultProxy.THROTTLE)
    assert user_data.update(handler_input, lambda data: data.update(visits=100)) is False, \
        "a throttled update must not be reported as done"
    assert_record_intact(adapter, user_id, fault_proxy)


# -- the server itself stopped and restarted ------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_stopped_server_mid_conversation_then_restarted(tmp_path):
    """A real moto_server stopped between two requests: the request still gets defaults; after a
    restart (moto keeps data in memory, so the table is new and empty) the store works again."""
    server = MotoServer(log_path=tmp_path / "moto.log")
    server.start()
    try:
        create_table(server.url, TABLE_NAME, region=REGION)
        adapter = dynamodb_adapter(server.url, timeout=STORE_TIMEOUT)
        user_id = new_user_id()
        first = handler_input_for(adapter, user_id=user_id)
        assert user_data.update(first, lambda data: data.update(visits=1)), "the first request should store"
        server.stop()
        second = handler_input_for(adapter, user_id=user_id)
        assert user_data.load(second) == user_data.defaults(), "with the server gone, defaults are used"
        assert user_data.update(second, lambda data: data.update(visits=5)) is False, \
            "nothing can be stored while the server is gone"
        server.start()
        create_table(server.url, TABLE_NAME, region=REGION)
        third = handler_input_for(adapter, user_id=user_id)
        assert user_data.update(third, lambda data: data.update(visits=2)), \
            "the same adapter must recover once the server is back"
    finally:
        server.stop()
