"""Reading slot values the way Alexa sends them (entity resolution first, raw value second).

Works for every request that carries an intent (IntentRequest and CanFulfillIntentRequest);
anything else, or a malformed slot, reads as absent.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_core.handler_input import HandlerInput


def _slot(handler_input: HandlerInput, name: str) -> Any:
    intent = getattr(handler_input.request_envelope.request, "intent", None)
    slots = getattr(intent, "slots", None)
    return slots.get(name) if isinstance(slots, dict) else None


def slot_value(handler_input: HandlerInput, name: str) -> str | None:
    """The raw spoken value of slot `name`, or None when absent or empty."""
    value = getattr(_slot(handler_input, name), "value", None)
    return value.strip() if isinstance(value, str) and value.strip() else None


def resolved_id(handler_input: HandlerInput, name: str) -> str | None:
    """The entity-resolution id of a custom slot value (the first successful match)."""
    ids = resolved_ids(handler_input, name)
    return ids[0] if ids else None


def resolved_ids(handler_input: HandlerInput, name: str) -> list[str]:
    """Every entity-resolution id Alexa matched for a custom slot value, best first.

    A spoken value can match several ids (Alexa lists them all); callers that must not miss
    one (symptoms) look at every id. Falls back to the raw value when it already is an id
    (lower case, underscores), which simple test tools and the developer console's JSON input
    sometimes send.
    """
    slot = _slot(handler_input, name)
    if slot is None:
        return []
    # Here, not at the top: the SDK loads entity resolution only for requests that carry it.
    from ask_sdk_model.slu.entityresolution import StatusCode

    ids: list[str] = []
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if status == StatusCode.ER_SUCCESS_MATCH:
            for entry in getattr(authority, "values", None) or []:
                value_id = getattr(getattr(entry, "value", None), "id", None)
                if isinstance(value_id, str) and value_id not in ids:
                    ids.append(value_id)
    if ids:
        return ids
    raw = slot_value(handler_input, name)
    if raw and raw.replace("_", "").isalpha() and raw == raw.lower():
        return [raw.replace(" ", "_")]
    return []
