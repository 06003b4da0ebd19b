"""The production server: gunicorn with backcare.gunicorn_conf and the app factory, as a real
process verifying signed requests against the test PKI through the test trust settings, and what
a client gets for headers past the app's limit and past gunicorn's."""

from __future__ import annotations

import json
from collections.abc import Iterator
from http.client import HTTPConnection, HTTPException

import pytest

from backcare.web import MAX_HEADER_BYTES
from support.web import (
    GUNICORN_BANNER,
    HTTP_TIMEOUT,
    Process,
    envelope_body,
    gunicorn_command,
    http,
    run_to_exit,
    service_env,
    signed_post,
    started,
)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def gunicorn(pki, cert_host, tmp_path_factory) -> Iterator[Process]:
    folder = tmp_path_factory.mktemp("gunicorn")
    env = service_env(PERSISTENCE="none", BACKCARE_STATE_DIR=str(folder / "state"),
                      BACKCARE_TEST_TRUST_ROOTS=str(pki.write_root(folder / "root.pem")),
                      BACKCARE_TEST_CERT_MIRROR=cert_host.base)
    env.pop("SKILL_ID", None)
    with started(gunicorn_command(), env, folder / "gunicorn.log", banner=GUNICORN_BANNER,
                 what="gunicorn") as process:
        yield process


def test_gunicorn_answers_a_signed_request_from_the_real_skill(gunicorn, pki, good_url):
    reply = signed_post(gunicorn.base, pki, envelope_body(), good_url)
    assert reply.status == 200, f"gunicorn refused a signed launch: {reply.status} {reply.reason}"
    assert reply.json()["response"]["outputSpeech"]["ssml"].startswith("<speak>"), "the launch got no speech"


def test_gunicorn_refuses_unsigned_and_malformed_requests_with_400(gunicorn):
    unsigned = http("POST", gunicorn.base + "/", envelope_body(), {"Content-Type": "application/json"})
    bom = http("POST", gunicorn.base + "/", b"\xef\xbb\xbf" + envelope_body(), {"Content-Type": "application/json"})
    assert unsigned.status == 400, f"an unsigned request got {unsigned.status}"
    assert bom.status == 400, f"a BOM-prefixed body got {bom.status}"


def test_gunicorn_logs_the_test_trust_and_skill_id_warnings_at_start(gunicorn):
    log = gunicorn.output()
    assert "TEST TRUST SETTINGS ARE ON" in log, f"the test trust settings were not logged: {log[-1500:]}"
    assert "SKILL_ID is not set" in log, f"the missing SKILL_ID was not logged: {log[-1500:]}"


def _raw_post(base: str, headers: dict[str, str]) -> tuple[int, str, bytes]:
    """POST with exactly these headers; (status, reason, body), or (0, error, b"") if the server
    dropped the connection without an answer."""
    host, port = base.removeprefix("http://").split(":")
    connection = HTTPConnection(host, int(port), timeout=HTTP_TIMEOUT)
    body = envelope_body()
    try:
        connection.request("POST", "/", body, {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        return response.status, response.reason, response.read()
    except (OSError, HTTPException) as exc:
        return 0, type(exc).__name__, b""
    finally:
        connection.close()


def test_headers_past_the_apps_limit_get_its_400_with_a_reason(gunicorn):
    status, _, body = _raw_post(gunicorn.base, {"X-Padding": "p" * (MAX_HEADER_BYTES + 1024)})
    assert status == 400, f"a {MAX_HEADER_BYTES // 1024 + 1} KB header got {status}, not the app's 400"
    assert "headers are larger" in json.loads(body)["description"], f"no reason in the 400: {body[:200]!r}"


@pytest.mark.parametrize(
    "headers",
    [{"X-Padding": "p" * 40_000}, {f"X-Padding-{n}": "p" for n in range(120)}],
    ids=["one-40-KB-header", "120-headers"],
)
def test_headers_past_gunicorns_limits_get_its_431_with_a_reason(gunicorn, headers):
    status, reason, body = _raw_post(gunicorn.base, headers)
    assert status == 431, f"expected gunicorn's 431, the client got {status} ({reason})"
    assert b"Request Header Fields Too Large" in body or reason == "Request Header Fields Too Large", (
        f"the 431 should say why: {reason} {body[:200]!r}")


def test_gunicorn_refuses_to_start_without_skill_id_when_required(tmp_path):
    env = service_env(PERSISTENCE="none", BACKCARE_REQUIRE_SKILL_ID="1")
    env.pop("SKILL_ID", None)
    done = run_to_exit(gunicorn_command(), env, tmp_path / "gunicorn.log")
    assert done.proc.returncode != 0, "gunicorn started without SKILL_ID although it was required"
    assert "SKILL_ID is not set" in done.output(), f"the refusal does not say why: {done.output()[-1500:]}"
