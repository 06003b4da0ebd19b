"""`backcare serve`: the skill's web service on werkzeug's threaded server, for development and
small self-hosted setups (production: gunicorn, see backcare.gunicorn_conf and docs/web.md)."""

from __future__ import annotations

import argparse
import logging
import sys

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="backcare serve",
        description="Serve the skill over HTTP (POST / for Alexa requests, GET /health). "
        "Put it behind a TLS-terminating proxy for Alexa; use gunicorn in production.",
    )
    parser.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default {DEFAULT_PORT}; 0: any free)")
    parser.add_argument(
        "--no-verify",
        action="store_true",
        help="skip request signature and timestamp verification (local testing only)",
    )
    parser.add_argument(
        "--require-skill-id",
        action="store_true",
        help="production: refuse to start without SKILL_ID (same as BACKCARE_REQUIRE_SKILL_ID=1)",
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = _parse(argv)
    from werkzeug.serving import make_server

    from backcare.config import Config
    from backcare.web import HEALTH_ROUTE, SKILL_ROUTE, StartupRefused, create_app

    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        app = create_app(Config.from_env(), verify=not args.no_verify,
                         require_skill_id=True if args.require_skill_id else None)
    except (StartupRefused, ValueError) as refusal:
        print(f"backcare serve: {refusal}", file=sys.stderr)
        return 2
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
