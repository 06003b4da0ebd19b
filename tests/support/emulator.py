"""Shared helpers for the emulator, schedule and service tests: a running emulator on a free
port with a fixed emulated clock, raw HTTP calls, and a real ask_sdk_core skill to get a real
HandlerInput (with its ServiceClientFactory) from an envelope."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from backcare.services.api_client import TimeoutApiClient
from backcare_tools.clock import EmulatedClock
from backcare_tools.emulator import AlexaServicesEmulator
from backcare_tools.envelopes import Device, Session, intent_request

# A Wednesday afternoon in New York (20:00 UTC = 15:00 EST).
START = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)
USER = "amzn1.ask.account.TESTUSER"
TOKEN = "test-api-access-token"


@pytest.fixture
def emulator() -> Iterator[AlexaServicesEmulator]:
    with AlexaServicesEmulator(clock=EmulatedClock(START), slow_seconds=1.0) as running:
        yield running


def http(method: str, url: str, body: Any = None, *, token: str | None = TOKEN,
         raw: bytes | None = None) -> tuple[int, Any]:
    """One real HTTP call; returns (status, parsed JSON body or None)."""
    data = raw if raw is not None else (None if body is None else json.dumps(body).encode())
    request = urllib.request.Request(url, data=data, method=method)
    request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            status, text = response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read().decode()
    return status, (json.loads(text) if text else None)


def device_for(emulator: AlexaServicesEmulator, **overrides: Any) -> Device:
    values = {"user_id": USER, "api_access_token": TOKEN, "api_endpoint": emulator.url}
    values.update(overrides)
    return Device(**values)


def run_in_skill(device: Device, fn: Callable[[Any], Any], *, timeout: float = 2.0,
                 request: dict[str, Any] | None = None) -> Any:
    """Run `fn(handler_input)` inside a real ask_sdk_core skill invocation for an envelope
    from `device`, with a TimeoutApiClient; return its result or raise what it raised."""
    from ask_sdk_core.dispatch_components import AbstractRequestHandler
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_core.skill_builder import CustomSkillBuilder

    outcome: dict[str, Any] = {}

    class Capture(AbstractRequestHandler):
        def can_handle(self, handler_input: Any) -> bool:
            return True

        def handle(self, handler_input: Any) -> Any:
            try:
                outcome["value"] = fn(handler_input)
            except Exception as error:  # re-raised below, outside the SDK's dispatcher
                outcome["error"] = error
            return handler_input.response_builder.response

    builder = CustomSkillBuilder(api_client=TimeoutApiClient(timeout=timeout))
    builder.add_request_handler(Capture())
    envelope = Session(device=device).envelope(request or intent_request("SetPostureReminderIntent"))
    request_envelope = DefaultSerializer().deserialize(json.dumps(envelope), "ask_sdk_model.RequestEnvelope")
    builder.create().invoke(request_envelope=request_envelope, context=None)
    if "error" in outcome:
        raise outcome["error"]
    return outcome.get("value")
