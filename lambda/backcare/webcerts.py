"""Alexa's signing certificate chain for the web service: its URL, download, validation and cache.

Amazon's rules ("Verify that the request was sent by Alexa"): the `SignatureCertChainUrl` is
`https://s3.amazonaws.com/echo.api/...` (scheme and host case-insensitive, port 443 if given, the
path case-sensitive once `..` segments are resolved); the chain's first certificate signs the
request; it must be valid now, list `echo-api.amazon.com` among its DNS subject alternative
names, and chain to a trusted root.

Path building and checking use `cryptography.x509.verification` (the web-PKI profile: no SHA-1,
RSA >= 2048 bits, CA basic constraints and key usage, path lengths). Two rules are widened on
purpose: an issuing CA may list serverAuth, clientAuth or anyExtendedKeyUsage (or no extended
key usage at all), and the signing certificate's own extended key usages are not constrained,
because Amazon's rules say nothing about either. Revocation is not checked (Amazon's rules do
not ask for it and the SDK never did).

Imported only by the web service (never by the Lambda function).
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import ipaddress
import posixpath
import re
import socket
import ssl
import threading
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.verification import (
    Criticality,
    DNSName,
    ExtensionPolicy,
    PolicyBuilder,
    Store,
    VerificationError,
)

CERT_URL_HOST = "s3.amazonaws.com"
CERT_URL_PATH_PREFIX = "/echo.api/"
SIGNING_NAME = "echo-api.amazon.com"
FETCH_DEADLINE_SECONDS = 3.0  # for the whole download: connect, TLS, headers and body
MAX_CHAIN_BYTES = 64 * 1024  # Amazon's chain is about 5 KB
MAX_CHAIN_CERTIFICATES = 8
MIN_RSA_BITS = 2048
CA_EXTENDED_KEY_USAGES = frozenset(
    {ExtendedKeyUsageOID.SERVER_AUTH, ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE}
)

Clock = Callable[[], datetime]
Fetcher = Callable[[str], bytes]


class ChainError(Exception):
    """The certificate URL or chain cannot be trusted; the request gets HTTP 400."""


def utc_now() -> datetime:
    return datetime.now(UTC)


# --- the URL -------------------------------------------------------------------------------------

_PATH_CHARACTERS = re.compile(r"[A-Za-z0-9._~/!$&'()*+,;=:@-]+")


def normalise_cert_url(url: str) -> str:
    """The canonical form of an acceptable `SignatureCertChainUrl`, else ChainError.

    The result (`https://s3.amazonaws.com/echo.api/<name>`) is both what is downloaded and the
    cache key, so spellings of one URL share a cache entry. A query string or fragment is
    dropped: S3 would serve the same object without it. Percent-escapes, backslashes and user
    info are refused, since Amazon's URLs have none and they only serve to disguise a path.
    """
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except (ValueError, AttributeError) as exc:
        raise ChainError("the certificate URL cannot be parsed") from exc
    if parts.scheme.lower() != "https":
        raise ChainError("the certificate URL is not https")
    if (parts.hostname or "") != CERT_URL_HOST or "@" in parts.netloc:
        raise ChainError(f"the certificate URL's host is not {CERT_URL_HOST}")
    if port not in (None, 443):
        raise ChainError("the certificate URL's port is not 443")
    if not _PATH_CHARACTERS.fullmatch(parts.path or "/"):
        raise ChainError("the certificate URL's path has characters Amazon's URLs never have")
    path = posixpath.normpath(parts.path)
    name = path[len(CERT_URL_PATH_PREFIX):]
    if not path.startswith(CERT_URL_PATH_PREFIX) or not name or "/" in name:
        raise ChainError(f"the certificate URL's path is not under {CERT_URL_PATH_PREFIX}")
    return f"https://{CERT_URL_HOST}{path}"


# --- validation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValidatedChain:
    """What a request needs from a chain that passed validation: the signing key, and the window
    in which every certificate of the validated path is valid (so the chain is not validated
    again on every request, only once the window closes)."""

    public_key: RSAPublicKey
    not_before: datetime
    not_after: datetime

    def valid_at(self, moment: datetime) -> bool:
        return self.not_before <= moment <= self.not_after


def _ca_extended_key_usage(_policy: object, _cert: x509.Certificate, usage: x509.ExtendedKeyUsage | None) -> None:
    if usage is not None and not CA_EXTENDED_KEY_USAGES.intersection(usage):
        raise ValueError("an issuing CA is restricted to usages other than serverAuth, clientAuth or any")


@functools.cache
def _extension_policies() -> tuple[ExtensionPolicy, ExtensionPolicy]:
    ca = ExtensionPolicy.webpki_defaults_ca().may_be_present(
        x509.ExtendedKeyUsage, Criticality.AGNOSTIC, _ca_extended_key_usage
    )
    leaf = ExtensionPolicy.webpki_defaults_ee().may_be_present(x509.ExtendedKeyUsage, Criticality.AGNOSTIC, None)
    return ca, leaf


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    """Every certificate of a PEM bundle that this cryptography release accepts without warning.

    A few old roots in Mozilla's list have non-positive serial numbers: they are skipped one by
    one, so a stricter release cannot empty the list.
    """
    blocks = re.findall(rb"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", pem, re.S)
    certificates = []
    for block in blocks:
        with warnings.catch_warnings():
            warnings.simplefilter("error", CryptographyDeprecationWarning)
            try:
                certificates.append(x509.load_pem_x509_certificate(block))
            except (ValueError, CryptographyDeprecationWarning):
                continue
    return certificates


@functools.cache
def mozilla_roots() -> tuple[x509.Certificate, ...]:
    """Mozilla's root store as packaged by certifi, parsed once per process."""
    import certifi

    with open(certifi.where(), "rb") as bundle:
        return tuple(load_certificates(bundle.read()))


