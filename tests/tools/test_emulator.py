"""The local Alexa services emulator over real HTTP: every endpoint, authentication, payload
validation, simulated failures, the admin paths, the command, and the clock firing reminders
at the right local times across daylight-saving changes."""

from __future__ import annotations

import copy
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from backcare import schedule
from backcare_tools.clock import EmulatedClock
from backcare_tools.emulator import AlexaServicesEmulator
from support.emulator import START, TOKEN, USER, emulator, http  # noqa: F401 (fixture)

REMINDERS = "/v1/alerts/reminders"


def posture_payload(now: datetime = START, zone: str = "America/New_York", **kwargs) -> dict:
    return schedule.plan_reminders(schedule.posture_from_slots(**kwargs), now=now, time_zone=zone,
                                   locale="en-US", text="Time for a posture break.")[0].payload


def stretch_payload(now: datetime = START, zone: str = "America/New_York") -> dict:
    return schedule.plan_reminders(schedule.stretch_from_slots(), now=now, time_zone=zone, locale="en-GB",
                                   text="Time to stretch.")[0].payload


@pytest.fixture
def granted(emulator):  # noqa: F811
    emulator.grant(TOKEN, USER)
    return emulator


# --------------------------------------------------------------------------- reminders CRUD


def test_create_get_list_update_delete_round_trip(granted):
    base = granted.url + REMINDERS
    status, created = http("POST", base, posture_payload())
    assert status == 200, f"create failed: {status} {created}"
    token = created["alertToken"]
    assert created["status"] == "ON" and created["version"] == "1", created
    assert created["href"] == f"{REMINDERS}/{token}", created

    status, one = http("GET", f"{base}/{token}")
    assert status == 200 and one["alertToken"] == token, f"get one: {status} {one}"
    assert one["trigger"] == posture_payload()["trigger"], "the stored trigger is what was sent"

    status, listing = http("GET", base)
    assert status == 200 and listing["totalCount"] == "1", f"list: {listing}"
    assert [a["alertToken"] for a in listing["alerts"]] == [token], listing

    status, updated = http("PUT", f"{base}/{token}", stretch_payload())
    assert status == 200 and updated["version"] == "2", f"update: {status} {updated}"
    assert granted.reminders_for(USER)[0]["alertInfo"] == stretch_payload()["alertInfo"], "update stored"

    status, body = http("DELETE", f"{base}/{token}")
    assert (status, body) == (200, None), f"delete: {status} {body}"
    assert http("GET", f"{base}/{token}")[0] == 404, "a deleted reminder is gone"
    assert http("DELETE", f"{base}/{token}")[0] == 404, "deleting twice is 404"
    assert http("PUT", f"{base}/{token}", stretch_payload())[0] == 404, "updating a deleted one is 404"
    assert granted.reminders_for(USER) == [], "nothing left for the user"


def test_alert_tokens_are_unique(granted):
    tokens = {http("POST", granted.url + REMINDERS, posture_payload())[1]["alertToken"] for _ in range(5)}
    assert len(tokens) == 5, f"five creates should give five tokens, got {tokens}"


def test_reminders_are_stored_per_user(granted):
    granted.grant("other-token", "amzn1.ask.account.OTHER")
    _, mine = http("POST", granted.url + REMINDERS, posture_payload())
    _, theirs = http("POST", granted.url + REMINDERS, stretch_payload(), token="other-token")
    assert [r["alertToken"] for r in granted.reminders_for(USER)] == [mine["alertToken"]], "mine only"
    assert [r["alertToken"] for r in granted.reminders_for("other-token")] == [theirs["alertToken"]], "theirs"
    status, _ = http("GET", f"{granted.url}{REMINDERS}/{theirs['alertToken']}")
    assert status == 404, "one user cannot see another user's reminder"
    assert http("DELETE", f"{granted.url}{REMINDERS}/{theirs['alertToken']}")[0] == 404, "nor delete it"


# --------------------------------------------------------------------------- authentication


def test_reminders_need_a_bearer_token(granted):
    status, body = http("POST", granted.url + REMINDERS, posture_payload(), token=None)
    assert (status, body["code"]) == (401, "UNAUTHORIZED"), f"no token: {status} {body}"


