"""The only way handlers read and write a user's persistent attributes (SPEC §6).

    data = user_data.load(handler_input)            # read-only snapshot, current layout
    if user_data.store_down(handler_input): ...     # "I can't look at your reminders right now"

    def add(data):                                  # called with a fresh copy; may run more than once
        data["reminders"].append(record)
    if not user_data.update(handler_input, add):    # True only if the change is stored
        ...                                         # never tell the user it was kept

    if not user_data.delete(handler_input):         # True: nothing about the user is stored now
        raise ...                                   # (SkillDisabled: fail, so Alexa retries)

The contract a handler relies on:

- `load(hi) -> dict`: the user's data in the current layout. Lazy (a request that never calls it
  never touches the store) and read at most once per request; later calls return the same dict,
  refreshed after each successful `update` or `delete`. Treat it as read-only: change data only
  through `update`. If the store fails, `load` gives defaults and never raises.
- `load_counting_visit(hi) -> dict`: `load` for the first request of a session (the first-visit
  interceptor's), which also stores the visit (visits + 1) when the store can do both in one call;
  `visit_counted(hi)` says whether it did. Otherwise the interceptor counts it with `update`.
- `status(hi)` says what the last operation of this request found:
    NEW          the store answered: nothing is stored for this user (a first visit)
    LOADED       the store answered: this is what is stored (or the update was stored)
    UNAVAILABLE  the store failed (down, too slow for the request's time budget, throttled):
                 the data are defaults and say nothing about what is stored
    NO_STORE     PERSISTENCE=none: nothing is ever stored
    READ_ONLY    stored by a newer schema: readable, never overwritten by this code
    CONFLICT     an update lost to other writers on every attempt: nothing written
    DELETED      deleted in this request: nothing may re-create it in the same request
  `store_down(hi)` is `status(hi) == UNAVAILABLE`. NEW vs UNAVAILABLE is how a handler tells
  "you have no reminders" from "I can't look right now".
- `update(hi, mutate) -> bool`: atomic read-modify-write. `mutate(data)` changes a fresh copy of
  the stored data in place; it must derive everything from its argument (it runs again on the
  re-read record after a conflict) and have no side effects. The result passes the allow-list and
  is written only if nobody wrote in between (a version check: SQLite `BEGIN IMMEDIATE`, DynamoDB
  a conditional write); otherwise the record is re-read and `mutate` re-applied, a bounded number
  of times. True when the change is stored (or `mutate` changed nothing); False when nothing was
  written — then `status` says why (UNAVAILABLE, CONFLICT, READ_ONLY, NO_STORE, DELETED). After a
  failure in this request (status UNAVAILABLE) no further update is attempted: the request stays
  within its time budget and says it could not keep the change. An exception raised by `mutate`
  itself is a bug and propagates (nothing is written).
- `delete(hi) -> bool`: True when nothing about the user is stored any more (deleted now, or
  there was nothing, or there is no store); idempotent, so a retried SkillDisabled succeeds. False
  when the store failed: the record may still exist, so the handler must not report success
  (SkillDisabled: raise, and Alexa retries the event). Always attempted, even after a failed load.

Layout (schema 2; schema 1 lacked `exercise` and `checkin`, schema 0 was flat camelCase):
    {"schema": 2, "disclaimer_heard": bool, "visits": int,
     "last_tip": {"topic": str, "index": int} | None,
     "reminders": [{"kind": "posture"|"stretch", "alert_token": str, "schedule": {...}}],
     "prefs": {...},
     "exercise": {"level": 1..3, "sessions": int >= 0, "paused_at"?: int (a kept pause)},
     "checkin": {"due": "YYYY-MM-DD", "alert_token": str | None} | None}
The check-in reminder is never a reminder record: it lives only in `checkin`.

Safety rules:
- Every write passes the allow-list (`clean`): any key outside the layout is dropped, so a handler
  bug cannot persist a symptom answer, an outcome, a check-in answer or a pain score.
- Data written by a newer schema is read best-effort but never written back (no downgrade); older
  layouts are migrated on read and written in the current layout by the next update.
- Each store call's timeout comes from the request's deadline (`backcare.deadline`).
- Logs name the failure, never the user id or a stored value.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any

log = logging.getLogger(__name__)

SCHEMA_VERSION = 2
REMINDER_KINDS = ("posture", "stretch")
EXERCISE_LEVELS = (1, 2, 3)
# Preferences the skill may keep (reminder choices). Extend deliberately; anything else is dropped.
PREF_KEYS = frozenset({"posture_interval_minutes", "posture_start", "posture_end", "stretch_time"})
MAX_REMINDERS = 20
MAX_SCHEDULE_KEYS = 16
MAX_LIST_ITEMS = 48
MAX_TEXT = 200
MAX_SESSIONS = 1_000_000
MAX_EXERCISE_STEPS = 100  # exercises in one session's plan (a paused session's place)
# Words that have no business in a reminder schedule or a preference: triage question ids (v1 and
# v2) and anything that smells of an answer, an outcome or a score.
FORBIDDEN_KEYS = frozenset({
    "bladder", "bowel", "bladder_bowel", "saddle_numbness", "both_legs", "leg_weakness", "major_trauma",
    "chest_pain", "sexual_function", "fever", "leg_getting_weaker", "infection_risk", "cancer_history",
    "weight_loss", "bone_risk", "osteoporosis", "duration", "worsening", "duration_worsening", "radiating",
    "one_leg", "one_leg_numbness", "sleep_daily", "answer", "answers", "outcome", "disposition", "symptom",
    "symptoms", "triage", "change", "pain", "pain_score", "score",
})
_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
_TOPIC_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,39}")
_DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")

# Request attributes (live for one request only).
DATA_KEY = "backcare.user_data"
RECORD_KEY = "backcare.user_data.record"
STATUS_KEY = "backcare.user_data.status"
VISIT_KEY = "backcare.user_data.visit_counted"
NEW = "new"                  # nothing stored for this user
LOADED = "loaded"            # read from (or written to) the store
UNAVAILABLE = "unavailable"  # the store failed this request
NO_STORE = "no_store"        # PERSISTENCE=none
READ_ONLY = "read_only"      # written by a newer schema; never overwrite it
CONFLICT = "conflict"        # an update kept losing to other writers
DELETED = "deleted"          # deleted this request; nothing may re-create it

Mutate = Callable[[dict[str, Any]], None]


def defaults() -> dict[str, Any]:
    return {
        "schema": SCHEMA_VERSION,
        "disclaimer_heard": False,
        "visits": 0,
        "last_tip": None,
        "reminders": [],
        "prefs": {},
        "exercise": {"level": 1, "sessions": 0},
        "checkin": None,
    }


# -- the handler API ---------------------------------------------------------------------------------


def load(handler_input) -> dict[str, Any]:
    """The user's attributes in the current layout. Reads the store at most once per request."""
    request_attributes = handler_input.attributes_manager.request_attributes
    if DATA_KEY in request_attributes:
        return request_attributes[DATA_KEY]
    adapter = _adapter(handler_input)
    if adapter is None:
        _remember(request_attributes, NO_STORE, None, defaults())
        return request_attributes[DATA_KEY]
    try:
        record = adapter.read_record(handler_input.request_envelope, deadline=_deadline(handler_input))
    except Exception as error:  # any store failure: the skill carries on
        _warn("load", error)
        _remember(request_attributes, UNAVAILABLE, None, defaults())
        return request_attributes[DATA_KEY]
    return _remember_read(request_attributes, record)


