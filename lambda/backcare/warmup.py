"""Work moved out of the first request into a Lambda's initialisation — only when that
initialisation is paid before any request waits for it (SPEC §8: `AWS_LAMBDA_INITIALIZATION_TYPE`
is `snap-start` or `provisioned-concurrency`). An on-demand cold start stays lazy, so a yes/no
turn of the check never imports the AWS SDK.

`warm_up(config, adapter)`:
1. the store: botocore imported, the DynamoDB client built and credentials resolved
   (`prepare`), then a read of a key no user has, and the visit's update and a write that
   DynamoDB must refuse (`prime`:
   connection, signing, serialising, parsing; nothing is written);
2. the first request's lazy imports: the SDK's timestamp parser, `requests` for the Alexa APIs,
   and the skill's own modules that handler areas import where they use them (`DEFERRED`);
3. one LaunchRequest through a store-less copy of the skill (nothing is stored: the copy has no
   store), which loads the handlers' and the content's first-use paths.
With SnapStart, open connections are closed just before the snapshot (they would be dead after
restore; the first request opens a fresh one). Nothing here may fail the initialisation: each
step logs and carries on.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from typing import Any

log = logging.getLogger(__name__)

WARM_UP_USER = "amzn1.ask.account.BACKCARE-WARM-UP"
# The skill's modules that are imported where they are used, not with the handlers (handlers/base.py,
# "Imports"): an on-demand yes/no turn never loads them (tests/deploy/test_cold_path.py); a paid
# initialisation loads them all, so no first request waits for them.
DEFERRED = (
    "backcare.persistence.user_data", "backcare.handlers.exercises.programme", "backcare.handlers.exercises.progress",
    "backcare.handlers.exercises.speech", "backcare.handlers.reminders.actions", "backcare.handlers.reminders.checkin",
    "backcare.schedule", "backcare.services.reminders", "backcare.services.settings", "backcare.services.progressive",
    "ask_sdk_model.slu.entityresolution",
)


def warm_up(config: Any, adapter: Any) -> dict[str, float]:
    """Run the steps above; returns how long each took (seconds), for logs and benchmarks."""
    timings: dict[str, float] = {}
    for name, step in (("store", lambda: _store(adapter)), ("imports", _imports),
                       ("request", lambda: _request(config))):
        start = time.perf_counter()
        try:
            step()
        except Exception as error:  # a warm-up that fails only leaves the work to the first request
            log.warning("Warm-up step %s failed: %s: %s", name, type(error).__name__, error)
        timings[name] = time.perf_counter() - start
    if config.initialization_type == "snap-start":
        _close_connections_before_snapshot(adapter)
    log.info("Warm-up for %s initialisation: %s", config.initialization_type,
             ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in timings.items()))
    return timings


def _store(adapter: Any) -> None:
    if adapter is None:
        return
    if hasattr(adapter, "prepare"):
        adapter.prepare()
    if hasattr(adapter, "prime"):
        from backcare.persistence import user_data

        adapter.prime(sample=user_data.defaults())


def _imports() -> None:
    import importlib

    import dateutil.parser  # noqa: F401 -- the SDK parses every request's timestamp with it
    import requests  # noqa: F401 -- TimeoutApiClient imports it on the first Alexa API call
    from urllib3.util import Timeout  # noqa: F401

    for name in DEFERRED:
        importlib.import_module(name)


def _request(config: Any) -> None:
    from backcare.skill import build_skill, make_lambda_handler

    storeless = dataclasses.replace(config, persistence="none", skill_id=None)
    handler = make_lambda_handler(build_skill(storeless, api_client=_NoApiCalls()))
    handler(_launch_event(config.skill_id), None)


class _NoApiCalls:
    """The warm-up request's API client: no call leaves the process during initialisation."""

    def invoke(self, request: Any) -> Any:
        from ask_sdk_core.exceptions import ApiClientException

        raise ApiClientException("no Alexa API calls during the warm-up")


def _launch_event(skill_id: str | None) -> dict[str, Any]:
    application = {"applicationId": skill_id or "amzn1.ask.skill.backcare-warm-up"}
    user = {"userId": WARM_UP_USER}
    return {
        "version": "1.0",
        "session": {"new": True, "sessionId": "amzn1.echo-api.session.warm-up", "application": application,
                    "user": user, "attributes": {}},
        "context": {"System": {"application": application, "user": user,
                               "device": {"deviceId": "amzn1.ask.device.warm-up", "supportedInterfaces": {}},
                               "apiEndpoint": "https://api.amazonalexa.com"}},
        "request": {"type": "LaunchRequest", "requestId": "amzn1.echo-api.request.warm-up",
                    "timestamp": "2025-01-01T00:00:00Z", "locale": "en-US"},
    }


def _close_connections_before_snapshot(adapter: Any) -> None:
    close = getattr(adapter, "close_connections", None)
    if close is None:
        return
    try:
        from snapshot_restore_py import register_before_snapshot  # the Lambda runtime's SnapStart hooks
    except ImportError:
        close()  # no hook module (not on Lambda): close now; the first request reconnects
        return
    register_before_snapshot(close)
