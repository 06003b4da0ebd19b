"""Build Alexa request envelopes the way the Alexa service sends them.

Used by `backcare dialog`, `backcare invoke` helpers and the tests, so that everything that
drives the skill locally sends the same, realistic JSON.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

DEFAULT_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-backcarecoach"
DEFAULT_API_ENDPOINT = "https://api.amazonalexa.com"
REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"


def _now_iso(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _id(prefix: str) -> str:
    return f"{prefix}.{uuid.uuid4()}"


@dataclass
class Device:
    """Who is talking, on what, and where the Alexa APIs are for them."""

    user_id: str = "amzn1.ask.account.LOCALUSER"
    device_id: str = "amzn1.ask.device.LOCALDEVICE"
    skill_id: str = DEFAULT_SKILL_ID
    locale: str = "en-US"
    api_endpoint: str = DEFAULT_API_ENDPOINT
    api_access_token: str = "local-api-access-token"
    consent_token: str | None = None  # set once the user granted the reminders permission
    supports_display: bool = False

    def context(self) -> dict[str, Any]:
        user: dict[str, Any] = {"userId": self.user_id}
        if self.consent_token:
            user["permissions"] = {
                "consentToken": self.consent_token,
                "scopes": {REMINDERS_SCOPE: {"status": "GRANTED"}},
            }
        interfaces: dict[str, Any] = {}
        if self.supports_display:
            interfaces["Alexa.Presentation.APL"] = {"runtime": {"maxVersion": "2023.3"}}
        return {
            "System": {
                "application": {"applicationId": self.skill_id},
                "user": user,
                "device": {"deviceId": self.device_id, "supportedInterfaces": interfaces},
                "apiEndpoint": self.api_endpoint,
                "apiAccessToken": self.api_access_token,
            }
        }


@dataclass
class Session:
    """One Alexa session: carries attributes from response to next request."""

    device: Device = field(default_factory=Device)
    session_id: str = field(default_factory=lambda: _id("amzn1.echo-api.session"))
    new: bool = True
    attributes: dict[str, Any] = field(default_factory=dict)

    def envelope(self, request: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
        request = {
            "requestId": _id("amzn1.echo-api.request"),
            "timestamp": _now_iso(now),
            "locale": self.device.locale,
            **request,
        }
        body = {
            "version": "1.0",
            "session": {
                "new": self.new,
                "sessionId": self.session_id,
                "application": {"applicationId": self.device.skill_id},
                "attributes": dict(self.attributes),
                "user": self.device.context()["System"]["user"],
            },
            "context": self.device.context(),
            "request": request,
        }
        return body

    def absorb(self, response_envelope: dict[str, Any]) -> None:
        """Carry the response's session attributes into the next request."""
        self.new = False
        self.attributes = dict(response_envelope.get("sessionAttributes") or {})


def launch_request() -> dict[str, Any]:
    return {"type": "LaunchRequest"}


def intent_request(
    name: str,
    slots: dict[str, Any] | None = None,
    *,
    confirmation_status: str = "NONE",
) -> dict[str, Any]:
    """An IntentRequest. Slot values may be plain strings, or dicts with `value` and
    `id` (the entity-resolution id of a custom slot value)."""
    built: dict[str, Any] = {}
    for slot_name, spec in (slots or {}).items():
        built[slot_name] = slot(slot_name, spec)
    return {
        "type": "IntentRequest",
        "dialogState": "STARTED",
        "intent": {"name": name, "confirmationStatus": confirmation_status, "slots": built},
    }


def slot(name: str, spec: Any, *, slot_type: str | None = None) -> dict[str, Any]:
    if spec is None:
        return {"name": name, "confirmationStatus": "NONE"}
    if isinstance(spec, str):
        return {"name": name, "value": spec, "confirmationStatus": "NONE"}
    value = spec.get("value")
    result: dict[str, Any] = {"name": name, "value": value, "confirmationStatus": "NONE"}
    if "id" in spec or spec.get("no_match"):
        authority = f"amzn1.er-authority.echo-sdk.{DEFAULT_SKILL_ID}.{slot_type or spec.get('type', 'CUSTOM')}"
        if spec.get("no_match"):
            resolution = {"authority": authority, "status": {"code": "ER_SUCCESS_NO_MATCH"}}
        else:
            resolution = {
                "authority": authority,
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": spec.get("name", value), "id": spec["id"]}}],
            }
        result["resolutions"] = {"resolutionsPerAuthority": [resolution]}
    return result


def session_ended_request(reason: str = "USER_INITIATED", error: dict[str, Any] | None = None) -> dict[str, Any]:
    request: dict[str, Any] = {"type": "SessionEndedRequest", "reason": reason}
    if error:
        request["error"] = error
    return request


def connections_response(status: str, *, name: str = "AskFor", token: str = "") -> dict[str, Any]:
    """The answer to a Connections.SendRequest AskFor directive (ACCEPTED, DENIED, NOT_ANSWERED)."""
    return {
        "type": "Connections.Response",
        "name": name,
        "status": {"code": "200", "message": "OK"},
        "token": token,
        "payload": {"permissionScope": REMINDERS_SCOPE, "status": status},
    }


def skill_event(event_type: str, *, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """An AlexaSkillEvent (SkillDisabled, SkillPermissionChanged, ...), sent outside a session."""
    request: dict[str, Any] = {"type": f"AlexaSkillEvent.{event_type}", "eventCreationTime": _now_iso()}
    if body is not None:
        request["body"] = body
    return request


def event_envelope(device: Device, request: dict[str, Any], *, now: datetime | None = None) -> dict[str, Any]:
    """An out-of-session envelope (skill events have no session object)."""
    return {
        "version": "1.0",
        "context": device.context(),
        "request": {"requestId": _id("amzn1.echo-api.request"), "timestamp": _now_iso(now),
                    "locale": device.locale, **request},
    }
