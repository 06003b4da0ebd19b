"""Bounded load test of the web service as production runs it: gunicorn, verification on.

Starts, on 127.0.0.1 only: a certificate host standing in for S3 and gunicorn with
backcare.gunicorn_conf (2 gthread workers by default) serving `backcare.web:create_app()`, told
through the test trust settings (BACKCARE_TEST_TRUST_ROOTS, BACKCARE_TEST_CERT_MIRROR) to trust
the test PKI of tests/support/webpki.py. SKILL_ID is set, so the application id is checked too,
and the store is SQLite in a temporary folder. For each concurrency level, that many clients,
each with one keep-alive connection, POST the envelopes of events/*.json in turn, each
re-stamped with the current time and signed like Alexa signs (Signature-256,
SignatureCertChainUrl), for a fixed time. Prints requests per second, latency percentiles and
errors (anything but HTTP 200 with a response envelope) per level.

    .venv/bin/python bench/load_web.py                        # 20 s at concurrency 1, 4, 16, 64
    .venv/bin/python bench/load_web.py --seconds 5 --levels 16
    .venv/bin/python bench/load_web.py --json > web.json

Traffic goes only to 127.0.0.1; every level stops after --seconds or --max-requests, whichever
comes first. The load generator (one asyncio thread, pre-built requests) runs on the same
machine as the server and takes part of its two cores.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the test PKI and certificate host: support.webpki, support.web

from support.web import CertificateHost  # noqa: E402
from support.webpki import TestPKI  # noqa: E402

HOST = "127.0.0.1"
TIMEOUT = 10.0
CERT_PATH = "/echo.api/echo-api-cert-bench.pem"
SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-backcarecoach"


def start_gunicorn(workers: int, threads: int, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, int]:
    command = [sys.executable, "-m", "gunicorn", "-c", "python:backcare.gunicorn_conf", "--bind", f"{HOST}:0",
               "--workers", str(workers), "--threads", str(threads), "backcare.web:create_app()"]
    log = open(log_path, "w")  # noqa: SIM115 - the server writes to it until it is stopped
    proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        match = re.search(rf"Listening at: http://{re.escape(HOST)}:(\d+)", log_path.read_text())
        if match and _healthy(int(match.group(1))):
            return proc, int(match.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise SystemExit(f"gunicorn did not start:\n{log_path.read_text()[-3000:]}")


def _healthy(port: int) -> bool:
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
        conn.request("GET", "/health")
        return conn.getresponse().status == 200
    except OSError:
        return False


def signed_requests(pki: TestPKI, cert_url: str) -> list[tuple[bytes, dict[str, str]]]:
    """Every envelope of events/, stamped now and signed; valid for Alexa's 150 s tolerance."""
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    requests = []
    for path in sorted((ROOT / "events").glob("*.json")):
        envelope = json.loads(path.read_text())
        envelope["request"]["timestamp"] = now
        body = json.dumps(envelope).encode()
        requests.append((body, {"Content-Type": "application/json", "SignatureCertChainUrl": cert_url,
                                "Signature-256": pki.sign(body)}))
    if not requests:
        raise SystemExit("events/*.json: no envelopes to send")
    return requests


