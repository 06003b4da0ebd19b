"""The embedded store: one SQLite file implementing the SDK's persistence adapter interface.

It is the local default (no AWS needed). Construction is free: the file is opened on first use,
so a process that never reads persistent attributes (a yes/no turn of the check) never pays for
it, and `sqlite3` itself is imported only then.
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    import sqlite3

    from ask_sdk_model import RequestEnvelope

TABLE = "persistent_attributes"
FILE_MODE = 0o600
DIR_MODE = 0o700


def user_id_key(request_envelope: RequestEnvelope) -> str:
    """The record key: the Alexa user id, as the SDK's default `user_id_partition_keygen` does
    (re-implemented so the SQLite path does not need the DynamoDB adapter package)."""
    try:
        user_id = request_envelope.context.system.user.user_id
    except AttributeError:
        user_id = None
    if not user_id:
        raise PersistenceException("Couldn't retrieve user id from request envelope, for the record key")
    return user_id


def _json_default(value: Any) -> Any:
    # DynamoDB hands numbers back as Decimal; accept them so data can move between stores.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"{type(value).__name__} is not storable")


class SqlitePersistenceAdapter(AbstractPersistenceAdapter):
    """Persistent attributes as JSON text, one row per user, in a WAL-mode SQLite file."""

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 2.0, keygen=user_id_key) -> None:
        self.path = os.fspath(path)  # os.path, not pathlib: pathlib costs a Lambda cold start
        self.timeout = timeout
        self.keygen = keygen
        self._connection: sqlite3.Connection | None = None
        self._lock = threading.Lock()

    # -- the SDK interface -------------------------------------------------------------------

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        key = self.keygen(request_envelope)
        row = self._run("get", "SELECT attributes FROM " + TABLE + " WHERE id = ?", (key,), fetch=True)
        if row is None:
            return {}
        try:
            attributes = json.loads(row[0])
        except ValueError as error:
            raise PersistenceException("Stored attributes are not valid JSON") from error
        return attributes if isinstance(attributes, dict) else {}

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        key = self.keygen(request_envelope)
        try:
            text = json.dumps(attributes, ensure_ascii=False, separators=(",", ":"), default=_json_default)
        except (TypeError, ValueError) as error:
            raise PersistenceException(f"Attributes are not storable: {error}") from error
        self._run(
            "save",
            "INSERT INTO " + TABLE + " (id, attributes, updated_at) VALUES (?, ?, strftime('%s','now'))"
            " ON CONFLICT(id) DO UPDATE SET"
            " attributes = excluded.attributes, updated_at = excluded.updated_at",
            (key, text),
        )

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        key = self.keygen(request_envelope)
        self._run("delete", "DELETE FROM " + TABLE + " WHERE id = ?", (key,))

    # -- plumbing ----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None

    def _run(self, action: str, sql: str, params: tuple[Any, ...], *, fetch: bool = False) -> Any:
        import sqlite3

        with self._lock:
            try:
                connection = self._connect()
                with connection:  # one transaction, committed or rolled back
                    cursor = connection.execute(sql, params)
                    return cursor.fetchone() if fetch else None
            except (sqlite3.Error, OSError) as error:
                # A broken connection is dropped so the next request starts afresh.
                self._discard_connection()
                raise PersistenceException(
                    f"Failed to {action} attributes in the SQLite store: {type(error).__name__}: {error}"
                ) from error

    def _connect(self) -> sqlite3.Connection:
        if self._connection is not None:
            return self._connection
        import sqlite3

        self._create_file()
        connection = sqlite3.connect(self.path, timeout=self.timeout, check_same_thread=False)
        try:
            connection.execute(f"PRAGMA busy_timeout = {int(self.timeout * 1000)}")
            connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute(
                "CREATE TABLE IF NOT EXISTS " + TABLE + " ("
                "id TEXT PRIMARY KEY, attributes TEXT NOT NULL, updated_at INTEGER NOT NULL)"
            )
        except sqlite3.Error:
            connection.close()
            raise
        self._connection = connection
        return connection

    def _create_file(self) -> None:
        """Create the directory (0700) and an empty database file (0600) before SQLite opens it,
        so the file never exists with wider permissions. SQLite gives the -wal and -shm files the
        database file's mode."""
        os.makedirs(os.path.dirname(self.path) or ".", mode=DIR_MODE, exist_ok=True)
        descriptor = os.open(self.path, os.O_CREAT | os.O_RDWR, FILE_MODE)
        os.close(descriptor)

    def _discard_connection(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):  # closing a broken connection may fail too
                self._connection.close()
            self._connection = None
