"""An emulated clock for local runs and tests: time moves only when told to."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta


class EmulatedClock:
    """`now()` is an aware UTC datetime that changes only through `set` and `advance`.

    Starts at `start` (aware), or at the real time (to the second) when not given.
    Thread-safe: the emulator's HTTP threads read it while a test or `backcare dialog` moves it.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._lock = threading.Lock()
        self._now = _aware_utc(start) if start else datetime.now(UTC).replace(microsecond=0)

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def __call__(self) -> datetime:
        """The clock as the skill takes it: `build_skill(config, clock=emulated_clock)`."""
        return self.now()

    def set(self, moment: datetime) -> datetime:
        with self._lock:
            self._now = _aware_utc(moment)
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            self._now = self._now + delta
            return self._now

    def __repr__(self) -> str:
        return f"EmulatedClock({self.now().isoformat()})"


def _aware_utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("the clock needs a timezone-aware datetime")
    return moment.astimezone(UTC)