def load_counting_visit(handler_input) -> dict[str, Any]:
    """`load` for the first request of a session, which also counts the visit when the store can
    do both in one call (DynamoDB, for a returning user who has heard the disclaimer: one UpdateItem
    instead of a read now and a conditional write at the end of the request). The data returned
    are as stored before this request, as `load` gives them; `visit_counted` says whether the visit
    is stored already. When it is not (a first visit, an older layout, SQLite, no store, a failure)
    this is `load` exactly, and the visit is counted by an `update` as before."""
    request_attributes = handler_input.attributes_manager.request_attributes
    adapter = _adapter(handler_input)
    if DATA_KEY in request_attributes or adapter is None:
        return load(handler_input)
    try:
        before, after = adapter.count_visit(handler_input.request_envelope, schema=SCHEMA_VERSION,
                                            deadline=_deadline(handler_input))
    except Exception as error:  # any store failure: the skill carries on, as after a failed load
        _warn("load", error)
        _remember(request_attributes, UNAVAILABLE, None, defaults())
        return request_attributes[DATA_KEY]
    data = _remember_read(request_attributes, before)
    if after is not None:
        request_attributes[RECORD_KEY] = after  # what is stored now: a later update starts from it
        request_attributes[VISIT_KEY] = True
    return data


def visit_counted(handler_input) -> bool:
    """Whether `load_counting_visit` stored this request's visit already."""
    return handler_input.attributes_manager.request_attributes.get(VISIT_KEY, False)


