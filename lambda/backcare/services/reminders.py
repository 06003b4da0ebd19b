"""The Alexa Reminders API through the SDK's ReminderManagementServiceClient, with its errors
translated into a few typed exceptions a handler can turn into speech.

    reminders = Reminders.from_handler_input(handler_input)
    token = reminders.create(payload)          # payloads from backcare.schedule.plan_reminders
    result = reminders.create_all(planned, budget=CallBudget.of(handler_input, cap=3.0), known=tokens)
    reminders.delete(token)                    # False when it was already gone
    reminders.delete_checked(token, budget)    # within the budget; a lost reply is looked into

The SDK cannot read the API's reply to listing (alexa/alexa-apis-for-python#30), and
ask-sdk-model 1.82.0 cannot read the reply to getting one either (its AlertInfo model names a
module that does not exist), so the skill keeps its own records of what it created (SPEC §5).
Only to find out what a call whose reply was lost did, it reads the API itself: a raw GET
through the request's API client (`list_all`, `exists`), parsed here as plain JSON.

Time (issue 14): every call can be paced by a `CallBudget`, a view of the request's deadline
that says whether a call may start (enough time for it, going by the slowest call so far, and for
what must follow: a look after a lost reply, saving the records, the answer) and caps it. A call
that was not started raises `OutOfTime`: nothing was done. A call that was made but whose answer
never came (timed out, connection dropped, a gateway's 504) raises `ReplyLost`: it may have been
done. `create_checked` and `delete_checked` then look (`find_created`, `exists`) before they say.

Error mapping (status, then the API's error `code`):
    401, or 403 other than DEVICE_NOT_SUPPORTED  -> PermissionMissing
    403 DEVICE_NOT_SUPPORTED                     -> DeviceNotSupported
    404                                          -> ReminderNotFound
    429                                          -> RateLimited
    400                                          -> ReminderRejected (our payload is wrong: a bug)
    5xx, timeouts, connection errors, unreadable -> ServiceUnavailable
      of which: sent but no answer (read timeout, dropped connection, 504) -> ReplyLost
                not sent for want of time (the request's deadline)          -> OutOfTime
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backcare.deadline import Deadline

log = logging.getLogger(__name__)

DEVICE_NOT_SUPPORTED = "DEVICE_NOT_SUPPORTED"
REMINDERS_PATH = "/v1/alerts/reminders"

# The time budget of reminder calls (seconds); see CallBudget.
CALL_MIN_SECONDS = 1.0  # a create or delete is not started with less time than this for it
LOOK_CAP_SECONDS = 1.0  # the look after a lost reply (one GET)
LOOK_MIN_SECONDS = 0.25  # ... not started with less than this
KEEP_SECONDS = 0.5  # kept after the calls: saving the records (the deadline's margin builds the answer)


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


class ReplyLost(ServiceUnavailable):
    """The call reached the API but its answer never came back (it timed out, the connection
    dropped after sending, or a gateway gave up with 504): what it asked may have been done."""


class OutOfTime(ServiceUnavailable):
    """The call was not made: the request's time budget had too little left for it."""


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
        # The SDK wraps every transport failure (timeout, refused connection) as a 500; the
        # ApiClient's own exception is its context.
        return transport_failure(error)
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
    if status == 504:  # a gateway stopped waiting: the API behind it may have done it
        return ReplyLost(text, status=status, code=code)
    return ServiceUnavailable(text, status=status, code=code)


def _causes(error: BaseException) -> Iterator[BaseException]:
    """`error` and everything behind it: causes, contexts, urllib3's `reason`, exceptions in args."""
    seen: set[int] = set()
    stack = [error]
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        behind = [current.__cause__, current.__context__, getattr(current, "reason", None),
                  *(arg for arg in getattr(current, "args", ()) if isinstance(arg, BaseException))]
        stack.extend(item for item in behind if isinstance(item, BaseException))


def transport_failure(error: BaseException) -> ServiceUnavailable:
    """What a call that got no answer means. Not sent: OutOfTime when the deadline left no time
    for it, ServiceUnavailable when nothing reached the API (refused, no connection within the
    connect timeout). Anything else was sent and its answer lost: ReplyLost (it may have been done)."""
    from backcare.deadline import DeadlineExceeded

    causes = list(_causes(error))
    text = str(error)
    if any(isinstance(cause, DeadlineExceeded) for cause in causes):
        return OutOfTime(text, status=None)
    if any(type(cause).__name__ in _NOT_SENT for cause in causes) or any(_refused_by_client(c) for c in causes):
        return ServiceUnavailable(text, status=None)
    return ReplyLost(text, status=None)


