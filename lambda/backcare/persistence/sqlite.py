"""The embedded store: one SQLite file implementing the SDK's persistence adapter interface, with
versioned records (see `records`).

It is the local default (no AWS needed). Construction is free: the file is opened on first use,
so a process that never reads persistent attributes (a yes/no turn of the check) never pays for
it, and `sqlite3` itself is imported only then.

Concurrency: many processes may share the file (the CLI, a web service's workers).
- Updates run read, apply and write in one `BEGIN IMMEDIATE` transaction: writers queue on
  SQLite's write lock, so an update never overwrites another's change. The wait for the lock is
  bounded by the call's timeout, taken from the request's deadline.
- A fresh file is built under a private temporary name (WAL mode, table) and hard-linked into
  place, which fails harmlessly for all but the first of many processes opening it at once: no
  process ever sees a half-initialised file, and none has to change the journal mode under
  contention (which is what answers "database is locked" without waiting).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from ask_sdk_core.exceptions import PersistenceException

from backcare.persistence.records import (
    DEFAULT_UPDATE_ATTEMPTS,
    Apply,
    Record,
    StoreTimeout,
    VersionConflict,
    VersionedAdapter,
    user_id_key,
)

if TYPE_CHECKING:
    import sqlite3

    from ask_sdk_model import RequestEnvelope

    from backcare.deadline import Deadline

TABLE = "persistent_attributes"
FILE_MODE = 0o600
DIR_MODE = 0o700
CREATE_TABLE = (
    "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
    "id TEXT PRIMARY KEY, attributes TEXT NOT NULL, updated_at INTEGER NOT NULL,"
    " version INTEGER NOT NULL DEFAULT 0)"
)
SELECT = "SELECT attributes, version FROM " + TABLE + " WHERE id = ?"
INSERT_NEW = ("INSERT INTO " + TABLE + " (id, attributes, updated_at, version)"
              " VALUES (?, ?, strftime('%s','now'), 1) ON CONFLICT(id) DO NOTHING")
UPDATE_IF = ("UPDATE " + TABLE + " SET attributes = ?, updated_at = strftime('%s','now'), version = version + 1"
             " WHERE id = ? AND version = ?")
UPSERT = ("INSERT INTO " + TABLE + " (id, attributes, updated_at, version)"
          " VALUES (?, ?, strftime('%s','now'), 1) ON CONFLICT(id) DO UPDATE SET"
          " attributes = excluded.attributes, updated_at = excluded.updated_at, version = version + 1")
DELETE = "DELETE FROM " + TABLE + " WHERE id = ?"
BUSY_TIMEOUT_MS = 10  # SQLite's own wait for a lock; longer waits are retried in _run, within the deadline
BUSY_PAUSE_SECONDS = 0.004  # at most this long between two tries for the write lock

T = TypeVar("T")


def _json_default(value: Any) -> Any:
    # DynamoDB hands numbers back as Decimal; accept them so data can move between stores.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not storable")


def _to_text(attributes: dict[str, Any]) -> str:
    try:
        return json.dumps(attributes, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    except (TypeError, ValueError) as error:
        raise PersistenceException(f"Attributes are not storable: {error}") from error


def _to_record(row: tuple[str, int] | None) -> Record:
    if row is None:
        return Record({}, None)
    try:
        attributes = json.loads(row[0])
    except ValueError as error:
        raise PersistenceException("Stored attributes are not valid JSON") from error
    return Record(attributes if isinstance(attributes, dict) else {}, int(row[1]))


class SqlitePersistenceAdapter(VersionedAdapter):
    """Persistent attributes as JSON text with a version, one row per user, in a WAL-mode file."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 2.0, keygen=user_id_key,
                 update_attempts: int = DEFAULT_UPDATE_ATTEMPTS) -> None:
        self.path = os.fspath(path)  # os.path, not pathlib: pathlib costs a Lambda cold start
        self.timeout = timeout
        self.keygen = keygen
        self.update_attempts = update_attempts
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # -- the versioned operations ---------------------------------------------------------------

    def read_record(self, request_envelope: RequestEnvelope, *, deadline: Deadline | None = None) -> Record:
        key = self.keygen(request_envelope)
        return self._run("read", deadline, lambda connection: _to_record(connection.execute(SELECT, (key,)).fetchone()))

    def write_record(self, request_envelope: RequestEnvelope, attributes: dict[str, Any], *,
                     expected: int | None, deadline: Deadline | None = None) -> int:
        key, text = self.keygen(request_envelope), _to_text(attributes)
        return self._run("write", deadline, lambda connection: _in_write_transaction(
            connection, lambda: _compare_and_set(connection, key, text, expected)))

    def overwrite_record(self, request_envelope: RequestEnvelope, attributes: dict[str, Any], *,
                         deadline: Deadline | None = None) -> int:
        key, text = self.keygen(request_envelope), _to_text(attributes)

        def overwrite(connection: sqlite3.Connection) -> int:
            connection.execute(UPSERT, (key, text))
            return int(connection.execute("SELECT version FROM " + TABLE + " WHERE id = ?", (key,)).fetchone()[0])

        return self._run("save", deadline, lambda connection: _in_write_transaction(
            connection, lambda: overwrite(connection)))

    def delete_record(self, request_envelope: RequestEnvelope, *, deadline: Deadline | None = None) -> bool:
        key = self.keygen(request_envelope)
        return self._run("delete", deadline, lambda connection: _in_write_transaction(
            connection, lambda: connection.execute(DELETE, (key,)).rowcount > 0))

    def update_record(self, request_envelope: RequestEnvelope, apply: Apply, *, known: Record | None = None,
                      deadline: Deadline | None = None) -> Record:
        """Read, apply and write inside one write transaction: no other writer can come between,
        so there is no conflict to retry (`known` is not needed: the read is local and cheap)."""
        key = self.keygen(request_envelope)

        def update(connection: sqlite3.Connection) -> Record:
            record = _to_record(connection.execute(SELECT, (key,)).fetchone())
            attributes = apply(record)
            if attributes is None:
                return record
            return Record(attributes, _compare_and_set(connection, key, _to_text(attributes), record.version))

        return self._run("update", deadline, lambda connection: _in_write_transaction(
            connection, lambda: update(connection)))

    # -- plumbing ----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._discard_connection()

    def _run(self, action: str, deadline: Deadline | None, body: Callable[[sqlite3.Connection], T]) -> T:
        """`body(connection)` under the adapter's lock. While another process holds the write lock,
        retry after short random pauses until the call's timeout (from the deadline, capped at
        `timeout`) is spent: SQLite's own busy handler backs off to 100 ms sleeps, which makes
        writers queue slowly. SQLite and OS errors become PersistenceException (and drop the
        connection); anything else `body` raises (a bug in `apply`) propagates unchanged."""
        import random
        import sqlite3

        from backcare.deadline import DeadlineExceeded

        try:
            timeout = deadline.timeout_for(self.timeout) if deadline is not None else self.timeout
        except DeadlineExceeded as error:
            raise StoreTimeout(f"No time left to {action} attributes in the SQLite store: {error}") from error
        give_up_at = time.monotonic() + timeout
        with self._lock:
            while True:
                try:
                    return body(self._connect(timeout))
                except sqlite3.OperationalError as error:
                    if _is_busy(error) and time.monotonic() + BUSY_PAUSE_SECONDS < give_up_at:
                        time.sleep(random.uniform(0.2, 1.0) * BUSY_PAUSE_SECONDS)
                        continue
                    self._fail(action, error)
                except (sqlite3.Error, OSError) as error:
                    self._fail(action, error)

    def _fail(self, action: str, error: BaseException) -> NoReturn:
        self._discard_connection()  # a broken connection is dropped; the next call starts afresh
        raise PersistenceException(
            f"Failed to {action} attributes in the SQLite store: {type(error).__name__}: {error}"
        ) from error

    def _connect(self, timeout: float) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        import sqlite3

        if not os.path.exists(self.path) or os.path.getsize(self.path) == 0:
            self._create_database()
        connection = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            _upgrade_schema(connection)
            connection.execute("PRAGMA synchronous = NORMAL")
        except sqlite3.Error:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _create_database(self) -> None:
        """Build the database under a private temporary name and link it into place: the link is
        atomic and fails if another process got there first (then theirs is used). The directory
        is 0700 and the file 0600 from the start; SQLite gives the -wal and -shm files the same mode."""
        import sqlite3
        import uuid

        directory = os.path.dirname(self.path) or "."
        os.makedirs(directory, mode=DIR_MODE, exist_ok=True)
        temporary = os.path.join(directory, f".{os.path.basename(self.path)}.{uuid.uuid4().hex}.tmp")
        os.close(os.open(temporary, os.O_CREAT | os.O_EXCL | os.O_RDWR, FILE_MODE))
        try:
            connection = sqlite3.connect(temporary, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode = WAL")
                connection.execute(CREATE_TABLE)
            finally:
                connection.close()
            if os.path.exists(self.path) and os.path.getsize(self.path) == 0:
                # An empty file left by an older version of this code: nothing in it to keep.
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)
            with contextlib.suppress(FileExistsError):
                os.link(temporary, self.path)
        finally:
            for leftover in (temporary, temporary + "-wal", temporary + "-shm"):
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(leftover)

    def _discard_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._connection.close()
            self._connection = None


