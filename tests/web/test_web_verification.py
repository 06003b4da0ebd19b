"""Request verification over real HTTP on 127.0.0.1, with real cryptography: a test CA issues an
Alexa-like signing certificate, its chain is served by a local stand-in for S3 (the verifier's
mirror), and the verifier trusts only the test root. Every bad request gets HTTP 400 and never
reaches the skill; the chain cache cannot be filled or emptied by requests that fail."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from backcare.config import Config
from backcare.web import create_app
from backcare.webcerts import normalise_cert_url
from backcare.webverify import default_verifiers
from support.web import GOOD_CERT_PATH, envelope_body, http, serving, signed_post
from support.webpki import TestPKI

SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-backcarecoach"
FORGED_SIGNATURE = base64.b64encode(bytes(range(256))).decode()


def test_correctly_signed_launch_request_is_answered_by_the_skill(verified_app, pki, good_url):
    served = verified_app()
    reply = signed_post(served.base, pki, envelope_body(), good_url)
    assert reply.status == 200, f"a correctly signed request was refused: {reply.status} {reply.reason}"
    assert "recorded" in reply.json()["response"]["outputSpeech"]["ssml"], "the answer did not come from the skill"
    assert served.reached == ["LaunchRequest"], f"the skill should have seen one LaunchRequest, saw {served.reached}"


def test_signed_launch_request_is_answered_by_the_real_skill(pki, cert_host, good_url):
    from backcare.webcerts import ChainCache, ChainFetcher, ChainValidator
    from backcare.webverify import SignatureVerifier

    chains = ChainCache(validator=ChainValidator([pki.root.cert]), fetch=ChainFetcher(mirror=cert_host.base))
    app = create_app(Config(persistence="none"), verifiers=default_verifiers(SignatureVerifier(chains)))
    with serving(app) as base:
        reply = signed_post(base, pki, envelope_body(), good_url)
    assert reply.status == 200, f"the real skill was not reached: {reply.status} {reply.reason}"
    envelope = reply.json()
    assert envelope["response"]["outputSpeech"]["ssml"].startswith("<speak>"), f"no speech: {envelope}"
    assert envelope["response"].get("shouldEndSession") is False, "the launch should keep the session open"


def test_a_signed_request_for_the_configured_skill_id_is_answered(verified_app, pki, good_url):
    served = verified_app(skill_id=SKILL_ID)
    reply = signed_post(served.base, pki, envelope_body(application_id=SKILL_ID), good_url)
    assert reply.status == 200, f"the skill's own signed request was refused: {reply.status} {reply.reason}"


def _bad_requests():
    """(id, build) pairs; build(pki, good_url) -> (body, headers) of a request that must be refused."""

    def signed(pki: TestPKI, body: bytes, url: str, signature: str | None = None) -> dict[str, str]:
        return {"SignatureCertChainUrl": url, "Signature-256": signature or pki.sign(body)}

    def unsigned(pki, url):
        return envelope_body(), {}

    def no_signature(pki, url):
        return envelope_body(), {"SignatureCertChainUrl": url}

    def no_cert_url(pki, url):
        body = envelope_body()
        return body, {"Signature-256": pki.sign(body)}

    def tampered_body(pki, url):
        body = envelope_body()
        return body.replace(b"LaunchRequest", b"SessionEndedRequest"), signed(pki, body, url)

    def re_encoded_body(pki, url):
        body = envelope_body()
        return json.dumps(json.loads(body), indent=1).encode(), signed(pki, body, url)

    def legacy_signature_header(pki, url):
        body = envelope_body()
        return body, {"SignatureCertChainUrl": url, "Signature": pki.sign(body)}

    def signature_not_base64(pki, url):
        return envelope_body(), {"SignatureCertChainUrl": url, "Signature-256": "%%%not-base64"}

    def signature_too_short(pki, url):
        return envelope_body(), {"SignatureCertChainUrl": url, "Signature-256": base64.b64encode(b"x" * 20).decode()}

    def signature_of_other_body(pki, url):
        return envelope_body(), signed(pki, b"{}", url)

    def forged_signature(pki, url):
        return envelope_body(), signed(pki, b"", url, FORGED_SIGNATURE)

    def signed_by_another_key(pki, url):
        stranger = TestPKI(name="Stranger")
        body = envelope_body()
        return body, signed(pki, body, url, stranger.sign(body))

    def timestamp(offset: timedelta, request: dict | None = None):
        def build(pki, url):
            body = envelope_body(request, now=datetime.now(UTC) + offset)
            return body, signed(pki, body, url)
        return build

    def cert_url(bad_url: str):
        def build(pki, url):
            body = envelope_body()
            return body, signed(pki, body, bad_url)
        return build

    good = "https://s3.amazonaws.com" + GOOD_CERT_PATH
    return [
        ("unsigned", unsigned),
        ("no-signature-header", no_signature),
        ("no-cert-url-header", no_cert_url),
        ("tampered-body", tampered_body),
        ("same-json-other-bytes", re_encoded_body),
        ("legacy-Signature-header-only", legacy_signature_header),
        ("signature-not-base64", signature_not_base64),
        ("signature-too-short", signature_too_short),
        ("signature-of-other-body", signature_of_other_body),
        ("forged-signature", forged_signature),
        ("signed-by-another-key", signed_by_another_key),
        ("timestamp-stale", timestamp(-timedelta(minutes=3))),
        ("timestamp-future", timestamp(timedelta(minutes=3))),
        ("skill-event-over-an-hour-old", timestamp(-timedelta(minutes=61),
                                                   {"type": "AlexaSkillEvent.SkillDisabled", "body": {}})),
        ("url-scheme-http", cert_url(good.replace("https:", "http:"))),
        ("url-host", cert_url(good.replace("s3.amazonaws.com", "s3.amazonaws.com.evil.example"))),
        ("url-userinfo", cert_url(good.replace("s3.amazonaws.com", "evil.example@s3.amazonaws.com"))),
        ("url-path-case", cert_url("https://s3.amazonaws.com/EcHo.aPi/echo-api-cert-test.pem")),
        ("url-path-traversal", cert_url("https://s3.amazonaws.com/echo.api/../invalid/echo-api-cert-test.pem")),
        ("url-percent-escape", cert_url("https://s3.amazonaws.com/echo.api/%2e%2e/echo-api-cert-test.pem")),
        ("url-port", cert_url(good.replace("s3.amazonaws.com", "s3.amazonaws.com:563"))),
        ("url-not-a-url", cert_url("https://[not-a-host/echo.api/x.pem")),
        ("chain-not-found", cert_url("https://s3.amazonaws.com/echo.api/nowhere.pem")),
    ]


@pytest.mark.parametrize("build", [b for _, b in _bad_requests()], ids=[i for i, _ in _bad_requests()])
def test_bad_request_is_refused_with_400_and_never_reaches_the_skill(verified_app, pki, good_url, build):
    served = verified_app()
    body, headers = build(pki, good_url)
    reply = http("POST", served.base + "/", body, {"Content-Type": "application/json", **headers})
    assert reply.status == 400, f"expected HTTP 400, got {reply.status}: {reply.body[:300]!r}"
    assert reply.json()["error"] == "Bad Request", f"the refusal is not a JSON error: {reply.body[:200]!r}"
    assert served.reached == [], f"a refused request reached the skill: {served.reached}"


def test_skill_events_may_be_up_to_an_hour_old(verified_app, pki, good_url):
    served = verified_app()
    body = envelope_body({"type": "AlexaSkillEvent.SkillDisabled", "body": {}},
                         now=datetime.now(UTC) - timedelta(minutes=30))
    reply = signed_post(served.base, pki, body, good_url)
    assert reply.status == 200, f"a 30-minute-old skill event was refused: {reply.status} {reply.reason}"
    assert served.reached == ["AlexaSkillEvent.SkillDisabled"], f"the event did not reach the skill: {served.reached}"


# --- the chain cache -------------------------------------------------------------------------------


def test_the_chain_is_downloaded_once_then_served_from_the_cache(verified_app, pki, cert_host):
    url = cert_host.publish("/echo.api/cache-once.pem", pki.chain_pem())
    served = verified_app()
    statuses = [signed_post(served.base, pki, envelope_body(), url).status for _ in range(3)]
    assert statuses == [200, 200, 200], f"signed requests were refused: {statuses}"
    assert cert_host.gets["/echo.api/cache-once.pem"] == 1, (
        f"the chain should be downloaded once, was {cert_host.gets['/echo.api/cache-once.pem']} times")


def test_spellings_of_one_url_share_one_cache_entry(verified_app, pki, cert_host):
    path = "/echo.api/spellings.pem"
    cert_host.publish(path, pki.chain_pem())
    spellings = [
        f"https://s3.amazonaws.com{path}",
        f"HTTPS://S3.AMAZONAWS.COM:443{path}",
        "https://s3.amazonaws.com/echo.api/../echo.api/spellings.pem",
        f"https://s3.amazonaws.com{path}?x-amz-cache=1",
        f"https://s3.amazonaws.com{path}#fragment",
    ]
    served = verified_app()
    statuses = [signed_post(served.base, pki, envelope_body(), url).status for url in spellings]
    assert statuses == [200] * len(spellings), f"a spelling of the certificate URL was refused: {statuses}"
    assert cert_host.gets[path] == 1, f"one URL, {cert_host.gets[path]} downloads: the cache key is not normalised"
    assert served.chains.cached_urls() == [normalise_cert_url(spellings[0])], (
        f"the cache should hold one normalised URL: {served.chains.cached_urls()}")


def test_unsigned_requests_never_cause_a_download(verified_app, cert_host):
    served = verified_app()
    before = cert_host.downloads
    replies = [http("POST", served.base + "/", envelope_body(), {
        "Content-Type": "application/json",
        "SignatureCertChainUrl": f"https://s3.amazonaws.com/echo.api/unsigned-{n}.pem"}) for n in range(20)]
    statuses = [r.status for r in replies]
    assert set(statuses) == {400}, f"unsigned requests were not all refused: {statuses}"
    assert cert_host.downloads == before, f"20 unsigned requests caused {cert_host.downloads - before} downloads"


def test_forged_requests_neither_fill_nor_evict_the_cache_and_downloads_are_rate_limited(
        verified_app, pki, cert_host, good_url):
    served = verified_app(entries=2, downloads_per_minute=5)
    first = signed_post(served.base, pki, envelope_body(), good_url)
    assert first.status == 200, f"the genuine request was refused: {first.status} {first.reason}"
    genuine_downloads = cert_host.gets[GOOD_CERT_PATH]
    before = cert_host.downloads
    for n in range(20):
        path = f"/echo.api/forged-{n}.pem"
        url = cert_host.publish(path, pki.chain_pem())  # a real chain: only the signature is forged
        reply = http("POST", served.base + "/", envelope_body(), {
            "Content-Type": "application/json", "SignatureCertChainUrl": url, "Signature-256": FORGED_SIGNATURE})
        assert reply.status == 400, f"forged request {n} got {reply.status}: {reply.reason}"
    after = signed_post(served.base, pki, envelope_body(), good_url)
    assert cert_host.downloads - before <= 5, (
        f"20 forged requests caused {cert_host.downloads - before} downloads; the limit is 5 a minute")
    assert served.chains.cached_urls() == [normalise_cert_url(good_url)], (
        f"forged requests changed the verified cache: {served.chains.cached_urls()}")
    assert after.status == 200, f"the genuine request after the forgeries was refused: {after.status} {after.reason}"
    assert cert_host.gets[GOOD_CERT_PATH] == genuine_downloads, "the genuine chain was downloaded again: it was evicted"


def test_repeated_forged_requests_for_one_new_url_cause_one_download(verified_app, pki, cert_host):
    path = "/echo.api/one-download.pem"
    url = cert_host.publish(path, pki.chain_pem())
    served = verified_app()
    for _ in range(10):
        reply = http("POST", served.base + "/", envelope_body(), {
            "Content-Type": "application/json", "SignatureCertChainUrl": url, "Signature-256": FORGED_SIGNATURE})
        assert reply.status == 400, f"a forged request got {reply.status}"
    genuine = signed_post(served.base, pki, envelope_body(), url)
    assert genuine.status == 200, f"the genuine request was refused: {genuine.status} {genuine.reason}"
    assert cert_host.gets[path] == 1, f"10 forged and 1 genuine request caused {cert_host.gets[path]} downloads"


def test_a_cached_chain_is_used_only_within_its_validity_window(verified_app, cert_host):
    """The validated chain is kept with its window: past the signing certificate's expiry the
    next request validates it again (a new download) and is refused."""
    start = datetime.now(UTC)
    pki = TestPKI(name="Window", now=start)
    leaf_expires = start + timedelta(days=30)
    path = "/echo.api/window.pem"
    url = cert_host.publish(path, pki.chain_pem())
    clock = [start]
    served = verified_app(clock=lambda: clock[0], trust=pki, max_age=timedelta(days=365))
    inside = [signed_post(served.base, pki, envelope_body(now=clock[0]), url).status for _ in range(2)]
    clock[0] = leaf_expires - timedelta(minutes=1)
    still_inside = signed_post(served.base, pki, envelope_body(now=clock[0]), url)
    clock[0] = leaf_expires + timedelta(minutes=1)
    outside = signed_post(served.base, pki, envelope_body(now=clock[0]), url)
    assert inside == [200, 200], f"requests inside the window were refused: {inside}"
    assert still_inside.status == 200, f"a request a minute before expiry was refused: {still_inside.reason}"
    assert cert_host.gets[path] == 2, f"expected one download, then one after the window closed: {cert_host.gets[path]}"
    assert outside.status == 400, f"a request after the chain expired got {outside.status}"
    assert "expired" in outside.reason, f"the refusal should say the certificate expired: {outside.reason}"
