"""The Alexa Reminders API through the SDK's ReminderManagementServiceClient, with its errors
translated into a few typed exceptions a handler can turn into speech.

    reminders = Reminders.from_handler_input(handler_input)
    token = reminders.create(payload)          # payloads from backcare.schedule.plan_reminders
    result = reminders.create_all(planned)     # several parts; stops at the first failure
    reminders.delete(token)                    # False when it was already gone

There is no get or list: the SDK cannot read the API's reply to listing
(alexa/alexa-apis-for-python#30), and ask-sdk-model 1.82.0 cannot read the reply to getting one
either (its AlertInfo model names a module that does not exist). The skill keeps its own
records of what it created (SPEC §5).

Error mapping (status, then the API's error `code`):
    401, or 403 other than DEVICE_NOT_SUPPORTED  -> PermissionMissing
    403 DEVICE_NOT_SUPPORTED                     -> DeviceNotSupported
    404                                          -> ReminderNotFound
    429                                          -> RateLimited
    400                                          -> ReminderRejected (our payload is wrong: a bug)
    5xx, timeouts, connection errors, unreadable -> ServiceUnavailable
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger(__name__)

DEVICE_NOT_SUPPORTED = "DEVICE_NOT_SUPPORTED"


class RemindersError(Exception):
    """A Reminders API call failed. `status` is the HTTP status (None for transport errors)
    and `code` the API's error code when it sent one."""

    def __init__(self, message: str, *, status: int | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code


class PermissionMissing(RemindersError):
    """The user has not granted (or has revoked) the reminders permission: ask for it."""


class DeviceNotSupported(RemindersError):
    """This device cannot have reminders."""


class RateLimited(RemindersError):
    """Too many requests: apologise, try later."""


class ServiceUnavailable(RemindersError):
    """The API failed or did not answer in time: apologise, nothing was set."""


class ReminderNotFound(RemindersError):
    """No such reminder for this user (already deleted, or fired and gone)."""


class ReminderRejected(RemindersError):
    """The API refused the payload (400). A bug on our side; logged with the API's code."""


def _error_code(body: Any) -> tuple[str | None, str | None]:
    """(code, message) from an SDK error model, a JSON string or a dict."""
    if body is None:
        return None, None
    if isinstance(body, (str, bytes)):
        try:
            body = json.loads(body)
        except ValueError:
            return None, None
    if isinstance(body, dict):
        return body.get("code"), body.get("message")
    return getattr(body, "code", None), getattr(body, "message", None)


def translate(error: Exception) -> RemindersError:
    """The typed error for an exception raised by the SDK's service client."""
    from ask_sdk_core.exceptions import SerializationException
    from ask_sdk_model.services import ServiceException

    if isinstance(error, RemindersError):
        return error
    if isinstance(error, SerializationException):
        return ServiceUnavailable(f"unreadable reply: {error}")
    if not isinstance(error, ServiceException):
        return ServiceUnavailable(f"{type(error).__name__}: {error}")
    status = error.status_code
    code, message = _error_code(error.body)
    text = f"{status} {code or ''} {message or error}".strip()
    if error.body is None and str(error).startswith("Call to service failed"):
        # The SDK wraps every transport failure (timeout, refused connection) as a 500.
        return ServiceUnavailable(str(error), status=None)
    if status == 401:
        return PermissionMissing(text, status=status, code=code)
    if status == 403:
        if code == DEVICE_NOT_SUPPORTED:
            return DeviceNotSupported(text, status=status, code=code)
        return PermissionMissing(text, status=status, code=code)
    if status == 404:
        return ReminderNotFound(text, status=status, code=code)
    if status == 429:
        return RateLimited(text, status=status, code=code)
    if status == 400:
        return ReminderRejected(text, status=status, code=code)
    return ServiceUnavailable(text, status=status, code=code)


@dataclass
class CreateResult:
    """What `create_all` managed: `created` pairs each part with its alertToken, in order;
    `failed` are the parts not created; `error` is why (None when everything was created)."""

    created: list[tuple[Any, str]] = field(default_factory=list)
    failed: list[Any] = field(default_factory=list)
    error: RemindersError | None = None

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def tokens(self) -> list[str]:
        return [token for _, token in self.created]


class Reminders:
    """A ReminderManagementServiceClient with typed errors."""

    def __init__(self, client: Any) -> None:
        self._client = client

    @classmethod
    def from_handler_input(cls, handler_input: Any) -> Reminders:
        """Raises ServiceUnavailable when the skill was built without an api_client."""
        try:
            factory = handler_input.service_client_factory
        except ValueError as error:
            raise ServiceUnavailable("the skill has no API client configured") from error
        return cls(factory.get_reminder_management_service())

    def create(self, payload: dict[str, Any]) -> str:
        """Create one reminder; return its alertToken."""
        try:
            response = self._client.create_reminder(payload)
        except Exception as error:
            raise self._failed("create", error) from error
        token = getattr(response, "alert_token", None)
        if not token:
            raise ServiceUnavailable("create answered without an alertToken")
        return token

    def create_all(self, planned: list[Any]) -> CreateResult:
        """Create each part (objects with a `.payload`, e.g. schedule.PlannedReminder) in order.
        Stops at the first failure: the remaining parts would fail the same way."""
        result = CreateResult()
        for index, part in enumerate(planned):
            try:
                result.created.append((part, self.create(part.payload)))
            except RemindersError as error:
                result.error = error
                result.failed = list(planned[index:])
                break
        return result

    def delete(self, alert_token: str) -> bool:
        """Delete one reminder. True if deleted, False if it did not exist any more."""
        try:
            self._client.delete_reminder(alert_token)
        except Exception as error:
            failure = self._failed("delete", error)
            if isinstance(failure, ReminderNotFound):
                return False
            raise failure from error
        return True

    @staticmethod
    def _failed(operation: str, error: Exception) -> RemindersError:
        failure = translate(error)
        level = logging.ERROR if isinstance(failure, ReminderRejected) else logging.WARNING
        if isinstance(failure, ReminderNotFound):
            level = logging.INFO
        log.log(level, "Reminders API %s failed: %s (%s)", operation, type(failure).__name__, failure)
        return failure
