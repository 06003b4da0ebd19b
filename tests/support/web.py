"""Test helpers for the web service: a certificate host that stands in for S3 on 127.0.0.1, the
app on a real HTTP server (in a thread, or as a gunicorn or `backcare serve` process), an HTTP
client that returns whatever status it gets, and a skill that records what reaches it."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from support.webpki import TestPKI

ALEXA_CERT_BASE = "https://s3.amazonaws.com"
GOOD_CERT_PATH = "/echo.api/echo-api-cert-test.pem"  # where the web tests' certificate host serves the good chain
HTTP_TIMEOUT = 10.0
START_TIMEOUT = 60.0


class CertificateHost:
    """Serves certificate chains by path over real HTTP on 127.0.0.1, as S3 serves /echo.api/....

    Give `base` to the verifier as its mirror (ChainFetcher(mirror=...) or
    BACKCARE_TEST_CERT_MIRROR). `gets` counts the downloads of each path.
    """

    def __init__(self) -> None:
        self.routes: dict[str, Callable[[BaseHTTPRequestHandler], None]] = {}
        self.gets: Counter[str] = Counter()
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                host.gets[self.path] += 1
                route = host.routes.get(self.path)
                if route is None:
                    self.send_response(404)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                with suppress(BrokenPipeError, ConnectionResetError):
                    route(self)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def downloads(self) -> int:
        return sum(self.gets.values())

    def publish(self, path: str, chain: bytes) -> str:
        """Serve `chain` at `path`; returns the Alexa-style URL that names it."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(chain)))
            handler.end_headers()
            handler.wfile.write(chain)

        self.routes[path] = route
        return ALEXA_CERT_BASE + path

    def redirect(self, path: str, location: str) -> str:
        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()

        self.routes[path] = route
        return ALEXA_CERT_BASE + path

    def drip(self, path: str, chain: bytes, *, interval: float = 0.2) -> str:
        """Serve `chain` one byte per `interval`: every read is quick, the whole is slow."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(chain)))
            handler.end_headers()
            for byte in chain:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(interval)

        self.routes[path] = route
        return ALEXA_CERT_BASE + path

    def cut_short(self, path: str, chain: bytes) -> str:
        """Announce the whole chain, send half of it, then close the connection."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            handler.send_header("Content-Length", str(len(chain)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(chain[: len(chain) // 2])
            handler.close_connection = True

        self.routes[path] = route
        return ALEXA_CERT_BASE + path

    def oversize(self, path: str, size: int, *, declare_length: bool) -> str:
        """A body of `size` bytes, with or without a Content-Length saying so."""

        def route(handler: BaseHTTPRequestHandler) -> None:
            handler.send_response(200)
            if declare_length:
                handler.send_header("Content-Length", str(size))
            handler.send_header("Connection", "close")
            handler.end_headers()
            block = b"A" * 4096
            for _ in range(size // len(block) + 1):
                handler.wfile.write(block)

        self.routes[path] = route
        return ALEXA_CERT_BASE + path

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
    # A short poll interval: shutdown() waits for one, and every test stops a server.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
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

    @property
    def reason(self) -> str:
        """The JSON `description` of an error answer, or the start of the body."""
        try:
            return str(self.json().get("description"))
        except (ValueError, AttributeError):
            return self.body[:200].decode(errors="replace")


def http(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:
            return Reply(response.status, response.read())
    except urllib.error.HTTPError as error:
        return Reply(error.code, error.read())


def signed_post(base: str, pki: TestPKI, body: bytes, cert_url: str, *, chain: bytes | None = None) -> Reply:
    """POST `body` as Alexa would, naming `cert_url`: signed by the PKI's signing key, or by the
    key of `chain`'s first certificate when the chain has a signing certificate of its own."""
    headers = {"Content-Type": "application/json", "SignatureCertChainUrl": cert_url,
               "Signature-256": pki.sign(body, chain)}
    return http("POST", base + "/", body, headers)


def envelope_body(request: dict[str, Any] | None = None, *, now: datetime | None = None,
                  application_id: str | None = None) -> bytes:
    """A LaunchRequest (or `request`) envelope as the bytes Alexa would send."""
    from backcare_tools.envelopes import Session, launch_request

    envelope = Session().envelope(request or launch_request(), now=now)
    if application_id is not None:
        envelope["context"]["System"]["application"]["applicationId"] = application_id
        if "session" in envelope:
            envelope["session"]["application"]["applicationId"] = application_id
    return json.dumps(envelope).encode()


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


# --- the service as a process ------------------------------------------------------------------


@dataclass
class Process:
    proc: subprocess.Popen
    log: Path
    base: str = ""

    def output(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_for(process: Process, pattern: str, what: str) -> re.Match[str]:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        match = re.search(pattern, process.output())
        if match:
            return match
        if process.proc.poll() is not None:
            break
        time.sleep(0.05)
    raise AssertionError(f"{what} did not start; its output:\n{process.output()[-3000:]}")


def run_to_exit(command: list[str], env: dict[str, str], log: Path) -> Process:
    """Run a command that is expected to refuse to start; returns once it has exited."""
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, text=True)
    try:
        proc.wait(timeout=START_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise AssertionError(f"{command[:3]} kept running; its output:\n{log.read_text()[-3000:]}") from None
    return Process(proc, log)


@contextmanager
def started(command: list[str], env: dict[str, str], log: Path, *, banner: str, what: str) -> Iterator[Process]:
    """Start a server process, wait until `banner` (a regex whose group 1 is the port) is printed
    and /health answers; stop it afterwards."""
    with open(log, "w") as out:
        proc = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, text=True)
    process = Process(proc, log)
    try:
        process.base = f"http://127.0.0.1:{_wait_for(process, banner, what).group(1)}"
        deadline = time.monotonic() + START_TIMEOUT
        while http_status(process.base + "/health") != 200:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise AssertionError(f"{what} never answered /health; its output:\n{process.output()[-3000:]}")
            time.sleep(0.05)
        yield process
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=HTTP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def http_status(url: str) -> int | None:
    try:
        return http("GET", url).status
    except OSError:
        return None


def gunicorn_command(python: str = sys.executable, *extra: str) -> list[str]:
    return [python, "-m", "gunicorn", "-c", "python:backcare.gunicorn_conf", "--bind", "127.0.0.1:0",
            *extra, "backcare.web:create_app()"]


GUNICORN_BANNER = r"Listening at: http://127\.0\.0\.1:(\d+)"
SERVE_BANNER = r"serving on http://127\.0\.0\.1:(\d+)/"


def service_env(**values: str) -> dict[str, str]:
    """The test process's environment for a service process, plus `values`."""
    return {**os.environ, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO", **values}
