"""Helpers for the reminder, data and event tests: the Alexa services emulator on a free port,
the real lambda_handler built on the emulated clock and the default SQLite store (or one that
fails on demand), users whose envelopes point at the emulator, and the stored record read
straight from the SQLite file."""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from ask_sdk_core.exceptions import PersistenceException

from backcare.config import Config
from backcare.persistence import SQLITE_FILE_NAME
from backcare.persistence.sqlite import SqlitePersistenceAdapter
from backcare.skill import build_skill, make_lambda_handler
from backcare_tools import envelopes as env
from backcare_tools.clock import EmulatedClock
from backcare_tools.emulator import AlexaServicesEmulator
from support.skill import Conversation, Reply

# A Wednesday, 20:00 UTC: 15:00 in New York, 20:00 in London, 07:00 Thursday in Sydney.
START = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)
USER = "amzn1.ask.account.REMINDERUSER"
TOKEN = "reminders-test-api-access-token"
CONSENT = "reminders-test-consent-token"
DEVICE = "amzn1.ask.device.REMINDERDEVICE"

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@pytest.fixture(name="services")
def services_fixture() -> Iterator[AlexaServicesEmulator]:
    """The emulator, started on a free port, its clock at START."""
    with AlexaServicesEmulator(clock=EmulatedClock(START), slow_seconds=0.5) as running:
        yield running


def make_handler(emulator: AlexaServicesEmulator, adapter: Any = None) -> Handler:
    """The real lambda_handler: configuration from the environment, the emulator's clock."""
    return make_lambda_handler(build_skill(Config.from_env(), clock=emulator.clock, persistence_adapter=adapter))


@pytest.fixture(name="handler")
def handler_fixture(services: AlexaServicesEmulator) -> Handler:
    return make_handler(services)


def user(handler: Handler, emulator: AlexaServicesEmulator, *, locale: str = "en-US", user_id: str = USER,
         token: str = TOKEN, consent: str | None = CONSENT, granted: bool = True,
         first_visit: bool = False) -> Conversation:
    """A user talking to the skill; `granted`: the reminders permission was given in the Alexa app.

    A returning user (the default) has opened the skill once before and heard the disclaimer, so
    what the tests compare is the answer alone; `first_visit=True` is a user the skill has never
    seen (nothing stored)."""
    if granted:
        emulator.grant(token, user_id)
    conversation = Conversation(locale=locale, user_id=user_id, handler=handler)
    conversation.session = env.Session(device=env.Device(
        user_id=user_id, device_id=DEVICE, locale=locale, api_endpoint=emulator.url,
        api_access_token=token, consent_token=consent))
    if not first_visit:
        conversation.first_visit_over()
    return conversation


def event(handler: Handler, conversation: Conversation, event_type: str, body: dict[str, Any] | None = None) -> Reply:
    """An AlexaSkillEvent for the conversation's user and device, outside any session."""
    request = env.skill_event(event_type, body=body)
    return Reply(handler(env.event_envelope(conversation.session.device, request), None))


def stored_record(user_id: str = USER) -> dict[str, Any] | None:
    """The user's persistent attributes as the SQLite store holds them (None: no row)."""
    path = default_store_path()
    if not os.path.exists(path):
        return None
    with sqlite3.connect(path) as connection:
        row = connection.execute("SELECT attributes FROM persistent_attributes WHERE id = ?", (user_id,)).fetchone()
    return json.loads(row[0]) if row else None


def stored_reminders(user_id: str = USER) -> list[dict[str, Any]]:
    record = stored_record(user_id)
    return list((record or {}).get("reminders") or [])


def emulator_tokens(emulator: AlexaServicesEmulator, user_id: str = USER) -> set[str]:
    return {reminder["alertToken"] for reminder in emulator.reminders_for(user_id)}


def record_tokens(user_id: str = USER) -> set[str]:
    return {record["alert_token"] for record in stored_reminders(user_id)}


def ask_for_directive(reply: Reply) -> dict[str, Any] | None:
    return next((d for d in reply.directives if d.get("type") == "Connections.SendRequest"), None)


class FaultyStore(SqlitePersistenceAdapter):
    """The skill's SQLite store, whose operations fail on demand the way a store fails
    (`PersistenceException`): `failing` holds any of "read", "write", "delete"."""

    READ, WRITE, DELETE = "read", "write", "delete"
    ALL = frozenset({READ, WRITE, DELETE})

    def __init__(self, path: str | os.PathLike[str]) -> None:
        super().__init__(path, timeout=0.5)
        self.failing: set[str] = set()

    def _maybe_fail(self, operation: str) -> None:
        if operation in self.failing:
            raise PersistenceException(f"simulated {operation} failure")

    def read_record(self, request_envelope, **kwargs):
        self._maybe_fail(self.READ)
        return super().read_record(request_envelope, **kwargs)

    def write_record(self, request_envelope, attributes, **kwargs):
        self._maybe_fail(self.WRITE)
        return super().write_record(request_envelope, attributes, **kwargs)

    def overwrite_record(self, request_envelope, attributes, **kwargs):
        self._maybe_fail(self.WRITE)
        return super().overwrite_record(request_envelope, attributes, **kwargs)

    def update_record(self, request_envelope, apply, **kwargs):
        self._maybe_fail(self.READ)
        self._maybe_fail(self.WRITE)
        return super().update_record(request_envelope, apply, **kwargs)

    def delete_record(self, request_envelope, **kwargs):
        self._maybe_fail(self.DELETE)
        return super().delete_record(request_envelope, **kwargs)


