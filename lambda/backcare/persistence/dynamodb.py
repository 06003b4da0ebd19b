"""DynamoDB persistent attributes through the SDK's `DynamoDbAdapter` (SPEC §6).

Importing this module is cheap: boto3 and the SDK adapter are imported on the first store
operation, so a fresh Lambda process that handles a yes/no turn of the check never pays for
boto3 even when DynamoDB is configured. The SDK adapter module builds a default boto3 resource at
import time (and fails without a region); we always pass our own resource, built with short
timeouts and few retries so a slow or unreachable store cannot eat Alexa's 8-second budget.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING, Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import PersistenceException

if TYPE_CHECKING:
    from ask_sdk_model import RequestEnvelope

    from backcare.config import Config

PARTITION_KEY = "id"  # the adapter's default, and template.yaml's key schema
ATTRIBUTE_NAME = "attributes"
MAX_ATTEMPTS = 2  # one retry: a failing store costs at most about 2 x timeout per call
MAX_CONNECT_TIMEOUT = 1.0  # connecting to DynamoDB in-region takes milliseconds
FALLBACK_REGION = "us-east-1"  # only for local endpoints, where the region is a label


def build_resource(*, region: str | None, endpoint_url: str | None, timeout: float):
    """A boto3 DynamoDB resource with explicit region, endpoint, timeouts and retries."""
    import boto3
    from botocore.config import Config as BotocoreConfig

    client_config = BotocoreConfig(
        connect_timeout=min(timeout, MAX_CONNECT_TIMEOUT),
        read_timeout=timeout,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        tcp_keepalive=True,
    )
    if region is None and endpoint_url:
        region = FALLBACK_REGION
    # boto3.resource() reuses the default session, whose loader already holds the service
    # model the SDK adapter's import-time resource loaded: no second parse of the model.
    return boto3.resource("dynamodb", region_name=region, endpoint_url=endpoint_url, config=client_config)


def _import_sdk_adapter(region: str | None):
    """Import `ask_sdk_dynamodb.adapter`, whose default argument builds a boto3 resource at import
    and raises NoRegionError when no region is in the environment. Our resource has its region
    explicitly; lend the module one for that throwaway default only while it is imported."""
    has_region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if has_region:
        from ask_sdk_dynamodb import adapter
        return adapter
    os.environ["AWS_DEFAULT_REGION"] = region or FALLBACK_REGION
    try:
        from ask_sdk_dynamodb import adapter
        return adapter
    finally:
        del os.environ["AWS_DEFAULT_REGION"]


class LazyDynamoDbAdapter(AbstractPersistenceAdapter):
    """Builds the SDK's `DynamoDbAdapter` on first use and delegates every call to it."""

    def __init__(
        self,
        table_name: str,
        *,
        region: str | None = None,
        endpoint_url: str | None = None,
        timeout: float = 2.0,
    ) -> None:
        self.table_name = table_name
        self.region = region
        self.endpoint_url = endpoint_url
        self.timeout = timeout
        self._delegate: AbstractPersistenceAdapter | None = None
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
        )

    @property
    def delegate(self) -> AbstractPersistenceAdapter:
        """The SDK's DynamoDbAdapter (built, and boto3 imported, on first access)."""
        if self._delegate is None:
            with self._lock:
                if self._delegate is None:
                    self._delegate = self._build()
        return self._delegate

    def _build(self) -> AbstractPersistenceAdapter:
        try:
            adapter_module = _import_sdk_adapter(self.region)
            resource = build_resource(
                region=self.region, endpoint_url=self.endpoint_url, timeout=self.timeout
            )
        except Exception as error:  # NoRegionError, missing package: a store failure, not a crash
            raise PersistenceException(
                f"Could not set up the DynamoDB store: {type(error).__name__}: {error}"
            ) from error
        return adapter_module.DynamoDbAdapter(
            table_name=self.table_name,
            partition_key_name=PARTITION_KEY,
            attribute_name=ATTRIBUTE_NAME,
            create_table=False,  # never at run time: the table comes from template.yaml
            dynamodb_resource=resource,
        )

    def get_attributes(self, request_envelope: RequestEnvelope) -> dict[str, Any]:
        return self.delegate.get_attributes(request_envelope)

    def save_attributes(self, request_envelope: RequestEnvelope, attributes: dict[str, Any]) -> None:
        self.delegate.save_attributes(request_envelope, attributes)

    def delete_attributes(self, request_envelope: RequestEnvelope) -> None:
        self.delegate.delete_attributes(request_envelope)
