"""Versioned records: what lets two requests for one user write without losing each other's change.

Every stored record carries a version number beside its attributes. A writer reads the record and
its version, computes the new attributes, and writes them only if the version is still the one it
read (compare-and-set); if another request wrote in between, it reads again and recomputes. So a
change is either stored on top of every change before it, or reported as not stored.

`VersionedAdapter` is the SDK's `AbstractPersistenceAdapter` (get/save/delete, for anything that
expects that interface) plus the versioned operations `backcare.persistence.user_data` uses:

    read_record(envelope, deadline=)                  -> Record(attributes, version)
    write_record(envelope, attributes, expected=, deadline=) -> new version, or VersionConflict
    update_record(envelope, apply, known=, deadline=) -> the Record now stored (optimistic loop)
    delete_record(envelope, deadline=)                -> True if a record was there
    count_visit(envelope, schema=, deadline=)         -> (the Record read, the Record stored with
                                                          this visit counted, or None: not counted)

`deadline` is the request's `backcare.deadline.Deadline` (None: the adapter's own caps only);
each store call's timeout is taken from it. The SDK's get/save/delete have no request to take a
deadline from and use the caps. Every failure is a `PersistenceException`.
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NamedTuple

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

    from backcare.deadline import Deadline

DEFAULT_UPDATE_ATTEMPTS = 5
CONFLICT_BACKOFF_SECONDS = 0.01  # first pause after a conflict; doubles, with jitter


class Record(NamedTuple):  # a NamedTuple: a tenth of a frozen dataclass's cost at import (cold start)
    """A user's stored attributes and their version. `version` is None when nothing is stored;
    0 for a record written without a version (by the SDK's own adapter, say)."""

    attributes: dict[str, Any]
    version: int | None

    @property
    def exists(self) -> bool:
        return self.version is not None


EMPTY = Record({}, None)

# apply(current record) -> the attributes to store, or None to store nothing (no change).
Apply = Callable[[Record], dict[str, Any] | None]


def user_id_key(request_envelope: RequestEnvelope) -> str:
    """The record key: the Alexa user id, as the SDK's default `user_id_partition_keygen` does
    (re-implemented: importing `ask_sdk_dynamodb` builds a boto3 resource)."""
    try:
        user_id = request_envelope.context.system.user.user_id
    except AttributeError:
        user_id = None
    if not user_id:
        raise PersistenceException("Couldn't retrieve user id from request envelope, for the record key")
    return user_id


class VersionConflict(PersistenceException):
    """The record changed since it was read: nothing was written."""


class UpdateConflict(PersistenceException):
    """Other writers kept winning: the update gave up after its attempts; nothing was written."""


class StoreTimeout(PersistenceException):
    """The request's deadline left no time for the store call: nothing was attempted."""


class VersionedAdapter(AbstractPersistenceAdapter):
    """Base class of the skill's stores. Subclasses implement the four record operations."""

    update_attempts: int = DEFAULT_UPDATE_ATTEMPTS

    # -- the versioned operations ---------------------------------------------------------------

    @abstractmethod
    def read_record(self, request_envelope: RequestEnvelope, *, deadline: Deadline | None = None) -> Record:
        """The stored record (EMPTY-like, version None, when there is none). Consistent read."""

    @abstractmethod
    def write_record(self, request_envelope: RequestEnvelope, attributes: dict[str, Any], *,
                     expected: int | None, deadline: Deadline | None = None) -> int:
        """Store `attributes` if the stored version is `expected` (None: only if nothing is stored).
        Returns the new version; raises VersionConflict when the version differs."""

    @abstractmethod
    def overwrite_record(self, request_envelope: RequestEnvelope, attributes: dict[str, Any], *,
                         deadline: Deadline | None = None) -> int:
        """Store `attributes` whatever is stored (the SDK's save semantics), bumping the version."""

    @abstractmethod
    def delete_record(self, request_envelope: RequestEnvelope, *, deadline: Deadline | None = None) -> bool:
        """Delete the record. True if there was one. Deleting nothing is not an error."""

    def count_visit(self, request_envelope: RequestEnvelope, *, schema: int,
                    deadline: Deadline | None = None) -> tuple[Record, Record | None]:
        """The first read of a session, counting the visit in the same store call where the store
        can: returns (the record as it was before this request, the record now stored with
        `visits` one higher) — or (the record, None) when the visit was not counted, and the caller
        counts it later through `update_record` like any other change.

        A store may count the visit only on a versioned record in the current layout (its
        attribute `schema` equals `schema`) whose `disclaimer_heard` is true and whose `visits` is
        missing or a whole number >= 0, changing nothing but `visits` and the version: then
        counting it is exactly what the first-visit interceptor's update would do (visits + 1;
        `disclaimer_heard` stays true), and no lost update is possible (the version still moves).
        This default reads and counts nothing (one store call now, the update later)."""
        return self.read_record(request_envelope, deadline=deadline), None

    def update_record(self, request_envelope: RequestEnvelope, apply: Apply, *, known: Record | None = None,
                      deadline: Deadline | None = None) -> Record:
        """Read, apply, write if unchanged; on a conflict read again and re-apply, up to
        `update_attempts` rounds. `known` (a record this request already read) saves the first
        read. Returns what is stored afterwards; raises UpdateConflict when every round lost."""
        record = known
        for attempt in range(self.update_attempts):
            if record is None:
                record = self.read_record(request_envelope, deadline=deadline)
            new_attributes = apply(record)
            if new_attributes is None:
                return record
            try:
                version = self.write_record(request_envelope, new_attributes, expected=record.version,
                                            deadline=deadline)
            except VersionConflict:
                record = None
                if attempt + 1 < self.update_attempts and not _backoff(attempt, deadline):
                    break
                continue
            return Record(new_attributes, version)
        raise UpdateConflict(f"the record kept changing: gave up after {attempt + 1} attempts")

    # -- the SDK's interface, on top (no request deadline: the adapter's own caps) ----------------

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        return self.read_record(request_envelope).attributes

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        self.overwrite_record(request_envelope, attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.delete_record(request_envelope)


def _backoff(attempt: int, deadline: Deadline | None) -> bool:
    """A short randomised pause after a conflict, so competing writers spread out. False when the
    deadline is used up (no time for another round)."""
    import random
    import time

    pause = CONFLICT_BACKOFF_SECONDS * (2 ** min(attempt, 5)) * random.uniform(0.5, 1.5)
    if deadline is None:
        time.sleep(pause)
        return True
    return deadline.sleep(pause)


class PlainAdapterRecords(VersionedAdapter):
    """Any other SDK persistence adapter, seen through the versioned interface WITHOUT its
    guarantees: reads give version 0 for a stored record, writes ignore `expected`. For adapters
    handed in from outside (the SDK's own DynamoDbAdapter, say); the skill's stores are versioned."""

    def __init__(self, adapter: AbstractPersistenceAdapter) -> None:
        self.adapter = adapter

    def read_record(self, request_envelope, *, deadline=None) -> Record:
        attributes = self.adapter.get_attributes(request_envelope)
        return Record(attributes, 0) if attributes else Record({}, None)

    def write_record(self, request_envelope, attributes, *, expected, deadline=None) -> int:
        self.adapter.save_attributes(request_envelope, attributes)
        return (expected or 0) + 1

    def overwrite_record(self, request_envelope, attributes, *, deadline=None) -> int:
        self.adapter.save_attributes(request_envelope, attributes)
        return 1

    def delete_record(self, request_envelope, *, deadline=None) -> bool:
        self.adapter.delete_attributes(request_envelope)
        return True
