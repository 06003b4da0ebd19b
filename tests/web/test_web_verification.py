"""Request verification of the web service with real cryptography, over real HTTP on 127.0.0.1.

A test CA issues an Alexa-like signing certificate (SAN echo-api.amazon.com); its chain is
served by a local HTTP host through the verifier's injectable fetcher, and the verifier trusts
only the test root. Every bad request must get HTTP 400 and never reach the skill.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from backcare.config import Config
from backcare.web import create_app, default_verifiers
from backcare.webverify import AlexaRequestVerifier
from backcare_tools.envelopes import Session, launch_request
from support.web import CertificateHost, SigningPKI, http, recording_skill, serving

GOOD_PATH = "/echo.api/echo-api-cert.pem"


@pytest.fixture(scope="module")
def pki() -> SigningPKI:
    return SigningPKI()


@pytest.fixture(scope="module")
def cert_host(pki):
    with CertificateHost() as host:
        host.publish(GOOD_PATH, pki.chain_pem())
        yield host


@pytest.fixture()
def recorded(pki, cert_host):
    """The app with a recording skill, trusting only the test root; yields (base URL, reached)."""
    skill, reached = recording_skill()
    verifier = AlexaRequestVerifier(fetch=cert_host.fetch, trust_roots=pki.trust_roots())
    app = create_app(Config(persistence="none"), verifiers=default_verifiers(verifier), skill=skill)
    with serving(app) as base:
        yield base, reached


def launch_body(*, now: datetime | None = None) -> bytes:
    return json.dumps(Session().envelope(launch_request(), now=now)).encode()


def post(base: str, body: bytes, headers: dict[str, str]):
    return http("POST", base + "/", body, {"Content-Type": "application/json", **headers})


def signed_headers(pki: SigningPKI, body: bytes, cert_url: str) -> dict[str, str]:
    return {"SignatureCertChainUrl": cert_url, "Signature-256": pki.sign(body)}


def test_correctly_signed_launch_request_is_answered(recorded, pki):
    base, reached = recorded
    body = launch_body()
    reply = post(base, body, signed_headers(pki, body, f"https://s3.amazonaws.com{GOOD_PATH}"))
    assert reply.status == 200, f"a correctly signed request was refused: {reply.status} {reply.body[:300]!r}"
    speech = reply.json()["response"]["outputSpeech"]["ssml"]
    assert "recorded" in speech, f"the answer did not come from the skill: {speech!r}"
    assert reached == ["LaunchRequest"], f"the skill should have seen exactly one LaunchRequest, saw {reached}"


def test_signed_launch_request_is_answered_by_the_real_skill(pki, cert_host):
    verifier = AlexaRequestVerifier(fetch=cert_host.fetch, trust_roots=pki.trust_roots())
    app = create_app(Config(persistence="none"), verifiers=default_verifiers(verifier))
    body = launch_body()
    with serving(app) as base:
        reply = post(base, body, signed_headers(pki, body, f"https://s3.amazonaws.com{GOOD_PATH}"))
    assert reply.status == 200, f"the real skill was not reached: {reply.status} {reply.body[:300]!r}"
    envelope = reply.json()
    assert envelope["response"]["outputSpeech"]["ssml"].startswith("<speak>"), f"no speech: {envelope}"
    assert envelope["response"].get("shouldEndSession") is False, "the launch should keep the session open"


def _bad_requests():
    """(id, build) pairs; build(pki, host) -> (body, headers) of a request that must be refused."""
    def good_url(host, pki, leaf=None, path=GOOD_PATH):
        return host.publish(path, pki.chain_pem(leaf))

    def unsigned(pki, host):
        return launch_body(), {}

    def no_signature(pki, host):
        return launch_body(), {"SignatureCertChainUrl": good_url(host, pki)}

    def tampered_body(pki, host):
        body = launch_body()
        headers = signed_headers(pki, body, good_url(host, pki))
        return body.replace(b"LaunchRequest", b"SessionEndedRequest"), headers

    def legacy_signature_header(pki, host):
        body = launch_body()
        return body, {"SignatureCertChainUrl": good_url(host, pki), "Signature": pki.sign(body)}

    def signature_not_base64(pki, host):
        return launch_body(), {"SignatureCertChainUrl": good_url(host, pki), "Signature-256": "%%%not-base64"}

    def signature_of_other_body(pki, host):
        body = launch_body()
        return body, signed_headers(pki, b"{}", good_url(host, pki))

    def stale_timestamp(pki, host):
        body = launch_body(now=datetime.now(UTC) - timedelta(minutes=10))
        return body, signed_headers(pki, body, good_url(host, pki))

    def url(cert_url: str, path: str = GOOD_PATH):
        def build(pki, host):
            host.publish(path, pki.chain_pem())  # the chain exists: only the URL is wrong
            body = launch_body()
            return body, signed_headers(pki, body, cert_url)
        return build

    def with_leaf(**leaf_args):
        def build(pki, host):
            now = datetime.now(UTC)
            leaf = pki.leaf(**{k: v(now) if callable(v) else v for k, v in leaf_args.items()})
            path = f"/echo.api/{'-'.join(leaf_args)}.pem"
            body = launch_body()
            return body, signed_headers(pki, body, good_url(host, pki, leaf, path))
        return build

    def untrusted_chain(pki, host):
        # Same intermediate and signing keys, but under a root the verifier does not trust.
        stranger = SigningPKI(root_name="Stranger Root")
        body = launch_body()
        return body, signed_headers(pki, body, host.publish("/echo.api/stranger.pem", stranger.chain_pem()))

    def missing_chain(pki, host):
        body = launch_body()
        return body, signed_headers(pki, body, "https://s3.amazonaws.com/echo.api/nowhere.pem")

    return [
        ("unsigned", unsigned),
        ("no-signature-header", no_signature),
        ("tampered-body", tampered_body),
        ("legacy-Signature-header", legacy_signature_header),
        ("signature-not-base64", signature_not_base64),
        ("signature-of-other-body", signature_of_other_body),
        ("stale-timestamp", stale_timestamp),
        ("url-scheme-http", url(f"http://s3.amazonaws.com{GOOD_PATH}")),
        ("url-host", url(f"https://s3.amazonaws.com.evil.example{GOOD_PATH}")),
        ("url-path", url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem", "/EcHo.aPi/echo-api-cert.pem")),
        ("url-path-traversal", url("https://s3.amazonaws.com/echo.api/../invalid/cert.pem", "/invalid/cert.pem")),
        ("url-port", url(f"https://s3.amazonaws.com:563{GOOD_PATH}")),
        ("expired-certificate", with_leaf(not_before=lambda now: now - timedelta(days=60),
                                          not_after=lambda now: now - timedelta(days=1))),
        ("not-yet-valid-certificate", with_leaf(not_before=lambda now: now + timedelta(days=1))),
        ("wrong-san", with_leaf(san="echo-api.example.com")),
        ("certificate-not-for-signing", with_leaf(digital_signature=False)),
        ("untrusted-root", untrusted_chain),
        ("chain-not-found", missing_chain),
    ]


@pytest.mark.parametrize("build", [b for _, b in _bad_requests()], ids=[i for i, _ in _bad_requests()])
def test_bad_request_is_refused_with_400_and_never_reaches_the_skill(recorded, pki, cert_host, build):
    base, reached = recorded
    body, headers = build(pki, cert_host)
    reply = post(base, body, headers)
    assert reply.status == 400, f"expected HTTP 400, got {reply.status}: {reply.body[:300]!r}"
    assert reached == [], f"a refused request reached the skill: {reached}"


def test_certificate_chain_is_fetched_once_then_cached(pki):
    with CertificateHost() as host:
        url = host.publish(GOOD_PATH, pki.chain_pem())
        skill, reached = recording_skill()
        verifier = AlexaRequestVerifier(fetch=host.fetch, trust_roots=pki.trust_roots())
        app = create_app(Config(persistence="none"), verifiers=default_verifiers(verifier), skill=skill)
        with serving(app) as base:
            statuses = []
            for _ in range(3):
                body = launch_body()
                statuses.append(post(base, body, signed_headers(pki, body, url)).status)
    assert statuses == [200, 200, 200], f"signed requests were refused: {statuses}"
    assert len(reached) == 3, f"the skill should have answered all three requests, saw {reached}"
    assert host.fetched == [url], f"the chain should be fetched once, was fetched {len(host.fetched)} times"


def test_skill_events_may_be_up_to_an_hour_old(recorded, pki):
    base, reached = recorded
    session = Session()
    envelope = session.envelope({"type": "AlexaSkillEvent.SkillDisabled", "body": {}},
                                now=datetime.now(UTC) - timedelta(minutes=30))
    body = json.dumps(envelope).encode()
    reply = post(base, body, signed_headers(pki, body, f"https://s3.amazonaws.com{GOOD_PATH}"))
    assert reply.status == 200, f"a 30-minute-old skill event was refused: {reply.status} {reply.body[:200]!r}"
    assert reached == ["AlexaSkillEvent.SkillDisabled"], f"the event did not reach the skill: {reached}"