def _refused_by_client(error: BaseException) -> bool:
    """The API client's own refusal (plain HTTP to a remote host, a bad method): nothing sent."""
    from ask_sdk_core.exceptions import ApiClientException

    return isinstance(error, ApiClientException) and error.__cause__ is None and error.__context__ is None


# requests / urllib3 / OS errors that mean the request never reached the API (names, so that
# classifying a failure never imports the HTTP stack).
_NOT_SENT = frozenset({"ConnectTimeout", "ConnectTimeoutError", "NewConnectionError", "ConnectionRefusedError",
                       "NameResolutionError", "gaierror", "InvalidURL", "InvalidSchema", "MissingSchema"})


class CallBudget:
    """The part of the request's deadline that reminder calls may spend (issue 14).

        budget = CallBudget.of(handler_input, cap=config.api_timeout_seconds)
        if budget.can_start(): ...                  # room for one more call, and what follows it
        with budget.call(reserve=LOOK_CAP_SECONDS): # capped; OutOfTime instead of a call that can't finish
            client.create(payload)

    A call may start when the deadline still holds the time it is likely to take (at least
    CALL_MIN_SECONDS, or as long as the slowest call of this request took) plus what must follow it
    (`reserve`, plus `keep` for saving the records). Its timeout is the configured `cap`, or what
    is left after that reserve. Without a deadline (tests of the client alone) nothing is limited.
    """

    def __init__(self, deadline: Deadline | None = None, *, cap: float = 3.0, keep: float = KEEP_SECONDS) -> None:
        self.deadline = deadline
        self.cap = cap
        self.keep = keep
        self.slowest = 0.0  # seconds the slowest call of this budget took (a timed-out one: its timeout)
        self.calls = 0

    @classmethod
    def of(cls, handler_input: Any, *, cap: float, keep: float = KEEP_SECONDS) -> CallBudget:
        from backcare.deadline import deadline_of

        return cls(deadline_of(handler_input), cap=cap, keep=keep)

    def remaining(self) -> float | None:
        return None if self.deadline is None else self.deadline.remaining()

    def can_start(self, *, reserve: float = LOOK_CAP_SECONDS, minimum: float | None = None) -> bool:
        """Whether a call likely to take `minimum` (default: CALL_MIN_SECONDS or the slowest call
        so far) fits, keeping `reserve` + `keep` seconds for what follows it."""
        if self.deadline is None:
            return True
        needed = max(CALL_MIN_SECONDS, self.slowest) if minimum is None else minimum
        return self.deadline.allows(needed + reserve + self.keep)

    @contextlib.contextmanager
    def call(self, *, reserve: float = LOOK_CAP_SECONDS, cap: float | None = None) -> Iterator[None]:
        """Alexa API calls inside are capped so that `reserve` + `keep` seconds stay in the budget.
        Raises OutOfTime (before any call) when that leaves too little."""
        from backcare.deadline import DeadlineExceeded
        from backcare.services.api_client import call_cap

        if self.deadline is None:
            yield
            return
        try:
            timeout = self.deadline.timeout_for(self.cap if cap is None else min(cap, self.cap),
                                                reserve=reserve + self.keep)
        except DeadlineExceeded as error:
            raise OutOfTime(f"no time left for a reminders call: {error}") from error
        started = self.deadline.remaining()
        self.calls += 1
        try:
            with call_cap(timeout):
                yield
        finally:
            self.slowest = max(self.slowest, started - self.deadline.remaining())


UNLIMITED = CallBudget()


@dataclass
class CreateResult:
    """What `create_all` managed: `created` pairs each part with its alertToken, in order;
    `unknown` is the part whose create got no answer and could not be looked up (it may or may
    not exist; at most one); `failed` are the parts certainly not created; `error` is why the
    work stopped (None when everything was created). `found` counts parts whose reply was lost
    but which the look found (they are in `created`)."""

    created: list[tuple[Any, str]] = field(default_factory=list)
    failed: list[Any] = field(default_factory=list)
    unknown: list[Any] = field(default_factory=list)
    error: RemindersError | None = None
    found: int = 0

    @property
    def complete(self) -> bool:
        return self.error is None

    @property
    def tokens(self) -> list[str]:
        return [token for _, token in self.created]


@dataclass(frozen=True)
class Listing:
    """The user's reminders as GET /v1/alerts/reminders listed them (plain JSON objects), and
    whether that was all of them (the API pages with `links.next`)."""

    alerts: list[dict[str, Any]]
    complete: bool = True

    @property
    def tokens(self) -> set[str]:
        return {alert["alertToken"] for alert in self.alerts if isinstance(alert.get("alertToken"), str)}


