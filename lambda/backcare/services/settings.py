"""The device's time zone from the Alexa Settings API, with a fallback that never fails.

    zone = device_time_zone(handler_input)   # "America/New_York", or the locale's fallback

Reminders need the device's IANA zone (`trigger.timeZoneId`). If the API fails, answers
nothing (204) or sends a zone this runtime does not know, the zone most users of the request's
locale live in is used and the failure is logged (without ids or tokens).
"""

from __future__ import annotations

import logging
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

log = logging.getLogger(__name__)

FALLBACK_TIME_ZONES = {
    "en-US": "America/New_York",
    "en-CA": "America/Toronto",
    "en-GB": "Europe/London",
    "en-AU": "Australia/Sydney",
    "en-IN": "Asia/Kolkata",
}
DEFAULT_FALLBACK = "America/New_York"
# The time zone has a fallback, so it is not worth much of the request's time budget.
TIME_ZONE_TIMEOUT_SECONDS = 1.0


def fallback_time_zone(locale: str | None) -> str:
    return FALLBACK_TIME_ZONES.get(locale or "", DEFAULT_FALLBACK)


def is_known_zone(name: Any) -> bool:
    if not isinstance(name, str) or not name:
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


class DeviceSettings:
    """The UPS (settings) service client with a fallback."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    def from_handler_input(cls, handler_input: Any) -> DeviceSettings | None:
        try:
            return cls(handler_input.service_client_factory.get_ups_service())
        except ValueError:
            return None

    def time_zone(self, device_id: str, *, locale: str | None = None) -> str:
        from backcare.services.api_client import call_cap

        fallback = fallback_time_zone(locale)
        try:
            with call_cap(TIME_ZONE_TIMEOUT_SECONDS):
                zone = self._client.get_system_time_zone(device_id)
        except Exception as error:
            status = getattr(error, "status_code", None)
            log.warning("Settings API time zone failed (%s %s); using %s",
                        type(error).__name__, status, fallback)
            return fallback
        if not is_known_zone(zone):
            log.warning("Settings API sent no usable time zone (%r); using %s", zone, fallback)
            return fallback
        return zone


def device_time_zone(handler_input: Any) -> str:
    """The time zone of the device that sent this request, or the locale's fallback."""
    envelope = handler_input.request_envelope
    locale = getattr(envelope.request, "locale", None)
    settings = DeviceSettings.from_handler_input(handler_input)
    device = getattr(envelope.context.system, "device", None)
    device_id = getattr(device, "device_id", None)
    if settings is None or not device_id:
        log.warning("No settings client or device id; using the %s fallback time zone", locale)
        return fallback_time_zone(locale)
    return settings.time_zone(device_id, locale=locale)
