"""An ASK SDK `ApiClient` with a timeout on every call and a lazy `requests` import.

The SDK's `DefaultApiClient` has no timeout (a slow Alexa API would eat the skill's 8 s) and
imports `requests` at module import, which costs every cold start ~35 ms even when the request
never calls an API. `TimeoutApiClient` imports `requests` on its first `invoke` and keeps one
`requests.Session` (connection reuse on a warm Lambda).

Each call's timeout is the smallest of: the client's `timeout`, the cap of an enclosing
`call_cap(seconds)` block (a caller that has a fallback, like the time zone lookup, or that must
be quick, like a progressive response), and what the request's deadline has left. The SDK hands
an ApiClient only the HTTP request, so `DeadlineInterceptor` gives each request's service client
factory `client.bound_to(deadline)`: the same client (and connection pool) seen through that
request's deadline. With too little left the call is not made: `ApiTimeout` at once. The bound is
on connecting plus waiting for each read (urllib3's total timeout).

Like the SDK client it refuses plain HTTP, except to loopback hosts (127.0.0.1, ::1, localhost)
so the local Alexa services emulator can be reached without TLS.
"""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Iterator
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

if TYPE_CHECKING:
    from backcare.deadline import Deadline

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
DEFAULT_TIMEOUT_SECONDS = 3.0
CONNECT_TIMEOUT_SECONDS = 1.0

_CALL_CAP: ContextVar[float | None] = ContextVar("backcare_api_call_cap", default=None)


class ApiTimeout(ApiClientException):
    """The API did not answer within the timeout (or there was no time left to ask)."""


@contextlib.contextmanager
def call_cap(seconds: float) -> Iterator[None]:
    """Alexa API calls inside this block take at most `seconds` each (nested caps: the smallest)."""
    outer = _CALL_CAP.get()
    token = _CALL_CAP.set(seconds if outer is None else min(outer, seconds))
    try:
        yield
    finally:
        _CALL_CAP.reset(token)


def call_timeout(default: float, deadline: Deadline | None = None) -> float:
    """The timeout the next call gets: `default`, the enclosing cap, the request's deadline.
    Raises ApiTimeout when the deadline leaves no useful time."""
    from backcare.deadline import DeadlineExceeded

    cap = default
    if (outer := _CALL_CAP.get()) is not None:
        cap = min(cap, outer)
    if deadline is None:
        return cap
    try:
        return deadline.timeout_for(cap)
    except DeadlineExceeded as error:
        raise ApiTimeout(f"No time left in the request for an Alexa API call: {error}") from error


class TimeoutApiClient(ApiClient):
    """`CustomSkillBuilder(api_client=TimeoutApiClient(timeout=...))`.

    `timeout` bounds each call (connect and read); the connect part is capped at
    `CONNECT_TIMEOUT_SECONDS`.
    """

    def __init__(self, timeout: float = DEFAULT_TIMEOUT_SECONDS) -> None:
        if timeout <= 0:
            raise ValueError("timeout must be positive")
        self.timeout = float(timeout)
        self._session: Any = None
        self._lock = threading.Lock()

    def _http(self) -> Any:
        if self._session is None:
            with self._lock:
                if self._session is None:
                    import requests  # lazy: see the module docstring

                    self._session = requests.Session()
        return self._session

    def bound_to(self, deadline: Deadline) -> ApiClient:
        """This client for one request: every call also bounded by `deadline`."""
        return _BoundApiClient(self, deadline)

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        return self.invoke_within(request, None)

    def invoke_within(self, request: ApiClientRequest, deadline: Deadline | None) -> ApiClientResponse:
        url = request.url or ""
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
            raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
        method = (request.method or "").upper()
        if method not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
            raise ApiClientException(f"Invalid request method: {request.method}")
        headers = _headers_dict(request.headers)
        data = _encode_body(request.body, headers)
        try:
            timeout = call_timeout(self.timeout, deadline)
        except ApiTimeout:
            log.warning("No time left for an Alexa API call: %s %s not made", method, _path_kind(parts.path))
            raise

        import requests
        from urllib3.util import Timeout

        session = self._http()
        try:
            response = session.request(method, url, headers=headers, data=data,
                                       timeout=Timeout(total=timeout, connect=min(CONNECT_TIMEOUT_SECONDS, timeout)))
        except requests.Timeout as error:
            log.warning("Alexa API call timed out after %.2f s: %s %s", timeout, method, _path_kind(parts.path))
            raise ApiTimeout(f"Timed out after {timeout:.2f} s") from error
        except requests.RequestException as error:
            raise ApiClientException(f"Error executing the request: {error}") from error
        return ApiClientResponse(
            headers=[(key, value) for key, value in response.headers.items()],
            status_code=response.status_code,
            # None, not "", for an empty body: the SDK would fail to parse "" as JSON.
            body=response.text or None,
        )


class _BoundApiClient(ApiClient):
    def __init__(self, client: TimeoutApiClient, deadline: Deadline) -> None:
        self.client, self.deadline = client, deadline

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        return self.client.invoke_within(request, self.deadline)


def _path_kind(path: str) -> str:
    """The API path without ids or tokens (reminder alert tokens and device ids are in paths)."""
    segments = path.strip("/").split("/")
    if segments[:3] == ["v1", "alerts", "reminders"]:
        return "/v1/alerts/reminders" + ("/{alertToken}" if len(segments) > 3 else "")
    if segments[:2] == ["v2", "devices"]:
        return "/v2/devices/{deviceId}/" + "/".join(segments[3:])
    return "/" + "/".join(segments[:2])


def _headers_dict(header_list: list[tuple[str, str]] | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    for key, value in header_list or []:
        headers[key] = f"{headers[key]}, {value}" if key in headers else value
    return headers


def _encode_body(body: Any, headers: dict[str, str]) -> str | bytes | None:
    if body is None or body == "":
        return None
    content_type = next((v for k, v in headers.items() if k.lower() == "content-type"), "")
    if "json" in content_type and not isinstance(body, (str, bytes)):
        return json.dumps(body)
    return body