def test_reminders_need_the_permission_granted_to_the_token(emulator):  # noqa: F811
    status, body = http("POST", emulator.url + REMINDERS, posture_payload())
    assert status == 401 and body["code"] == "UNAUTHORIZED", f"ungranted token: {status} {body}"
    emulator.grant(TOKEN, USER)
    assert http("POST", emulator.url + REMINDERS, posture_payload())[0] == 200, "granted token creates"
    emulator.revoke(TOKEN)
    assert http("GET", emulator.url + REMINDERS)[0] == 401, "a revoked token is refused again"
    assert len(emulator.reminders_for(USER)) == 1, "revoking does not delete what exists"


def test_grant_all_accepts_any_token():
    with AlexaServicesEmulator(clock=EmulatedClock(START), grant_all=True) as running:
        status, _ = http("POST", running.url + REMINDERS, posture_payload(), token="whatever")
        assert status == 200, "grant_all should accept any bearer token"
        assert len(running.reminders_for("whatever")) == 1, "stored under the token as user"


# --------------------------------------------------------------------------- validation


def _without(path: list[str]) -> dict:
    payload = copy.deepcopy(posture_payload())
    target = payload
    for key in path[:-1]:
        target = target[key]
    del target[path[-1]]
    return payload


def _with(path: list[str], value) -> dict:
    payload = copy.deepcopy(posture_payload())
    target = payload
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return payload


BAD_PAYLOADS = {
    "offset in scheduledTime": (_with(["trigger", "scheduledTime"], "2026-03-05T09:00:00-05:00"),
                                "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"),
    "Z in scheduledTime": (_with(["trigger", "scheduledTime"], "2026-03-05T14:00:00Z"),
                           "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"),
    "date only": (_with(["trigger", "scheduledTime"], "2026-03-05"), "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"),
    "offset in startDateTime": (_with(["trigger", "recurrence", "startDateTime"], "2026-03-05T09:00:00+00:00"),
                                "INVALID_TRIGGER_SCHEDULED_TIME_FORMAT"),
    "hourly rule": (_with(["trigger", "recurrence", "recurrenceRules"], ["FREQ=HOURLY;BYMINUTE=0"]),
                    "INVALID_RECURRENCE_RULE"),
    "hour 25": (_with(["trigger", "recurrence", "recurrenceRules"], ["FREQ=DAILY;BYHOUR=25;BYMINUTE=0"]),
                "INVALID_RECURRENCE_RULE"),
    "RRULE prefix": (_with(["trigger", "recurrence", "recurrenceRules"], ["RRULE:FREQ=DAILY;BYHOUR=9"]),
                     "INVALID_RECURRENCE_RULE"),
    "bad day": (_with(["trigger", "recurrence", "recurrenceRules"], ["FREQ=WEEKLY;BYDAY=XX;BYHOUR=9"]),
                "INVALID_RECURRENCE_RULE"),
    "COUNT": (_with(["trigger", "recurrence", "recurrenceRules"], ["FREQ=DAILY;COUNT=3"]),
              "INVALID_RECURRENCE_RULE"),
    "garbage rule": (_with(["trigger", "recurrence", "recurrenceRules"], ["every day at nine"]),
                     "INVALID_RECURRENCE_RULE"),
    "no rules": (_with(["trigger", "recurrence", "recurrenceRules"], []), "INVALID_REQUEST"),
    "six rules": (_with(["trigger", "recurrence", "recurrenceRules"],
                        [f"FREQ=DAILY;BYHOUR={h};BYMINUTE=0;BYSECOND=0" for h in range(9, 15)]),
                  "INVALID_RECURRENCE_RULE"),
    "no requestTime": (_without(["requestTime"]), "INVALID_REQUEST"),
    "bad requestTime": (_with(["requestTime"], "yesterday"), "INVALID_REQUEST_TIME"),
    "no trigger": (_without(["trigger"]), "INVALID_REQUEST"),
    "no trigger type": (_without(["trigger", "type"]), "INVALID_TRIGGER"),
    "no scheduledTime": (_without(["trigger", "scheduledTime"]), "INVALID_REQUEST"),
    "no timeZoneId": (_without(["trigger", "timeZoneId"]), "INVALID_REQUEST"),
    "unknown zone": (_with(["trigger", "timeZoneId"], "Mars/Olympus_Mons"), "INVALID_TIME_ZONE_ID"),
    "no alertInfo": (_without(["alertInfo"]), "INVALID_REQUEST"),
    "empty content": (_with(["alertInfo", "spokenInfo", "content"], []), "INVALID_REQUEST"),
    "empty text": (_with(["alertInfo", "spokenInfo", "content"], [{"locale": "en-US", "text": " "}]),
                   "INVALID_ALERT_INFO"),
    "bad locale": (_with(["alertInfo", "spokenInfo", "content"], [{"locale": "english", "text": "Hi"}]),
                   "INVALID_ALERT_INFO"),
    "no pushNotification": (_without(["pushNotification"]), "INVALID_REQUEST"),
    "bad push status": (_with(["pushNotification", "status"], "LOUD"), "INVALID_PUSH_NOTIFICATION"),
    "unknown field": (_with(["extra"], 1), "INVALID_REQUEST"),
    "legacy freq": (_with(["trigger", "recurrence", "freq"], "DAILY"), "INVALID_REQUEST"),
}


