"""Per-user persistent attributes: the store chosen by configuration (SPEC §6).

`make_adapter(config)` is the one place a store is chosen. Handlers never call an adapter
directly; they go through `backcare.persistence.user_data`, which survives store failures and
never loses a concurrent update (versioned records: `backcare.persistence.records`).
Nothing here imports botocore (the DynamoDB adapter imports it on first use, or in `prepare`
during a snapshot or provisioned initialisation) or sqlite3.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter

    from backcare.config import Config

SQLITE_FILE_NAME = "backcare.sqlite3"


def make_adapter(config: Config) -> AbstractPersistenceAdapter | None:
    """The persistence adapter for `config.persistence`: sqlite, dynamodb or none (None)."""
    if config.persistence == "sqlite":
        from backcare.persistence.sqlite import SqlitePersistenceAdapter

        path = os.path.join(config.state_dir, SQLITE_FILE_NAME)
        return SqlitePersistenceAdapter(path, timeout=config.store_timeout_seconds,
                                        update_attempts=config.update_attempts)
    if config.persistence == "dynamodb":
        from backcare.persistence.dynamodb import LazyDynamoDbAdapter

        return LazyDynamoDbAdapter.from_config(config)
    if config.persistence == "none":
        return None
    raise ValueError(f"unknown persistence {config.persistence!r}")
