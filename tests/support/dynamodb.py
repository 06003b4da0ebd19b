"""A real DynamoDB-compatible server for the tests, and a fault-injecting proxy in front of it.

- `MotoServer`: `moto_server -H 127.0.0.1 -p PORT` as a subprocess (in-memory; stop() loses data).
  `MotoServer(serial=True)` runs moto's same WSGI app on a single-threaded server: moto's threaded
  server checks a ConditionExpression and writes without a lock, so two concurrent conditional
  writes can both pass the same condition (measured: 5 of 200 rounds of 16 threads, under CPU
  load), which DynamoDB never allows. Concurrency tests need DynamoDB's per-item atomicity.
- `FaultProxy`: an HTTP proxy on 127.0.0.1 that forwards to the server, or, when switched,
  refuses connections (listener closed: ECONNREFUSED), hangs, delays, answers with DynamoDB's
  own throttling error, or forwards a write and then drops the reply (the write happened, the
  client cannot know). Stored data stays in the server while the proxy misbehaves, so tests can
  check that nothing stored before a failure was lost.
- `handler_input_for(...)`: a real ASK HandlerInput built from an envelope of
  `backcare_tools.envelopes`, with an AttributesManager over the given adapter.

Fixtures (import the `*_fixture` names into a test module to use them): `moto_server` (session),
`dynamodb_table` (session: the table, created through `backcare_tools.local_table`),
`serial_moto_server` (session: the serial server, with the table), `fault_proxy` (per test).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest

TABLE_NAME = "backcare-test"
REGION = "us-east-1"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_DEFAULT_REGION": REGION, "AWS_EC2_METADATA_DISABLED": "true"}
THROTTLING_BODY = json.dumps({
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded. "
               "Consider increasing your provisioning level with the UpdateTable API.",
}).encode()
_HOP_BY_HOP = {"connection", "keep-alive", "proxy-connection", "transfer-encoding", "te", "upgrade"}


# moto's own server (moto.server.main) with threaded=False: one request at a time.
SERIAL_MOTO_SERVER = """
import sys
from werkzeug.serving import run_simple
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
run_simple(sys.argv[1], int(sys.argv[2]), DomainDispatcherApplication(create_backend_app), threaded=False,
           request_handler=MotoRequestHandler)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def moto_server_command() -> str:
    beside_python = Path(sys.executable).with_name("moto_server")
    found = str(beside_python) if beside_python.exists() else shutil.which("moto_server")
    if not found:
        pytest.fail("moto_server is missing: the dev extra installs moto[server] (scripts/bootstrap.sh)")
    return found


class MotoServer:
    """moto's server mode on 127.0.0.1; start(), stop() and start() again (same port, empty)."""

    def __init__(self, port: int | None = None, log_path: Path | None = None, *, serial: bool = False) -> None:
        self.serial = serial
        self.port = port or free_port()
        self._port_chosen_freely = port is None  # then a lost race for it may pick another
        self.log_path = log_path
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, ready_within: float = 30.0) -> None:
        for _ in range(3):
            if self._start_once(ready_within):
                return
            if not self._port_chosen_freely:
                break
            self.port = free_port()  # another process took the port between probe and bind
        raise RuntimeError(f"moto_server could not start on port {self.port}; see {self.log_path}")

    def _start_once(self, ready_within: float) -> bool:
        env = {**os.environ, **DUMMY_CREDENTIALS}
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            command = ([sys.executable, "-c", SERIAL_MOTO_SERVER, "127.0.0.1", str(self.port)] if self.serial
                       else [moto_server_command(), "-H", "127.0.0.1", "-p", str(self.port)])
            self._process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                return False
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{self.url}/moto-api/", timeout=1) as ok:
                # Still running after answering: the answer came from our server, not a squatter.
                if ok.status == 200 and self._process.poll() is None:
                    return True
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto_server not ready on port {self.port} within {ready_within} s")

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)
        self._process = None


