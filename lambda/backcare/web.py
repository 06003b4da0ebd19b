"""The skill as a self-hosted HTTPS web service (Flask through flask-ask-sdk).

    backcare serve [--host H] [--port P] [--no-verify]      # development server
    gunicorn -w 2 -b 127.0.0.1:8080 'backcare.web:create_app()'   # production, behind TLS

Routes: `POST /` takes the Alexa request envelope and answers with the response envelope;
`GET /health` says whether the service is up and whether it verifies requests.

Alexa only sends to HTTPS endpoints and signs every request. Signature and timestamp
verification are on by default; a request that fails them gets HTTP 400 and never reaches the
skill. `--no-verify` (or `create_app(verify=False)`) is for local testing only and is logged as
a warning every time the app is created. Flask and flask-ask-sdk are development/self-hosting
dependencies: the Lambda function never imports this module.
"""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ask_sdk_core.skill import CustomSkill
    from ask_sdk_webservice_support.verifier import AbstractVerifier
    from flask import Flask

    from backcare.config import Config

log = logging.getLogger("backcare.web")

SKILL_ROUTE = "/"
HEALTH_ROUTE = "/health"
# Alexa request envelopes are a few KB; anything near this size is not from Alexa.
MAX_REQUEST_BYTES = 128 * 1024
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080
NO_VERIFY_WARNING = (
    "REQUEST VERIFICATION IS OFF (--no-verify): anyone who can reach this port can drive the skill "
    "as any user. Use it only on a trusted machine for local testing, never as a skill endpoint."
)


def default_verifiers(signature_verifier: AbstractVerifier | None = None) -> list[AbstractVerifier]:
    """Timestamp check first (cheap, no network), then the signature and its certificate chain."""
    from ask_sdk_webservice_support.verifier import TimestampVerifier

    from backcare.webverify import AlexaRequestVerifier

    return [TimestampVerifier(), signature_verifier or AlexaRequestVerifier()]


def create_app(
    config: Config | None = None,
    *,
    verify: bool = True,
    verifiers: Sequence[AbstractVerifier] | None = None,
    skill: CustomSkill | None = None,
) -> Flask:
    """Build the Flask app serving the skill.

    `verifiers` replaces `default_verifiers()` (tests inject a verifier that trusts a test CA);
    with `verify=False` no verifier runs. `skill` defaults to `build_skill(config)`.
    """
    from flask import Flask, jsonify, request
    from flask_ask_sdk.skill_adapter import SkillAdapter
    from werkzeug.exceptions import BadRequest, HTTPException

    from backcare.config import Config

    config = config or Config.from_env()
    # The same log setup as the Lambda: level from LOG_LEVEL, ids and tokens redacted.
    from backcare.logging_setup import configure

    configure(config.log_level)
    if skill is None:
        from backcare.skill import build_skill

        skill = build_skill(config)
    if verify:
        active = list(verifiers) if verifiers is not None else default_verifiers()
        if not active:
            raise ValueError("verify=True needs at least one verifier")
    else:
        active = []
        log.warning(NO_VERIFY_WARNING)

    app = Flask("backcare")
    app.config["MAX_CONTENT_LENGTH"] = MAX_REQUEST_BYTES
    app.config["BACKCARE_VERIFY_REQUESTS"] = verify
    # The SDK's built-in verifiers are switched off here because the equivalent ones are passed
    # explicitly in `active` (ours adds a fetch timeout, a chain cache and an injectable trust
    # store). These keys must be set before the adapter is built: it reads them once.
    app.config["ASK_SDK_VERIFY_SIGNATURE"] = False
    app.config["ASK_SDK_VERIFY_TIMESTAMP"] = False
    adapter = SkillAdapter(skill=skill, skill_id=config.skill_id or "backcare", verifiers=active, app=app)

    @app.post(SKILL_ROUTE)
    def skill_endpoint() -> Any:
        # Reading the body enforces MAX_CONTENT_LENGTH (413); the adapter reuses the cached body.
        try:
            envelope = json.loads(request.get_data(cache=True))
        except ValueError as exc:
            raise BadRequest("The body is not JSON") from exc
        if not isinstance(envelope, dict) or "request" not in envelope:
            raise BadRequest("The body is not an Alexa request envelope")
        return adapter.dispatch_request()

    @app.get(HEALTH_ROUTE)
    def health() -> Any:
        return jsonify(status="ok", verification="on" if verify else "off")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        return jsonify(error=error.name, description=error.description), error.code

    return app


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="backcare serve",
        description="Serve the skill over HTTP (POST / for Alexa requests, GET /health). "
        "Put it behind a TLS-terminating proxy for Alexa; use gunicorn in production.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip request signature and timestamp verification (local testing only)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _parse(argv)
    from werkzeug.serving import make_server

    from backcare.config import Config

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    app = create_app(config, verify=not args.no_verify)
    server = make_server(args.host, args.port, app, threaded=True)
    host, port = server.server_address[:2]
    verification = "OFF" if args.no_verify else "on"
    print(f"backcare: serving on http://{host}:{port}{SKILL_ROUTE} (health: {HEALTH_ROUTE}; "
          f"request verification {verification}); Ctrl-C stops", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