def default_store_path() -> str:
    """Where the configured SQLite store keeps its file (what `stored_record` reads)."""
    return os.path.join(Config.from_env().state_dir, SQLITE_FILE_NAME)


# --------------------------------------------------------------------------- time budget (issue 14)


class SlowStore(FaultyStore):
    """FaultyStore that can also be slow or hang, the way a network store does: operations in
    `hanging` wait out their timeout — the request's deadline's share, capped at the store's
    `timeout`, as the skill's stores compute it — and then fail (`PersistenceException`, as a
    client that gave up); `delay` seconds are added to every operation that goes through."""

    HANG_READ, HANG_WRITE, HANG_DELETE = FaultyStore.READ, FaultyStore.WRITE, FaultyStore.DELETE

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 0.5) -> None:
        super().__init__(path)
        self.timeout = timeout
        self.hanging: set[str] = set()
        self.delay = 0.0
        self.hung: list[str] = []  # the operations that hung, in order

    def _slow(self, operation: str, deadline) -> None:
        import time

        if operation in self.hanging:
            from backcare.deadline import DeadlineExceeded

            try:
                timeout = self.timeout if deadline is None else deadline.timeout_for(self.timeout)
            except DeadlineExceeded as error:
                raise PersistenceException(f"no time left to {operation}: {error}") from error
            self.hung.append(operation)
            time.sleep(timeout)
            raise PersistenceException(f"simulated hung {operation}: no answer within {timeout:.2f} s")
        if self.delay:
            time.sleep(self.delay)

    def read_record(self, request_envelope, **kwargs):
        self._slow(self.READ, kwargs.get("deadline"))
        return super().read_record(request_envelope, **kwargs)

    def write_record(self, request_envelope, attributes, **kwargs):
        self._slow(self.WRITE, kwargs.get("deadline"))
        return super().write_record(request_envelope, attributes, **kwargs)

    def update_record(self, request_envelope, apply, **kwargs):
        operation = self.READ if self.READ in self.hanging else self.WRITE
        self._slow(operation, kwargs.get("deadline"))
        return super().update_record(request_envelope, apply, **kwargs)

    def delete_record(self, request_envelope, **kwargs):
        self._slow(self.DELETE, kwargs.get("deadline"))
        return super().delete_record(request_envelope, **kwargs)


@dataclass(frozen=True)
class Answered:
    """What the request's own deadline said when its response was ready."""

    request_id: str
    budget: float
    remaining: float
    used_up: bool


class DeadlineWatch:
    """A response interceptor added to a built skill (after the skill's own): notes each
    request's `backcare.deadline.Deadline` when the response is ready — the budget bookkeeping
    that says whether the answer came within the budget. Nothing of the skill is replaced."""

    def __init__(self) -> None:
        self.answered: list[Answered] = []

    def process(self, handler_input, response) -> None:
        from backcare.deadline import REQUEST_ATTRIBUTE

        deadline = handler_input.attributes_manager.request_attributes.get(REQUEST_ATTRIBUTE)
        request_id = getattr(handler_input.request_envelope.request, "request_id", "") or ""
        if deadline is not None:
            self.answered.append(Answered(request_id, deadline.budget, deadline.remaining(), deadline.used_up))

    @property
    def last(self) -> Answered:
        assert self.answered, "no response was built by a handler (an exception escaped?)"
        return self.answered[-1]


def make_watched_handler(emulator: AlexaServicesEmulator, adapter: Any = None,
                         context: Any = None) -> tuple[Handler, DeadlineWatch]:
    """The real lambda_handler (as make_handler) with a DeadlineWatch, called with `context` as
    the Lambda context (e.g. support.budget.LambdaContext(7000): the template's 7 s timeout)."""
    from ask_sdk_core.dispatch_components import AbstractResponseInterceptor

    skill = build_skill(Config.from_env(), clock=emulator.clock, persistence_adapter=adapter)
    watch = DeadlineWatch()

    class Watch(AbstractResponseInterceptor):
        def process(self, handler_input, response) -> None:
            watch.process(handler_input, response)

    skill.request_dispatcher.response_interceptors.append(Watch())
    lambda_handler = make_lambda_handler(skill)
    return (lambda event, _context=None: lambda_handler(event, context)), watch
