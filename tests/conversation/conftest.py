"""Fixtures shared by the conversation tests.

- `services`: the Alexa services emulator on a free port, its clock at `support.reminders.START`;
  `handler`: the real lambda_handler on that clock and the default SQLite store.
- `returning_user`: an en-US user who opened the skill once before (and so heard the one-time
  disclaimer), talking through the real lambda_handler; `returning(locale)` makes one in any
  locale. Tests that are not about the disclaimer use these, so that what they compare is the
  answer alone; tests about it start from a plain `Conversation` (a first-time user).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from support.reminders import handler_fixture, services_fixture  # noqa: F401 (fixtures)
from support.skill import Conversation


@pytest.fixture
def returning() -> Callable[..., Conversation]:
    def make(locale: str = "en-US", **kwargs) -> Conversation:
        return Conversation(locale=locale, **kwargs).first_visit_over()

    return make


@pytest.fixture
def returning_user(returning) -> Conversation:
    return returning("en-US")
