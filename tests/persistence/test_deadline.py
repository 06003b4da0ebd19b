"""backcare.deadline: the time budget of one request, on an injected clock (no waiting, no timing)."""

from __future__ import annotations

import pytest

from backcare.deadline import (
    ALEXA_TIMEOUT_SECONDS,
    REQUEST_ATTRIBUTE,
    Deadline,
    DeadlineExceeded,
    DeadlineInterceptor,
    deadline_of,
)
from support.budget import FakeClock, LambdaContext
from support.dynamodb import handler_input_for


@pytest.fixture
def clock():
    return FakeClock()


def test_without_a_lambda_context_the_budget_is_alexas_8_seconds_minus_the_margin(clock):
    deadline = Deadline.for_request(None, margin=0.8, clock=clock)
    assert deadline.remaining() == pytest.approx(ALEXA_TIMEOUT_SECONDS - 0.8), f"unexpected budget {deadline}"


def test_a_lambda_with_less_time_left_than_alexa_waits_sets_the_budget(clock):
    deadline = Deadline.for_request(LambdaContext(3000), margin=0.5, clock=clock)
    assert deadline.remaining() == pytest.approx(2.5), f"the Lambda's remaining time must bound the budget: {deadline}"
    longer = Deadline.for_request(LambdaContext(900_000), margin=0.5, clock=clock)
    assert longer.remaining() == pytest.approx(7.5), "Alexa's 8 s still bounds a long Lambda timeout"


@pytest.mark.parametrize("broken", [RuntimeError("context gone"), "soon", float("nan"), -5])
def test_an_unusable_lambda_context_falls_back_to_alexas_timeout(clock, broken):
    deadline = Deadline.for_request(LambdaContext(broken), margin=0.8, clock=clock)
    assert deadline.remaining() == pytest.approx(7.2), f"a broken context must not break the budget: {broken!r}"


def test_timeout_for_is_the_cap_or_what_remains_and_refuses_below_the_floor(clock):
    deadline = Deadline(2.0, clock=clock, floor=0.05)
    assert deadline.timeout_for(1.0) == pytest.approx(1.0), "with time to spare the cap applies"
    clock.advance(1.4)
    assert deadline.timeout_for(1.0) == pytest.approx(0.6), "near the end, what remains applies"
    assert deadline.timeout_for(1.0, reserve=0.5) == pytest.approx(0.1), "the reserve is kept back"
    with pytest.raises(DeadlineExceeded):
        deadline.timeout_for(1.0, reserve=0.58)
    clock.advance(0.58)
    assert deadline.used_up, "0.02 s left is below the floor: used up"
    with pytest.raises(DeadlineExceeded):
        deadline.timeout_for(1.0)
    clock.advance(10)
    assert deadline.remaining() == 0.0, "remaining is never negative"


def test_allows_says_whether_work_of_a_given_length_still_fits(clock):
    deadline = Deadline(1.0, clock=clock, floor=0.05)
    assert deadline.allows(0.9), "0.9 s of work fits in 1 s with a 0.05 s floor"
    assert not deadline.allows(0.96), "0.96 s of work leaves less than the floor"


def test_the_interceptor_puts_the_deadline_in_the_request(clock):
    handler_input = handler_input_for(None)
    DeadlineInterceptor(margin=1.0, clock=clock).process(handler_input)
    deadline = handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE]
    assert isinstance(deadline, Deadline), "the request attributes must hold the deadline"
    assert deadline.remaining() == pytest.approx(7.0), "Alexa's 8 s minus the configured margin"
    assert deadline_of(handler_input) is deadline, "deadline_of must return the request's deadline"


def test_the_interceptor_binds_only_this_requests_api_client(clock):
    from ask_sdk_model.services import ApiConfiguration, ServiceClientFactory

    from backcare.services.api_client import TimeoutApiClient

    shared = TimeoutApiClient(timeout=3.0)
    first, second = handler_input_for(None), handler_input_for(None)
    for handler_input in (first, second):  # what CustomSkill.invoke builds for every request
        handler_input.service_client_factory = ServiceClientFactory(ApiConfiguration(api_client=shared))
    DeadlineInterceptor(clock=clock).process(first)
    bound = first.service_client_factory.api_configuration.api_client
    assert bound is not shared and bound.deadline is deadline_of(first), "the request's client must be bound"
    assert second.service_client_factory.api_configuration.api_client is shared, \
        "another request's client must not inherit this request's budget"
    assert bound.client is shared, "the bound client must share the skill's client (and its connections)"


def test_deadline_of_without_an_interceptor_makes_one_for_the_request():
    handler_input = handler_input_for(None)
    deadline = deadline_of(handler_input)
    assert deadline.budget == pytest.approx(7.2), f"a fresh request gets Alexa's budget minus the margin: {deadline}"
    assert deadline_of(handler_input) is deadline, "one deadline per request"
