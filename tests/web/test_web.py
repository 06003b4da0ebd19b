"""The web service's routes, its limits on what it reads, and what it refuses to start with.
Signature and timestamp checks: test_web_verification.py; certificates: test_web_certificates.py."""

from __future__ import annotations

import json
import logging
import sys

import pytest

from backcare.config import Config
from backcare.web import (
    MAX_HEADER_BYTES,
    MAX_JSON_DEPTH,
    MAX_REQUEST_BYTES,
    NO_SKILL_ID_WARNING,
    NO_VERIFY_WARNING,
    StartupRefused,
    WebSettings,
    create_app,
)
from support.web import SERVE_BANNER, envelope_body, http, recording_skill, run_to_exit, service_env, serving, started

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-backcarecoach"
JSON = {"Content-Type": "application/json"}


def launch_json() -> str:
    return envelope_body().decode()


def _nested(depth: int) -> bytes:
    envelope = json.loads(launch_json())
    envelope["request"]["extra"] = json.loads("[" * depth + "]" * depth)
    return json.dumps(envelope).encode()


def _with_timestamp(value: object) -> bytes:
    envelope = json.loads(launch_json())
    envelope["request"]["timestamp"] = value
    return json.dumps(envelope).encode()


MALFORMED = {
    "too-large": (b"x" * (MAX_REQUEST_BYTES + 1), JSON),
    "too-large-chunked": ([b"x" * 65536] * 3, {**JSON, "Transfer-Encoding": "chunked"}),
    "not-json": (b"not json", JSON),
    "empty": (b"", JSON),
    "a-list": (b'["a list"]', JSON),
    "no-request": (b'{"version": "1.0"}', JSON),
    "request-not-an-object": (b'{"version": "1.0", "request": "LaunchRequest"}', JSON),
    "request-without-type": (b'{"request": {"timestamp": "2026-01-01T00:00:00Z"}}', JSON),
    "utf-8-bom": (b"\xef\xbb\xbf" + launch_json().encode(), JSON),
    "utf-16-bom": (launch_json().encode("utf-16"), JSON),
    "utf-16-le-no-bom": (launch_json().encode("utf-16-le"), JSON),
    "latin-1": (launch_json().replace("en-US", "en-US\u00e9").encode("latin-1"), JSON),
    "charset-not-utf-8": (launch_json().encode(), {"Content-Type": "application/json; charset=utf-16"}),
    "nested-past-the-limit": (_nested(MAX_JSON_DEPTH), JSON),
    "nested-past-the-parser": (b'{"request": ' + b"[" * 50_000 + b"]" * 50_000 + b"}", JSON),
    "timestamp-garbage": (_with_timestamp("yesterday at noon"), JSON),
    "timestamp-without-zone": (_with_timestamp("2026-11-25T10:00:00"), JSON),
    "timestamp-a-number": (_with_timestamp(1764064800), JSON),
    "timestamp-missing": (_with_timestamp(None), JSON),
    "envelope-the-sdk-cannot-read": (
        json.dumps({**json.loads(launch_json()), "context": {"System": {"device": "not an object"}}}).encode(), JSON),
    "headers-too-large": (launch_json().encode(), {**JSON, "X-Padding": "p" * (MAX_HEADER_BYTES + 1)}),
}


@pytest.mark.parametrize("case", list(MALFORMED))
@pytest.mark.parametrize("verify", [True, False], ids=["verify", "no-verify"])
def test_malformed_requests_get_400_with_a_reason_and_never_reach_the_skill(case, verify):
    body, headers = MALFORMED[case]
    skill, reached = recording_skill()
    app = create_app(Config(persistence="none"), verify=verify, skill=skill)
    with serving(app) as base:
        reply = http("POST", base + "/", body, headers)
    assert reply.status == 400, f"{case}: expected 400, got {reply.status}: {reply.body[:300]!r}"
    assert reply.json()["error"] == "Bad Request", f"{case}: the error body is not JSON: {reply.body[:200]!r}"
    assert reply.reason, f"{case}: the 400 carries no reason: {reply.body[:200]!r}"
    assert reached == [], f"{case}: a malformed request reached the skill: {reached}"


