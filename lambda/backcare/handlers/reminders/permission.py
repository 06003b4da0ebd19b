"""The reminders permission (SPEC §5): asked by voice with Connections.SendRequest AskFor.

Without `context.System.user.permissions.consentToken`, or when the API answers 401/403, the
response is the AskFor directive alone (the current version-2 payload of "Set Up Voice
Permissions for Reminders": `permissionScopes` with `consentLevel` ACCOUNT): no speech of ours,
no reprompt and no `shouldEndSession`, because Alexa takes the turn to ask. Alexa then sends
`Connections.Response` (name AskFor); the pending action is done on ACCEPTED, and DENIED or
NOT_ANSWERED get an explanation and an AskForPermissionsConsent card.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_model import Response
from ask_sdk_model.ui import AskForPermissionsConsentCard

from backcare.handlers.base import Turn

REMINDERS_SCOPE = "alexa::alerts:reminders:skill:readwrite"
ASK_FOR = "AskFor"
ASK_FOR_TOKEN = "reminders"


def permission_status(payload: Any) -> str | None:
    """ACCEPTED, DENIED or NOT_ANSWERED from a Connections.Response payload: `status` at the top
    (version 1, and what the reference calls body.status), or on the reminders scope's entry."""
    if not isinstance(payload, dict):
        return None
    if isinstance(payload.get("status"), str):
        return payload["status"]
    for entry in payload.get("permissionScopes") or []:
        if isinstance(entry, dict) and entry.get("permissionScope") == REMINDERS_SCOPE:
            return entry.get("status")
    return None


def has_consent(turn: Turn) -> bool:
    system = turn.handler_input.request_envelope.context.system
    permissions = getattr(getattr(system, "user", None), "permissions", None)
    return bool(getattr(permissions, "consent_token", None))


def ask_permission(turn: Turn) -> Response:
    """Hand the turn to Alexa's voice permission prompt (the pending action stays in the session)."""
    from ask_sdk_model.interfaces.connections import SendRequestDirective

    builder = turn.handler_input.response_builder
    builder.add_directive(SendRequestDirective(
        name=ASK_FOR,
        payload={
            "@type": "AskForPermissionsConsentRequest",
            "@version": "2",
            "permissionScopes": [{"permissionScope": REMINDERS_SCOPE, "consentLevel": "ACCOUNT"}],
        },
        token=ASK_FOR_TOKEN,
    ))
    return builder.response


def permission_card(turn: Turn, speech: str) -> Response:
    """Explain, send the AskForPermissionsConsent card, and end."""
    turn.conv.home()
    builder = turn.handler_input.response_builder
    builder.speak(speech)
    builder.set_card(AskForPermissionsConsentCard(permissions=[REMINDERS_SCOPE]))
    builder.set_should_end_session(True)
    return builder.response
