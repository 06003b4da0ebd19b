"""Test helpers for the web service: a test PKI that signs like Alexa, a certificate host on
127.0.0.1, the app on a real HTTP server in a thread, and a skill that records what reaches it."""

from __future__ import annotations

import base64
import json
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlparse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ALEXA_CERT_HOST = "s3.amazonaws.com"
ALEXA_SIGNING_NAME = "echo-api.amazon.com"
HTTP_TIMEOUT = 10.0

_KEYS: dict[str, rsa.RSAPrivateKey] = {}


def _key(name: str) -> rsa.RSAPrivateKey:
    """RSA keys are slow to make: one per role for the whole test run."""
    if name not in _KEYS:
        _KEYS[name] = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return _KEYS[name]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _ca_cert(subject: str, key, issuer_name: x509.Name, issuer_key, now: datetime, *, path_length: int | None):
    return (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=365))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=False, content_commitment=False, key_encipherment=False,
                data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False)
        .sign(issuer_key, hashes.SHA256())
    )


@dataclass
class SigningPKI:
    """A root CA, an intermediate, and Alexa-like signing certificates issued by it."""

    root_name: str = "Back Care Test Root"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __post_init__(self) -> None:
        root_key, inter_key = _key(self.root_name), _key("intermediate")
        self.root = _ca_cert(self.root_name, root_key, _name(self.root_name), root_key, self.now, path_length=1)
        self.intermediate = _ca_cert("Back Care Test Intermediate", inter_key, self.root.subject, root_key,
                                     self.now, path_length=0)
        self.signing_key = _key("signing")

    def leaf(self, *, san: str = ALEXA_SIGNING_NAME, not_before: datetime | None = None,
             not_after: datetime | None = None, digital_signature: bool = True) -> x509.Certificate:
        inter_key = _key("intermediate")
        return (
            x509.CertificateBuilder()
            .subject_name(_name(san))
            .issuer_name(self.intermediate.subject)
            .public_key(self.signing_key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(not_before or self.now - timedelta(days=1))
            .not_valid_after(not_after or self.now + timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(san)]), critical=False)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=digital_signature, content_commitment=False, key_encipherment=True,
                    data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH,
                                                  ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(inter_key.public_key()),
                           critical=False)
            .sign(inter_key, hashes.SHA256())
        )

    def chain_pem(self, leaf: x509.Certificate | None = None) -> bytes:
        leaf = leaf or self.leaf()
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in (leaf, self.intermediate))

    def trust_roots(self) -> list[bytes]:
        return [self.root.public_bytes(serialization.Encoding.DER)]

    def sign(self, body: bytes) -> str:
        signature = self.signing_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
        return base64.b64encode(signature).decode()


class CertificateHost:
    """Serves certificate chains by path on 127.0.0.1 over real HTTP. `fetch` is the injectable
    fetcher: it maps an Alexa certificate URL (https://s3.amazonaws.com/echo.api/...) to this host."""

    def __init__(self) -> None:
        self.chains: dict[str, bytes] = {}
        self.fetched: list[str] = []
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = host.chains.get(self.path)
                self.send_response(200 if body else 404)
                self.end_headers()
                self.wfile.write(body or b"")

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def publish(self, path: str, chain: bytes) -> str:
        """Make the chain available; returns the Alexa-style URL that refers to it."""
        self.chains[path] = chain
        return f"https://{ALEXA_CERT_HOST}{path}"

    def fetch(self, url: str) -> bytes:
        self.fetched.append(url)
        path = urlparse(url).path
        port = self._server.server_address[1]
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=HTTP_TIMEOUT) as response:
            return response.read()

    def __enter__(self) -> CertificateHost:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


@contextmanager
def serving(app) -> Iterator[str]:
    """Run a WSGI app on 127.0.0.1 (free port) in a thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=HTTP_TIMEOUT)


@dataclass
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read())


def recording_skill():
    """A CustomSkill that counts the requests that reach it and answers each with speech."""
    from ask_sdk_core.dispatch_components import AbstractRequestHandler
    from ask_sdk_core.skill_builder import SkillBuilder

    reached: list[str] = []

    class Record(AbstractRequestHandler):
        def can_handle(self, handler_input) -> bool:
            return True

        def handle(self, handler_input):
            reached.append(handler_input.request_envelope.request.object_type)
            return handler_input.response_builder.speak("recorded").set_should_end_session(True).response

    builder = SkillBuilder()
    builder.add_request_handler(Record())
    return builder.create(), reached