def _compare_and_set(connection: sqlite3.Connection, key: str, text: str, expected: int | None) -> int:
    if expected is None:
        if connection.execute(INSERT_NEW, (key, text)).rowcount != 1:
            raise VersionConflict("a record was created meanwhile")
        return 1
    if connection.execute(UPDATE_IF, (text, key, expected)).rowcount != 1:
        raise VersionConflict("the record changed or was deleted meanwhile")
    return expected + 1


def _in_write_transaction(connection: sqlite3.Connection, work: Callable[[], T]) -> T:
    """`work()` inside BEGIN IMMEDIATE ... COMMIT (rolled back if anything fails)."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        result = work()
        connection.execute("COMMIT")
    except BaseException:
        _rollback(connection)
        raise
    return result


def _is_busy(error: BaseException) -> bool:
    text = str(error).lower()
    return "locked" in text or "busy" in text


def _upgrade_schema(connection: sqlite3.Connection) -> None:
    """Files made before versioned records: WAL mode, the table, the version column. Each step is
    skipped when already done, so opening an up-to-date file takes no write lock."""
    import sqlite3

    if connection.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
        connection.execute("PRAGMA journal_mode = WAL")
    columns = {row[1] for row in connection.execute("PRAGMA table_info(" + TABLE + ")")}
    if not columns:
        connection.execute(CREATE_TABLE)
    elif "version" not in columns:
        try:
            connection.execute("ALTER TABLE " + TABLE + " ADD COLUMN version INTEGER NOT NULL DEFAULT 0")
        except sqlite3.OperationalError as error:
            if "duplicate column" not in str(error):  # another process added it first: fine
                raise


def _rollback(connection: sqlite3.Connection) -> None:
    with contextlib.suppress(Exception):
        if connection.in_transaction:
            connection.execute("ROLLBACK")