def test_the_depth_limit_leaves_room_for_real_envelopes():
    skill, reached = recording_skill()
    with serving(create_app(Config(persistence="none"), verify=False, skill=skill)) as base:
        reply = http("POST", base + "/", _nested(MAX_JSON_DEPTH - 3), JSON)
    assert reply.status == 200, f"an envelope within the depth limit was refused: {reply.status} {reply.reason}"
    assert reached == ["LaunchRequest"], f"the skill should have answered it, saw {reached}"


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("GET", "/", 405), ("PUT", "/", 405), ("GET", "/nowhere", 404), ("POST", "/nowhere", 404)],
)
def test_other_routes_and_methods_get_json_client_errors(method, path, status):
    skill, reached = recording_skill()
    with serving(create_app(Config(persistence="none"), verify=False, skill=skill)) as base:
        reply = http(method, base + path, b"{}" if method != "GET" else None, JSON)
    assert reply.status == status, f"{method} {path}: expected {status}, got {reply.status}"
    assert reply.json()["error"], f"{method} {path}: the error body is not JSON: {reply.body[:200]!r}"
    assert reached == [], f"{method} {path} reached the skill: {reached}"


def test_unverified_app_answers_an_unsigned_launch_from_the_real_skill():
    app = create_app(Config(persistence="none"), verify=False)
    with serving(app) as base:
        reply = http("POST", base + "/", envelope_body(), JSON)
        health = http("GET", base + "/health").json()
    assert reply.status == 200, f"the no-verify app refused a launch: {reply.status} {reply.body[:300]!r}"
    assert "<speak>" in reply.json()["response"]["outputSpeech"]["ssml"], "the launch got no speech"
    assert health == {"status": "ok", "verification": "off"}, f"/health should say verification is off: {health}"


def test_health_reports_that_verification_is_on_by_default():
    skill, _ = recording_skill()
    with serving(create_app(Config(persistence="none"), skill=skill)) as base:
        reply = http("GET", base + "/health")
    assert reply.status == 200, f"/health answered {reply.status}"
    assert reply.json() == {"status": "ok", "verification": "on"}, f"unexpected health: {reply.json()}"


@pytest.mark.parametrize("verify", [True, False], ids=["verify", "no-verify"])
def test_another_skills_application_id_gets_400_when_skill_id_is_set(verify):
    skill, reached = recording_skill()
    app = create_app(Config(persistence="none", skill_id=SKILL_ID), verify=verify, skill=skill)
    with serving(app) as base:
        reply = http("POST", base + "/", envelope_body(application_id="amzn1.ask.skill.someone-else"), JSON)
    assert reply.status == 400, f"another skill's request got {reply.status}, not 400"
    assert "application id" in reply.reason, f"the reason should name the application id: {reply.reason}"
    assert reached == [], f"another skill's request reached the skill: {reached}"


def test_the_configured_skill_id_is_answered_without_verification():
    skill, reached = recording_skill()
    app = create_app(Config(persistence="none", skill_id=SKILL_ID), verify=False, skill=skill)
    with serving(app) as base:
        reply = http("POST", base + "/", envelope_body(application_id=SKILL_ID), JSON)
    assert reply.status == 200, f"the skill's own request was refused: {reply.status} {reply.reason}"
    assert reached == ["LaunchRequest"], f"the skill should have answered, saw {reached}"


def test_warnings_at_start_for_no_verify_and_for_a_missing_skill_id(caplog):
    skill, _ = recording_skill()
    with caplog.at_level(logging.WARNING, logger="backcare.web"):
        create_app(Config(persistence="none"), verify=False, skill=skill)
        create_app(Config(persistence="none"), verify=False, skill=skill)
        create_app(Config(persistence="none"), skill=skill)
        create_app(Config(persistence="none", skill_id=SKILL_ID), skill=skill)
    messages = [r.getMessage() for r in caplog.records]
    assert messages.count(NO_VERIFY_WARNING) == 2, f"expected one no-verify warning per unverified app: {messages}"
    assert messages.count(NO_SKILL_ID_WARNING) == 1, f"expected the SKILL_ID warning once (verified, no id): {messages}"


