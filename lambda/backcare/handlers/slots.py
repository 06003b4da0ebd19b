"""Reading slot values the way Alexa sends them (entity resolution first, raw value second)."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model.slu.entityresolution import StatusCode


def slot_value(handler_input: HandlerInput, name: str) -> str | None:
    """The raw spoken value of slot `name`, or None when absent or empty."""
    try:
        value = getattr(get_slot(handler_input, name), "value", None)
    except (ValueError, AttributeError, TypeError):
        return None
    return value.strip() if isinstance(value, str) and value.strip() else None


def resolved_id(handler_input: HandlerInput, name: str) -> str | None:
    """The entity-resolution id of a custom slot value (the first successful match).

    Falls back to the raw value when it already is an id (lower case, underscores), which
    is what simple test tools and the developer console's JSON input sometimes send.
    """
    try:
        slot = get_slot(handler_input, name)
    except (ValueError, AttributeError, TypeError):
        return None
    if slot is None:
        return None
    resolutions = getattr(slot, "resolutions", None)
    for authority in getattr(resolutions, "resolutions_per_authority", None) or []:
        status = getattr(getattr(authority, "status", None), "code", None)
        if status == StatusCode.ER_SUCCESS_MATCH and authority.values:
            return authority.values[0].value.id
    raw = slot_value(handler_input, name)
    if raw and raw.replace("_", "").isalpha() and raw == raw.lower():
        return raw.replace(" ", "_")
    return None