@pytest.mark.parametrize("case", sorted(BAD_PAYLOADS))
def test_a_bad_payload_is_rejected_with_400_and_nothing_is_stored(granted, case):
    payload, code = BAD_PAYLOADS[case]
    status, body = http("POST", granted.url + REMINDERS, payload)
    assert (status, body["code"]) == (400, code), f"{case}: got {status} {body}"
    assert body["message"], f"{case}: the error should say what is wrong"
    assert granted.reminders_for(USER) == [], f"{case}: a rejected reminder must not be stored"


def test_a_body_that_is_not_json_is_rejected(granted):
    status, body = http("POST", granted.url + REMINDERS, raw=b"{not json")
    assert (status, body["code"]) == (400, "INVALID_REQUEST"), f"got {status} {body}"


def test_a_one_off_reminder_in_the_past_is_rejected(granted):
    payload = posture_payload()
    del payload["trigger"]["recurrence"]
    payload["trigger"]["scheduledTime"] = "2026-03-04T14:00:00"  # 19:00 UTC, before the clock's 20:00
    status, body = http("POST", granted.url + REMINDERS, payload)
    assert (status, body["code"]) == (400, "PAST_SCHEDULED_TIME"), f"got {status} {body}"


def test_the_rule_limit_is_configurable(granted):
    payload = schedule.plan_reminders(schedule.posture_from_slots(), now=START, time_zone="America/New_York",
                                      locale="en-US", text="Posture", max_rules_per_reminder=9)[0].payload
    assert http("POST", granted.url + REMINDERS, payload)[0] == 400, "nine rules exceed the default five"
    with AlexaServicesEmulator(clock=EmulatedClock(START), max_rules_per_reminder=9, grant_all=True) as wide:
        assert http("POST", wide.url + REMINDERS, payload)[0] == 200, "nine rules fit a limit of nine"


# --------------------------------------------------------------------------- settings API


def test_time_zone_endpoint_answers_a_json_string_per_device(emulator):  # noqa: F811
    url = emulator.url + "/v2/devices/{}/settings/System.timeZone"
    assert http("GET", url.format("dev-1")) == (200, "America/New_York"), "the default zone"
    emulator.set_time_zone("dev-1", "Europe/London")
    status, _ = http("PUT", emulator.url + "/__emulator__/time-zones/dev-2", {"timeZone": "Asia/Kolkata"},
                     token=None)
    assert status == 200, "setting a zone over HTTP"
    assert http("GET", url.format("dev-1")) == (200, "Europe/London"), "dev-1 set from Python"
    assert http("GET", url.format("dev-2")) == (200, "Asia/Kolkata"), "dev-2 set over HTTP"
    assert http("GET", url.format("dev-1"), token=None)[0] == 401, "the settings API needs a token too"
    status, body = http("PUT", emulator.url + "/__emulator__/time-zones/dev-3", {"timeZone": "Nowhere/Land"})
    assert (status, body["code"]) == (400, "INVALID_TIME_ZONE_ID"), f"unknown zone: {status} {body}"


def test_unknown_paths_are_404(emulator):  # noqa: F811
    assert http("GET", emulator.url + "/v1/alerts/timers")[0] == 404, "not an emulated API"
    assert http("GET", emulator.url + "/__emulator__/nothing")[0] == 404, "not an admin path"