@pytest.mark.parametrize(
    ("config", "verify", "settings", "reason"),
    [
        (Config(persistence="none"), True, WebSettings(require_skill_id=True), "SKILL_ID is not set"),
        (Config(persistence="none", skill_id=SKILL_ID), False, WebSettings(require_skill_id=True), "--no-verify"),
        (Config(persistence="none", skill_id=SKILL_ID), True,
         WebSettings(require_skill_id=True, test_trust_roots="/tmp/root.pem"), "test trust"),
    ],
    ids=["no-skill-id", "no-verify", "test-trust"],
)
def test_require_skill_id_refuses_to_start_unsafely(config, verify, settings, reason):
    skill, _ = recording_skill()
    with pytest.raises(StartupRefused, match=reason):
        create_app(config, verify=verify, skill=skill, settings=settings)


def test_require_skill_id_comes_from_the_environment():
    assert WebSettings.from_env({"BACKCARE_REQUIRE_SKILL_ID": "1"}).require_skill_id, "1 should switch it on"
    assert not WebSettings.from_env({}).require_skill_id, "it should be off by default"
    with pytest.raises(StartupRefused, match="BACKCARE_REQUIRE_SKILL_ID"):
        WebSettings.from_env({"BACKCARE_REQUIRE_SKILL_ID": "maybe"})


def test_verification_cannot_be_on_with_no_verifiers():
    skill, _ = recording_skill()
    with pytest.raises(ValueError, match="at least one verifier"):
        create_app(Config(persistence="none"), verifiers=[], skill=skill)


SERVE = [sys.executable, "-m", "backcare_tools", "serve", "--port", "0"]


@pytest.mark.parametrize(
    ("args", "env"),
    [(["--require-skill-id"], {}), ([], {"BACKCARE_REQUIRE_SKILL_ID": "1"})],
    ids=["flag", "environment"],
)
def test_backcare_serve_refuses_to_start_without_skill_id_when_required(tmp_path, args, env):
    done = run_to_exit(SERVE + args, service_env(PERSISTENCE="none", **env), tmp_path / "serve.log")
    assert done.proc.returncode == 2, f"expected exit status 2, got {done.proc.returncode}: {done.output()[-800:]}"
    assert "SKILL_ID is not set" in done.output(), f"the refusal should say why: {done.output()[-800:]}"


def test_backcare_serve_serves_until_stopped_and_warns_about_no_verify(tmp_path):
    env = service_env(PERSISTENCE="none")
    with started([*SERVE, "--no-verify"], env, tmp_path / "serve.log", banner=SERVE_BANNER,
                 what="backcare serve") as served:
        health = http("GET", served.base + "/health")
        reply = http("POST", served.base + "/", envelope_body(), JSON)
    assert health.json()["verification"] == "off", f"unexpected health: {health.body!r}"
    assert reply.status == 200, f"the served skill refused a launch: {reply.status} {reply.body[:300]!r}"
    assert "REQUEST VERIFICATION IS OFF" in served.output(), f"--no-verify was not logged: {served.output()[-1500:]}"


def test_backcare_serve_with_required_skill_id_starts_and_checks_it(tmp_path):
    env = service_env(PERSISTENCE="none", SKILL_ID=SKILL_ID)
    with started([*SERVE, "--require-skill-id"], env, tmp_path / "serve.log", banner=SERVE_BANNER,
                 what="backcare serve --require-skill-id") as served:
        health = http("GET", served.base + "/health").json()
        unsigned = http("POST", served.base + "/", envelope_body(application_id=SKILL_ID), JSON)
    assert health["verification"] == "on", f"a production server must verify: {health}"
    assert unsigned.status == 400, f"an unsigned request got {unsigned.status}, not 400"
    assert "SKILL_ID is not set" not in served.output(), "no SKILL_ID warning is due when it is set"


def test_the_web_service_redacts_user_and_device_ids_in_its_logs(caplog):
    skill, _ = recording_skill()
    create_app(Config(persistence="none"), verify=False, skill=skill)
    with caplog.at_level(logging.WARNING):
        logging.getLogger("backcare.services.api_client").warning(
            "Alexa API call timed out: GET /v2/devices/amzn1.ask.device.SECRETDEVICE/settings/System.timeZone"
        )
    assert "SECRETDEVICE" not in caplog.text, f"a raw device id reached the web service's log: {caplog.text}"
