"""Real SQLite stores that fail for real, for tests of what the skill does when its store fails.

- `FlakyStore`: the skill's SQLite store whose location can be switched to a path under a regular
  file, so every open fails with an OS error inside the store (as an unmounted or broken disk
  would); it notes which operations it was asked for.
- `hold_write_lock(path)`: another connection holds SQLite's write lock (another writer, stuck):
  reads still work (WAL), every write waits for the busy timeout and fails "database is locked".
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Iterator

from backcare.persistence.sqlite import SqlitePersistenceAdapter


class FlakyStore(SqlitePersistenceAdapter):
    """The real SQLite store, which can be made unreachable for real (its file moved under a path
    that is not a directory: every open fails with an OS error inside the store), and which notes
    the operations user_data asks of it."""

    def __init__(self, path) -> None:
        super().__init__(path, timeout=0.5)
        self.good_path = self.path
        self.broken_path = os.path.join(os.path.dirname(self.path) + ".not-a-directory", "backcare.sqlite3")
        self.calls: list[str] = []

    @property
    def failing(self) -> bool:
        return self.path == self.broken_path

    @failing.setter
    def failing(self, value: bool) -> None:
        blocker = os.path.dirname(self.broken_path)
        if value and not os.path.exists(blocker):
            with open(blocker, "w") as handle:
                handle.write("a file where the store's directory should be")
        self.close()  # the next call opens the file afresh, at the good or the broken location
        self.path = self.broken_path if value else self.good_path

    def read_record(self, request_envelope, **kwargs):
        self.calls.append("read")
        return super().read_record(request_envelope, **kwargs)

    def update_record(self, request_envelope, apply, **kwargs):
        self.calls.append("update")
        return super().update_record(request_envelope, apply, **kwargs)

    def delete_record(self, request_envelope, **kwargs):
        self.calls.append("delete")
        return super().delete_record(request_envelope, **kwargs)


@contextlib.contextmanager
def hold_write_lock(path: str | os.PathLike[str]) -> Iterator[None]:
    """Hold the database's write lock for the duration of the block."""
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("BEGIN IMMEDIATE")
        yield
    finally:
        with contextlib.suppress(sqlite3.Error):
            connection.execute("ROLLBACK")
        connection.close()
