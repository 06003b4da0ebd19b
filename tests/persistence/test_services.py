"""backcare.services against the emulator over real HTTP, through a real ask_sdk_core skill
invocation (HandlerInput and ServiceClientFactory built by the SDK from an envelope)."""

from __future__ import annotations

import logging
import subprocess
import sys
from datetime import timedelta

import pytest
from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClientRequest

from backcare import schedule
from backcare.services.api_client import TimeoutApiClient
from backcare.services.reminders import (
    DeviceNotSupported,
    PermissionMissing,
    RateLimited,
    ReminderRejected,
    Reminders,
    ServiceUnavailable,
)
from backcare.services.settings import device_time_zone
from support.emulator import START, TOKEN, USER, device_for, emulator, run_in_skill  # noqa: F401 (fixture)


def plan(text: str = "Time for a posture break.", interval: str | None = None, limit: int = 5):
    return schedule.plan_reminders(schedule.posture_from_slots(interval), now=START, time_zone="America/New_York",
                                   locale="en-US", text=text, max_rules_per_reminder=limit)


def reminders(handler_input) -> Reminders:
    return Reminders.from_handler_input(handler_input)


@pytest.fixture
def granted(emulator):  # noqa: F811
    emulator.grant(TOKEN, USER)
    return emulator


# --------------------------------------------------------------------------- api client


def test_api_client_module_does_not_import_requests():
    code = "import sys, backcare.services.api_client; print('requests' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", "requests must be imported on first call, not at import"


def test_api_client_refuses_plain_http_to_other_hosts():
    request = ApiClientRequest(url="http://example.com/v1/alerts/reminders", method="GET", headers=[])
    with pytest.raises(ApiClientException, match="non-HTTPS"):
        TimeoutApiClient().invoke(request)


@pytest.mark.parametrize("timeout", [0, -1])
def test_api_client_needs_a_positive_timeout(timeout):
    with pytest.raises(ValueError):
        TimeoutApiClient(timeout=timeout)


def test_a_slow_api_is_abandoned_after_the_timeout(granted):
    granted.slow_seconds = 2.0
    granted.simulate("timeout")
    with pytest.raises(ServiceUnavailable) as caught:
        run_in_skill(device_for(granted), lambda hi: reminders(hi).create(plan()[0].payload), timeout=0.3)
    assert caught.value.status is None, f"a timeout has no HTTP status: {caught.value.status}"
    assert "Timed out" in str(caught.value), f"the error should say it timed out: {caught.value}"
    assert granted.reminders_for(USER) == [], "nothing was created"


# --------------------------------------------------------------------------- reminders


def test_create_sends_exactly_the_planned_payload_and_returns_the_alert_token(granted):
    payload = plan()[0].payload
    token = run_in_skill(device_for(granted), lambda hi: reminders(hi).create(payload))
    [stored] = granted.reminders_for(USER)
    assert stored["alertToken"] == token, "the returned token is the emulator's"
    assert {k: stored[k] for k in ("trigger", "alertInfo", "pushNotification")} == {
        k: payload[k] for k in ("trigger", "alertInfo", "pushNotification")}, "stored exactly as planned"
    assert [(c.method, c.path) for c in granted.calls] == [("POST", "/v1/alerts/reminders")], granted.calls


def test_create_all_creates_every_part_of_a_split_schedule(granted):
    parts = plan(interval="PT30M")
    result = run_in_skill(device_for(granted), lambda hi: reminders(hi).create_all(parts))
    assert result.complete and result.failed == [], f"all parts should be created: {result}"
    assert [part for part, _ in result.created] == parts, "created in order"
    assert sorted(result.tokens) == sorted(r["alertToken"] for r in granted.reminders_for(USER)), "records match"
    assert len(result.tokens) == 4, "17 times at 5 rules each make 4 reminders"


def test_create_all_reports_exactly_which_parts_exist_after_a_partial_failure(granted):
    parts = plan(interval="PT30M")
    granted.simulate("429", after=2)
    result = run_in_skill(device_for(granted), lambda hi: reminders(hi).create_all(parts))
    assert isinstance(result.error, RateLimited), f"third create throttled: {result.error!r}"
    assert [part for part, _ in result.created] == parts[:2] and result.failed == parts[2:], "split point"
    assert sorted(result.tokens) == sorted(r["alertToken"] for r in granted.reminders_for(USER)), \
        "the result names exactly the reminders that exist"
    covered = [t for part, _ in result.created for t in part.time_texts]
    assert covered == ["09:00", "09:30", "10:00", "10:30", "11:00", "11:30", "12:00", "12:30", "13:00", "13:30"], \
        covered


@pytest.mark.parametrize(("kind", "error_type", "status", "code"), [
    ("401", PermissionMissing, 401, "UNAUTHORIZED"),
    ("403", DeviceNotSupported, 403, "DEVICE_NOT_SUPPORTED"),
    ("429", RateLimited, 429, "TOO_MANY_REQUESTS"),
    ("500", ServiceUnavailable, 500, "INTERNAL_SERVER_ERROR"),
])
def test_api_errors_become_typed_exceptions(granted, kind, error_type, status, code):
    granted.simulate(kind)
    with pytest.raises(error_type) as caught:
        run_in_skill(device_for(granted), lambda hi: reminders(hi).create(plan()[0].payload))
    assert (caught.value.status, caught.value.code) == (status, code), f"{kind}: {caught.value!r}"
    assert granted.reminders_for(USER) == [], f"{kind}: nothing created"


