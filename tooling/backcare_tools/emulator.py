"""A local emulator of the Alexa APIs the skill calls: a real HTTP server on 127.0.0.1.

- Reminders API: POST/GET all under /v1/alerts/reminders, GET/PUT/DELETE one under
  /v1/alerts/reminders/{alertToken}; bearer token required; strict validation of the payload
  rules of SPEC §5 answered like the API ({"code": ..., "message": ...} with 400/401/403/404/
  429/500); alertTokens; storage per user.
- Settings API: GET /v2/devices/{deviceId}/settings/System.timeZone (a JSON string), per
  device configurable.
- Directive API: POST /v1/directives (a progressive response: VoicePlayer.Speak for the request
  id in the header), 204; what was sent is kept in `directives`.
- Simulated failures (401, 403 DEVICE_NOT_SUPPORTED, 429, 500, a slow answer) for the next N
  calls or until cleared, from Python (`simulate`) or over HTTP (POST /__emulator__/simulate).
- Slow but successful answers (`slow`: the call waits, then is done and answered as usual) and
  lost replies (`lose_reply`: the call is done — a reminder created or deleted — and then its
  answer is held past the client's timeout, or the connection dropped), per API and method, for
  the next N calls or until cleared (POST /__emulator__/slow, /__emulator__/lose-reply).
- An emulated clock; `advance(delta)` moves it and returns the reminders that fire in between
  (RRULE expansion in each reminder's time zone).

Permission model: like the real API, a call is authenticated by the request's
`context.System.apiAccessToken` sent as `Authorization: Bearer ...`. The Settings API accepts
any non-empty token. The Reminders API answers 401 unless the token was granted the reminders
permission with `grant(token, user_id)` (what the user's "yes" to the AskFor permission card
does); `revoke(token)` takes it back. Reminders are stored per user: the `user_id` given to
`grant` (or the token itself when none was given). `grant_all=True` accepts every token.

    with AlexaServicesEmulator(clock=EmulatedClock(start)) as emulator:
        device = Device(api_endpoint=emulator.url)
        emulator.grant(device.api_access_token, device.user_id)
        ...                              # the skill creates reminders over HTTP
        fired = emulator.advance(timedelta(days=1))

Run it alone with `backcare emulator --port 8787`.
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import re
import signal
import threading
import time as _time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backcare_tools.clock import EmulatedClock

log = logging.getLogger(__name__)

REMINDERS_PATH = "/v1/alerts/reminders"
DIRECTIVES_PATH = "/v1/directives"
ADMIN_PREFIX = "/__emulator__"
DEFAULT_MAX_RECURRENCE_RULES = 5

# kind -> (status, code, message). Aliases: the status as a string.
SIMULATIONS: dict[str, tuple[int, str, str]] = {
    "unauthorized": (401, "UNAUTHORIZED", "The user has not granted the reminders permission."),
    "device_not_supported": (403, "DEVICE_NOT_SUPPORTED", "Reminders are not supported on this device."),
    "rate_limited": (429, "TOO_MANY_REQUESTS", "Rate exceeded."),
    "server_error": (500, "INTERNAL_SERVER_ERROR", "Internal server error."),
    "timeout": (504, "GATEWAY_TIMEOUT", "The service did not answer in time."),
}
_ALIASES = {"401": "unauthorized", "403": "device_not_supported", "429": "rate_limited", "500": "server_error"}
APIS = ("reminders", "settings", "directives")

_NAIVE_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?$")
_LOCALE = re.compile(r"^[a-z]{2}-[A-Z]{2}$")
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_RULE_KEYS = {"FREQ", "BYDAY", "BYHOUR", "BYMINUTE", "BYSECOND", "INTERVAL"}


class ApiError(Exception):
    """An error answer of the emulated API."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def body(self) -> dict[str, str]:
        return {"code": self.code, "message": self.message}


def _bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message)


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _parse_naive(value: Any, field_name: str) -> datetime:
    if not isinstance(value, str) or not _NAIVE_LOCAL.match(value):
        raise _bad("INVALID_TRIGGER_SCHEDULED_TIME_FORMAT",
                   f"{field_name} must be a local ISO-8601 date-time without offset or Z, got {value!r}")
    return datetime.fromisoformat(value)


def _zone(name: Any) -> ZoneInfo:
    if not isinstance(name, str) or not name:
        raise _bad("INVALID_TIME_ZONE_ID", "trigger.timeZoneId is required")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise _bad("INVALID_TIME_ZONE_ID", f"unknown time zone {name!r}") from error


