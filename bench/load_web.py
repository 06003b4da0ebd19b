"""Bounded load test of the web service on loopback.

Starts `backcare serve --no-verify` on 127.0.0.1 (a free port, its own process, SQLite store in a
temporary directory), then for each concurrency level runs that many client threads, each with
one keep-alive HTTP connection, POSTing the envelopes of events/*.json in turn for a fixed time.
Prints requests per second, latency percentiles and the error count per level.

    .venv/bin/python bench/load_web.py                 # 20 s at concurrency 1, 4 and 16
    .venv/bin/python bench/load_web.py --seconds 3     # quicker
    .venv/bin/python bench/load_web.py --levels 1 8 --json

Traffic goes only to 127.0.0.1; every level stops after --seconds or --max-requests, whichever
comes first. The server here is werkzeug's threaded development server (`backcare serve`); a
gunicorn deployment has its own figures. Signature verification is off (--no-verify), so this
measures the skill and the web layer, not certificate checks (those are cached per chain URL).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
TIMEOUT = 10.0


def start_server(state_dir: str) -> tuple[subprocess.Popen[str], int]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": state_dir,
           "LOG_LEVEL": "WARNING"}
    command = [sys.executable, "-m", "backcare_tools", "serve", "--host", HOST, "--port", "0", "--no-verify"]
    proc = subprocess.Popen(command,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = re.search(rf"http://{re.escape(HOST)}:(\d+)/", line)
        if match:
            return proc, int(match.group(1))
        if not line and proc.poll() is not None:
            break
    proc.kill()
    raise SystemExit("the web service did not start (try: .venv/bin/backcare serve --no-verify)")


def load_bodies() -> list[bytes]:
    bodies = [path.read_bytes() for path in sorted((ROOT / "events").glob("*.json"))]
    if not bodies:
        raise SystemExit("events/*.json: no envelopes to send")
    return bodies


def client(port: int, bodies: list[bytes], stop_at: float, budget: list[int], lock: threading.Lock,
           latencies: list[float], errors: list[str]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
    index = 0
    while time.monotonic() < stop_at:
        with lock:
            if budget[0] <= 0:
                break
            budget[0] -= 1
        body = bodies[index % len(bodies)]
        index += 1
        started = time.perf_counter()
        try:
            conn.request("POST", "/", body, {"Content-Type": "application/json"})
            response = conn.getresponse()
            payload = response.read()
            ok = response.status == 200 and b'"response"' in payload
            if not ok:
                errors.append(f"HTTP {response.status}")
        except (OSError, http.client.HTTPException) as exc:
            errors.append(type(exc).__name__)
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=TIMEOUT)
            continue
        latencies.append(time.perf_counter() - started)
    conn.close()


def run_level(port: int, bodies: list[bytes], concurrency: int, seconds: float, max_requests: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    budget, lock = [max_requests], threading.Lock()
    started = time.monotonic()
    stop_at = started + seconds
    threads = [threading.Thread(target=client, args=(port, bodies, stop_at, budget, lock, latencies, errors))
               for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))] * 1000 if ordered else float("nan")

    return {
        "concurrency": concurrency, "seconds": round(elapsed, 2), "requests": len(latencies) + len(errors),
        "ok": len(latencies), "errors": len(errors), "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(pct(0.50), 2), "p95_ms": round(pct(0.95), 2), "p99_ms": round(pct(0.99), 2),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else float("nan"),
        "error_kinds": sorted(set(errors)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--levels", type=int, nargs="+", default=[1, 4, 16], help="concurrency levels")
    parser.add_argument("--seconds", type=float, default=20.0, help="duration of each level (default 20)")
    parser.add_argument("--max-requests", type=int, default=200_000, help="cap per level")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)

    bodies = load_bodies()
    with tempfile.TemporaryDirectory(prefix="backcare-bench-") as state_dir:
        proc, port = start_server(state_dir)
        try:
            results = [run_level(port, bodies, level, args.seconds, args.max_requests) for level in args.levels]
        finally:
            proc.terminate()
            proc.wait(timeout=TIMEOUT)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        print(f"backcare serve --no-verify on {HOST}, {len(bodies)} envelopes from events/, SQLite store")
        print(f"{'conc':>4} {'secs':>6} {'requests':>9} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} "
              f"{'p99 ms':>8} {'errors':>6}")
        for r in results:
            print(f"{r['concurrency']:>4} {r['seconds']:>6} {r['requests']:>9} {r['rps']:>8} {r['p50_ms']:>8} "
                  f"{r['p95_ms']:>8} {r['p99_ms']:>8} {r['errors']:>6}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    raise SystemExit(main())