def status(handler_input) -> str | None:
    """What this request's last store operation found (see the module docstring), or None if none ran."""
    return handler_input.attributes_manager.request_attributes.get(STATUS_KEY)


def store_down(handler_input) -> bool:
    """True when the store failed in this request: the data say nothing about what is stored."""
    return status(handler_input) == UNAVAILABLE


def update(handler_input, mutate: Mutate) -> bool:
    """Apply `mutate` to the stored data atomically. True only if the change is stored."""
    from backcare.persistence.records import UpdateConflict

    request_attributes = handler_input.attributes_manager.request_attributes
    current = request_attributes.get(STATUS_KEY)
    if current in (UNAVAILABLE, READ_ONLY, DELETED):
        if current == DELETED:
            log.warning("Not updating attributes deleted earlier in this request")
        return False
    adapter = _adapter(handler_input)
    if adapter is None:
        _remember(request_attributes, NO_STORE, None, defaults())
        return False
    known = request_attributes.get(RECORD_KEY) if current in (NEW, LOADED) else None

    def apply(record):
        data, source_schema = migrate(record.attributes)
        if source_schema is not None and source_schema > SCHEMA_VERSION:
            raise _NewerSchema
        changed = copy.deepcopy(data)
        try:
            mutate(changed)
        except Exception as error:
            raise _MutateFailed(error) from error
        cleaned = clean(changed, report_dropped=True)
        return None if cleaned == data else cleaned  # no change: nothing to write

    try:
        record = adapter.update_record(handler_input.request_envelope, apply, known=known,
                                       deadline=_deadline(handler_input))
    except _MutateFailed as failed:
        raise failed.error from None
    except _NewerSchema:
        log.warning("Not updating attributes: they were written by a newer schema")
        request_attributes[STATUS_KEY] = READ_ONLY
        return False
    except UpdateConflict as error:
        _warn("update", error)
        request_attributes[STATUS_KEY] = CONFLICT
        return False
    except Exception as error:
        _warn("update", error)
        request_attributes[STATUS_KEY] = UNAVAILABLE
        return False
    _remember(request_attributes, LOADED if record.exists else NEW, record, migrate(record.attributes)[0])
    return True


def delete(handler_input) -> bool:
    """Delete the user's record. True if nothing about the user is stored any more."""
    request_attributes = handler_input.attributes_manager.request_attributes
    adapter = _adapter(handler_input)
    if adapter is not None:
        try:
            adapter.delete_record(handler_input.request_envelope, deadline=_deadline(handler_input))
        except Exception as error:
            _warn("delete", error)
            request_attributes[STATUS_KEY] = UNAVAILABLE
            return False
    from backcare.persistence.records import EMPTY

    _remember(request_attributes, DELETED, EMPTY, defaults())
    return True