def _check_keys(obj: Any, where: str, allowed: set[str], required: set[str]) -> dict[str, Any]:
    if not isinstance(obj, dict):
        raise _bad("INVALID_REQUEST", f"{where} must be an object")
    unknown = set(obj) - allowed
    if unknown:
        raise _bad("INVALID_REQUEST", f"unknown field(s) in {where}: {', '.join(sorted(unknown))}")
    missing = {key for key in required if obj.get(key) in (None, "", [], {})}
    if missing:
        raise _bad("INVALID_REQUEST", f"missing field(s) in {where}: {', '.join(sorted(missing))}")
    return obj


def validate_rrule(rule: Any) -> None:
    """The RRULE subset the Reminders API takes: FREQ=DAILY|WEEKLY, BYDAY, BYHOUR, BYMINUTE,
    BYSECOND, INTERVAL; no RRULE: prefix, no COUNT/UNTIL (use endDateTime)."""
    if not isinstance(rule, str) or not rule:
        raise _bad("INVALID_RECURRENCE_RULE", "a recurrence rule must be a non-empty string")
    parts: dict[str, str] = {}
    for item in rule.split(";"):
        key, sep, value = item.partition("=")
        if not sep or not value or key not in _RULE_KEYS or key in parts:
            raise _bad("INVALID_RECURRENCE_RULE", f"bad rule part {item!r} in {rule!r}")
        parts[key] = value
    if parts.get("FREQ") not in ("DAILY", "WEEKLY"):
        raise _bad("INVALID_RECURRENCE_RULE", f"FREQ must be DAILY or WEEKLY in {rule!r}")
    if "BYDAY" in parts and not all(day in _DAY_CODES for day in parts["BYDAY"].split(",")):
        raise _bad("INVALID_RECURRENCE_RULE", f"BYDAY must list MO..SU in {rule!r}")
    for key, top in (("BYHOUR", 23), ("BYMINUTE", 59), ("BYSECOND", 59), ("INTERVAL", 1000)):
        if key in parts:
            values = parts[key].split(",")
            if not all(v.isdigit() and (0 if key != "INTERVAL" else 1) <= int(v) <= top for v in values):
                raise _bad("INVALID_RECURRENCE_RULE", f"{key} out of range in {rule!r}")
    from dateutil.rrule import rrulestr

    try:
        rrulestr(rule, dtstart=datetime(2026, 1, 1))
    except (ValueError, TypeError) as error:
        raise _bad("INVALID_RECURRENCE_RULE", f"{rule!r}: {error}") from error


def validate_reminder_request(payload: Any, *, now: datetime,
                              max_rules: int = DEFAULT_MAX_RECURRENCE_RULES) -> None:
    """Raise ApiError(400, ...) unless `payload` is a reminder request the skill may send."""
    body = _check_keys(payload, "request", {"requestTime", "trigger", "alertInfo", "pushNotification"},
                       {"requestTime", "trigger", "alertInfo", "pushNotification"})
    try:
        datetime.fromisoformat(str(body["requestTime"]).replace("Z", "+00:00"))
    except ValueError as error:
        raise _bad("INVALID_REQUEST_TIME", f"requestTime is not ISO-8601: {body['requestTime']!r}") from error

    trigger = body["trigger"]
    if not isinstance(trigger, dict) or trigger.get("type") not in ("SCHEDULED_ABSOLUTE", "SCHEDULED_RELATIVE"):
        raise _bad("INVALID_TRIGGER", "trigger.type must be SCHEDULED_ABSOLUTE or SCHEDULED_RELATIVE")
    if trigger["type"] == "SCHEDULED_RELATIVE":
        _check_keys(trigger, "trigger", {"type", "offsetInSeconds", "timeZoneId"}, {"offsetInSeconds"})
        offset = trigger["offsetInSeconds"]
        if not isinstance(offset, int) or isinstance(offset, bool) or offset <= 0:
            raise _bad("INVALID_TRIGGER", "offsetInSeconds must be a positive integer")
        if "timeZoneId" in trigger:
            _zone(trigger["timeZoneId"])
    else:
        _check_keys(trigger, "trigger", {"type", "scheduledTime", "timeZoneId", "recurrence"},
                    {"scheduledTime", "timeZoneId"})
        scheduled = _parse_naive(trigger["scheduledTime"], "trigger.scheduledTime")
        zone = _zone(trigger["timeZoneId"])
        recurrence = trigger.get("recurrence")
        if recurrence is None:
            if scheduled.replace(tzinfo=zone) <= now:
                raise _bad("PAST_SCHEDULED_TIME", "trigger.scheduledTime is in the past")
        else:
            _check_keys(recurrence, "trigger.recurrence", {"startDateTime", "endDateTime", "recurrenceRules"},
                        {"recurrenceRules"})
            for name in ("startDateTime", "endDateTime"):
                if name in recurrence:
                    _parse_naive(recurrence[name], f"trigger.recurrence.{name}")
            rules = recurrence["recurrenceRules"]
            if not isinstance(rules, list) or not 1 <= len(rules) <= max_rules:
                raise _bad("INVALID_RECURRENCE_RULE", f"recurrenceRules must hold 1 to {max_rules} rules")
            for rule in rules:
                validate_rrule(rule)

    alert = _check_keys(body["alertInfo"], "alertInfo", {"spokenInfo"}, {"spokenInfo"})
    spoken = _check_keys(alert["spokenInfo"], "alertInfo.spokenInfo", {"content"}, {"content"})
    content = spoken["content"]
    if not isinstance(content, list) or not content:
        raise _bad("INVALID_ALERT_INFO", "alertInfo.spokenInfo.content must be a non-empty list")
    for entry in content:
        if not isinstance(entry, dict) or set(entry) - {"locale", "text", "ssml"}:
            raise _bad("INVALID_ALERT_INFO", "content entries hold locale, text and optionally ssml")
        if not isinstance(entry.get("locale"), str) or not _LOCALE.match(entry["locale"]):
            raise _bad("INVALID_ALERT_INFO", f"bad locale {entry.get('locale')!r}")
        if not isinstance(entry.get("text"), str) or not entry["text"].strip():
            raise _bad("INVALID_ALERT_INFO", "content text must be a non-empty string")

    push = _check_keys(body["pushNotification"], "pushNotification", {"status"}, {"status"})
    if push["status"] not in ("ENABLED", "DISABLED"):
        raise _bad("INVALID_PUSH_NOTIFICATION", "pushNotification.status must be ENABLED or DISABLED")


