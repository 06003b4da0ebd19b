"""An ASK SDK `ApiClient` with a timeout on every call and a lazy `requests` import.

The SDK's `DefaultApiClient` has no timeout (a slow Alexa API would eat the skill's 8 s) and
imports `requests` at module import, which costs every cold start ~35 ms even when the request
never calls an API. `TimeoutApiClient` imports `requests` on its first `invoke` and keeps one
`requests.Session` (connection reuse on a warm Lambda).

Like the SDK client it refuses plain HTTP, except to loopback hosts (127.0.0.1, ::1, localhost)
so the local Alexa services emulator can be reached without TLS.
"""

from __future__ import annotations

import json
import logging
import threading
from typing import Any
from urllib.parse import urlsplit

from ask_sdk_core.exceptions import ApiClientException
from ask_sdk_model.services import ApiClient, ApiClientRequest, ApiClientResponse

log = logging.getLogger(__name__)

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
DEFAULT_TIMEOUT_SECONDS = 3.0
CONNECT_TIMEOUT_SECONDS = 1.0


class ApiTimeout(ApiClientException):
    """The API did not answer within the timeout."""


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

    def invoke(self, request: ApiClientRequest) -> ApiClientResponse:
        url = request.url or ""
        parts = urlsplit(url)
        if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK_HOSTS):
            raise ApiClientException("Requests against non-HTTPS endpoints are not allowed.")
        method = (request.method or "").upper()
        if method not in ("GET", "POST", "PUT", "DELETE", "PATCH", "HEAD"):
            raise ApiClientException(f"Invalid request method: {request.method}")
        headers = _headers_dict(request.headers)
        data = _encode_body(request.body, headers)

        import requests

        session = self._http()
        try:
            response = session.request(method, url, headers=headers, data=data,
                                       timeout=(min(CONNECT_TIMEOUT_SECONDS, self.timeout), self.timeout))
        except requests.Timeout as error:
            log.warning("Alexa API call timed out after %.1f s: %s %s", self.timeout, method, parts.path)
            raise ApiTimeout(f"Timed out after {self.timeout} s") from error
        except requests.RequestException as error:
            raise ApiClientException(f"Error executing the request: {error}") from error
        return ApiClientResponse(
            headers=[(key, value) for key, value in response.headers.items()],
            status_code=response.status_code,
            # None, not "", for an empty body: the SDK would fail to parse "" as JSON.
            body=response.text or None,
        )


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