# -- plumbing ----------------------------------------------------------------------------------------


class _NewerSchema(Exception):
    pass


class _MutateFailed(Exception):
    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error


def _adapter(handler_input):
    """The request's store, seen through the versioned interface (None: PERSISTENCE=none).
    The SDK's AttributesManager keeps the adapter it was built with in `_persistence_adapter`
    (ask-sdk-core 1.19.0, pinned); user_data bypasses the SDK's unversioned get/save."""
    from backcare.persistence.records import PlainAdapterRecords, VersionedAdapter

    adapter = getattr(handler_input.attributes_manager, "_persistence_adapter", None)
    if adapter is None or isinstance(adapter, VersionedAdapter):
        return adapter
    return PlainAdapterRecords(adapter)


def _deadline(handler_input):
    from backcare.deadline import deadline_of

    return deadline_of(handler_input)


def _remember_read(request_attributes: dict[str, Any], record) -> dict[str, Any]:
    """Remember a record read from the store; returns its data in the current layout."""
    data, source_schema = migrate(record.attributes)
    if source_schema is not None and source_schema > SCHEMA_VERSION:
        status = READ_ONLY
    else:
        status = LOADED if record.exists else NEW
        if source_schema is not None and source_schema < SCHEMA_VERSION:
            log.info("Read persistent attributes of schema %s (current %s)", source_schema, SCHEMA_VERSION)
    _remember(request_attributes, status, record, data)
    return request_attributes[DATA_KEY]


def _remember(request_attributes: dict[str, Any], new_status: str, record, data: dict[str, Any]) -> None:
    """The request's view of the store. The dict `load` handed out is refreshed in place, so a
    handler holding it sees what is stored now."""
    snapshot = request_attributes.get(DATA_KEY)
    if isinstance(snapshot, dict) and snapshot is not data:
        snapshot.clear()
        snapshot.update(data)
    else:
        request_attributes[DATA_KEY] = data
    request_attributes[RECORD_KEY] = record
    request_attributes[STATUS_KEY] = new_status


def _warn(action: str, error: BaseException) -> None:
    # The store's messages carry the exception type and text, never the partition key.
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
        **defaults(),
        "disclaimer_heard": stored.get("disclaimerHeard", False),
        "visits": stored.get("visitCount", 0),
        "last_tip": last_tip,
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
    result["exercise"] = _clean_exercise(data.get("exercise"))
    result["checkin"] = _clean_checkin(data.get("checkin"))
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
    if kind not in REMINDER_KINDS or not _is_token(token):
        return None
    return {"kind": kind, "alert_token": token, "schedule": _clean_schedule(value.get("schedule"))}


def _clean_exercise(value: Any) -> dict[str, int]:
    """Fitness progress only: the programme level, the count of completed sessions, and (while
    a pause is kept for a later session) the exercise it was paused at."""
    result = {"level": 1, "sessions": 0}
    if not isinstance(value, Mapping):
        return result
    level, sessions = _as_int(value.get("level")), _as_int(value.get("sessions"))
    if level in EXERCISE_LEVELS:
        result["level"] = level
    if sessions is not None and 0 <= sessions <= MAX_SESSIONS:
        result["sessions"] = sessions
    paused_at = _as_int(value.get("paused_at"))
    if paused_at is not None and 0 <= paused_at < MAX_EXERCISE_STEPS:
        result["paused_at"] = paused_at
    return result


def _clean_checkin(value: Any) -> dict[str, Any] | None:
    """That a check-in exists, its date and its reminder's token; never an answer."""
    if not isinstance(value, Mapping):
        return None
    due, token = value.get("due"), value.get("alert_token")
    if not isinstance(due, str) or not _DATE_PATTERN.fullmatch(due):
        return None
    try:
        date.fromisoformat(due)
    except ValueError:
        return None
    if token is not None and not _is_token(token):
        return None
    return {"due": due, "alert_token": token}


def _is_token(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT


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