# --------------------------------------------------------------------------- simulated failures


@pytest.mark.parametrize(("kind", "status", "code"), [
    ("401", 401, "UNAUTHORIZED"), ("unauthorized", 401, "UNAUTHORIZED"),
    ("403", 403, "DEVICE_NOT_SUPPORTED"), ("device_not_supported", 403, "DEVICE_NOT_SUPPORTED"),
    ("429", 429, "TOO_MANY_REQUESTS"), ("rate_limited", 429, "TOO_MANY_REQUESTS"),
    ("500", 500, "INTERNAL_SERVER_ERROR"), ("server_error", 500, "INTERNAL_SERVER_ERROR"),
])
def test_simulated_failure_answers_the_next_call_then_clears(granted, kind, status, code):
    granted.simulate(kind)
    got, body = http("POST", granted.url + REMINDERS, posture_payload())
    assert (got, body["code"]) == (status, code), f"{kind}: got {got} {body}"
    assert granted.reminders_for(USER) == [], f"{kind}: a failed create stores nothing"
    assert http("POST", granted.url + REMINDERS, posture_payload())[0] == 200, f"{kind}: only one call fails"


def test_simulation_over_http_for_n_calls_after_some_succeed(granted):
    status, _ = http("POST", granted.url + "/__emulator__/simulate",
                     {"kind": "429", "times": 2, "after": 1}, token=None)
    assert status == 200, "admin simulate"
    results = [http("POST", granted.url + REMINDERS, posture_payload())[0] for _ in range(4)]
    assert results == [200, 429, 429, 200], f"one through, two throttled, then normal: {results}"


def test_simulation_until_cleared(granted):
    granted.simulate("500", times=None)
    assert [http("GET", granted.url + REMINDERS)[0] for _ in range(3)] == [500] * 3, "fails until cleared"
    assert http("DELETE", granted.url + "/__emulator__/simulate", token=None)[0] == 200, "clear over HTTP"
    assert http("GET", granted.url + REMINDERS)[0] == 200, "cleared"


def test_simulation_of_the_settings_api_leaves_reminders_alone(granted):
    granted.simulate("500", api="settings")
    assert http("GET", granted.url + "/v2/devices/d/settings/System.timeZone")[0] == 500, "settings fails"
    assert http("GET", granted.url + REMINDERS)[0] == 200, "reminders unaffected"


def test_simulated_timeout_answers_late_and_does_nothing(granted):
    granted.simulate("timeout")
    status, body = http("POST", granted.url + REMINDERS, posture_payload())
    assert (status, body["code"]) == (504, "GATEWAY_TIMEOUT"), f"got {status} {body}"
    assert granted.reminders_for(USER) == [], "a timed-out create stores nothing"


@pytest.mark.parametrize("body", [{"kind": "418"}, {"kind": "500", "times": 0}, {"kind": "500", "api": "x"}])
def test_bad_simulation_requests_are_refused(emulator, body):  # noqa: F811
    status, answer = http("POST", emulator.url + "/__emulator__/simulate", body, token=None)
    assert (status, answer["code"]) == (400, "INVALID_REQUEST"), f"{body}: {status} {answer}"


def test_grant_and_revoke_over_http(emulator):  # noqa: F811
    status, body = http("POST", emulator.url + "/__emulator__/grant", {"token": TOKEN, "userId": USER})
    assert (status, body) == (200, {"user": USER}), f"grant: {status} {body}"
    assert http("POST", emulator.url + REMINDERS, posture_payload())[0] == 200, "granted over HTTP"
    assert http("POST", emulator.url + "/__emulator__/revoke", {"token": TOKEN})[0] == 200, "revoke"
    assert http("GET", emulator.url + REMINDERS)[0] == 401, "revoked over HTTP"
    status, listed = http("GET", f"{emulator.url}/__emulator__/reminders?user={USER}", token=None)
    assert status == 200 and len(listed) == 1, f"admin listing by user: {listed}"


def test_calls_are_recorded(granted):
    http("GET", granted.url + REMINDERS)
    http("GET", granted.url + REMINDERS, token=None)
    assert [(c.method, c.path, c.status) for c in granted.calls] == [
        ("GET", REMINDERS, 200), ("GET", REMINDERS, 401)], granted.calls