@dataclass
class StoredReminder:
    alert_token: str
    user: str
    request: dict[str, Any]
    created: datetime
    updated: datetime
    version: int = 1
    status: str = "ON"

    def to_api(self) -> dict[str, Any]:
        return {
            "alertToken": self.alert_token,
            "createdTime": _iso_utc(self.created),
            "updatedTime": _iso_utc(self.updated),
            "status": self.status,
            "trigger": self.request["trigger"],
            "alertInfo": self.request["alertInfo"],
            "pushNotification": self.request["pushNotification"],
            "version": str(self.version),
        }

    def reply(self) -> dict[str, Any]:
        """The API's answer to create and update."""
        return {"alertToken": self.alert_token, "createdTime": _iso_utc(self.created),
                "updatedTime": _iso_utc(self.updated), "status": self.status,
                "version": str(self.version), "href": f"{REMINDERS_PATH}/{self.alert_token}"}

    @property
    def spoken(self) -> dict[str, str]:
        return self.request["alertInfo"]["spokenInfo"]["content"][0]

    def occurrences(self, after: datetime, until: datetime, default_zone: str) -> list[datetime]:
        """Aware local fire times in (after, until], never before the reminder was created."""
        trigger = self.request["trigger"]
        zone = ZoneInfo(trigger.get("timeZoneId") or default_zone)
        lower = max(after, self.created)
        if trigger["type"] == "SCHEDULED_RELATIVE":
            at = self.created + timedelta(seconds=trigger["offsetInSeconds"])
            return [at.astimezone(zone)] if lower < at <= until else []
        recurrence = trigger.get("recurrence")
        if not recurrence:
            at = datetime.fromisoformat(trigger["scheduledTime"]).replace(tzinfo=zone)
            return [at] if lower < at <= until else []

        from dateutil.rrule import rrulestr

        start = datetime.fromisoformat(recurrence.get("startDateTime") or trigger["scheduledTime"])
        end = datetime.fromisoformat(recurrence["endDateTime"]) if recurrence.get("endDateTime") else None
        # Expand in naive local time with a day's margin each side, then compare real instants:
        # naive local time jumps at DST changes, instants do not.
        low_naive = lower.astimezone(zone).replace(tzinfo=None) - timedelta(days=1)
        high_naive = until.astimezone(zone).replace(tzinfo=None) + timedelta(days=1)
        found: set[datetime] = set()
        for rule in recurrence["recurrenceRules"]:
            for naive in rrulestr(rule, dtstart=start).between(low_naive, high_naive, inc=True):
                if end is not None and naive > end:
                    continue
                local = naive.replace(tzinfo=zone)
                if lower < local <= until:
                    found.add(local)
        return sorted(found)


