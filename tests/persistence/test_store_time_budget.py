"""Every store call takes its timeout from the request's deadline, against real servers: DynamoDB
(moto behind the fault proxy) that hangs, and a SQLite file whose write lock another writer holds.
Nothing is timed: the deadline object says whether it was used up, the proxy says which attempts
reached it and which the client abandoned, and the store says what it holds."""

from __future__ import annotations

import pytest

from backcare.deadline import REQUEST_ATTRIBUTE, Deadline, DeadlineInterceptor
from backcare.persistence import user_data
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from support.budget import FakeClock, LambdaContext
from support.dynamodb import (  # the *_fixture names register fixtures
    FaultProxy,
    dynamodb_adapter,
    dynamodb_table_fixture,  # noqa: F401
    fault_proxy_fixture,  # noqa: F401
    handler_input_for,
    moto_server_fixture,  # noqa: F401
    new_user_id,
)
from support.stores import hold_write_lock

STORE_CAP = 2.0  # the configured per-call cap: far more than the budgets below
MANY_ATTEMPTS = 10  # so that only the deadline can end the retries


def request_with_budget(store, user_id: str, budget: float, clock=None):
    """A request whose deadline has `budget` seconds (set as DeadlineInterceptor does)."""
    handler_input = handler_input_for(store, user_id=user_id)
    interceptor = DeadlineInterceptor(margin=0.0, alexa_timeout=budget, **({"clock": clock} if clock else {}))
    interceptor.process(handler_input)
    return handler_input, handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE]


def count_visit(data):
    data["visits"] += 1


@pytest.fixture
def adapter(fault_proxy):
    return dynamodb_adapter(fault_proxy.url, timeout=STORE_CAP, store_attempts=MANY_ATTEMPTS)


@pytest.fixture
def user_id(adapter):
    user_id = new_user_id()
    assert user_data.update(handler_input_for(adapter, user_id=user_id), count_visit), "set-up failed"
    return user_id


# -- DynamoDB ------------------------------------------------------------------------------------------


@pytest.mark.timeout(30)  # without the deadline: 10 attempts x 2 s against a proxy that holds each for 60 s
def test_a_hanging_store_costs_the_budget_not_the_cap_and_the_request_still_gets_an_answer(
        adapter, user_id, fault_proxy):
    fault_proxy.switch(FaultProxy.HANG)
    handler_input, deadline = request_with_budget(adapter, user_id, budget=1.0)
    data = user_data.load(handler_input)
    assert data == user_data.defaults() and user_data.store_down(handler_input), "the answer goes on, with defaults"
    assert deadline.used_up, f"the retries must stop when the budget is used up: {deadline}"
    hung = fault_proxy.targets(FaultProxy.HANG)
    assert 1 <= len(hung) < MANY_ATTEMPTS, f"the deadline, not the attempt count, must end the retries: {hung}"
    assert fault_proxy.abandoned_count(len(hung)) == len(hung), "the client must give up each hung attempt itself"


@pytest.mark.timeout(30)
def test_a_lambda_with_little_time_left_bounds_the_store_calls(adapter, user_id, fault_proxy):
    fault_proxy.switch(FaultProxy.HANG)
    handler_input = handler_input_for(adapter, user_id=user_id)
    handler_input.context = LambdaContext(1500)  # what the Lambda runtime passes
    DeadlineInterceptor(margin=0.5).process(handler_input)
    assert user_data.update(handler_input, count_visit) is False, "a hung store cannot store the update"
    deadline = handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE]
    assert deadline.budget == pytest.approx(1.0), "1.5 s left in the Lambda minus the 0.5 s margin"
    assert deadline.used_up, "the store calls must end with the Lambda's budget, before the Lambda is killed"


def test_with_the_budget_used_up_no_store_call_is_made(adapter, user_id, fault_proxy):
    clock = FakeClock()
    handler_input, _ = request_with_budget(adapter, user_id, budget=3.0, clock=clock)
    clock.advance(3.0)
    fault_proxy.switch(FaultProxy.PASS)  # a fresh log of requests
    assert user_data.load(handler_input) == user_data.defaults(), "load still answers, with defaults"
    assert user_data.store_down(handler_input), "and says the store could not be asked"
    assert user_data.delete(handler_input) is False, "a delete that was not attempted is not done"
    assert fault_proxy.targets() == [], f"no request may be sent without time to finish it: {fault_proxy.targets()}"
    again = handler_input_for(adapter, user_id=user_id)
    assert user_data.load(again)["visits"] == 1, "the record must be untouched"


def test_a_healthy_store_within_a_short_budget_answers_normally(adapter, user_id, fault_proxy):
    handler_input, deadline = request_with_budget(adapter, user_id, budget=3.0)
    assert user_data.update(handler_input, count_visit), "a healthy store must work within 3 s"
    assert user_data.load(handler_input)["visits"] == 2, "the update must be visible"
    assert not deadline.used_up, "a healthy store must not use up the budget"


# -- SQLite ---------------------------------------------------------------------------------------------


@pytest.mark.timeout(30)
def test_sqlite_waits_for_another_writers_lock_only_as_long_as_the_budget(tmp_path):
    path = tmp_path / "store.sqlite3"
    store = SqlitePersistenceAdapter(path, timeout=STORE_CAP * 10)
    user_id = new_user_id()
    assert user_data.update(handler_input_for(store, user_id=user_id), count_visit), "set-up failed"
    with hold_write_lock(path):
        handler_input, deadline = request_with_budget(store, user_id, budget=0.5)
        assert user_data.load(handler_input)["visits"] == 1, "reads still work while another process writes"
        assert user_data.update(handler_input, count_visit) is False, "the locked write must report False"
        assert user_data.store_down(handler_input), "and say the store failed"
        assert deadline.used_up, f"the wait for the lock must end with the budget: {deadline}"
    after = handler_input_for(store, user_id=user_id)
    assert user_data.load(after)["visits"] == 1, "nothing may have been written"
    assert user_data.update(after, count_visit), "once the lock is released the store works again"


def test_sqlite_with_the_budget_used_up_does_not_touch_the_file(tmp_path):
    path = tmp_path / "never" / "store.sqlite3"
    store = SqlitePersistenceAdapter(path)
    clock = FakeClock()
    handler_input, _ = request_with_budget(store, new_user_id(), budget=1.0, clock=clock)
    clock.advance(5)
    assert user_data.update(handler_input, count_visit) is False, "no time: nothing stored"
    assert not path.parent.exists(), "the store must not even be opened without time to use it"


def test_a_deadline_object_can_be_given_directly(tmp_path):
    """What a handler or tool without the interceptor does: one Deadline in the request attributes."""
    store = SqlitePersistenceAdapter(tmp_path / "store.sqlite3")
    handler_input = handler_input_for(store, user_id=new_user_id())
    handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE] = Deadline(5.0)
    assert user_data.update(handler_input, count_visit), "an explicit deadline must be honoured"
