"""Checks that a web request comes from Alexa, for this skill, now (the web service only).

Each verifier takes an `AlexaRequest` (the raw body bytes, the headers and the parsed envelope)
and raises `VerificationError` to refuse it; the web service answers HTTP 400 and the skill
never sees the request. Cheap checks run first, so a request that fails them never causes a
certificate download:

- `TimestampVerifier`: `request.timestamp` within 150 s of now (an hour for skill events);
- `ApplicationIdVerifier`: every application id in the envelope is the configured `SKILL_ID`
  (the web service runs it whenever `SKILL_ID` is set, before the others, even with --no-verify);
- `SignatureVerifier`: the `Signature-256` header is the RSA/SHA-256 signature of the exact body
  bytes by the signing certificate at `SignatureCertChainUrl` (see `backcare.webcerts`).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.hashes import SHA256

from backcare.webcerts import ChainCache, ChainError, Clock, normalise_cert_url, utc_now

CERT_URL_HEADER = "SignatureCertChainUrl"
SIGNATURE_HEADER = "Signature-256"
TOLERANCE_SECONDS = 150
SKILL_EVENT_TOLERANCE_SECONDS = 3600
SKILL_EVENT_PREFIX = "AlexaSkillEvent."
# RSA signatures are as long as the key: 2048 to 8192 bits. Anything else is refused before any
# certificate is downloaded for it.
SIGNATURE_BYTES = range(256, 1025)


class VerificationError(Exception):
    """The request is not verifiably from Alexa for this skill; it gets HTTP 400."""


@dataclass(frozen=True)
class AlexaRequest:
    headers: Mapping[str, str]
    body: bytes
    envelope: dict[str, Any]


class Verifier(Protocol):
    def verify(self, request: AlexaRequest) -> None: ...


def parse_timestamp(value: object) -> datetime:
    """`request.timestamp` as an aware datetime; ISO 8601 with a time zone, as Alexa sends it."""
    if not isinstance(value, str) or len(value) > 40:
        raise VerificationError("request.timestamp is not an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise VerificationError("request.timestamp is not an ISO 8601 date and time") from exc
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise VerificationError("request.timestamp has no time zone")
    return moment


class TimestampVerifier:
    def __init__(self, *, clock: Clock = utc_now) -> None:
        self._clock = clock

    def verify(self, request: AlexaRequest) -> None:
        body = request.envelope["request"]
        moment = parse_timestamp(body.get("timestamp"))
        tolerance = SKILL_EVENT_TOLERANCE_SECONDS if str(body.get("type", "")).startswith(
            SKILL_EVENT_PREFIX) else TOLERANCE_SECONDS
        if abs((self._clock() - moment).total_seconds()) > tolerance:
            raise VerificationError(f"request.timestamp is more than {tolerance} s from now")


def application_ids(envelope: Mapping[str, Any]) -> list[object]:
    """The application ids an envelope names: context.System's and, when present, the session's."""
    context, session = envelope.get("context"), envelope.get("session")
    system = context.get("System") if isinstance(context, dict) else None
    found = []
    for owner in (system, session):
        application = owner.get("application") if isinstance(owner, dict) else None
        if isinstance(application, dict) and "applicationId" in application:
            found.append(application["applicationId"])
    return found


class ApplicationIdVerifier:
    def __init__(self, skill_id: str) -> None:
        self._skill_id = skill_id

    def verify(self, request: AlexaRequest) -> None:
        ids = application_ids(request.envelope)
        if not ids or any(found != self._skill_id for found in ids):
            raise VerificationError("the request is not for this skill's application id")


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # a plain dict from a test, not a case-insensitive header map
        value = next((v for k, v in headers.items() if k.lower() == name.lower()), None)
    return value


def decode_signature(value: str) -> bytes:
    try:
        signature = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise VerificationError(f"the {SIGNATURE_HEADER} header is not base64") from exc
    if len(signature) not in SIGNATURE_BYTES:
        raise VerificationError(f"the {SIGNATURE_HEADER} header is not an RSA signature")
    return signature


class SignatureVerifier:
    """Amazon's signature check over the raw body, with chains from a `ChainCache`."""

    def __init__(self, chains: ChainCache | None = None) -> None:
        self.chains = chains or ChainCache()

    def verify(self, request: AlexaRequest) -> None:
        cert_url = _header(request.headers, CERT_URL_HEADER)
        encoded = _header(request.headers, SIGNATURE_HEADER)
        if not cert_url or not encoded:
            raise VerificationError(f"the {SIGNATURE_HEADER} or {CERT_URL_HEADER} header is missing")
        signature = decode_signature(encoded)
        try:
            url = normalise_cert_url(cert_url)
            chain = self.chains.lookup(url)
        except ChainError as exc:
            raise VerificationError(str(exc)) from exc
        try:
            chain.public_key.verify(signature, request.body, PKCS1v15(), SHA256())
        except (InvalidSignature, ValueError) as exc:
            raise VerificationError("the signature does not match the body") from exc
        self.chains.confirm(url, chain)


def default_verifiers(signature: SignatureVerifier | None = None, *, clock: Clock = utc_now) -> list[Verifier]:
    """Alexa's checks: the timestamp (cheap) before the signature (may download a chain)."""
    return [TimestampVerifier(clock=clock), signature or SignatureVerifier()]


def run(verifiers: Sequence[Verifier], request: AlexaRequest) -> None:
    for verifier in verifiers:
        verifier.verify(request)