@dataclass(frozen=True)
class FiredReminder:
    """A reminder going off: when (aware, in the reminder's zone) and what Alexa says."""

    alert_token: str
    user: str
    at: datetime
    time_zone: str
    locale: str
    text: str

    @property
    def local_time(self) -> str:
        return self.at.strftime("%Y-%m-%dT%H:%M")

    def to_dict(self) -> dict[str, str]:
        return {"alertToken": self.alert_token, "user": self.user, "at": self.at.isoformat(),
                "localTime": self.local_time, "weekday": self.at.strftime("%A"),
                "timeZone": self.time_zone, "locale": self.locale, "text": self.text}


@dataclass
class _Fault:
    kind: str
    remaining: int | None  # None: until cleared
    skip: int = 0  # calls to let through first


@dataclass
class _Delay:
    """A slow answer (`lose_reply` False: wait `seconds`, then do the call and answer it) or a
    lost reply (True: do the call, then hold the answer `seconds`; 0 drops the connection)."""

    seconds: float
    method: str | None  # None: every method
    remaining: int | None  # None: until cleared
    skip: int = 0  # matching calls to let through first
    lose_reply: bool = False


def _take_turn(rule: _Fault | _Delay) -> tuple[bool, bool]:
    """One request against a fault or delay's counters: (it applies to this request, it is used up).
    The first `skip` requests pass it by; after that it applies `remaining` times (None: always)."""
    if rule.skip > 0:
        rule.skip -= 1
        return False, False
    if rule.remaining is None:
        return True, False
    rule.remaining -= 1
    return True, rule.remaining <= 0


class _DropConnection(Exception):
    """Close the connection without answering (a lost reply)."""


@dataclass(frozen=True)
class Call:
    method: str
    path: str
    status: int
    lost: bool = False  # the call was done but its answer lost (lose_reply)


@dataclass
class _State:
    grants: dict[str, str] = field(default_factory=dict)  # token -> user
    reminders: dict[str, dict[str, StoredReminder]] = field(default_factory=dict)  # user -> token -> r
    time_zones: dict[str, str] = field(default_factory=dict)  # device id -> zone
    faults: dict[str, _Fault] = field(default_factory=dict)  # api -> fault
    fired: list[FiredReminder] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    directives: list[dict[str, str]] = field(default_factory=list)  # {"request_id", "speech"}
    delays: dict[str, list[_Delay]] = field(default_factory=dict)  # api -> slow answers, lost replies
    arrived: list[tuple[str, str]] = field(default_factory=list)  # (method, path) of API calls as they came in