# --------------------------------------------------------------------------- clock


def test_clock_needs_aware_times_and_only_moves_forward():
    clock = EmulatedClock(START)
    assert clock.now() == START, "starts where told"
    assert clock() == START, "callable, so it can be the skill's clock"
    assert clock.advance(timedelta(hours=2)) == START + timedelta(hours=2), "advance returns the new now"
    with pytest.raises(ValueError):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError):
        clock.set(datetime(2026, 1, 1))
    moment = datetime(2026, 7, 1, 12, tzinfo=ZoneInfo("Europe/London"))
    assert clock.set(moment) == moment and clock.now().tzinfo is UTC, "set keeps the instant, in UTC"


def _fire_week(zone: str, monday_before: datetime) -> list:
    """Create a default posture reminder on the Wednesday before a DST Sunday and run the
    clock to the Wednesday after; return the fired reminders."""
    wednesday = datetime(monday_before.year, monday_before.month, monday_before.day + 2, 7, 0,
                         tzinfo=ZoneInfo(zone))
    with AlexaServicesEmulator(clock=EmulatedClock(wednesday), grant_all=True) as running:
        for part in schedule.plan_reminders(schedule.posture_from_slots(), now=wednesday, time_zone=zone,
                                            locale="en-US", text="Posture break"):
            assert http("POST", running.url + REMINDERS, part.payload)[0] == 200, "create"
        return running.advance(timedelta(days=7))


@pytest.mark.parametrize(("zone", "monday_before", "offset_before", "offset_after"), [
    ("America/New_York", datetime(2026, 3, 2), -5, -4),
    ("America/New_York", datetime(2026, 10, 26), -4, -5),
    ("Europe/London", datetime(2026, 3, 23), 0, 1),
    ("Europe/London", datetime(2026, 10, 19), 1, 0),
])
def test_weekday_posture_fires_at_local_times_across_dst_and_never_at_weekends(zone, monday_before,
                                                                                offset_before, offset_after):
    fired = _fire_week(zone, monday_before)
    days = sorted({f.at.date() for f in fired})
    assert all(d.weekday() < 5 for d in days), f"{zone}: fired at a weekend: {days}"
    assert len(days) == 5 and len(fired) == 5 * 9, f"{zone}: 5 weekdays x 9 times expected, got {len(fired)}"
    for day in days:
        hours = [f.at.hour for f in fired if f.at.date() == day]
        assert hours == list(range(9, 18)), f"{zone} {day}: local hours {hours}, want 9..17"
        assert all(f.at.minute == 0 for f in fired if f.at.date() == day), f"{zone} {day}: on the hour"
    friday = next(f for f in fired if f.at.weekday() == 4)
    monday = next(f for f in fired if f.at.weekday() == 0)
    assert friday.at.utcoffset() == timedelta(hours=offset_before), f"{zone}: offset before DST change"
    assert monday.at.utcoffset() == timedelta(hours=offset_after), f"{zone}: offset after DST change"
    assert friday.at.astimezone(UTC).hour - monday.at.astimezone(UTC).hour == offset_after - offset_before, \
        f"{zone}: 9 AM local moves in UTC across the change"
    assert [f.text for f in fired[:1]] == ["Posture break"], "the spoken text comes with each firing"
    assert fired == sorted(fired, key=lambda f: f.at.astimezone(UTC)), "fired in time order"


def test_daily_stretch_fires_every_day_including_weekends_at_three(granted):
    assert http("POST", granted.url + REMINDERS, stretch_payload())[0] == 200, "create"
    fired = granted.advance(timedelta(days=7))
    assert len(fired) == 7, f"seven days, seven stretches: {[f.local_time for f in fired]}"
    assert {f.at.weekday() for f in fired} == set(range(7)), "every day of the week"
    assert all((f.at.hour, f.at.minute) == (15, 0) for f in fired), [f.local_time for f in fired]
    assert fired[0].locale == "en-GB" and fired[0].text == "Time to stretch.", fired[0]


