"""Certificate chains: a corpus of good and bad chains from the test PKI, each sent over HTTP as
the chain of a correctly signed request (good ones are answered, bad ones get 400 and never reach
the skill); Amazon's real chain at fixed dates; the download's limits; the URL rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from backcare.webcerts import (
    MAX_CHAIN_BYTES,
    ChainError,
    ChainFetcher,
    ChainValidator,
    load_certificates,
    mozilla_roots,
    normalise_cert_url,
)
from support.web import signed_post
from support.webpki import ANY_USAGE, CLIENT_AUTH, CODE_SIGNING, SERVER_AUTH, TestPKI

AMAZON_CHAIN = Path(__file__).parent / "data" / "amazon-echo-api-chain-2026.pem"


def _dated(pki: TestPKI, args: dict) -> dict:
    """Arguments with the dates (functions of the PKI's `now`) worked out."""
    return {k: v(pki) if callable(v) else v for k, v in args.items()}


def _chain_with_intermediate(**ca_args):
    def build(pki: TestPKI) -> bytes:
        intermediate = pki.ca("Intermediate " + "-".join(ca_args), issuer=pki.root, path_length=0,
                              **_dated(pki, ca_args))
        return pki.chain_pem(pki.leaf(issuer=intermediate), intermediate)
    return build


def _chain_with_leaf(**leaf_args):
    def build(pki: TestPKI) -> bytes:
        return pki.chain_pem(pki.leaf(**_dated(pki, leaf_args)), pki.intermediate)
    return build


def _sha1_leaf(pki: TestPKI) -> bytes:
    return pki.chain_pem(pki.sha1_signed(pki.signing, pki.intermediate), pki.intermediate)


def _sha1_intermediate(pki: TestPKI) -> bytes:
    return pki.chain_pem(pki.signing, pki.sha1_signed(pki.intermediate, pki.root))


def _two_intermediates(pki: TestPKI) -> bytes:
    upper = pki.ca("Upper", issuer=pki.root, path_length=1, eku=[SERVER_AUTH])
    lower = pki.ca("Lower", issuer=upper, path_length=0, eku=[CLIENT_AUTH, SERVER_AUTH])
    return pki.chain_pem(pki.leaf(issuer=lower), lower, upper)


def _untrusted_root(pki: TestPKI) -> bytes:
    return TestPKI(name="Stranger", now=pki.now).chain_pem()


def _days(n: int):
    return lambda pki: pki.now + timedelta(days=n)


GOOD_CHAINS = {
    "ca-eku-server-and-client": lambda pki: pki.chain_pem(),
    "ca-eku-server-only": _chain_with_intermediate(eku=[SERVER_AUTH]),
    "ca-eku-client-only": _chain_with_intermediate(eku=[CLIENT_AUTH]),
    "ca-eku-any": _chain_with_intermediate(eku=[ANY_USAGE]),
    "ca-without-eku": _chain_with_intermediate(eku=None),
    "leaf-eku-server-and-client": _chain_with_leaf(eku=[SERVER_AUTH, CLIENT_AUTH]),
    "leaf-eku-client-only": _chain_with_leaf(eku=[CLIENT_AUTH]),
    "leaf-without-eku": _chain_with_leaf(eku=None),
    "leaf-with-more-names": _chain_with_leaf(sans=("www.example.com", "echo-api.amazon.com")),
    "two-intermediates": _two_intermediates,
    "root-included": lambda pki: pki.chain_pem(pki.signing, pki.intermediate, pki.root),
}

BAD_CHAINS = {  # case: (chain, what the refusal must say)
    "ca-eku-code-signing-only": (_chain_with_intermediate(eku=[CODE_SIGNING]), "issuing CA is restricted"),
    "leaf-expired": (_chain_with_leaf(not_before=_days(-60), not_after=_days(-1)), "expired or not yet valid"),
    "leaf-not-yet-valid": (_chain_with_leaf(not_before=_days(1), not_after=_days(30)), "expired or not yet valid"),
    "intermediate-expired": (_chain_with_intermediate(eku=[SERVER_AUTH], not_before=_days(-400),
                                                      not_after=_days(-1)), "not valid at validation time"),
    "intermediate-not-yet-valid": (_chain_with_intermediate(eku=[SERVER_AUTH], not_before=_days(1)),
                                   "not valid at validation time"),
    "wrong-san": (_chain_with_leaf(sans=("echo-api.example.com",)), "not for echo-api.amazon.com"),
    "san-with-the-name-inside": (_chain_with_leaf(sans=("echo-api.amazon.com.evil.example",)),
                                 "not for echo-api.amazon.com"),
    "wildcard-san": (_chain_with_leaf(sans=("*.amazon.com",)), "not for echo-api.amazon.com"),
    "no-san": (_chain_with_leaf(sans=()), "no subject alternative name"),
    "leaf-may-not-sign": (_chain_with_leaf(digital_signature=False), "may not sign"),
    "leaf-is-a-ca": (_chain_with_leaf(is_ca=True), "basicConstraints.cA must not be asserted"),
    "leaf-sha1": (_sha1_leaf, "Forbidden signature algorithm"),
    "intermediate-sha1": (_sha1_intermediate, "Forbidden signature algorithm"),
    "leaf-rsa-1024": (_chain_with_leaf(key_size=1024), "at least 2048 bits"),
    "issuer-not-a-ca": (_chain_with_intermediate(eku=[SERVER_AUTH], is_ca=False),
                        "basicConstraints.cA must be asserted"),
    "missing-intermediate": (lambda pki: pki.chain_pem(pki.signing), "candidates exhausted"),
    "intermediate-first": (lambda pki: pki.chain_pem(pki.intermediate, pki.signing), "no subject alternative name"),
    "untrusted-root": (_untrusted_root, "candidates exhausted"),
    "not-pem": (lambda pki: b"this is not a certificate chain", "not PEM"),
    "empty": (lambda pki: b"", "not PEM"),
    "truncated-pem": (lambda pki: pki.chain_pem()[:900], "not PEM"),
}


@pytest.mark.parametrize("case", list(GOOD_CHAINS))
def test_good_chains_are_accepted(verified_app, pki, cert_host, case):
    chain = GOOD_CHAINS[case](pki)
    url = cert_host.publish(f"/echo.api/good-{case}.pem", chain)
    served = verified_app()
    reply = signed_post(served.base, pki, _body(), url, chain=chain)
    assert reply.status == 200, f"{case}: a good chain was refused: {reply.status} {reply.reason}"
    assert served.reached == ["LaunchRequest"], f"{case}: the skill was not reached: {served.reached}"


@pytest.mark.parametrize("case", list(BAD_CHAINS))
def test_bad_chains_get_400_and_never_reach_the_skill(verified_app, pki, cert_host, case):
    """The chain is checked before the signature, so the reason names what is wrong with the chain."""
    build, reason = BAD_CHAINS[case]
    url = cert_host.publish(f"/echo.api/bad-{case}.pem", build(pki))
    served = verified_app()
    reply = signed_post(served.base, pki, _body(), url)
    assert reply.status == 400, f"{case}: a bad chain got {reply.status}: {reply.body[:300]!r}"
    assert reason in reply.reason, f"{case}: refused for another reason than {reason!r}: {reply.reason}"
    assert served.reached == [], f"{case}: a request with a bad chain reached the skill: {served.reached}"
    assert served.chains.cached_urls() == [], f"{case}: a bad chain was cached: {served.chains.cached_urls()}"


def _body() -> bytes:
    from support.web import envelope_body

    return envelope_body()


# --- Amazon's real chain ---------------------------------------------------------------------------
# Amazon's echo-api.amazon.com signing chain as published for Alexa in 2026 (public data): signing
# certificate valid 2026-07-28 .. 2027-02-10 (serverAuth only), "Amazon RSA 2048 M01" (serverAuth
# and clientAuth), and "Amazon Root CA 1" as cross-signed by Starfield. It validates against
# Mozilla's roots, which is what shows it is Amazon's.


def test_amazons_real_chain_is_valid_at_a_fixed_date_against_mozillas_roots():
    chain = ChainValidator().validate(AMAZON_CHAIN.read_bytes(), datetime(2026, 9, 1, tzinfo=UTC))
    assert chain.public_key.key_size == 2048, f"unexpected signing key: {chain.public_key.key_size} bits"
    assert chain.not_after == datetime(2027, 2, 10, 23, 59, 59, tzinfo=UTC), (
        f"the validity window should close with the signing certificate: {chain.not_after}")
    assert chain.not_before == datetime(2026, 7, 28, tzinfo=UTC), f"window opens at {chain.not_before}"


@pytest.mark.parametrize(
    ("moment", "reason"),
    [(datetime(2027, 3, 1, tzinfo=UTC), "expired"), (datetime(2026, 7, 1, tzinfo=UTC), "not yet valid")],
    ids=["after-expiry", "before-issue"],
)
def test_amazons_real_chain_is_refused_outside_its_dates(moment, reason):
    with pytest.raises(ChainError, match=reason):
        ChainValidator().validate(AMAZON_CHAIN.read_bytes(), moment)


def test_amazons_real_chain_is_refused_by_a_verifier_that_trusts_other_roots(pki):
    with pytest.raises(ChainError, match="not valid"):
        ChainValidator([pki.root.cert]).validate(AMAZON_CHAIN.read_bytes(), datetime(2026, 9, 1, tzinfo=UTC))


def test_amazons_real_chain_without_its_intermediate_is_refused():
    leaf, _intermediate, cross = load_certificates(AMAZON_CHAIN.read_bytes())
    from cryptography.hazmat.primitives.serialization import Encoding

    pem = leaf.public_bytes(Encoding.PEM) + cross.public_bytes(Encoding.PEM)
    with pytest.raises(ChainError, match="not valid"):
        ChainValidator().validate(pem, datetime(2026, 9, 1, tzinfo=UTC))


def test_a_request_naming_amazons_chain_but_not_signed_by_amazon_is_refused_at_the_signature(
        pki, cert_host, verified_app):
    """Amazon's chain passes every certificate check (Mozilla's roots, a date inside its window),
    so the refusal comes from the signature: only Amazon's key could make it pass."""
    from backcare.webcerts import ChainCache, ChainFetcher
    from support.web import envelope_body

    moment = datetime(2026, 9, 1, tzinfo=UTC)
    url = cert_host.publish("/echo.api/amazon-2026.pem", AMAZON_CHAIN.read_bytes())
    chains = ChainCache(fetch=ChainFetcher(mirror=cert_host.base), clock=lambda: moment)
    chain = chains.lookup(normalise_cert_url(url))
    assert chain.public_key.key_size == 2048, "Amazon's chain should validate through the cache's path"
    served = verified_app(clock=lambda: moment, trust="mozilla")
    reply = signed_post(served.base, pki, envelope_body(now=moment), url)
    assert reply.status == 400, f"a request signed by the test key with Amazon's chain got {reply.status}"
    assert "signature does not match" in reply.reason, f"the refusal should come from the signature: {reply.reason}"
    assert served.reached == [], f"the request reached the skill: {served.reached}"


def test_mozillas_roots_load_and_include_amazons():
    names = {root.subject.rfc4514_string() for root in mozilla_roots()}
    assert "CN=Amazon Root CA 1,O=Amazon,C=US" in names, "Amazon Root CA 1 is missing from the default roots"


# --- the download ----------------------------------------------------------------------------------


def test_a_redirect_is_never_followed(cert_host, pki):
    target = cert_host.publish("/echo.api/redirect-target.pem", pki.chain_pem())
    url = cert_host.redirect("/echo.api/redirecting.pem", cert_host.base + "/echo.api/redirect-target.pem")
    with pytest.raises(ChainError, match="HTTP 302"):
        ChainFetcher(mirror=cert_host.base)(url)
    assert cert_host.gets["/echo.api/redirect-target.pem"] == 0, f"the redirect to {target} was followed"


def test_the_deadline_covers_the_whole_download_not_each_read(cert_host, pki):
    """The host sends one byte every 0.2 s: every read is quick, the whole chain would take minutes."""
    url = cert_host.drip("/echo.api/drip.pem", pki.chain_pem(), interval=0.2)
    with pytest.raises(ChainError, match="longer than 1 s"):
        ChainFetcher(mirror=cert_host.base, deadline_seconds=1.0)(url)


def test_a_chain_cut_short_is_an_error_not_a_shorter_chain(cert_host, pki):
    url = cert_host.cut_short("/echo.api/cut-short.pem", pki.chain_pem())
    with pytest.raises(ChainError, match="cut short"):
        ChainFetcher(mirror=cert_host.base)(url)


@pytest.mark.parametrize("declare_length", [True, False], ids=["content-length", "no-content-length"])
def test_a_chain_over_the_size_cap_is_refused(cert_host, declare_length):
    url = cert_host.oversize(f"/echo.api/huge-{declare_length}.pem", MAX_CHAIN_BYTES * 4, declare_length=declare_length)
    with pytest.raises(ChainError, match="larger than"):
        ChainFetcher(mirror=cert_host.base)(url)


def test_downloads_over_tls_check_the_hosts_certificate(pki, tmp_path):
    """A TLS host whose certificate does not lead to Mozilla's roots is refused (the test CA here)."""
    import ssl
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from cryptography.hazmat.primitives import serialization

    server_cert = pki.leaf(sans=("localhost",))
    (tmp_path / "cert.pem").write_bytes(pki.chain_pem(server_cert, pki.intermediate))
    (tmp_path / "key.pem").write_bytes(server_cert.key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    served: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            served.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        with pytest.raises(ChainError, match="SSL"):
            ChainFetcher(mirror=f"https://localhost:{server.server_address[1]}")(
                "https://s3.amazonaws.com/echo.api/tls.pem")
    finally:
        server.shutdown()
        server.server_close()
    assert served == [], f"the download went ahead over an untrusted TLS connection: {served}"


def test_a_missing_chain_is_an_error(cert_host):
    with pytest.raises(ChainError, match="HTTP 404"):
        ChainFetcher(mirror=cert_host.base)("https://s3.amazonaws.com/echo.api/absent.pem")


@pytest.mark.parametrize("mirror", ["http://10.0.0.1:80", "http://example.com", "ftp://127.0.0.1", "http://127.0.0.1/x"])
def test_a_certificate_mirror_must_be_on_loopback(mirror):
    with pytest.raises(ValueError, match="loopback"):
        ChainFetcher(mirror=mirror)


# --- the URL -------------------------------------------------------------------------------------

CANONICAL = "https://s3.amazonaws.com/echo.api/echo-api-cert.pem"


@pytest.mark.parametrize(
    "url",
    [
        CANONICAL,
        "https://s3.amazonaws.com:443/echo.api/echo-api-cert.pem",
        "HTTPS://S3.AmazonAWS.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/./echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?versionId=1",
        "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#top",
    ],
)
def test_acceptable_certificate_urls_normalise_to_one_key(url):
    assert normalise_cert_url(url) == CANONICAL, f"{url} should normalise to {CANONICAL}"


@pytest.mark.parametrize(
    "url",
    [
        "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://notamazon.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com.evil.example/echo.api/echo-api-cert.pem",
        "https://x.s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://evil.example@s3.amazonaws.com/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com@evil.example/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
        "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
        "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/../invalid/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api/%2e%2e/invalid/echo-api-cert.pem",
        "https://s3.amazonaws.com//echo.api/echo-api-cert.pem",
        "https://s3.amazonaws.com/echo.api\\..\\evil/cert.pem",
        "https://s3.amazonaws.com/echo.api2/cert.pem",
        "https://s3.amazonaws.com/echo.api/",
        "https://s3.amazonaws.com",
        "https://:443/echo.api/cert.pem",
        "https://s3.amazonaws.com:99999/echo.api/cert.pem",
        "file:///etc/passwd",
        "",
    ],
)
def test_unacceptable_certificate_urls_are_refused(url):
    with pytest.raises(ChainError):
        normalise_cert_url(url)