class AlexaServicesEmulator:
    """The emulator. `start()` returns self; `url` is what `context.System.apiEndpoint` gets."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, clock: EmulatedClock | None = None,
                 default_time_zone: str = "America/New_York", *,
                 max_rules_per_reminder: int = DEFAULT_MAX_RECURRENCE_RULES,
                 grant_all: bool = False, slow_seconds: float = 5.0) -> None:
        ZoneInfo(default_time_zone)
        self.host, self.port = host, port
        self.clock = clock or EmulatedClock()
        self.default_time_zone = default_time_zone
        self.max_rules_per_reminder = max_rules_per_reminder
        self.grant_all = grant_all
        self.slow_seconds = slow_seconds
        self._state = _State()
        self._lock = threading.RLock()
        self._counter = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> AlexaServicesEmulator:
        if self._server is not None:
            return self
        handler = type("EmulatorRequestHandler", (_RequestHandler,), {"emulator": self})
        self._server = ThreadingHTTPServer((self.host, self.port), handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="alexa-services-emulator", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        if self._thread:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> AlexaServicesEmulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running: call start()")
        return f"http://{self.host}:{self.port}"

    # ------------------------------------------------------------------ configuration

    def grant(self, api_access_token: str, user_id: str | None = None) -> str:
        """Let this token use the Reminders API for `user_id` (default: the token). Returns the user."""
        with self._lock:
            user = user_id or api_access_token
            self._state.grants[api_access_token] = user
            return user

    def revoke(self, api_access_token: str) -> None:
        with self._lock:
            self._state.grants.pop(api_access_token, None)

    def set_time_zone(self, device_id: str, time_zone: str) -> None:
        ZoneInfo(time_zone)
        with self._lock:
            self._state.time_zones[device_id] = time_zone

    def time_zone_of(self, device_id: str) -> str:
        with self._lock:
            return self._state.time_zones.get(device_id, self.default_time_zone)

    def simulate(self, kind: str, times: int | None = 1, *, api: str = "reminders", after: int = 0) -> None:
        """Answer the next `times` calls to `api` ("reminders", "settings" or "all") with a
        failure: "unauthorized"/"401", "device_not_supported"/"403", "rate_limited"/"429",
        "server_error"/"500", or "timeout" (answers 504 after `slow_seconds`, doing nothing).
        `times=None`: until `clear_simulations()`. `after=N` lets N calls through first (a
        schedule split into several reminders that fails part-way)."""
        kind = _ALIASES.get(str(kind), str(kind))
        if kind not in SIMULATIONS:
            raise ValueError(f"unknown simulation {kind!r}; choose from {sorted(SIMULATIONS)}")
        if times is not None and times < 1:
            raise ValueError("times must be at least 1 (or None for until cleared)")
        if after < 0:
            raise ValueError("after must not be negative")
        targets = APIS if api == "all" else (api,)
        if any(target not in APIS for target in targets):
            raise ValueError(f"api must be one of {APIS} or 'all'")
        with self._lock:
            for target in targets:
                self._state.faults[target] = _Fault(kind, times, after)

    def clear_simulations(self) -> None:
        with self._lock:
            self._state.faults.clear()
            self._state.delays.clear()

    def slow(self, seconds: float, *, api: str = "reminders", method: str | None = None, times: int | None = None,
             after: int = 0) -> None:
        """Answer calls to `api` (method `method`, or any) slowly but normally: each waits
        `seconds`, then is done and answered — also when the client has given up meanwhile, as a
        real service would. `times=None` (default): until `clear_simulations()`; `after=N` lets N
        matching calls through at full speed first. Several can apply to one call (they add up)."""
        self._add_delay(_Delay(float(seconds), method, times, after, lose_reply=False), api)

    def lose_reply(self, *, api: str = "reminders", method: str | None = "POST", times: int | None = 1,
                   after: int = 0, hold: float | None = None) -> None:
        """The next `times` matching calls are done (a reminder created, deleted, ...) and then
        their answer is lost: held `hold` seconds (default `slow_seconds`) before it is sent, so a
        client with a shorter timeout never reads it, or with `hold=0` the connection is closed at
        once without an answer. `emulator.calls` marks them `lost`. Combine with `slow` to make
        the look that follows slow too."""
        self._add_delay(_Delay(self.slow_seconds if hold is None else float(hold), method, times, after,
                               lose_reply=True), api)

    def _add_delay(self, delay: _Delay, api: str) -> None:
        if delay.seconds < 0:
            raise ValueError("seconds must not be negative")
        if delay.remaining is not None and delay.remaining < 1:
            raise ValueError("times must be at least 1 (or None for until cleared)")
        if delay.skip < 0:
            raise ValueError("after must not be negative")
        if delay.method is not None:
            delay.method = delay.method.upper()
        targets = APIS if api == "all" else (api,)
        if any(target not in APIS for target in targets):
            raise ValueError(f"api must be one of {APIS} or 'all'")
        with self._lock:
            for target in targets:
                self._state.delays.setdefault(target, []).append(_Delay(**vars(delay)))

    def _delays_for(self, method: str, path: str) -> tuple[float, float | None]:
        """(seconds to wait before the call, seconds to hold its answer or None) for one call,
        consuming the matching entries."""
        api = _api_of(path)
        before, hold = 0.0, None
        if api is None:
            return before, hold
        with self._lock:
            entries = self._state.delays.get(api, [])
            for entry in list(entries):
                if entry.method is not None and entry.method != method.upper():
                    continue
                applies, used_up = _take_turn(entry)
                if used_up:
                    entries.remove(entry)
                if not applies:
                    continue
                if entry.lose_reply:
                    hold = max(hold or 0.0, entry.seconds)
                else:
                    before += entry.seconds
        return before, hold

    # ------------------------------------------------------------------ inspection

    def _user_key(self, user_or_token: str) -> str:
        return self._state.grants.get(user_or_token, user_or_token)

    def reminders_for(self, user: str) -> list[dict[str, Any]]:
        """The user's reminders as GET one would answer them (a user id or a granted token)."""
        with self._lock:
            stored = self._state.reminders.get(self._user_key(user), {})
            return [reminder.to_api() for reminder in stored.values()]

    @property
    def fired(self) -> list[FiredReminder]:
        with self._lock:
            return list(self._state.fired)

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._state.calls)

    @property
    def arrived(self) -> list[tuple[str, str]]:
        """(method, path) of every API call as it came in, before any slow answer or lost reply
        (`calls` lists them as they were answered)."""
        with self._lock:
            return list(self._state.arrived)

    @property
    def directives(self) -> list[dict[str, str]]:
        """Progressive responses received, in order: {"request_id": ..., "speech": ...}."""
        with self._lock:
            return list(self._state.directives)

    # ------------------------------------------------------------------ the clock

    def advance(self, delta: timedelta) -> list[FiredReminder]:
        """Move the clock forward by `delta`; return the reminders that fired, in order."""
        if delta < timedelta(0):
            raise ValueError("the clock only moves forward")
        with self._lock:
            return self.advance_to(self.clock.now() + delta)

    def advance_to(self, moment: datetime) -> list[FiredReminder]:
        with self._lock:
            start = self.clock.now()
            if moment < start:
                raise ValueError("the clock only moves forward")
            fired: list[FiredReminder] = []
            for user, stored in self._state.reminders.items():
                for reminder in stored.values():
                    if reminder.status != "ON":
                        continue
                    zone = reminder.request["trigger"].get("timeZoneId") or self.default_time_zone
                    spoken = reminder.spoken
                    for at in reminder.occurrences(start, moment, self.default_time_zone):
                        fired.append(FiredReminder(reminder.alert_token, user, at, zone,
                                                   spoken["locale"], spoken["text"]))
                    if "recurrence" not in reminder.request["trigger"] and any(
                        f.alert_token == reminder.alert_token for f in fired
                    ):
                        reminder.status = "COMPLETED"
            self.clock.set(moment)
            fired.sort(key=lambda f: (f.at.astimezone(UTC), f.alert_token))
            self._state.fired.extend(fired)
            return fired

    # ------------------------------------------------------------------ request handling

    def handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        """One HTTP request -> (status, JSON-able body or None)."""
        path = unquote(urlsplit(target).path)
        hold = None
        try:
            if path.startswith(ADMIN_PREFIX):
                status, body = self._admin(method, path[len(ADMIN_PREFIX):], urlsplit(target).query, raw)
            else:
                with self._lock:
                    self._state.arrived.append((method, path))
                before, hold = self._delays_for(method, path)
                if before:
                    _time.sleep(before)
                status, body = self._api(method, path, headers, raw)
        except ApiError as error:
            status, body = error.status, error.body()
        with self._lock:
            self._state.calls.append(Call(method, path, status, lost=hold is not None))
        if hold is not None:
            if hold <= 0:
                raise _DropConnection()
            _time.sleep(hold)
        return status, body

    def _api(self, method: str, path: str, headers: dict[str, str], raw: bytes) -> tuple[int, Any]:
        parts = [p for p in path.split("/") if p]
        if path == REMINDERS_PATH or path.startswith(REMINDERS_PATH + "/"):
            api = "reminders"
        elif len(parts) == 5 and parts[:2] == ["v2", "devices"] and parts[3:] == ["settings", "System.timeZone"]:
            api = "settings"
        elif path == DIRECTIVES_PATH:
            api = "directives"
        else:
            raise ApiError(404, "NOT_FOUND", f"no such resource {path}")
        self._apply_fault(api)
        token = _bearer(headers)
        if not token:
            raise ApiError(401, "UNAUTHORIZED", "a bearer token is required")
        if api == "settings":
            if method != "GET":
                raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} not allowed")
            return 200, self.time_zone_of(parts[2])
        if api == "directives":
            if method != "POST":
                raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} not allowed")
            self._directive(_json(raw))
            return 204, None
        with self._lock:
            user = self._state.grants.get(token) or (token if self.grant_all else None)
        if user is None:
            raise ApiError(401, "UNAUTHORIZED", "the user has not granted the reminders permission")
        alert_token = path[len(REMINDERS_PATH) + 1:] if path != REMINDERS_PATH else None
        if alert_token is None:
            if method == "POST":
                return 200, self._create(user, _json(raw))
            if method == "GET":
                return 200, self._list(user)
        elif "/" not in alert_token:
            if method == "GET":
                return 200, self._find(user, alert_token).to_api()
            if method == "PUT":
                return 200, self._update(user, alert_token, _json(raw))
            if method == "DELETE":
                self._delete(user, alert_token)
                return 200, None
        raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} not allowed on {path}")

    def _apply_fault(self, api: str) -> None:
        with self._lock:
            fault = self._state.faults.get(api)
            if fault is None:
                return
            applies, used_up = _take_turn(fault)
            if used_up:
                del self._state.faults[api]
            if not applies:
                return
        if fault.kind == "timeout":
            _time.sleep(self.slow_seconds)
        status, code, message = SIMULATIONS[fault.kind]
        raise ApiError(status, code, message)

    def _directive(self, payload: Any) -> None:
        """A progressive response, checked as the Directive API does: a request id and a
        VoicePlayer.Speak directive with speech of at most 600 characters."""
        body = _check_keys(payload, "body", {"header", "directive"}, {"header", "directive"})
        header = _check_keys(body["header"], "header", {"requestId"}, {"requestId"})
        directive = _check_keys(body["directive"], "directive", {"type", "speech"}, {"type", "speech"})
        if not isinstance(header["requestId"], str) or not header["requestId"]:
            raise _bad("INVALID_REQUEST", "header.requestId must be the request's id")
        if directive["type"] != "VoicePlayer.Speak":
            raise _bad("INVALID_DIRECTIVE", f"unsupported directive type {directive['type']!r}")
        speech = directive["speech"]
        if not isinstance(speech, str) or not speech.strip() or len(speech) > 600:
            raise _bad("INVALID_DIRECTIVE", "speech must be 1 to 600 characters")
        with self._lock:
            self._state.directives.append({"request_id": header["requestId"], "speech": speech})

    def _create(self, user: str, payload: Any) -> dict[str, Any]:
        now = self.clock.now()
        validate_reminder_request(payload, now=now, max_rules=self.max_rules_per_reminder)
        with self._lock:
            token = f"emulated-alert-{next(self._counter):04d}-{uuid.uuid4().hex[:8]}"
            reminder = StoredReminder(token, user, payload, now, now)
            self._state.reminders.setdefault(user, {})[token] = reminder
            return reminder.reply()

    def _find(self, user: str, alert_token: str) -> StoredReminder:
        with self._lock:
            reminder = self._state.reminders.get(user, {}).get(alert_token)
        if reminder is None:
            raise ApiError(404, "NOT_FOUND", "no reminder with that alertToken for this user")
        return reminder

    def _update(self, user: str, alert_token: str, payload: Any) -> dict[str, Any]:
        reminder = self._find(user, alert_token)
        validate_reminder_request(payload, now=self.clock.now(), max_rules=self.max_rules_per_reminder)
        with self._lock:
            reminder.request = payload
            reminder.updated = self.clock.now()
            reminder.version += 1
            reminder.status = "ON"
            return reminder.reply()

    def _delete(self, user: str, alert_token: str) -> None:
        self._find(user, alert_token)
        with self._lock:
            self._state.reminders.get(user, {}).pop(alert_token, None)

    def _list(self, user: str) -> dict[str, Any]:
        # The real API's shape (totalCount a string, links an object), which the Python SDK's
        # GetRemindersResponse model cannot read: the skill must not rely on get_reminders().
        with self._lock:
            alerts = [r.to_api() for r in self._state.reminders.get(user, {}).values()]
        return {"totalCount": str(len(alerts)), "alerts": alerts, "links": {"next": None}}

    # ------------------------------------------------------------------ admin (local only)

    def _admin(self, method: str, path: str, query: str, raw: bytes) -> tuple[int, Any]:
        body = _json(raw) if raw else {}
        if not isinstance(body, dict):
            raise _bad("INVALID_REQUEST", "admin requests take a JSON object")
        if (method, path) == ("POST", "/simulate"):
            try:
                self.simulate(body.get("kind", ""), body.get("times", 1), api=body.get("api", "reminders"),
                              after=int(body.get("after", 0)))
            except ValueError as error:
                raise _bad("INVALID_REQUEST", str(error)) from error
            return 200, {"ok": True}
        if (method, path) == ("DELETE", "/simulate"):
            self.clear_simulations()
            return 200, {"ok": True}
        if (method, path) in (("POST", "/slow"), ("POST", "/lose-reply")):
            try:
                times = body.get("times", None if path == "/slow" else 1)
                common = {"api": body.get("api", "reminders"), "times": None if times is None else int(times),
                          "after": int(body.get("after", 0))}
                if path == "/slow":
                    self.slow(float(body["seconds"]), method=body.get("method"), **common)
                else:
                    hold = body.get("hold")
                    self.lose_reply(method=body.get("method", "POST"), hold=None if hold is None else float(hold),
                                    **common)
            except (KeyError, TypeError, ValueError) as error:
                raise _bad("INVALID_REQUEST", f"bad {path[1:]} request: {error}") from error
            return 200, {"ok": True}
        if (method, path) in (("POST", "/grant"), ("POST", "/revoke")):
            token = body.get("token")
            if not token:
                raise _bad("INVALID_REQUEST", "token is required")
            if path == "/grant":
                return 200, {"user": self.grant(token, body.get("userId"))}
            self.revoke(token)
            return 200, {"ok": True}
        if (method, path) == ("GET", "/clock"):
            return 200, {"now": self.clock.now().isoformat()}
        if (method, path) == ("POST", "/clock/advance"):
            units = {key: float(body[key]) for key in ("days", "hours", "minutes", "seconds") if key in body}
            if not units:
                raise _bad("INVALID_REQUEST", "give days, hours, minutes and/or seconds")
            try:
                fired = self.advance(timedelta(**units))
            except ValueError as error:
                raise _bad("INVALID_REQUEST", str(error)) from error
            return 200, {"now": self.clock.now().isoformat(), "fired": [f.to_dict() for f in fired]}
        if (method, path) == ("POST", "/clock/set"):
            try:
                moment = datetime.fromisoformat(str(body.get("now", "")).replace("Z", "+00:00"))
                self.clock.set(moment)
            except ValueError as error:
                raise _bad("INVALID_REQUEST", f"now must be an ISO-8601 date-time with offset: {error}") from error
            return 200, {"now": self.clock.now().isoformat()}
        if method == "PUT" and path.startswith("/time-zones/"):
            try:
                self.set_time_zone(path[len("/time-zones/"):], body.get("timeZone", ""))
            except (ValueError, ZoneInfoNotFoundError) as error:
                raise _bad("INVALID_TIME_ZONE_ID", str(error)) from error
            return 200, {"ok": True}
        if (method, path) == ("GET", "/reminders"):
            user = (parse_qs(query).get("user") or [""])[0]
            return 200, self.reminders_for(user)
        if (method, path) == ("GET", "/fired"):
            return 200, [f.to_dict() for f in self.fired]
        raise ApiError(404, "NOT_FOUND", f"no admin resource {path}")