class Reminders:
    """A ReminderManagementServiceClient with typed errors, and raw reads through the request's
    API client (`api_configuration`: its client, endpoint and token)."""

    def __init__(self, client: Any, api_configuration: Any = None) -> None:
        self._client = client
        self._api = api_configuration

    @classmethod
    def from_handler_input(cls, handler_input: Any) -> Reminders:
        """Raises ServiceUnavailable when the skill was built without an api_client."""
        try:
            factory = handler_input.service_client_factory
        except ValueError as error:
            raise ServiceUnavailable("the skill has no API client configured") from error
        return cls(factory.get_reminder_management_service(), getattr(factory, "api_configuration", None))

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

    def create_checked(self, payload: dict[str, Any], budget: CallBudget = UNLIMITED, *,
                       known: Iterable[str] = ()) -> tuple[str, bool]:
        """Create one reminder within `budget`: (alertToken, whether it was found by a look).

        When the create's answer is lost, the reminder may exist: the user's reminders are listed
        and one matching `payload` that is none of the `known` tokens is taken as this one. Raises
        OutOfTime (no time to start: nothing created), ReplyLost (sent, and the look could not be
        made or finished: it may or may not exist) or another RemindersError (not created)."""
        if not budget.can_start():
            raise OutOfTime("no time left to create a reminder")
        try:
            with budget.call(reserve=LOOK_CAP_SECONDS):
                return self.create(payload), False
        except ReplyLost as lost:
            try:
                listing = self._look(budget, self.list_all)
            except RemindersError as error:
                log.warning("a create's reply was lost and the look failed: %s", type(error).__name__)
                raise lost from error
            token = find_created(listing.alerts, payload, known=known)
            if token is not None:
                log.info("a create's reply was lost; the reminder exists")
                return token, True
            if not listing.complete:
                log.warning("a create's reply was lost; the listing is paged, so it may exist")
                raise
            log.info("a create's reply was lost; the reminder does not exist")
            raise ServiceUnavailable(f"not created: {lost}", status=lost.status, code=lost.code) from lost

    def create_all(self, planned: list[Any], *, budget: CallBudget = UNLIMITED,
                   known: Iterable[str] = ()) -> CreateResult:
        """Create each part (objects with a `.payload`, e.g. schedule.PlannedReminder) in order,
        within `budget`. Stops at the first failure (the rest would fail the same way) or when no
        time is left; a part created after a lost reply (found by the look) counts as created."""
        result = CreateResult()
        known_tokens = set(known)
        for index, part in enumerate(planned):
            try:
                token, found = self.create_checked(part.payload, budget, known=known_tokens)
            except ReplyLost as error:
                result.error, result.unknown, result.failed = error, [part], list(planned[index + 1:])
                break
            except RemindersError as error:
                result.error, result.failed = error, list(planned[index:])
                break
            result.created.append((part, token))
            result.found += int(found)
            known_tokens.add(token)
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

    def delete_checked(self, alert_token: str, budget: CallBudget = UNLIMITED) -> None:
        """Delete one reminder within `budget`; returns when it is gone (deleted now, gone
        already, or no longer there after a lost reply). Raises OutOfTime (not tried: it is still
        set), ReplyLost (tried, and whether it is gone could not be checked) or another
        RemindersError (it is still set)."""
        if not budget.can_start():
            raise OutOfTime("no time left to delete a reminder")
        try:
            with budget.call(reserve=LOOK_CAP_SECONDS):
                self.delete(alert_token)
            return
        except ReplyLost as lost:
            try:
                still_there = self._look(budget, lambda: self.exists(alert_token))
            except RemindersError as error:
                log.warning("a delete's reply was lost and the look failed: %s", type(error).__name__)
                raise lost from error
            if still_there:
                raise ServiceUnavailable(f"not deleted: {lost}", status=lost.status, code=lost.code) from lost
            log.info("a delete's reply was lost; the reminder is gone")

    # -- raw reads (the SDK cannot parse these replies) -----------------------------------------

    def list_all(self) -> Listing:
        """GET /v1/alerts/reminders: the user's reminders (this skill's), read as plain JSON."""
        status, body = self._get(REMINDERS_PATH)
        if status != 200 or not isinstance(body, dict) or not isinstance(body.get("alerts", []), list):
            raise ServiceUnavailable(f"unreadable reminders listing (status {status})", status=status)
        alerts = [alert for alert in body.get("alerts") or [] if isinstance(alert, dict)]
        links = body.get("links")
        more = isinstance(links, dict) and bool(links.get("next"))
        return Listing(alerts, complete=not more)

    def exists(self, alert_token: str) -> bool:
        """GET /v1/alerts/reminders/{alertToken}: True if it is there, False on 404."""
        from urllib.parse import quote

        status, _ = self._get(f"{REMINDERS_PATH}/{quote(alert_token, safe='')}", missing_ok=True)
        return status != 404

    def _look(self, budget: CallBudget, read: Any) -> Any:
        if not budget.can_start(reserve=0.0, minimum=LOOK_MIN_SECONDS):
            raise OutOfTime("no time left to look")
        with budget.call(reserve=0.0, cap=LOOK_CAP_SECONDS):
            return read()

    def _get(self, path: str, *, missing_ok: bool = False) -> tuple[int, Any]:
        from ask_sdk_model.services import ApiClientRequest, ServiceException

        api = self._api
        client = getattr(api, "api_client", None)
        endpoint = getattr(api, "api_endpoint", None)
        if client is None or not endpoint:
            raise ServiceUnavailable("no API client or endpoint to read reminders with")
        request = ApiClientRequest(
            url=f"{endpoint.rstrip('/')}{path}", method="GET",
            headers=[("Authorization", f"Bearer {api.authorization_value or ''}"), ("Accept", "application/json")])
        try:
            try:
                response = client.invoke(request)
            except Exception as error:
                raise ServiceException(message=f"Call to service failed: {error}", status_code=500,
                                       headers=None, body=None) from error
            status = response.status_code
            if missing_ok and status == 404:
                return status, None
            if status is None or not 200 <= status < 300:
                raise ServiceException(message=f"GET {REMINDERS_PATH} answered {status}", status_code=status or 500,
                                       headers=response.headers, body=response.body)
        except ServiceException as error:
            raise self._failed("list", error) from error
        try:
            return status, json.loads(response.body) if response.body else None
        except ValueError as error:
            raise self._failed("list", ServiceUnavailable(f"unreadable reply: {error}")) from error

    @staticmethod
    def _failed(operation: str, error: Exception) -> RemindersError:
        failure = translate(error)
        level = logging.ERROR if isinstance(failure, ReminderRejected) else logging.WARNING
        if isinstance(failure, ReminderNotFound):
            level = logging.INFO
        log.log(level, "Reminders API %s failed: %s (%s)", operation, type(failure).__name__, failure)
        return failure


