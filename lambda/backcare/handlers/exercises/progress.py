"""What the programme stores per user (SPEC §5, §6): the level, the completed sessions at that
level, and the exercise a session was paused at (so "let's do my exercises" can offer to carry
on in a later session). Fitness progress only: never a symptom, a pain report or an answer.

Stored as user data `exercise = {"level": 1..3, "sessions": int, "paused_at": int}` (paused_at
only while a pause is kept). Every write goes through `user_data.update`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from backcare.handlers.exercises.programme import FIRST_LEVEL, TOP_LEVEL
from backcare.persistence import user_data

KEY = "exercise"


@dataclass(frozen=True)
class Progress:
    level: int = FIRST_LEVEL
    sessions: int = 0
    paused_at: int | None = None

    @property
    def first_session(self) -> bool:
        return self.level == FIRST_LEVEL and self.sessions == 0


def _int(value: Any, low: int, high: int) -> int | None:
    return value if type(value) is int and low <= value <= high else None


def _read(data: dict[str, Any]) -> Progress:
    stored = data.get(KEY)
    if not isinstance(stored, dict):
        return Progress()
    return Progress(level=_int(stored.get("level"), FIRST_LEVEL, TOP_LEVEL) or FIRST_LEVEL,
                    sessions=_int(stored.get("sessions"), 0, 10_000) or 0,
                    paused_at=_int(stored.get("paused_at"), 0, 99))


def _write(data: dict[str, Any], progress: Progress) -> None:
    stored: dict[str, Any] = {"level": progress.level, "sessions": progress.sessions}
    if progress.paused_at is not None:
        stored["paused_at"] = progress.paused_at
    data[KEY] = stored


def read(handler_input) -> Progress:
    return _read(user_data.load(handler_input))


def keep_pause(handler_input, level: int, step: int) -> bool:
    """Remember that a session at `level` was paused at exercise `step`."""
    def mutate(data: dict[str, Any]) -> None:
        now = _read(data)
        if now.level != level:  # the session's level is what the place means
            now = Progress(level=level)
        _write(data, Progress(now.level, now.sessions, step))

    return user_data.update(handler_input, mutate)


def forget_pause(handler_input) -> bool:
    """Drop a kept pause (nothing is written when there is none)."""
    if read(handler_input).paused_at is None:
        return True

    def mutate(data: dict[str, Any]) -> None:
        now = _read(data)
        _write(data, Progress(now.level, now.sessions))

    return user_data.update(handler_input, mutate)


def complete_session(handler_input, level: int) -> tuple[bool, int]:
    """Count a completed session at `level`: (saved, completed sessions at that level now)."""
    done: list[int] = []

    def mutate(data: dict[str, Any]) -> None:
        now = _read(data)
        sessions = (now.sessions if now.level == level else 0) + 1
        done.append(sessions)
        _write(data, Progress(level, sessions))

    saved = user_data.update(handler_input, mutate)
    return saved, done[-1] if done else 1


def raise_level(handler_input) -> tuple[bool, int]:
    """Move up one level (with a yes only): (saved, the level now)."""
    reached: list[int] = []

    def mutate(data: dict[str, Any]) -> None:
        level = min(_read(data).level + 1, TOP_LEVEL)
        reached.append(level)
        _write(data, Progress(level, 0))

    saved = user_data.update(handler_input, mutate)
    return saved, reached[-1] if reached else read(handler_input).level