def test_a_token_without_the_permission_is_permission_missing(emulator):  # noqa: F811
    with pytest.raises(PermissionMissing):
        run_in_skill(device_for(emulator), lambda hi: reminders(hi).create(plan()[0].payload))


def test_a_payload_the_api_refuses_is_reminder_rejected_with_the_api_code(granted):
    payload = plan()[0].payload
    payload["trigger"]["scheduledTime"] += "Z"
    with pytest.raises(ReminderRejected) as caught:
        run_in_skill(device_for(granted), lambda hi: reminders(hi).create(payload))
    assert caught.value.code == "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT", f"{caught.value!r}"


def test_an_unreachable_api_is_service_unavailable(granted):
    device = device_for(granted)
    granted.stop()
    with pytest.raises(ServiceUnavailable):
        run_in_skill(device, lambda hi: reminders(hi).create(plan()[0].payload))


def test_delete_removes_the_reminder_and_says_false_when_already_gone(granted):
    device = device_for(granted)
    token = run_in_skill(device, lambda hi: reminders(hi).create(plan()[0].payload))
    assert run_in_skill(device, lambda hi: reminders(hi).delete(token)) is True, "deleted"
    assert granted.reminders_for(USER) == [], "gone from the emulator"
    assert run_in_skill(device, lambda hi: reminders(hi).delete(token)) is False, "already gone is not an error"


@pytest.mark.parametrize(("kind", "error_type"), [("500", ServiceUnavailable), ("401", PermissionMissing),
                                                  ("429", RateLimited)])
def test_a_failed_delete_raises_and_keeps_the_reminder(granted, kind, error_type):
    device = device_for(granted)
    token = run_in_skill(device, lambda hi: reminders(hi).create(plan()[0].payload))
    granted.simulate(kind)
    with pytest.raises(error_type):
        run_in_skill(device, lambda hi: reminders(hi).delete(token))
    assert [r["alertToken"] for r in granted.reminders_for(USER)] == [token], "the reminder still exists"


def test_created_reminders_fire_with_their_text(granted):
    run_in_skill(device_for(granted), lambda hi: reminders(hi).create_all(plan(text="Stand up and stretch.")))
    fired = granted.advance(timedelta(days=1))
    assert [f.local_time[-5:] for f in fired] == ["16:00", "17:00", "09:00", "10:00", "11:00", "12:00", "13:00",
                                                   "14:00", "15:00"], [f.local_time for f in fired]
    assert {f.text for f in fired} == {"Stand up and stretch."}, "the spoken text fires with the reminder"


def test_without_an_api_client_the_wrapper_says_service_unavailable():
    from ask_sdk_core.handler_input import HandlerInput

    with pytest.raises(ServiceUnavailable):
        Reminders.from_handler_input(HandlerInput(request_envelope=None, service_client_factory=None))


# --------------------------------------------------------------------------- settings


def test_time_zone_comes_from_the_devices_settings(emulator):  # noqa: F811
    device = device_for(emulator, device_id="amzn1.ask.device.KITCHEN", locale="en-GB")
    emulator.set_time_zone("amzn1.ask.device.KITCHEN", "Europe/London")
    assert run_in_skill(device, device_time_zone) == "Europe/London", "the device's own zone"
    assert emulator.calls[-1].path == "/v2/devices/amzn1.ask.device.KITCHEN/settings/System.timeZone", \
        emulator.calls


@pytest.mark.parametrize(("locale", "fallback"), [("en-GB", "Europe/London"), ("en-IN", "Asia/Kolkata"),
                                                  ("en-AU", "Australia/Sydney"), ("en-US", "America/New_York")])
def test_time_zone_falls_back_to_the_locale_zone_and_logs_when_settings_fail(emulator, caplog, locale,  # noqa: F811
                                                                             fallback):
    emulator.set_time_zone("amzn1.ask.device.LOCALDEVICE", "Pacific/Auckland")
    emulator.simulate("500", api="settings")
    with caplog.at_level(logging.WARNING, logger="backcare.services.settings"):
        zone = run_in_skill(device_for(emulator, locale=locale), device_time_zone)
    assert zone == fallback, f"{locale}: expected {fallback}, got {zone}"
    assert any("time zone failed" in r.getMessage() for r in caplog.records), "the failure is logged"
    assert TOKEN not in caplog.text, "the access token is never logged"


def test_time_zone_falls_back_when_the_settings_api_times_out(emulator):  # noqa: F811
    emulator.slow_seconds = 2.0
    emulator.simulate("timeout", api="settings")
    zone = run_in_skill(device_for(emulator, locale="en-CA"), device_time_zone, timeout=0.3)
    assert zone == "America/Toronto", f"en-CA fallback expected, got {zone}"


@pytest.mark.parametrize("operation", ["get_reminders", "get_reminder"])
def test_the_sdk_cannot_read_reminders_back_so_the_skill_keeps_its_own_records(granted, operation):
    # Why Reminders has no get/list (SPEC §5): if a future ask-sdk-model reads these replies,
    # this test fails and the wrapper may offer them.
    from ask_sdk_core.exceptions import SerializationException

    device = device_for(granted)
    token = run_in_skill(device, lambda hi: reminders(hi).create(plan()[0].payload))
    args = () if operation == "get_reminders" else (token,)

    def read_back(handler_input):
        client = handler_input.service_client_factory.get_reminder_management_service()
        return getattr(client, operation)(*args)

    with pytest.raises(SerializationException):
        run_in_skill(device, read_back)