# -- matching a reminder the skill did not hear about --------------------------------------------------


def find_created(alerts: Iterable[dict[str, Any]], payload: dict[str, Any], *, known: Iterable[str] = ()) -> str | None:
    """The alertToken of a listed reminder that is what `payload` asked for (same trigger type,
    time, zone and recurrence rules, same spoken texts) and none of the `known` tokens; the newest
    when several match. None if there is none."""
    known_tokens = set(known)
    matching = [alert for alert in alerts
                if isinstance(alert.get("alertToken"), str) and alert["alertToken"] not in known_tokens
                and matches(alert, payload)]
    if not matching:
        return None
    matching.sort(key=lambda alert: str(alert.get("createdTime") or ""))
    return matching[-1]["alertToken"]


def matches(alert: dict[str, Any], payload: dict[str, Any]) -> bool:
    """Whether a listed reminder is the one `payload` creates (the API may format times with
    milliseconds and order rules its own way)."""
    mine, theirs = payload.get("trigger") or {}, alert.get("trigger")
    if not isinstance(theirs, dict):
        return False
    if theirs.get("type") != mine.get("type") or theirs.get("timeZoneId") != mine.get("timeZoneId"):
        return False
    if _moment(theirs.get("scheduledTime")) != _moment(mine.get("scheduledTime")):
        return False
    if mine.get("offsetInSeconds") != theirs.get("offsetInSeconds"):
        return False
    my_recurrence, their_recurrence = mine.get("recurrence") or {}, theirs.get("recurrence") or {}
    if not isinstance(their_recurrence, dict):
        return False
    if sorted(my_recurrence.get("recurrenceRules") or []) != sorted(their_recurrence.get("recurrenceRules") or []):
        return False
    for name in ("startDateTime", "endDateTime"):
        if name in my_recurrence and name in their_recurrence \
                and _moment(my_recurrence[name]) != _moment(their_recurrence[name]):
            return False
    return _spoken(payload) == _spoken(alert)


def _moment(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _spoken(reminder: dict[str, Any]) -> set[tuple[str, str]]:
    try:
        content = reminder["alertInfo"]["spokenInfo"]["content"]
    except (KeyError, TypeError):
        return set()
    return {(str(entry.get("locale")), str(entry.get("text") or "").strip())
            for entry in content if isinstance(entry, dict)}
