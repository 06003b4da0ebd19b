"""The web service (backcare serve): routes, limits, the --no-verify switch, and the import chain
that used to fail on OpenSSL 3.0.10+ (oscrypto). Signature checks: test_web_verification.py."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
import time

import pytest

from backcare.config import Config
from backcare.web import MAX_REQUEST_BYTES, NO_VERIFY_WARNING, create_app
from backcare_tools.envelopes import Session, launch_request
from support.web import HTTP_TIMEOUT, http, recording_skill, serving


def launch_body() -> bytes:
    return json.dumps(Session().envelope(launch_request())).encode()


def test_flask_ask_sdk_and_its_verifier_import_in_a_fresh_interpreter():
    code = (
        "import flask_ask_sdk.skill_adapter, ask_sdk_webservice_support.verifier as v, importlib.util;"
        "print('oscrypto' if importlib.util.find_spec('oscrypto') else 'no-oscrypto')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"flask_ask_sdk does not import: {done.stderr[-2000:]}"
    assert done.stdout.strip() == "no-oscrypto", (
        "oscrypto is installed again; certvalidator should come from packaging/certvalidator-cryptography"
    )


def test_health_reports_that_verification_is_on_by_default():
    skill, _ = recording_skill()
    with serving(create_app(Config(persistence="none"), skill=skill)) as base:
        reply = http("GET", base + "/health")
    assert reply.status == 200, f"/health answered {reply.status}"
    assert reply.json() == {"status": "ok", "verification": "on"}, f"unexpected health: {reply.json()}"


def test_unverified_app_answers_an_unsigned_launch_from_the_real_skill():
    app = create_app(Config(persistence="none"), verify=False)
    with serving(app) as base:
        reply = http("POST", base + "/", launch_body(), {"Content-Type": "application/json"})
        health = http("GET", base + "/health").json()
    assert reply.status == 200, f"the no-verify app refused a launch: {reply.status} {reply.body[:300]!r}"
    assert "<speak>" in reply.json()["response"]["outputSpeech"]["ssml"], "the launch got no speech"
    assert health["verification"] == "off", f"/health should say verification is off: {health}"


def test_no_verify_logs_a_warning_every_time_an_app_is_created(caplog):
    skill, _ = recording_skill()
    with caplog.at_level(logging.WARNING, logger="backcare.web"):
        create_app(Config(persistence="none"), verify=False, skill=skill)
        create_app(Config(persistence="none"), verify=False, skill=skill)
        create_app(Config(persistence="none"), skill=skill)
    warnings = [r for r in caplog.records if r.getMessage() == NO_VERIFY_WARNING]
    assert len(warnings) == 2, f"expected one warning per unverified app (2), got {len(warnings)}"


def test_verification_cannot_be_on_with_no_verifiers():
    skill, _ = recording_skill()
    with pytest.raises(ValueError, match="at least one verifier"):
        create_app(Config(persistence="none"), verifiers=[], skill=skill)


@pytest.mark.parametrize(
    ("method", "path", "body", "status"),
    [
        ("POST", "/", b"x" * (MAX_REQUEST_BYTES + 1), 413),
        ("POST", "/", b"not json", 400),
        ("POST", "/", b'["a list"]', 400),
        ("POST", "/", b'{"version": "1.0"}', 400),
        ("GET", "/", None, 405),
        ("GET", "/nowhere", None, 404),
    ],
    ids=["too-large", "not-json", "not-an-object", "no-request", "get-skill-route", "unknown-path"],
)
def test_malformed_requests_get_a_client_error_and_never_reach_the_skill(method, path, body, status):
    skill, reached = recording_skill()
    with serving(create_app(Config(persistence="none"), verify=False, skill=skill)) as base:
        reply = http(method, base + path, body, {"Content-Type": "application/json"})
    assert reply.status == status, f"expected {status}, got {reply.status}: {reply.body[:200]!r}"
    assert reply.json()["error"], f"the error body should be JSON with a name: {reply.body[:200]!r}"
    assert reached == [], f"a malformed request reached the skill: {reached}"


@pytest.mark.slow
def test_backcare_serve_command_serves_until_stopped_and_warns_about_no_verify(tmp_path):
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PERSISTENCE": "none"}
    with open(tmp_path / "stderr.log", "w") as stderr_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backcare_tools", "serve", "--port", "0", "--no-verify"],
            stdout=subprocess.PIPE, stderr=stderr_file, text=True, env=env,
        )
    try:
        deadline = time.monotonic() + 30
        banner = ""
        while time.monotonic() < deadline and "serving on" not in banner:
            banner = proc.stdout.readline()
            if not banner and proc.poll() is not None:
                break
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", banner)
        assert match, f"no 'serving on' banner; stderr: {(tmp_path / 'stderr.log').read_text()[-1500:]}"
        base = f"http://127.0.0.1:{match.group(1)}"
        health = http("GET", base + "/health")
        reply = http("POST", base + "/", launch_body(), {"Content-Type": "application/json"})
    finally:
        proc.terminate()
        proc.wait(timeout=HTTP_TIMEOUT)
    assert health.json()["verification"] == "off", f"unexpected health: {health.body!r}"
    assert reply.status == 200, f"the served skill refused a launch: {reply.status} {reply.body[:300]!r}"
    stderr = (tmp_path / "stderr.log").read_text()
    assert "REQUEST VERIFICATION IS OFF" in stderr, f"--no-verify was not logged loudly: {stderr[-1500:]}"


def test_gunicorn_factory_verifies_requests_with_the_production_defaults():
    """`gunicorn 'backcare.web:create_app()'`: configuration from the environment, verification on."""
    app = create_app()
    with serving(app) as base:
        health = http("GET", base + "/health").json()
        unsigned = http("POST", base + "/", launch_body(), {"Content-Type": "application/json"})
        bad_url = http("POST", base + "/", launch_body(), {
            "Content-Type": "application/json", "Signature-256": "AAAA",
            "SignatureCertChainUrl": "https://s3.amazonaws.com.example/echo.api/cert.pem"})
    assert health["verification"] == "on", f"the factory's app does not verify: {health}"
    assert unsigned.status == 400, f"an unsigned request got {unsigned.status}, not 400"
    assert bad_url.status == 400, f"a foreign certificate URL got {bad_url.status}, not 400"


def test_the_web_service_redacts_user_and_device_ids_in_its_logs(caplog):
    skill, _ = recording_skill()
    create_app(Config(persistence="none"), verify=False, skill=skill)
    with caplog.at_level(logging.WARNING):
        logging.getLogger("backcare.services.api_client").warning(
            "Alexa API call timed out: GET /v2/devices/amzn1.ask.device.SECRETDEVICE/settings/System.timeZone"
        )
    assert "SECRETDEVICE" not in caplog.text, f"a raw device id reached the web service's log: {caplog.text}"
