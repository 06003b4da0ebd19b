"""DynamoDB persistent attributes, versioned (see `records`), in the SDK adapter's table format.

The item is what `ask_sdk_dynamodb`'s `DynamoDbAdapter` reads and writes — partition key `id` (the
Alexa user id, as its `user_id_partition_keygen`), the attributes as a map under `attributes` —
plus two bookkeeping attributes beside them: `version` (a number, for conditional writes) and
`write_id` (which write produced this version). Records written by the SDK adapter read as
version 0 and are updated conditionally like any other; the SDK adapter reads ours unchanged.

Why not the SDK adapter itself: it cannot write conditionally (every save overwrites the whole
record: lost updates, issue 14), and its module builds a boto3 resource at import and fails
without a region. This module talks to DynamoDB with a botocore client (boto3 is not needed).

Cost and time:
- Importing this module is cheap: botocore is imported and the client built on the first store
  operation, so a fresh Lambda that handles a yes/no turn of the check never pays for it — unless
  `prepare()` is called during a snapshot or provisioned initialisation (lambda_function does).
- Every attempt's timeout (connect + read) comes from the request's deadline, capped at `timeout`;
  botocore's own retries are off: transport errors, throttling and 5xx are retried here, up to
  `attempts`, only while the deadline leaves time. botocore fixes a client's timeouts when it is
  built, so a client is kept per timeout step (the cap, then steps of 1/sqrt(2)): a nearly spent
  budget gets the largest step that fits, never a longer timeout.
- A conditional write that failed ambiguously (timeout, 5xx) is retried with the same `write_id`;
  if the retry then finds the condition failed, the stored `write_id` tells whether the earlier
  attempt landed. So an update is never applied twice and never reported wrongly as stored.
- The first read of a session (`count_visit`) is one UpdateItem: on a returning user's record in
  the current layout it adds the visit, bumps the version and returns the record as it was
  (ReturnValues ALL_OLD); on any other record its condition fails and DynamoDB returns the record
  with the refusal (ReturnValuesOnConditionCheckFailure), so a first visit still costs one read
  and one conditional write, and a returning user's LaunchRequest one round trip instead of two.
"""

from __future__ import annotations

import contextlib
import logging
import math
import threading
from typing import TYPE_CHECKING, Any

from ask_sdk_core.exceptions import PersistenceException

from backcare.persistence.dynamodb_types import deserialize, serialize_map
from backcare.persistence.records import (
    DEFAULT_UPDATE_ATTEMPTS,
    Record,
    StoreTimeout,
    VersionConflict,
    VersionedAdapter,
    user_id_key,
)

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

    from backcare.config import Config
    from backcare.deadline import Deadline

log = logging.getLogger(__name__)

PARTITION_KEY = "id"  # the SDK adapter's default, and template.yaml's key schema
ATTRIBUTE_NAME = "attributes"
VERSION_NAME = "version"
WRITE_ID_NAME = "write_id"
MAX_ATTEMPTS = 2  # attempts per store call: one retry
MAX_CONNECT_TIMEOUT = 0.3  # connecting to DynamoDB in-region takes milliseconds
MIN_TIMEOUT_STEP = 0.05
RETRY_PAUSE_SECONDS = 0.025  # before a retry; doubles, with jitter
FALLBACK_REGION = "us-east-1"  # only for local endpoints, where the region is a label
WARM_UP_KEY = "backcare:warm-up"  # read, and never written, by prime()
NEVER_TRUE = "attribute_exists(#k) AND attribute_not_exists(#k)"  # prime()'s write is always refused
# count_visit: visits + 1 and a new version, only on a versioned record in the current layout whose
# disclaimer was heard and whose visits is missing or a number >= 0, and never twice for one
# write_id (a retry after a lost reply is refused if the first attempt landed).
VISIT_UPDATE = "SET #a.#n = if_not_exists(#a.#n, :zero) + :one, #v = #v + :one, #w = :w"
VISIT_CONDITION = ("attribute_exists(#v) AND #a.#s = :schema AND #a.#d = :true"
                   " AND (attribute_not_exists(#a.#n) OR (attribute_type(#a.#n, :number) AND #a.#n >= :zero))"
                   " AND (attribute_not_exists(#w) OR #w <> :w)")
VISIT_NAMES = {"#a": ATTRIBUTE_NAME, "#n": "visits", "#d": "disclaimer_heard", "#s": "schema", "#v": VERSION_NAME,
               "#w": WRITE_ID_NAME}
_UPDATE_NAMES = {name: VISIT_NAMES[name] for name in ("#a", "#n", "#v", "#w")}  # those VISIT_UPDATE uses
RETRYABLE_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "LimitExceededException",
})


