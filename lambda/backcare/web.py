"""The skill as a self-hosted HTTPS web service (Flask).

    backcare serve [--host H] [--port P] [--no-verify] [--require-skill-id]    # development server
    gunicorn -c python:backcare.gunicorn_conf 'backcare.web:create_app()'     # production, behind TLS

Routes: `POST /` takes the Alexa request envelope and answers with the response envelope;
`GET /health` says whether the service is up and whether it verifies requests.

Every request that is malformed or cannot be verified gets HTTP 400 with a JSON reason and never
reaches the skill: a body over 128 KB, headers over 16 KB, a body that is not UTF-8 JSON (a BOM
or UTF-16 included), JSON nested deeper than 64 levels, an envelope without a request or with a
timestamp that is not ISO 8601 with a time zone, another skill's application id (when
`SKILL_ID` is set), and every failed timestamp or signature check (`backcare.webverify`).

Configuration comes from the same environment as the Lambda (`backcare.config`) plus:
`BACKCARE_REQUIRE_SKILL_ID=1` (or `--require-skill-id`) for production: refuse to start without
`SKILL_ID`, with verification off, or with test trust settings; and, for tests and benchmarks
only, `BACKCARE_TEST_TRUST_ROOTS` (a PEM file that replaces Mozilla's roots) and
`BACKCARE_TEST_CERT_MIRROR` (a loopback URL serving `/echo.api/...` in place of S3).

Flask is a dependency of the `web` extra only: the Lambda function never imports this module.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backcare.webverify import (
    AlexaRequest,
    ApplicationIdVerifier,
    VerificationError,
    Verifier,
    default_verifiers,
    parse_timestamp,
)

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill
    from flask import Flask

    from backcare.config import Config
    from backcare.webverify import SignatureVerifier

log = logging.getLogger("backcare.web")

SKILL_ROUTE = "/"
HEALTH_ROUTE = "/health"
# Alexa's request envelopes are a few KB and its headers well under 1 KB.
MAX_REQUEST_BYTES = 128 * 1024
MAX_HEADER_BYTES = 16 * 1024
MAX_JSON_DEPTH = 64
NO_VERIFY_WARNING = (
    "REQUEST VERIFICATION IS OFF (--no-verify): anyone who can reach this port can drive the skill "
    "as any user. Use it only on a trusted machine for local testing, never as a skill endpoint."
)
NO_SKILL_ID_WARNING = (
    "SKILL_ID is not set: this service answers correctly signed requests for ANY Alexa skill. Set "
    "SKILL_ID to your skill's id, and --require-skill-id (BACKCARE_REQUIRE_SKILL_ID=1) in production."
)
TEST_TRUST_WARNING = (
    "TEST TRUST SETTINGS ARE ON (%s): requests are verified against test certificates, not Amazon's. "
    "For tests and benchmarks only."
)
_TRUE, _FALSE = {"1", "true", "yes", "on"}, {"", "0", "false", "no", "off"}


class StartupRefused(RuntimeError):
    """The service must not start with this configuration (the message says why)."""


class Refused(Exception):
    """A request the service answers with HTTP 400."""


@dataclass(frozen=True)
class WebSettings:
    """The web service's own switches (the skill's are in `backcare.config.Config`)."""

    require_skill_id: bool = False
    test_trust_roots: str | None = None
    test_cert_mirror: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebSettings:
        env = os.environ if env is None else env
        flag = env.get("BACKCARE_REQUIRE_SKILL_ID", "").strip().lower()
        if flag not in _TRUE | _FALSE:
            raise StartupRefused(f"BACKCARE_REQUIRE_SKILL_ID must be 1 or 0, not {flag!r}")
        return cls(
            require_skill_id=flag in _TRUE,
            test_trust_roots=env.get("BACKCARE_TEST_TRUST_ROOTS") or None,
            test_cert_mirror=env.get("BACKCARE_TEST_CERT_MIRROR") or None,
        )

    @property
    def test_trust(self) -> bool:
        return bool(self.test_trust_roots or self.test_cert_mirror)


def create_app(
    config: Config | None = None,
    *,
    verify: bool = True,
    verifiers: Sequence[Verifier] | None = None,
    skill: CustomSkill | None = None,
    settings: WebSettings | None = None,
    require_skill_id: bool | None = None,
) -> Flask:
    """Build the Flask app serving the skill; StartupRefused if it must not start.

    `verifiers` replaces Alexa's timestamp and signature checks (tests pass ones that trust a
    test CA); with `verify=False` none run. The application id check runs whenever the config
    has a skill id. `require_skill_id` overrides the environment's switch. `skill` defaults to
    `build_skill(config)`.
    """
    from flask import Flask, Response, request
    from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

    from backcare.config import Config
    from backcare.logging_setup import configure

    config = config or Config.from_env()
    configure(config.log_level)  # the Lambda's log setup: level from LOG_LEVEL, ids and tokens redacted
    settings = settings or WebSettings.from_env()
    if require_skill_id is not None:
        settings = WebSettings(require_skill_id, settings.test_trust_roots, settings.test_cert_mirror)
    checks = _checks(config, settings, verify, verifiers)
    if skill is None:
        from backcare.skill import build_skill

        skill = build_skill(config)

    app = Flask("backcare")
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["BACKCARE_VERIFY_REQUESTS"] = verify

    @app.post(SKILL_ROUTE)
    def skill_endpoint() -> Any:
        try:
            alexa_request = _read(request)
            for check in checks:
                check.verify(alexa_request)
            envelope = _deserialize(skill, alexa_request.body)
        except (Refused, VerificationError) as refusal:
            log.info("request refused: %s", refusal)
            return _error(400, "Bad Request", str(refusal))
        except RequestEntityTooLarge:
            return _error(400, "Bad Request", f"the body is larger than {MAX_REQUEST_BYTES} bytes")
        except Exception:  # fail closed: input the checks did not foresee is not verified input
            log.exception("request refused: unexpected error while checking it")
            return _error(400, "Bad Request", "the request could not be checked")
        try:
            answer = skill.serializer.serialize(skill.invoke(request_envelope=envelope, context=None))
        except Exception:
            log.exception("the skill failed on a verified request")
            return _error(500, "Internal Server Error", "the skill could not answer")
        return Response(json.dumps(answer, separators=(",", ":")), mimetype="application/json")

    @app.get(HEALTH_ROUTE)
    def health() -> Any:
        return {"status": "ok", "verification": "on" if verify else "off"}

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return _error(error.code or 500, error.name, error.description or "")

    def _error(status: int, name: str, description: str) -> Response:
        body = json.dumps({"error": name, "description": description})
        return Response(body, status=status, mimetype="application/json")

    return app


def _checks(config: Config, settings: WebSettings, verify: bool,
            verifiers: Sequence[Verifier] | None) -> list[Verifier]:
    """The checks every request goes through, after refusing configurations that must not start."""
    if settings.require_skill_id:
        if not config.skill_id:
            raise StartupRefused("SKILL_ID is not set, and --require-skill-id (BACKCARE_REQUIRE_SKILL_ID) "
                                 "says this service must check it: refusing to start")
        if not verify:
            raise StartupRefused("--no-verify cannot be combined with --require-skill-id: refusing to start")
        if settings.test_trust:
            raise StartupRefused("test trust settings (BACKCARE_TEST_*) cannot be combined with "
                                 "--require-skill-id: refusing to start")
    checks: list[Verifier] = [ApplicationIdVerifier(config.skill_id)] if config.skill_id else []
    if not verify:
        log.warning(NO_VERIFY_WARNING)
        return checks
    if not config.skill_id:
        log.warning(NO_SKILL_ID_WARNING)
    if verifiers is None:
        verifiers = default_verifiers(_signature_verifier(settings))
    if not verifiers:
        raise ValueError("verify=True needs at least one verifier")
    return checks + list(verifiers)


def _signature_verifier(settings: WebSettings) -> SignatureVerifier:
    """The production verifier, or one wired to the test trust settings (loudly logged)."""
    from backcare.webcerts import ChainCache, ChainFetcher, ChainValidator, load_certificates
    from backcare.webverify import SignatureVerifier

    if not settings.test_trust:
        return SignatureVerifier()
    names = [n for n, v in (("BACKCARE_TEST_TRUST_ROOTS", settings.test_trust_roots),
                            ("BACKCARE_TEST_CERT_MIRROR", settings.test_cert_mirror)) if v]
    log.warning(TEST_TRUST_WARNING, ", ".join(names))
    validator = None
    if settings.test_trust_roots:
        try:
            with open(settings.test_trust_roots, "rb") as pem:
                roots = load_certificates(pem.read())
        except OSError as exc:
            raise StartupRefused(f"BACKCARE_TEST_TRUST_ROOTS cannot be read: {exc}") from exc
        if not roots:
            raise StartupRefused(f"BACKCARE_TEST_TRUST_ROOTS holds no certificate: {settings.test_trust_roots}")
        validator = ChainValidator(roots)
    try:
        fetch = ChainFetcher(mirror=settings.test_cert_mirror)
    except ValueError as exc:
        raise StartupRefused(f"BACKCARE_TEST_CERT_MIRROR: {exc}") from exc
    return SignatureVerifier(ChainCache(validator=validator, fetch=fetch))


# --- reading a request ---------------------------------------------------------------------------


def _read(request: Any) -> AlexaRequest:
    """The request as bytes, headers and envelope, or Refused with the reason."""
    header_bytes = sum(len(k) + len(v) for k, v in request.environ.items()
                       if isinstance(v, str) and (k.startswith("HTTP_") or k.startswith("CONTENT_")))
    if header_bytes > MAX_HEADER_BYTES:
        raise Refused(f"the request headers are larger than {MAX_HEADER_BYTES} bytes")
    if request.content_length is not None and request.content_length > MAX_REQUEST_BYTES:
        raise Refused(f"the body is larger than {MAX_REQUEST_BYTES} bytes")
    charset = request.mimetype_params.get("charset", "utf-8").lower()
    if charset not in ("utf-8", "utf8"):
        raise Refused("the body must be UTF-8 JSON")
    body = request.get_data(cache=False)
    envelope = parse_envelope(body)
    return AlexaRequest(headers=request.headers, body=body, envelope=envelope)


def parse_envelope(body: bytes) -> dict[str, Any]:
    """The JSON object of an Alexa request envelope, with the shape every check relies on."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused("the body is not UTF-8") from exc
    if text.startswith("\ufeff"):
        raise Refused("the body starts with a byte order mark")
    try:
        envelope = json.loads(text)
    except RecursionError as exc:
        raise Refused(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels") from exc
    except ValueError as exc:
        raise Refused("the body is not JSON") from exc
    if _deeper_than(envelope, MAX_JSON_DEPTH):
        raise Refused(f"the JSON is nested deeper than {MAX_JSON_DEPTH} levels")
    if not isinstance(envelope, dict) or not isinstance(envelope.get("request"), dict):
        raise Refused("the body is not an Alexa request envelope")
    if not isinstance(envelope["request"].get("type"), str):
        raise Refused("the envelope's request has no type")
    try:
        parse_timestamp(envelope["request"].get("timestamp"))
    except VerificationError as exc:
        raise Refused(str(exc)) from exc
    return envelope


def _deeper_than(value: object, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
        for child in children:
            if isinstance(child, dict | list):
                if depth + 1 > limit:
                    return True
                stack.append((child, depth + 1))
    return False


def _deserialize(skill: CustomSkill, body: bytes) -> Any:
    """The SDK's RequestEnvelope, or Refused: a body the SDK cannot read never reaches the skill."""
    from ask_sdk_model import RequestEnvelope

    try:
        envelope = skill.serializer.deserialize(payload=body.decode("utf-8"), obj_type=RequestEnvelope)
    except Exception as exc:
        raise Refused("the envelope does not have Alexa's request format") from exc
    if envelope is None or envelope.request is None:
        raise Refused("the body is not an Alexa request envelope")
    return envelope
