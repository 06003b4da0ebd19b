"""The only way handlers read and write a user's persistent attributes (SPEC §6).

    data = user_data.load(handler_input)      # current layout, defaults if new or store down
    data["visits"] += 1
    saved = user_data.save(handler_input)     # True only if really written
    deleted = user_data.delete(handler_input)

Layout (schema 1):
    {"schema": 1, "disclaimer_heard": bool, "visits": int,
     "last_tip": {"topic": str, "index": int} | None,
     "reminders": [{"kind": "posture"|"stretch", "alert_token": str, "schedule": {...}}],
     "prefs": {...}}

Safety rules:
- A store failure never raises: `load` logs a warning (no user id), returns defaults and marks the
  store unavailable for this request, so `save` cannot overwrite stored data with defaults.
- Data written by a newer schema is read best-effort but never written back (no downgrade).
- Saving passes through an allow-list: any key outside the layout is dropped, so a handler bug
  cannot persist a symptom answer or an outcome.
- Read only when needed: `load` is lazy, so a yes/no turn of the check never touches the store.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from ask_sdk_core.exceptions import AttributesManagerException

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
REMINDER_KINDS = ("posture", "stretch")
# Preferences the skill may keep (reminder choices). Extend deliberately; anything else is dropped.
PREF_KEYS = frozenset({"posture_interval_minutes", "posture_start", "posture_end", "stretch_time"})
MAX_REMINDERS = 20
MAX_SCHEDULE_KEYS = 16
MAX_LIST_ITEMS = 48
MAX_TEXT = 200
# Words that have no business in a reminder schedule or a preference: triage question ids and
# anything that smells of an answer or an outcome.
FORBIDDEN_KEYS = frozenset({
    "bladder_bowel", "saddle_numbness", "leg_weakness", "major_trauma", "chest_pain", "fever",
    "weight_loss", "cancer_history", "duration", "worsening", "radiating", "one_leg_numbness",
    "osteoporosis", "sleep_daily", "answer", "answers", "outcome", "disposition", "symptom",
    "symptoms", "triage",
})
_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TOPIC_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")

# Request attributes (live for one request only).
DATA_KEY = "backcare.user_data"
STATUS_KEY = "backcare.user_data.status"
LOADED = "loaded"            # read from the store; save allowed
UNAVAILABLE = "unavailable"  # the store failed this request; save refused
NO_STORE = "no_store"        # PERSISTENCE=none
READ_ONLY = "read_only"      # written by a newer schema; never overwrite it
DELETED = "deleted"          # deleted this request; nothing may re-create it


def defaults() -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "disclaimer_heard": False,
        "visits": 0,
        "last_tip": None,
        "reminders": [],
        "prefs": {},
    }


# -- loading, saving, deleting ---------------------------------------------------------------


def load(handler_input) -> dict[str, Any]:
    """The user's attributes in the current layout. Reads the store at most once per request."""
    request_attributes = handler_input.attributes_manager.request_attributes
    if DATA_KEY in request_attributes:
        return request_attributes[DATA_KEY]
    status, data = _fetch(handler_input.attributes_manager)
    request_attributes[DATA_KEY] = data
    request_attributes[STATUS_KEY] = status
    return data


def save(handler_input) -> bool:
    """Write the loaded (and possibly changed) attributes. True only if really saved."""
    attributes_manager = handler_input.attributes_manager
    request_attributes = attributes_manager.request_attributes
    status = request_attributes.get(STATUS_KEY)
    if status != LOADED:
        if status is None:
            log.debug("user_data.save called before load: nothing to save")
        elif status == READ_ONLY:
            log.warning("Not saving attributes: they were written by a newer schema")
        return False
    cleaned = clean(request_attributes[DATA_KEY], report_dropped=True)
    try:
        attributes_manager.persistent_attributes = cleaned
        attributes_manager.save_persistent_attributes()
    except Exception as error:  # any store failure: the skill carries on
        _warn("save", error)
        request_attributes[STATUS_KEY] = UNAVAILABLE
        return False
    return True


def delete(handler_input) -> bool:
    """Delete the user's record. True if nothing about the user is stored any more."""
    attributes_manager = handler_input.attributes_manager
    request_attributes = attributes_manager.request_attributes
    try:
        attributes_manager.delete_persistent_attributes()
    except AttributesManagerException:
        pass  # no store configured: nothing was ever stored
    except Exception as error:
        _warn("delete", error)
        return False
    request_attributes[DATA_KEY] = defaults()
    request_attributes[STATUS_KEY] = DELETED
    return True


def status(handler_input) -> str | None:
    """How this request's load went (LOADED, UNAVAILABLE, ...), or None if nothing was loaded."""
    return handler_input.attributes_manager.request_attributes.get(STATUS_KEY)