class ChainValidator:
    """Validates a PEM chain (signing certificate first) against a set of trust roots."""

    def __init__(self, trust_roots: Iterable[x509.Certificate] | None = None) -> None:
        roots = list(trust_roots) if trust_roots is not None else list(mozilla_roots())
        if not roots:
            raise ValueError("at least one trust root is needed")
        self._store = Store(roots)

    def validate(self, pem: bytes, moment: datetime) -> ValidatedChain:
        try:
            certificates = x509.load_pem_x509_certificates(pem)
        except ValueError as exc:
            raise ChainError("the certificate chain is not PEM") from exc
        if len(certificates) > MAX_CHAIN_CERTIFICATES:
            raise ChainError(f"the certificate chain has more than {MAX_CHAIN_CERTIFICATES} certificates")
        leaf, intermediates = certificates[0], certificates[1:]
        _check_signing_certificate(leaf, moment)
        ca_policy, leaf_policy = _extension_policies()
        verifier = (
            PolicyBuilder()
            .store(self._store)
            .time(moment)
            .extension_policies(ca_policy=ca_policy, ee_policy=leaf_policy)
            .build_server_verifier(DNSName(SIGNING_NAME))
        )
        try:
            path = verifier.verify(leaf, intermediates)
        except VerificationError as exc:
            raise ChainError(f"the certificate chain is not valid: {exc}") from exc
        public_key = leaf.public_key()
        if not isinstance(public_key, RSAPublicKey) or public_key.key_size < MIN_RSA_BITS:
            raise ChainError(f"the signing certificate's key is not RSA of at least {MIN_RSA_BITS} bits")
        return ValidatedChain(
            public_key=public_key,
            not_before=max(cert.not_valid_before_utc for cert in path),
            not_after=min(cert.not_valid_after_utc for cert in path),
        )


def _check_signing_certificate(leaf: x509.Certificate, moment: datetime) -> None:
    """Amazon's rules for the signing certificate, checked explicitly (exact SAN, no wildcard)."""
    if not leaf.not_valid_before_utc <= moment <= leaf.not_valid_after_utc:
        raise ChainError("the signing certificate is expired or not yet valid")
    try:
        names = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        usage = leaf.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound as exc:
        raise ChainError("the signing certificate has no subject alternative name or key usage") from exc
    except ValueError as exc:  # a malformed extension
        raise ChainError(f"the signing certificate cannot be read: {exc}") from exc
    if SIGNING_NAME not in names.get_values_for_type(x509.DNSName):
        raise ChainError(f"the signing certificate is not for {SIGNING_NAME}")
    if not usage.digital_signature:
        raise ChainError("the signing certificate may not sign")