def raw_requests(port: int, requests: list[tuple[bytes, dict[str, str]]]) -> list[bytes]:
    """Each request as the bytes of an HTTP/1.1 keep-alive POST, built once."""
    raw = []
    for body, headers in requests:
        lines = ["POST / HTTP/1.1", f"Host: {HOST}:{port}", f"Content-Length: {len(body)}"]
        lines += [f"{name}: {value}" for name, value in headers.items()]
        raw.append(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    return raw


async def client(port: int, requests: list[bytes], stop_at: float, budget: list[int], latencies: list[float],
                 errors: list[str], offset: int) -> None:
    """One keep-alive connection sending requests back to back (asyncio: the load generator is
    one thread, so it does not compete with itself for the GIL)."""
    reader, writer = await asyncio.open_connection(HOST, port)
    index = offset
    try:
        while time.monotonic() < stop_at and budget[0] > 0:
            budget[0] -= 1
            request = requests[index % len(requests)]
            index += 1
            started = time.perf_counter()
            try:
                writer.write(request)
                status, payload = await asyncio.wait_for(_response(reader), TIMEOUT)
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                errors.append(type(exc).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(HOST, port)
                continue
            if status != 200 or b'"response"' not in payload:
                errors.append(f"HTTP {status}: {payload[:120]!r}")
                continue
            latencies.append(time.perf_counter() - started)
    finally:
        writer.close()


async def _response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    match = re.search(rb"(?i)\r\ncontent-length: *(\d+)", head)
    if not match:
        raise ValueError("no Content-Length in the answer")
    return status, await reader.readexactly(int(match.group(1)))


def server_cpu_seconds(master: int) -> float | None:
    """User + system CPU of gunicorn's workers so far (Linux /proc; None elsewhere). Per request,
    it shows the service's own cost whatever else the machine is doing."""
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        ticks = 0
        for pid in children:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def run_level(port: int, requests: list, concurrency: int, seconds: float, max_requests: int,
              master: int | None = None) -> dict:
    cpu_before = server_cpu_seconds(master) if master else None
    latencies: list[float] = []
    errors: list[str] = []
    budget = [max_requests]
    raw = raw_requests(port, requests)

    async def level() -> float:
        started = time.monotonic()
        await asyncio.gather(*(client(port, raw, started + seconds, budget, latencies, errors, n)
                               for n in range(concurrency)))
        return time.monotonic() - started

    elapsed = asyncio.run(level())
    cpu_after = server_cpu_seconds(master) if master else None
    cpu_ms = (round((cpu_after - cpu_before) * 1000 / len(latencies), 2)
              if cpu_before is not None and cpu_after is not None and latencies else None)
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000, 2) if ordered else float("nan")

    return {
        "concurrency": concurrency, "seconds": round(elapsed, 2), "requests": len(latencies) + len(errors),
        "ok": len(latencies), "errors": len(errors), "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50), "p95_ms": pct(0.95), "p99_ms": pct(0.99), "server_cpu_ms": cpu_ms,
        "error_kinds": sorted(set(errors))[:5],
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16, 64], help="concurrency levels")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each level (default 20)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per level")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--persistence", choices=("sqlite", "none"), default="sqlite", help="the skill's store")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    pki = TestPKI(name="Bench")
    with tempfile.TemporaryDirectory(prefix="backcare-bench-web-") as folder, CertificateHost() as cert_host:
        cert_url = cert_host.publish(CERT_PATH, pki.chain_pem())
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "LOG_LEVEL": "WARNING", "SKILL_ID": SKILL_ID,
               "PERSISTENCE": args.persistence, "BACKCARE_STATE_DIR": os.path.join(folder, "state"),
               "BACKCARE_TEST_TRUST_ROOTS": str(pki.write_root(Path(folder) / "root.pem")),
               "BACKCARE_TEST_CERT_MIRROR": cert_host.base}
        env.pop("BACKCARE_REQUIRE_SKILL_ID", None)
        proc, port = start_gunicorn(args.workers, args.threads, env, Path(folder) / "gunicorn.log")
        try:
            run_level(port, signed_requests(pki, cert_url), 2 * args.workers, 2.0, 2_000)  # warm up every worker
            results = []
            for level in args.levels:
                requests = signed_requests(pki, cert_url)  # fresh timestamps for each level
                results.append(run_level(port, requests, level, args.seconds, args.max_requests, proc.pid))
        finally:
            proc.terminate()
            proc.wait(timeout=TIMEOUT)
        downloads = cert_host.downloads
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"gunicorn {args.workers} workers x {args.threads} threads on {HOST}, verification on (test PKI), "
              f"SKILL_ID checked, {len(requests)} envelopes from events/, store: {args.persistence}, "
              f"chain downloads: {downloads}")
        print(f"load average before: {load_before}")
        print(f"{'conc':>4} {'secs':>6} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'errors':>6} {'server CPU ms/req':>18}")
        for r in results:
            print(f"{r['concurrency']:>4} {r['seconds']:>6} {r['requests']:>9} {r['rps']:>8} {r['p50_ms']:>8} "
                  f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>6} {r['server_cpu_ms'] or '-':>18}")
            for kind in r["error_kinds"]:
                print(f"      error: {kind}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