class _ConditionFailed(Exception):
    def __init__(self, after_ambiguous_attempt: bool, item: dict[str, Any] | None = None) -> None:
        super().__init__("conditional check failed")
        self.after_ambiguous_attempt = after_ambiguous_attempt
        self.item = item  # the stored item, when the call asked for it (ReturnValuesOnConditionCheckFailure)


class LazyDynamoDbAdapter(VersionedAdapter):
    """The skill's DynamoDB store: versioned records in the SDK adapter's table format."""

    def __init__(
        self,
        table_name: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        timeout: float = 1.0,
        attempts: int = MAX_ATTEMPTS,
        update_attempts: int = DEFAULT_UPDATE_ATTEMPTS,
        keygen=user_id_key,
    ) -> None:
        self.table_name = table_name
        self.region = region or (FALLBACK_REGION if endpoint_url else None)
        self.endpoint_url = endpoint_url
        self.timeout = timeout
        self.attempts = attempts
        self.update_attempts = update_attempts
        self.keygen = keygen
        self._session: Any = None
        self._clients: dict[float, Any] = {}
        self._lock = threading.Lock()

    @classmethod
    def from_config(cls, config: Config) -> LazyDynamoDbAdapter:
        if not config.table_name:
            raise ValueError("PERSISTENCE=dynamodb needs TABLE_NAME")
        return cls(
            config.table_name,
            region=config.aws_region,
            endpoint_url=config.dynamodb_endpoint,
            timeout=config.store_timeout_seconds,
            attempts=config.store_attempts,
            update_attempts=config.update_attempts,
        )

    # -- initialisation ---------------------------------------------------------------------------

    def prepare(self) -> None:
        """Import botocore, build the client for the full timeout and resolve credentials now
        (during a snapshot or provisioned initialisation) rather than in the first request."""
        self.client_for(self.timeout)
        self._session.get_credentials()

    def prime(self, sample: dict[str, Any] | None = None) -> bool:
        """Run the first requests' store operations once without touching any user's data: a
        consistent read of a key no user has, then the visit's update (`count_visit`) and a
        conditional write (of `sample`, a record in the stored layout), both with a condition that
        can never hold, so DynamoDB refuses them and nothing is written. Opens the connection and
        loads botocore's models, serialisers and parsers for the three. Never raises."""
        key = {PARTITION_KEY: {"S": WARM_UP_KEY}}
        item = {**key, ATTRIBUTE_NAME: {"M": _serialize(sample or {})}, VERSION_NAME: {"N": "1"},
                WRITE_ID_NAME: {"S": "warm-up"}}
        visit_values = {":zero": {"N": "0"}, ":one": {"N": "1"}, ":w": {"S": "warm-up"}}
        try:
            self._call("GetItem", None, Key=key, ConsistentRead=True)
            with contextlib.suppress(_ConditionFailed):  # the expected answers: nothing written
                self._call("UpdateItem", None, Key=key, UpdateExpression=VISIT_UPDATE, ConditionExpression=NEVER_TRUE,
                           ExpressionAttributeNames={**_UPDATE_NAMES, "#k": PARTITION_KEY},
                           ExpressionAttributeValues=visit_values, ReturnValues="ALL_OLD",
                           ReturnValuesOnConditionCheckFailure="ALL_OLD")
            with contextlib.suppress(_ConditionFailed):
                self._call("PutItem", None, Item=item, ConditionExpression=NEVER_TRUE,
                           ExpressionAttributeNames={"#k": PARTITION_KEY})
        except Exception as error:
            log.warning("DynamoDB warm-up failed (the first request will do the work): %s", error)
            return False
        return True

    def close_connections(self) -> None:
        """Drop open connections (before a SnapStart snapshot: they would be dead after restore)."""
        with self._lock:
            for client in self._clients.values():
                client.close()

    def client_for(self, timeout: float) -> Any:
        """The botocore client whose timeouts fit in `timeout` seconds (one per halving step)."""
        step = self._step(timeout)
        client = self._clients.get(step)
        if client is None:
            with self._lock:
                client = self._clients.get(step)
                if client is None:
                    client = self._clients[step] = self._build_client(step)
        return client

    def _step(self, timeout: float) -> float:
        """The largest of cap, cap/sqrt(2), cap/2, ... that is at most `timeout` (and not tiny)."""
        if timeout >= self.timeout:
            return self.timeout
        steps = math.ceil(2 * math.log2(self.timeout / max(timeout, MIN_TIMEOUT_STEP)) - 1e-9)
        return max(self.timeout / (2 ** (steps / 2)), MIN_TIMEOUT_STEP / 2)

    def _build_client(self, timeout: float) -> Any:
        try:
            import botocore.session
            from botocore.config import Config as BotocoreConfig

            if self._session is None:
                self._session = botocore.session.Session()
            connect = min(MAX_CONNECT_TIMEOUT, timeout / 2)
            config = BotocoreConfig(
                connect_timeout=connect,
                read_timeout=timeout - connect,
                retries={"mode": "standard", "total_max_attempts": 1},  # retried here, within the deadline
                tcp_keepalive=True,
            )
            return self._session.create_client(
                "dynamodb", region_name=self.region, endpoint_url=self.endpoint_url, config=config
            )
        except Exception as error:  # NoRegionError, a missing package: a store failure, not a crash
            raise PersistenceException(
                f"Could not set up the DynamoDB store: {type(error).__name__}: {error}"
            ) from error

    # -- the versioned operations ---------------------------------------------------------------

    def read_record(self, request_envelope: RequestEnvelope, *, deadline: Deadline | None = None) -> Record:
        item = self._get_item(self.keygen(request_envelope), deadline)
        if item is None:
            return Record({}, None)
        return Record(_attributes_of(item), _version_of(item))

    def write_record(self, request_envelope: RequestEnvelope, attributes: dict[str, Any], *,
                     expected: int | None, deadline: Deadline | None = None) -> int:
        import uuid

        key = self.keygen(request_envelope)
        version, write_id = (expected or 0) + 1, uuid.uuid4().hex
        item = {
            PARTITION_KEY: {"S": key},
            ATTRIBUTE_NAME: {"M": _serialize(attributes)},
            VERSION_NAME: {"N": str(version)},
            WRITE_ID_NAME: {"S": write_id},
        }
        if expected is None:
            condition, names, values = "attribute_not_exists(#k)", {"#k": PARTITION_KEY}, None
        elif expected == 0:
            condition = "attribute_exists(#k) AND attribute_not_exists(#v)"
            names, values = {"#k": PARTITION_KEY, "#v": VERSION_NAME}, None
        else:
            condition, names, values = "#v = :v", {"#v": VERSION_NAME}, {":v": {"N": str(expected)}}
        params: dict[str, Any] = {"Item": item, "ConditionExpression": condition, "ExpressionAttributeNames": names}
        if values:
            params["ExpressionAttributeValues"] = values
        try:
            self._call("PutItem", deadline, **params)
        except _ConditionFailed as failed:
            if failed.after_ambiguous_attempt:
                stored = self._get_item(key, deadline)
                if stored is not None and stored.get(WRITE_ID_NAME, {}).get("S") == write_id:
                    return version  # the attempt that timed out did land
            raise VersionConflict("the record changed since it was read") from None
        return version

    def overwrite_record(self, request_envelope: RequestEnvelope, attributes: dict[str, Any], *,
                         deadline: Deadline | None = None) -> int:
        import uuid

        response = self._call(
            "UpdateItem", deadline,
            Key={PARTITION_KEY: {"S": self.keygen(request_envelope)}},
            UpdateExpression="SET #a = :a, #w = :w ADD #v :one",
            ExpressionAttributeNames={"#a": ATTRIBUTE_NAME, "#w": WRITE_ID_NAME, "#v": VERSION_NAME},
            ExpressionAttributeValues={":a": {"M": _serialize(attributes)}, ":w": {"S": uuid.uuid4().hex},
                                       ":one": {"N": "1"}},
            ReturnValues="UPDATED_NEW",
        )
        return _version_of(response.get("Attributes", {}))

    def count_visit(self, request_envelope: RequestEnvelope, *, schema: int,
                    deadline: Deadline | None = None) -> tuple[Record, Record | None]:
        """One UpdateItem (see the module docstring and `VersionedAdapter.count_visit`)."""
        import uuid

        write_id = uuid.uuid4().hex
        values = {":zero": {"N": "0"}, ":one": {"N": "1"}, ":true": {"BOOL": True}, ":number": {"S": "N"},
                  ":schema": {"N": str(schema)}, ":w": {"S": write_id}}
        try:
            response = self._call("UpdateItem", deadline, Key={PARTITION_KEY: {"S": self.keygen(request_envelope)}},
                                  UpdateExpression=VISIT_UPDATE, ConditionExpression=VISIT_CONDITION,
                                  ExpressionAttributeNames=VISIT_NAMES, ExpressionAttributeValues=values,
                                  ReturnValues="ALL_OLD", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        except _ConditionFailed as failed:
            item = failed.item
            if item is None:
                return Record({}, None), None  # nothing stored: a first visit
            stored = Record(_attributes_of(item), _version_of(item))
            if failed.after_ambiguous_attempt and item.get(WRITE_ID_NAME, {}).get("S") == write_id:
                # The attempt whose reply was lost did land: `stored` is the record with this visit.
                before = {**stored.attributes, "visits": _visits(stored.attributes) - 1}
                return Record(before, stored.version - 1), stored
            return stored, None  # not counted here (a first session, an older layout, ...)
        before = Record(_attributes_of(response["Attributes"]), _version_of(response["Attributes"]))
        after = {**before.attributes, "visits": _visits(before.attributes) + 1}
        return before, Record(after, before.version + 1)

    def delete_record(self, request_envelope: RequestEnvelope, *, deadline: Deadline | None = None) -> bool:
        response = self._call("DeleteItem", deadline, Key={PARTITION_KEY: {"S": self.keygen(request_envelope)}},
                              ReturnValues="ALL_OLD")
        return bool(response.get("Attributes"))

    # -- calls ----------------------------------------------------------------------------------

    def _get_item(self, key: str, deadline: Deadline | None) -> dict[str, Any] | None:
        response = self._call("GetItem", deadline, Key={PARTITION_KEY: {"S": key}}, ConsistentRead=True)
        return response.get("Item")

    def _call(self, operation: str, deadline: Deadline | None, **params: Any) -> dict[str, Any]:
        """One DynamoDB operation with its timeouts from the deadline and bounded retries."""
        from backcare.deadline import DeadlineExceeded

        ambiguous = False
        for attempt in range(self.attempts):
            try:
                timeout = deadline.timeout_for(self.timeout) if deadline is not None else self.timeout
            except DeadlineExceeded as error:
                raise StoreTimeout(f"No time left for DynamoDB {operation}: {error}") from error
            client = self.client_for(timeout)
            try:
                return getattr(client, _METHODS[operation])(TableName=self.table_name, **params)
            except Exception as error:
                code = _error_code(error)
                if code == "ConditionalCheckFailedException":
                    raise _ConditionFailed(ambiguous, getattr(error, "response", {}).get("Item")) from None
                retryable, was_ambiguous = _classify(error, code)
                ambiguous = ambiguous or was_ambiguous
                last = attempt + 1 >= self.attempts
                if not retryable or last or not _pause(attempt, deadline):
                    raise _persistence_error(operation, error, code, attempt + 1) from error
        raise AssertionError("unreachable")


_METHODS = {"GetItem": "get_item", "PutItem": "put_item", "UpdateItem": "update_item", "DeleteItem": "delete_item"}


def _serialize(attributes: dict[str, Any]) -> dict[str, Any]:
    try:
        return serialize_map(attributes)
    except TypeError as error:
        raise PersistenceException(f"Attributes are not storable: {error}") from error


def _attributes_of(item: dict[str, Any]) -> dict[str, Any]:
    value = item.get(ATTRIBUTE_NAME)
    attributes = deserialize(value) if value else {}
    return attributes if isinstance(attributes, dict) else {}


def _version_of(item: dict[str, Any]) -> int:
    raw = item.get(VERSION_NAME, {}).get("N")
    return int(raw) if raw else 0


def _visits(attributes: dict[str, Any]) -> int:
    """`visits` as count_visit's condition allowed it: missing (0) or a number (read as int or Decimal)."""
    return int(attributes.get("visits") or 0)


def _error_code(error: Exception) -> str | None:
    response = getattr(error, "response", None)
    if isinstance(response, dict):
        return response.get("Error", {}).get("Code")
    return None


def _classify(error: Exception, code: str | None) -> tuple[bool, bool]:
    """(worth retrying, the request may have been applied)."""
    from botocore.exceptions import ConnectionError as BotocoreConnectionError
    from botocore.exceptions import HTTPClientError

    if code is not None:
        server_error = code in ("InternalServerError", "ServiceUnavailable")
        return code in RETRYABLE_CODES, server_error
    if isinstance(error, BotocoreConnectionError):
        return True, False  # refused, connect timeout: the request never reached the server
    if isinstance(error, HTTPClientError):
        return True, True  # read timeout, connection closed: the server may have done it
    return False, False  # credentials, validation, configuration: retrying would not help


def _pause(attempt: int, deadline: Deadline | None) -> bool:
    """Back off before a retry; False when the deadline is used up (then no retry)."""
    import random
    import time

    pause = RETRY_PAUSE_SECONDS * (2 ** attempt) * random.uniform(0.5, 1.5)
    if deadline is None:
        time.sleep(pause)
        return True
    return deadline.sleep(pause)


def _persistence_error(operation: str, error: Exception, code: str | None, attempts: int) -> PersistenceException:
    from botocore.exceptions import NoCredentialsError, NoRegionError

    if isinstance(error, NoCredentialsError | NoRegionError):
        hint = ("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (any values for a local server)"
                if isinstance(error, NoCredentialsError) else "set AWS_REGION")
        log.error("The DynamoDB store is not configured: %s (%s)", error, hint)
    kind = code or type(error).__name__
    return PersistenceException(
        f"DynamoDB {operation} failed after {attempts} attempt(s): {kind}: {error}"
    )