class FaultProxy:
    """HTTP proxy to a DynamoDB-compatible server, switchable to fail in the ways AWS can."""

    PASS, REFUSE, HANG, SLOW, THROTTLE = "pass", "refuse", "hang", "slow", "throttle"
    LOSE_REPLY = "lose_reply"  # forward, then close the connection instead of answering (`lose` times)

    def __init__(self, upstream_url: str, *, hang_limit: float = 60.0) -> None:
        parts = urlsplit(upstream_url)
        self.upstream = (parts.hostname, parts.port)
        self.mode = self.PASS
        self.delay = 0.0
        self.lose = 0  # LOSE_REPLY: replies still to drop (then it passes)
        self.lose_only: str | None = None  # LOSE_REPLY: only for this operation (e.g. "PutItem")
        self.hang_limit = hang_limit
        self.port = free_port()
        self.requests: list[tuple[str, str]] = []  # (mode, X-Amz-Target) of every request seen
        self.abandoned = 0  # hung requests the client gave up on (closed the connection)
        self._generation = 0  # bumped on every switch: releases requests held in the old mode
        self._server: ThreadingHTTPServer | None = None
        self._lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def targets(self, mode: str | None = None) -> list[str]:
        """Operations seen (e.g. 'GetItem'), optionally only those seen in one mode."""
        with self._lock:
            return [target.rpartition(".")[2] for seen_mode, target in self.requests
                    if mode is None or seen_mode == mode]

    def abandoned_count(self, expected: int, within: float = 10.0) -> int:
        """`abandoned`, once it reaches `expected` (the proxy notices a closed client by polling)."""
        deadline = time.monotonic() + within
        while self.abandoned < expected and time.monotonic() < deadline:
            time.sleep(0.02)
        return self.abandoned

    def start(self) -> None:
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _ProxyHandler)
        self._server.daemon_threads = True
        self._server.proxy = self  # type: ignore[attr-defined]
        threading.Thread(target=self._server.serve_forever, name="fault-proxy", daemon=True).start()

    def stop(self) -> None:
        self._generation += 1
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def switch(self, mode: str, *, delay: float = 0.0, lose: int = 1, only: str | None = None) -> None:
        """Change behaviour and start a fresh log of requests (`requests`, `abandoned`).
        REFUSE closes the listening socket; leaving it re-opens the same port. LOSE_REPLY drops
        the reply of the next `lose` requests (of operation `only`, if given), after forwarding them."""
        self.lose, self.lose_only = lose, only
        with self._lock:
            self.requests, self.abandoned = [], 0
        if mode == self.REFUSE and self._server is not None:
            self.mode = mode
            self.stop()
            return
        self._generation += 1  # let held requests go
        self.mode, self.delay = mode, delay
        if self._server is None:
            self.start()

    # -- request handling (called on the handler threads) -------------------------------------

    def handle(self, handler: _ProxyHandler, body: bytes) -> None:
        mode, delay = self.mode, self.delay
        with self._lock:
            self.requests.append((mode, handler.headers.get("X-Amz-Target", "?")))
        if mode == self.REFUSE:
            handler.close_connection = True  # a kept-alive connection: drop it, no answer
            return
        if mode == self.HANG:
            if self._wait_for_release_or_client_gone(handler, self.hang_limit):
                with self._lock:
                    self.abandoned += 1
            handler.close_connection = True
            return
        if mode == self.THROTTLE:
            handler.reply(400, THROTTLING_BODY, {
                "Content-Type": "application/x-amz-json-1.0",
                "x-amzn-RequestId": str(uuid.uuid4()),
                "x-amz-crc32": str(zlib.crc32(THROTTLING_BODY)),
            })
            return
        if mode == self.SLOW and self._wait_for_release_or_client_gone(handler, delay):
            with self._lock:
                self.abandoned += 1
            handler.close_connection = True
            return
        if mode == self.LOSE_REPLY:
            target = handler.headers.get("X-Amz-Target", "?").rpartition(".")[2]
            with self._lock:
                drop = self.lose > 0 and (self.lose_only is None or self.lose_only == target)
                if drop:
                    self.lose -= 1
            if drop:
                self._forward(handler, body, reply=False)
                handler.close_connection = True
                return
        self._forward(handler, body)

    def _wait_for_release_or_client_gone(self, handler: _ProxyHandler, limit: float) -> bool:
        """Wait up to `limit` s; True as soon as the client closes its end (it gave up)."""
        generation, deadline = self._generation, time.monotonic() + limit
        while time.monotonic() < deadline and self._generation == generation:
            readable, _, _ = select.select([handler.connection], [], [], 0.05)
            if readable:
                try:
                    if handler.connection.recv(1, socket.MSG_PEEK) == b"":
                        return True
                except OSError:
                    return True
        return False

    def _forward(self, handler: _ProxyHandler, body: bytes, *, reply: bool = True) -> None:
        headers = {k: v for k, v in handler.headers.items() if k.lower() not in _HOP_BY_HOP}
        upstream = http.client.HTTPConnection(*self.upstream, timeout=30)
        try:
            upstream.request(handler.command, handler.path, body=body, headers=headers)
            response = upstream.getresponse()
            payload = response.read()
            if not reply:
                return
            reply_headers = {k: v for k, v in response.getheaders()
                             if k.lower() not in _HOP_BY_HOP and k.lower() != "content-length"}
            handler.reply(response.status, payload, reply_headers)
        finally:
            upstream.close()


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:  # DynamoDB's JSON protocol is POST only
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.proxy.handle(self, body)  # type: ignore[attr-defined]

    do_GET = do_POST

    def reply(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args) -> None:  # quiet
        pass


