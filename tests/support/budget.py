"""Helpers for tests of the request time budget (backcare.deadline): an injectable clock and the
Lambda context's one method the budget reads."""

from __future__ import annotations


class FakeClock:
    """A monotonic clock in seconds that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class LambdaContext:
    """What AWS Lambda passes as `context`: here only the remaining time matters. Give an
    exception or a junk value to play a broken context."""

    def __init__(self, remaining_ms) -> None:
        self.remaining_ms = remaining_ms

    def get_remaining_time_in_millis(self):
        if isinstance(self.remaining_ms, Exception):
            raise self.remaining_ms
        return self.remaining_ms
