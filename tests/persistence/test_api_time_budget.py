"""Every Alexa API call takes its timeout from the request's deadline (and from an enclosing
call_cap), and the progressive response helper never raises and never overruns. Real HTTP against
the local Alexa services emulator, through real ask_sdk_core skill invocations. Nothing is timed:
the deadline object says whether it was used up, the emulator says which calls reached it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from backcare import schedule
from backcare.deadline import REQUEST_ATTRIBUTE, DeadlineInterceptor
from backcare.services.api_client import ApiTimeout, call_cap
from backcare.services.progressive import send_progressive_response
from backcare.services.reminders import Reminders, ServiceUnavailable
from backcare.services.settings import device_time_zone, fallback_time_zone
from backcare_tools.clock import EmulatedClock
from backcare_tools.emulator import AlexaServicesEmulator
from support.budget import FakeClock
from support.emulator import START, TOKEN, USER, device_for, run_in_skill

SLOW = 20.0  # seconds the emulator holds a "timeout" call: only a client timeout ends it sooner


@pytest.fixture
def emulator() -> Iterator[AlexaServicesEmulator]:
    with AlexaServicesEmulator(clock=EmulatedClock(START), slow_seconds=SLOW) as running:
        running.grant(TOKEN, USER)
        yield running


def with_budget(budget: float, fn, *, clock=None):
    """`fn(handler_input, deadline)` inside a skill invocation whose deadline has `budget` seconds."""
    def run(handler_input):
        kwargs = {"clock": clock} if clock else {}
        DeadlineInterceptor(margin=0.0, alexa_timeout=budget, **kwargs).process(handler_input)
        return fn(handler_input, handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE])
    return run


def one_reminder():
    plan = schedule.plan_reminders(schedule.stretch_schedule(), now=START, time_zone="America/New_York",
                                   locale="en-US", text="Time to stretch.", max_rules_per_reminder=5)
    return plan[0].payload


def api_calls(emulator, prefix: str) -> list:
    return [call for call in emulator.calls if call.path.startswith(prefix)]


# -- the API client ----------------------------------------------------------------------------------------


@pytest.mark.timeout(15)  # the emulator holds the call for 20 s: only the deadline can end it in time
def test_a_slow_reminders_api_costs_the_budget_not_the_cap(emulator):
    emulator.simulate("timeout", api="reminders")

    def create(handler_input, deadline):
        with pytest.raises(ServiceUnavailable):
            Reminders.from_handler_input(handler_input).create(one_reminder())
        return deadline

    deadline = run_in_skill(device_for(emulator), with_budget(1.0, create), timeout=SLOW)
    assert deadline.used_up, f"the call must have been cut at the end of the budget: {deadline}"


@pytest.mark.timeout(15)
def test_a_call_cap_bounds_a_call_below_the_budget(emulator):
    emulator.simulate("timeout", api="settings")

    def zone(handler_input, deadline):
        return device_time_zone(handler_input), deadline

    found, deadline = run_in_skill(device_for(emulator), with_budget(6.0, zone), timeout=SLOW)
    assert found == fallback_time_zone("en-US"), "a slow Settings API must give the locale's zone"
    assert deadline.allows(4.0), f"the time zone lookup is capped at 1 s: most of the budget must be left: {deadline}"


def test_with_the_budget_used_up_no_api_call_is_made(emulator):
    clock = FakeClock()

    def create(handler_input, deadline):
        clock.advance(10)
        with pytest.raises(ServiceUnavailable):
            Reminders.from_handler_input(handler_input).create(one_reminder())
        return device_time_zone(handler_input)

    zone = run_in_skill(device_for(emulator), with_budget(5.0, create, clock=clock))
    assert zone == fallback_time_zone("en-US"), "with no time left the fallback zone is used"
    assert api_calls(emulator, "/v1") == [] and api_calls(emulator, "/v2") == [], \
        f"no call may be started without time to finish it: {emulator.calls}"


def test_call_cap_nests_to_the_smallest_and_raises_api_timeout_when_nothing_is_left():
    from backcare.services.api_client import call_timeout

    assert call_timeout(3.0) == 3.0, "outside a request and a cap, the client's own timeout applies"
    with call_cap(1.0):
        with call_cap(2.0):
            assert call_timeout(3.0) == 1.0, "nested caps: the smallest wins"
        assert call_timeout(0.5) == 0.5, "a cap never raises the client's timeout"
    assert call_timeout(3.0) == 3.0, "the cap ends with its block"


def test_a_healthy_api_within_the_budget_works(emulator):
    def create(handler_input, deadline):
        return Reminders.from_handler_input(handler_input).create(one_reminder()), deadline

    token, deadline = run_in_skill(device_for(emulator), with_budget(5.0, create))
    assert token in {r["alertToken"] for r in emulator.reminders_for(USER)}, "the reminder must exist"
    assert not deadline.used_up, "a healthy API must not use up the budget"


def test_api_timeout_is_what_a_bound_client_raises_without_time(emulator):
    from ask_sdk_model.services import ApiClientRequest

    from backcare.services.api_client import TimeoutApiClient

    clock = FakeClock()

    def call(handler_input, deadline):
        clock.advance(10)
        request = ApiClientRequest(url=f"{emulator.url}/v2/devices/d/settings/System.timeZone", method="GET",
                                   headers=[("Authorization", f"Bearer {TOKEN}")])
        with pytest.raises(ApiTimeout):
            TimeoutApiClient(timeout=3.0).bound_to(deadline).invoke(request)

    run_in_skill(device_for(emulator), with_budget(5.0, call, clock=clock))
    assert emulator.calls == [], "the call must not have been made"


# -- progressive responses ---------------------------------------------------------------------------------


def test_a_progressive_response_reaches_the_directive_api_for_this_request(emulator):
    def send(handler_input, deadline):
        return send_progressive_response(handler_input, "One moment."), handler_input.request_envelope.request

    sent, request = run_in_skill(device_for(emulator), with_budget(6.0, send))
    assert sent is True, "a healthy directive API must accept it"
    assert emulator.directives == [{"request_id": request.request_id, "speech": "One moment."}], \
        f"the directive must carry this request's id and the speech: {emulator.directives}"


@pytest.mark.timeout(15)
def test_a_slow_directive_api_costs_at_most_the_cap_and_never_raises(emulator):
    emulator.simulate("timeout", api="directives")

    def send(handler_input, deadline):
        return send_progressive_response(handler_input, "One moment.", cap=0.3), deadline

    sent, deadline = run_in_skill(device_for(emulator), with_budget(6.0, send), timeout=SLOW)
    assert sent is False, "a directive that timed out was not sent"
    assert deadline.allows(5.0), f"the progressive response must cost at most its cap: {deadline}"


@pytest.mark.parametrize("kind", ["server_error", "unauthorized"])
def test_a_failing_directive_api_is_false_never_an_exception(emulator, kind):
    emulator.simulate(kind, api="directives")
    sent = run_in_skill(device_for(emulator), with_budget(6.0, lambda hi, _: send_progressive_response(hi, "Hm.")))
    assert sent is False, f"a {kind} answer means not sent"


def test_no_progressive_response_without_time_for_it_and_the_answer(emulator):
    def send(handler_input, deadline):
        return send_progressive_response(handler_input, "One moment.", cap=0.5, reserve=1.0)

    assert run_in_skill(device_for(emulator), with_budget(1.2, send)) is False, \
        "0.5 s for the directive plus 1 s for the answer does not fit in 1.2 s"
    assert emulator.directives == [] and api_calls(emulator, "/v1/directives") == [], "nothing may be sent"


def test_without_an_api_client_a_progressive_response_is_false():
    from support.dynamodb import handler_input_for

    assert send_progressive_response(handler_input_for(None), "One moment.") is False, \
        "a skill built without an API client cannot send one, and must not raise"