def handler_input_for(adapter, *, user_id: str = "amzn1.ask.account.TESTUSER", request: dict | None = None,
                      session_attributes: dict | None = None):
    """A HandlerInput for one real request envelope, with persistence through `adapter`."""
    from ask_sdk_core.attributes_manager import AttributesManager
    from ask_sdk_core.handler_input import HandlerInput
    from ask_sdk_core.serialize import DefaultSerializer
    from ask_sdk_model import RequestEnvelope

    from backcare_tools import envelopes

    session = envelopes.Session(device=envelopes.Device(user_id=user_id),
                                attributes=dict(session_attributes or {}))
    envelope = session.envelope(request or envelopes.launch_request())
    request_envelope = DefaultSerializer().deserialize(json.dumps(envelope), RequestEnvelope)
    attributes_manager = AttributesManager(request_envelope=request_envelope, persistence_adapter=adapter)
    return HandlerInput(request_envelope=request_envelope, attributes_manager=attributes_manager)


def new_user_id() -> str:
    return f"amzn1.ask.account.AE{uuid.uuid4().hex.upper()}"


def dynamodb_adapter(endpoint_url: str, *, timeout: float = 2.0, table: str = TABLE_NAME, **config):
    """The skill's DynamoDB adapter, exactly as `make_adapter` builds it, pointed at `endpoint_url`
    (further Config fields as keywords, e.g. update_attempts=...)."""
    from backcare.config import Config
    from backcare.persistence import make_adapter

    return make_adapter(Config(persistence="dynamodb", table_name=table, aws_region=REGION,
                               dynamodb_endpoint=endpoint_url, store_timeout_seconds=timeout, **config))


@pytest.fixture(scope="session", name="moto_server")
def moto_server_fixture(tmp_path_factory):
    server = MotoServer(log_path=tmp_path_factory.mktemp("moto") / "moto_server.log")
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session", name="dynamodb_table")
def dynamodb_table_fixture(moto_server) -> str:
    """The skill's table on the session's moto server (created by local_table, like a developer would)."""
    from backcare_tools.local_table import create_table

    create_table(moto_server.url, TABLE_NAME, region=REGION)
    return TABLE_NAME


@pytest.fixture(scope="session", name="serial_moto_server")
def serial_moto_server_fixture(tmp_path_factory):
    """A moto server that answers one request at a time (see the module docstring), with the table."""
    from backcare_tools.local_table import create_table

    server = MotoServer(log_path=tmp_path_factory.mktemp("moto-serial") / "moto_server.log", serial=True)
    server.start()
    create_table(server.url, TABLE_NAME, region=REGION)
    yield server
    server.stop()


@pytest.fixture(name="fault_proxy")
def fault_proxy_fixture(moto_server, dynamodb_table):
    proxy = FaultProxy(moto_server.url)
    proxy.start()
    yield proxy
    proxy.stop()