def _fetch(attributes_manager) -> tuple[str, dict[str, Any]]:
    try:
        stored = attributes_manager.persistent_attributes
    except AttributesManagerException:
        return NO_STORE, defaults()
    except Exception as error:
        _warn("load", error)
        return UNAVAILABLE, defaults()
    data, source_schema = migrate(stored)
    if source_schema is not None and source_schema > SCHEMA_VERSION:
        return READ_ONLY, data
    if source_schema is not None and source_schema < SCHEMA_VERSION:
        log.info("Migrated persistent attributes from schema %s to %s", source_schema, SCHEMA_VERSION)
    return LOADED, data


def _warn(action: str, error: BaseException) -> None:
    # The SDK's messages carry the exception type and text, never the partition key.
    from backcare.logging_setup import redact

    log.warning("Persistent store failed to %s, carrying on without it: %s", action, redact(str(error))[:300])


# -- migration and the allow-list (pure) -----------------------------------------------------


def migrate(stored: Any) -> tuple[dict[str, Any], int | None]:
    """Any stored layout -> (current layout, the schema it was stored in; None if nothing)."""
    if not isinstance(stored, Mapping) or not stored:
        return defaults(), None
    schema = _as_int(stored.get("schema"))
    if schema is None:
        return clean(_from_v0(stored)), 0
    return clean(stored), schema


def _from_v0(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Schema 0 (before versioning): flat camelCase keys and `lastTip` as "topic:index"."""
    last_tip = None
    raw_tip = stored.get("lastTip")
    if isinstance(raw_tip, str) and ":" in raw_tip:
        topic, _, index = raw_tip.partition(":")
        last_tip = {"topic": topic.strip(), "index": index.strip()}
    return {
        "schema": SCHEMA_VERSION,
        "disclaimer_heard": stored.get("disclaimerHeard", False),
        "visits": stored.get("visitCount", 0),
        "last_tip": last_tip,
        "reminders": [],
        "prefs": {},
    }


def clean(data: Any, *, report_dropped: bool = False) -> dict[str, Any]:
    """The allow-list: the current layout with well-typed values, and nothing else."""
    if not isinstance(data, Mapping):
        return defaults()
    result = defaults()
    if report_dropped:
        unknown = sorted(str(key) for key in data if key not in result)
        if unknown:
            # Key names come from code, never from the user; values are never logged.
            log.warning("Dropped attributes outside the stored layout: %s", ", ".join(unknown)[:200])
    result["disclaimer_heard"] = data.get("disclaimer_heard") is True
    visits = _as_int(data.get("visits"))
    result["visits"] = visits if visits is not None and visits >= 0 else 0
    result["last_tip"] = _clean_last_tip(data.get("last_tip"))
    reminders = data.get("reminders")
    if isinstance(reminders, list):
        cleaned = (_clean_reminder(item) for item in reminders[:MAX_REMINDERS])
        result["reminders"] = [item for item in cleaned if item is not None]
    prefs = data.get("prefs")
    if isinstance(prefs, Mapping):
        result["prefs"] = {
            key: value for key, raw in prefs.items()
            if key in PREF_KEYS and (value := _scalar(raw)) is not None
        }
    return result


def _clean_last_tip(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    topic, index = value.get("topic"), _as_int(value.get("index"))
    if not isinstance(topic, str) or not _TOPIC_PATTERN.fullmatch(topic) or index is None or index < 0:
        return None
    return {"topic": topic, "index": index}


def _clean_reminder(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    kind, token = value.get("kind"), value.get("alert_token")
    if kind not in REMINDER_KINDS or not isinstance(token, str) or not 0 < len(token) <= MAX_TEXT:
        return None
    return {"kind": kind, "alert_token": token, "schedule": _clean_schedule(value.get("schedule"))}


def _clean_schedule(value: Any) -> dict[str, Any]:
    """A flat mapping of short keys to scalars or lists of scalars (what a schedule needs)."""
    if not isinstance(value, Mapping):
        return {}
    result: dict[str, Any] = {}
    for key, raw in value.items():
        if len(result) >= MAX_SCHEDULE_KEYS:
            break
        if not isinstance(key, str) or not _KEY_PATTERN.fullmatch(key) or key in FORBIDDEN_KEYS:
            continue
        if isinstance(raw, list | tuple):
            items = [_scalar(item) for item in raw[:MAX_LIST_ITEMS]]
            if all(item is not None for item in items):
                result[key] = items
        elif (scalar := _scalar(raw)) is not None:
            result[key] = scalar
    return result


def _scalar(value: Any) -> str | int | bool | None:
    """A storable scalar, or None. Numbers become ints (DynamoDB returns Decimal, rejects float)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else None
    return _as_int(value)


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, Decimal | float):
        try:
            return int(value) if value == int(value) else None
        except (ValueError, OverflowError, ArithmeticError):
            return None
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None