def test_a_schedule_created_mid_window_fires_only_its_remaining_times_today(granted):
    # START is Wednesday 15:00 in New York: today's 9..15 are past, 16 and 17 are still to come.
    for part in schedule.plan_reminders(schedule.posture_from_slots(), now=START, time_zone="America/New_York",
                                        locale="en-US", text="Posture"):
        assert http("POST", granted.url + REMINDERS, part.payload)[0] == 200, "create"
    assert [f.local_time for f in granted.advance(timedelta(minutes=59))] == [], "nothing before 16:00"
    assert [f.local_time for f in granted.advance(timedelta(minutes=1))] == ["2026-03-04T16:00"], "16:00 on the dot"
    assert [f.local_time for f in granted.advance(timedelta(hours=1))] == ["2026-03-04T17:00"], "then 17:00"
    thursday = granted.advance(timedelta(days=1))
    assert [f.at.hour for f in thursday] == list(range(9, 18)), f"Thursday 9..17: {thursday}"
    assert len(granted.fired) == 11, "the emulator keeps the history of what fired"


def test_a_one_off_reminder_fires_once_and_completes(granted):
    payload = stretch_payload()
    del payload["trigger"]["recurrence"]
    payload["trigger"]["scheduledTime"] = "2026-03-04T16:30:00"
    assert http("POST", granted.url + REMINDERS, payload)[0] == 200, "create one-off"
    fired = granted.advance(timedelta(days=2))
    assert [f.local_time for f in fired] == ["2026-03-04T16:30"], f"once: {[f.local_time for f in fired]}"
    assert granted.reminders_for(USER)[0]["status"] == "COMPLETED", "a fired one-off is completed"


def test_a_relative_reminder_fires_after_its_offset(granted):
    payload = {"requestTime": "2026-03-04T20:00:00.000",
               "trigger": {"type": "SCHEDULED_RELATIVE", "offsetInSeconds": 600},
               "alertInfo": {"spokenInfo": {"content": [{"locale": "en-US", "text": "Ten minutes"}]}},
               "pushNotification": {"status": "ENABLED"}}
    assert http("POST", granted.url + REMINDERS, payload)[0] == 200, "create relative"
    assert granted.advance(timedelta(minutes=9)) == [], "not yet"
    [fired] = granted.advance(timedelta(minutes=1))
    assert fired.at.astimezone(UTC) == START + timedelta(minutes=10), fired


def test_clock_over_http_moves_and_reports_fired_reminders(granted):
    http("POST", granted.url + REMINDERS, stretch_payload())
    status, body = http("POST", granted.url + "/__emulator__/clock/advance", {"days": 1}, token=None)
    assert status == 200, f"advance over HTTP: {body}"
    assert [f["localTime"] for f in body["fired"]] == ["2026-03-05T15:00"], body
    assert body["fired"][0]["text"] == "Time to stretch." and body["fired"][0]["weekday"] == "Thursday", body
    assert http("GET", granted.url + "/__emulator__/clock", token=None)[1]["now"] == body["now"], "clock"
    status, body = http("POST", granted.url + "/__emulator__/clock/set", {"now": "2026-06-01T12:00:00+00:00"})
    assert (status, body["now"]) == (200, "2026-06-01T12:00:00+00:00"), body
    assert len(http("GET", granted.url + "/__emulator__/fired", token=None)[1]) == 1, "fired history"
    assert http("POST", granted.url + "/__emulator__/clock/advance", {}, token=None)[0] == 400, "no amount"


# --------------------------------------------------------------------------- the command


def test_emulator_command_serves_until_terminated():
    process = subprocess.Popen([sys.executable, "-m", "backcare_tools", "emulator", "--port", "0", "--grant", TOKEN,
                                "--time-zone", "Europe/London"], stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()
        assert "listening on http://127.0.0.1:" in line, f"unexpected first line: {line!r}"
        url = line.rsplit(" ", 1)[1].strip()
        assert http("GET", url + "/v2/devices/d/settings/System.timeZone") == (200, "Europe/London"), "zone"
        assert http("POST", url + REMINDERS, posture_payload())[0] == 200, "--grant token creates"
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert process.returncode == 0, f"SIGTERM should stop it cleanly, got {process.returncode}"


def test_emulator_command_fails_cleanly_on_a_bad_time_zone():
    command = [sys.executable, "-m", "backcare_tools", "emulator", "--port", "0", "--time-zone", "Nowhere"]
    result = subprocess.run(command,
                            capture_output=True, text=True, timeout=30)
    assert result.returncode == 1 and "backcare emulator:" in result.stdout, result
