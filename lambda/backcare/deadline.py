"""The time budget of one request: every store and Alexa API call takes its timeout from it.

Alexa waits at most 8 s for an answer (SPEC §8) and a Lambda is killed at its own timeout, so a
request has `min(8 s, the Lambda's remaining time)` minus a safety margin for building,
serialising and sending the response. A slow store or API must cost time out of that budget,
never more than what is left:

    deadline = deadline_of(handler_input)     # made per request by DeadlineInterceptor
    timeout = deadline.timeout_for(1.0)       # min(cap, remaining); DeadlineExceeded if too little
    if deadline.remaining() < 2.0: ...        # not enough time to start slow work: say so

The SDK's service clients call the ApiClient with only the HTTP request, so the interceptor also
binds this request's ServiceClientFactory to the deadline: the factory is built per request, and
its API client is swapped for one bound to this deadline (`TimeoutApiClient.bound_to`). Nothing
global holds a deadline, so a finished request's spent budget can never limit a later call.
The store gets the deadline from user_data, which passes it with every call.

The clock is injectable (`clock=`, seconds as a float, monotonic), so tests can show a deadline
used up without waiting for real time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor

ALEXA_TIMEOUT_SECONDS = 8.0  # SPEC §8: Alexa waits at most 8 s for a response
DEFAULT_MARGIN_SECONDS = 0.8  # building, serialising and sending the response; the network to Alexa
MIN_CALL_SECONDS = 0.05  # a network call given less than this cannot succeed: do not start it
REQUEST_ATTRIBUTE = "backcare.deadline"

Clock = Callable[[], float]


class DeadlineExceeded(Exception):
    """Too little of the request's time budget is left for the call that asked."""


class Deadline:
    """A point in time by which the response must be on its way."""

    def __init__(self, budget: float, *, clock: Clock = time.monotonic, floor: float = MIN_CALL_SECONDS) -> None:
        self.budget = max(0.0, float(budget))
        self.floor = floor
        self._clock = clock
        self._ends_at = clock() + self.budget

    @classmethod
    def for_request(
        cls,
        context: Any = None,
        *,
        margin: float = DEFAULT_MARGIN_SECONDS,
        alexa_timeout: float = ALEXA_TIMEOUT_SECONDS,
        clock: Clock = time.monotonic,
        floor: float = MIN_CALL_SECONDS,
    ) -> Deadline:
        """The budget of a request that starts now: Alexa's timeout, or the Lambda's remaining
        time from its context when that is shorter, minus `margin`."""
        available = alexa_timeout
        lambda_left = lambda_remaining_seconds(context)
        if lambda_left is not None:
            available = min(available, lambda_left)
        return cls(available - margin, clock=clock, floor=floor)

    def remaining(self) -> float:
        """Seconds left (never negative)."""
        return max(0.0, self._ends_at - self._clock())

    @property
    def used_up(self) -> bool:
        """True when no useful call can be started any more."""
        return self.remaining() < self.floor

    def allows(self, seconds: float) -> bool:
        """Whether `seconds` of work still fit, leaving at least the floor."""
        return self.remaining() - seconds >= self.floor

    def timeout_for(self, cap: float, *, reserve: float = 0.0) -> float:
        """The timeout for one call: `cap`, or what remains (after keeping `reserve` seconds for
        what must follow) when that is less. Never below the floor: raises DeadlineExceeded
        instead, so a call that cannot succeed is not started."""
        timeout = min(cap, self.remaining() - reserve)
        if timeout < self.floor:
            raise DeadlineExceeded(f"{max(0.0, timeout):.3f} s left for a call capped at {cap:.3f} s")
        return timeout

    def sleep(self, seconds: float) -> bool:
        """Pause `seconds` (a backoff between attempts), or less when the budget ends sooner.
        True if a call can still be started afterwards (not used up)."""
        time.sleep(max(0.0, min(seconds, self.remaining() - self.floor)))
        return not self.used_up

    def __repr__(self) -> str:
        return f"Deadline(remaining={self.remaining():.3f}s of {self.budget:.3f}s)"


def lambda_remaining_seconds(context: Any) -> float | None:
    """`context.get_remaining_time_in_millis()` in seconds, or None without a usable Lambda context."""
    method = getattr(context, "get_remaining_time_in_millis", None)
    if not callable(method):
        return None
    try:
        millis = float(method())
    except Exception:  # a broken context object must not break the request
        return None
    return millis / 1000.0 if millis == millis and millis >= 0 else None  # NaN-safe


def bind_api_client(handler_input: Any, deadline: Deadline) -> None:
    """Make this request's Alexa API calls take their timeouts from `deadline`: the request's
    ServiceClientFactory (built per request by the SDK) gets its API client bound to it."""
    factory = _factory(handler_input)
    configuration = getattr(factory, "api_configuration", None)
    client = getattr(configuration, "api_client", None)
    bound_to = getattr(client, "bound_to", None)
    if callable(bound_to):
        configuration.api_client = bound_to(deadline)


def _factory(handler_input: Any) -> Any:
    try:
        return handler_input.service_client_factory
    except (ValueError, AttributeError):  # the skill has no API client
        return None


def deadline_of(handler_input: Any) -> Deadline:
    """This request's deadline. Made now (and bound to the API client) when no interceptor made
    one at the start of the request."""
    attributes = handler_input.attributes_manager.request_attributes
    deadline = attributes.get(REQUEST_ATTRIBUTE)
    if deadline is None:
        deadline = Deadline.for_request(getattr(handler_input, "context", None))
        attributes[REQUEST_ATTRIBUTE] = deadline
        bind_api_client(handler_input, deadline)
    return deadline


class DeadlineInterceptor(AbstractRequestInterceptor):
    """Global request interceptor: the request's Deadline, in request attributes and bound to the
    request's Alexa API client.

        builder.add_global_request_interceptor(DeadlineInterceptor.from_config(config))

    Register it first, so the deadline starts as early as the request does.
    """

    def __init__(self, *, margin: float = DEFAULT_MARGIN_SECONDS, alexa_timeout: float = ALEXA_TIMEOUT_SECONDS,
                 clock: Clock = time.monotonic) -> None:
        self.margin = margin
        self.alexa_timeout = alexa_timeout
        self.clock = clock

    @classmethod
    def from_config(cls, config: Any) -> DeadlineInterceptor:
        return cls(margin=getattr(config, "deadline_margin_seconds", DEFAULT_MARGIN_SECONDS))

    def process(self, handler_input: Any) -> None:
        deadline = Deadline.for_request(getattr(handler_input, "context", None), margin=self.margin,
                                        alexa_timeout=self.alexa_timeout, clock=self.clock)
        handler_input.attributes_manager.request_attributes[REQUEST_ATTRIBUTE] = deadline
        bind_api_client(handler_input, deadline)