def _api_of(path: str) -> str | None:
    """Which emulated API a path belongs to (None: none)."""
    parts = [p for p in path.split("/") if p]
    if path == REMINDERS_PATH or path.startswith(REMINDERS_PATH + "/"):
        return "reminders"
    if len(parts) == 5 and parts[:2] == ["v2", "devices"] and parts[3:] == ["settings", "System.timeZone"]:
        return "settings"
    if path == DIRECTIVES_PATH:
        return "directives"
    return None


def _bearer(headers: dict[str, str]) -> str | None:
    value = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def _json(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8") or "null")
    except (UnicodeDecodeError, ValueError) as error:
        raise _bad("INVALID_REQUEST", f"the body is not JSON: {error}") from error


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    emulator: AlexaServicesEmulator

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            status, body = self.emulator.handle(self.command, self.path, dict(self.headers.items()), raw)
        except _DropConnection:
            self.close_connection = True  # a lost reply: the call was done, no answer is sent
            return
        data = b"" if body is None else json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (simulated timeout)

    do_GET = do_POST = do_PUT = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("emulator: " + format, *args)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare emulator",
                                     description="Run the local Alexa services emulator (Reminders, Settings).")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8787, help="0 picks a free port (default 8787)")
    parser.add_argument("--time-zone", default="America/New_York", help="time zone of every device")
    parser.add_argument("--grant", action="append", default=[], metavar="TOKEN",
                        help="grant the reminders permission to this apiAccessToken (repeatable)")
    parser.add_argument("--grant-all", action="store_true", help="accept every token for reminders")
    parser.add_argument("--max-rules", type=int, default=DEFAULT_MAX_RECURRENCE_RULES,
                        help="recurrence rules allowed per reminder")
    args = parser.parse_args(argv)
    try:
        emulator = AlexaServicesEmulator(args.host, args.port, default_time_zone=args.time_zone,
                                         max_rules_per_reminder=args.max_rules, grant_all=args.grant_all)
        emulator.start()
    except (OSError, ZoneInfoNotFoundError, ValueError) as error:
        print(f"backcare emulator: {error}", flush=True)
        return 1
    for token in args.grant:
        emulator.grant(token)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    print(f"Alexa services emulator listening on {emulator.url}", flush=True)
    print(f"  admin: {emulator.url}{ADMIN_PREFIX}/(simulate|grant|revoke|clock|clock/advance|reminders|fired)",
          flush=True)
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        emulator.stop()
    return 0