# --- download ------------------------------------------------------------------------------------


class ChainFetcher:
    """Downloads a chain: no redirects, one deadline for the whole download, a size cap.

    `mirror` (tests and benchmarks only) is a loopback base URL that serves the same paths as
    S3 over plain HTTP, e.g. `http://127.0.0.1:8999`.
    """

    def __init__(
        self,
        *,
        deadline_seconds: float = FETCH_DEADLINE_SECONDS,
        max_bytes: int = MAX_CHAIN_BYTES,
        mirror: str | None = None,
    ) -> None:
        self.deadline_seconds = deadline_seconds
        self.max_bytes = max_bytes
        self.mirror = check_mirror(mirror) if mirror else None

    def __call__(self, url: str) -> bytes:
        target = urlsplit(self.mirror + urlsplit(url).path if self.mirror else url)
        deadline = time.monotonic() + self.deadline_seconds
        if target.scheme == "https":
            import certifi  # the same Mozilla roots as the chain check: no reliance on the OS store

            context = ssl.create_default_context(cafile=certifi.where())
            connection: http.client.HTTPConnection = http.client.HTTPSConnection(
                target.hostname, target.port, timeout=self.deadline_seconds, context=context
            )
        else:
            connection = http.client.HTTPConnection(target.hostname, target.port, timeout=self.deadline_seconds)
        # A drip-fed answer can satisfy every per-read timeout; the watchdog shuts the socket at
        # the deadline whatever step (connect, TLS, headers, body) the download is in.
        watchdog = threading.Timer(self.deadline_seconds, _shut, (connection,))
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._download(connection, target.path, deadline)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            if time.monotonic() >= deadline:
                raise ChainError(f"the certificate download took longer than {self.deadline_seconds:g} s") from exc
            raise ChainError(f"the certificate download failed: {type(exc).__name__}") from exc
        finally:
            watchdog.cancel()
            connection.close()

    def _download(self, connection: http.client.HTTPConnection, path: str, deadline: float) -> bytes:
        connection.request("GET", path, headers={"Accept": "*/*", "Connection": "close"})
        response = connection.getresponse()
        if response.status != 200:  # redirects included: they are never followed
            raise ChainError(f"the certificate download answered HTTP {response.status}")
        declared = response.getheader("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise ChainError(f"the certificate chain is larger than {self.max_bytes} bytes")
        data = bytearray()
        while len(data) <= self.max_bytes:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ChainError(f"the certificate download took longer than {self.deadline_seconds:g} s")
            if connection.sock is not None:
                connection.sock.settimeout(remaining)
            chunk = response.read1(16 * 1024)
            if not chunk:  # the end, or the watchdog shut the socket, or the host stopped early
                if time.monotonic() >= deadline:
                    raise ChainError(f"the certificate download took longer than {self.deadline_seconds:g} s")
                if declared and declared.isdigit() and len(data) != int(declared):
                    raise ChainError("the certificate download was cut short")
                return bytes(data)
            data += chunk
        raise ChainError(f"the certificate chain is larger than {self.max_bytes} bytes")


def _shut(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def check_mirror(mirror: str) -> str:
    """A certificate mirror must be an http(s) URL on this machine (loopback); returns it unslashed."""
    parts = urlsplit(mirror)
    host = parts.hostname or ""
    try:
        loopback = host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = False
    if parts.scheme not in ("http", "https") or not loopback or parts.path.strip("/") or parts.query:
        raise ValueError(f"a certificate mirror must be http://127.0.0.1:PORT (loopback only), not {mirror!r}")
    return mirror.rstrip("/")


# --- cache ---------------------------------------------------------------------------------------


@dataclass
class _Outcome:
    at: datetime
    chain: ValidatedChain | None = None
    error: ChainError | None = None


class ChainCache:
    """Validated chains by normalised URL, and the rules for downloading new ones.

    `lookup` answers from the verified cache when it can. That cache is bounded and is filled
    (and so evicted from) only by `confirm`, which the verifier calls once a request's signature
    checked out with the chain: forged requests can neither fill it nor push Amazon's chain out.
    Otherwise a download is needed; downloads run one at a time, at most `downloads_per_minute`
    (a burst of that many, then an even rate), and the outcome of each, chain or error, is kept
    for a short while in a separate bounded table, so repeated requests naming one URL cause one
    download.
    """

    def __init__(
        self,
        *,
        validator: ChainValidator | None = None,
        fetch: Fetcher | None = None,
        clock: Clock = utc_now,
        entries: int = 8,
        max_age: timedelta = timedelta(hours=24),
        recent_success: timedelta = timedelta(minutes=5),
        recent_failure: timedelta = timedelta(seconds=10),
        downloads_per_minute: int = 10,
    ) -> None:
        self._validator = validator or ChainValidator()
        self._fetch = fetch or ChainFetcher()
        self._clock = clock
        self._entries = entries
        self._max_age = max_age
        self._recent_success, self._recent_failure = recent_success, recent_failure
        self._verified: OrderedDict[str, _Outcome] = OrderedDict()
        self._recent: OrderedDict[str, _Outcome] = OrderedDict()
        self._lock = threading.Lock()
        self._download_lock = threading.Lock()
        self._rate = downloads_per_minute / 60.0
        self._capacity = float(downloads_per_minute)
        self._tokens, self._refilled = self._capacity, time.monotonic()

    def lookup(self, url: str) -> ValidatedChain:
        """The validated chain of a normalised URL, from the cache or downloaded; else ChainError."""
        now = self._clock()
        cached = self._cached(now, url)
        if cached is not None:
            return cached
        with self._download_lock:  # one download at a time; the winner's result serves the others
            cached = self._cached(now, url)
            if cached is not None:
                return cached
            recent = self._recently(now, url)
            if recent is not None:
                if recent.error is not None:
                    raise recent.error
                return recent.chain  # type: ignore[return-value]
            if not self._take_token():
                raise ChainError("too many certificate downloads; try again shortly")
            try:
                chain = self._validator.validate(self._fetch(url), now)
            except ChainError as error:
                self._remember(url, _Outcome(now, error=error))
                raise
            self._remember(url, _Outcome(now, chain=chain))
            return chain

    def confirm(self, url: str, chain: ValidatedChain) -> None:
        """Keep `chain` for `url`: a request signed with it has just been verified."""
        with self._lock:
            entry = self._verified.get(url)
            if entry is not None and entry.chain is chain:
                self._verified.move_to_end(url)
                return
            recent = self._recent.pop(url, None)
            self._verified[url] = _Outcome(recent.at if recent else self._clock(), chain=chain)
            self._verified.move_to_end(url)
            while len(self._verified) > self._entries:
                self._verified.popitem(last=False)

    def cached_urls(self) -> list[str]:
        with self._lock:
            return list(self._verified)

    def _cached(self, now: datetime, url: str) -> ValidatedChain | None:
        with self._lock:
            entry = self._verified.get(url)
            if entry is None:
                return None
            chain = entry.chain
            if chain is not None and chain.valid_at(now) and now - entry.at < self._max_age:
                return chain
            del self._verified[url]  # out of its validity window or too old: download again
            return None

    def _recently(self, now: datetime, url: str) -> _Outcome | None:
        with self._lock:
            outcome = self._recent.get(url)
            if outcome is None:
                return None
            keep = self._recent_failure if outcome.error is not None else self._recent_success
            fresh = now - outcome.at < keep and (outcome.chain is None or outcome.chain.valid_at(now))
            if not fresh:
                del self._recent[url]
                return None
            return outcome

    def _remember(self, url: str, outcome: _Outcome) -> None:
        with self._lock:
            self._recent[url] = outcome
            self._recent.move_to_end(url)
            while len(self._recent) > 4 * self._entries:
                self._recent.popitem(last=False)

    def _take_token(self) -> bool:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            return False
        self._tokens -= 1
        return True
