"""Alexa request signature verification for the self-hosted web service.

`AlexaRequestVerifier` subclasses the SDK's `RequestVerifier` and keeps its rules (certificate
URL scheme/host/path/port, SHA-256 signature of the raw body from the `Signature-256` header).
It changes what a production server and the tests need changed:

- the certificate chain is fetched through an injectable `fetch` callable; the default one has
  a timeout and a size cap (the SDK's `urlopen` has neither), and chains are cached for a
  bounded time and count;
- the chain is validated against an injectable list of trust roots (default: Mozilla's roots
  from certifi) at the verifier's clock time, through the certvalidator API;
- the signing certificate's validity uses timezone-aware times and a missing SAN is a
  verification failure, not a server error;
- any unexpected error while verifying (bad base64, malformed PEM) rejects the request.

Imported only by `backcare.web` (never by the Lambda function).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

from ask_sdk_webservice_support.verifier import RequestVerifier, VerificationException
from ask_sdk_webservice_support.verifier_constants import CERT_CHAIN_DOMAIN
from certvalidator import CertificateValidator, ValidationContext
from certvalidator.errors import PathError, ValidationError
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

CertificateFetcher = Callable[[str], bytes]
Clock = Callable[[], datetime]

FETCH_TIMEOUT_SECONDS = 3.0
MAX_CHAIN_BYTES = 64 * 1024  # a real chain is about 5 KB
CHAIN_CACHE_SECONDS = 3600.0
CHAIN_CACHE_ENTRIES = 8


def fetch_certificate_chain(url: str, *, timeout: float = FETCH_TIMEOUT_SECONDS) -> bytes:
    """Download a PEM certificate chain over HTTPS, with a timeout and a size cap."""
    from urllib.request import urlopen

    with urlopen(url, timeout=timeout) as response:  # the URL was checked: https://s3.amazonaws.com/echo.api/
        data = response.read(MAX_CHAIN_BYTES + 1)
    if len(data) > MAX_CHAIN_BYTES:
        raise ValueError(f"certificate chain larger than {MAX_CHAIN_BYTES} bytes")
    return data


def _utc_now() -> datetime:
    return datetime.now(UTC)


class AlexaRequestVerifier(RequestVerifier):
    """The SDK's request signature verifier with an injectable fetcher, trust store and clock."""

    def __init__(
        self,
        *,
        fetch: CertificateFetcher | None = None,
        trust_roots: Sequence[bytes] | None = None,
        clock: Clock = _utc_now,
        cache_seconds: float = CHAIN_CACHE_SECONDS,
    ) -> None:
        super().__init__()  # header names SignatureCertChainUrl / Signature-256, PKCS#1 v1.5, SHA-256
        self._fetch = fetch or fetch_certificate_chain
        self._trust_roots = list(trust_roots) if trust_roots is not None else None
        self._clock = clock
        self._cache_seconds = cache_seconds
        self._chains: OrderedDict[str, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def verify(self, headers: Any, serialized_request_env: str, deserialized_request_env: Any) -> None:
        try:
            super().verify(headers, serialized_request_env, deserialized_request_env)
        except VerificationException:
            raise
        except Exception as exc:  # fail closed: anything odd in the signature material rejects
            raise VerificationException(f"Request signature could not be verified: {exc}") from exc

    def _load_cert_chain(self, cert_url: str) -> bytes:
        now = time.monotonic()
        with self._lock:
            cached = self._chains.get(cert_url)
            if cached and now - cached[0] < self._cache_seconds:
                return cached[1]
        try:
            chain = self._fetch(cert_url)
        except (OSError, ValueError) as exc:
            raise VerificationException(f"Unable to load the certificate chain: {exc}") from exc
        with self._lock:
            self._chains[cert_url] = (now, chain)
            self._chains.move_to_end(cert_url)
            while len(self._chains) > CHAIN_CACHE_ENTRIES:
                self._chains.popitem(last=False)
        return chain

    def _validate_cert_chain(self, cert_chain: bytes) -> None:
        try:
            certs = x509.load_pem_x509_certificates(cert_chain)
        except ValueError as exc:
            raise VerificationException("Certificate chain is not valid PEM") from exc
        der = [cert.public_bytes(Encoding.DER) for cert in certs]
        # None: the validator's own default, Mozilla's root store from certifi (parsed once).
        context = ValidationContext(trust_roots=self._trust_roots, moment=self._clock())
        try:
            CertificateValidator(der[0], der[1:], validation_context=context).validate_usage(
                key_usage={"digital_signature"}
            )
        except (PathError, ValidationError) as exc:
            raise VerificationException(f"Certificate chain is not valid: {exc}") from exc

    def _validate_end_certificate(self, x509_cert: x509.Certificate) -> None:
        now = self._clock()
        if not x509_cert.not_valid_before_utc <= now <= x509_cert.not_valid_after_utc:
            raise VerificationException("Signing certificate is expired or not yet valid")
        try:
            names = x509_cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        except x509.ExtensionNotFound as exc:
            raise VerificationException("Signing certificate has no subject alternative name") from exc
        if CERT_CHAIN_DOMAIN not in names.get_values_for_type(x509.DNSName):
            raise VerificationException(f"Signing certificate is not for {CERT_CHAIN_DOMAIN}")
