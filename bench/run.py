"""Benchmarks: Back Care Coach beside the smallest honest ASK SDK skill, in the same run.

    .venv/bin/python bench/run.py            # full run (about a minute)
    .venv/bin/python bench/run.py --quick    # fewer repetitions (a smoke run)
    .venv/bin/python bench/run.py --json out.json

Scenarios (ratios are project / baseline, same interpreter, same machine, interleaved runs):
  a  cold yes/no   a fresh process imports the entry point and answers one yes/no turn of the check
  b  cold launch   a fresh process answers a LaunchRequest (project: SQLite store)
  c  warm turns    per-turn latency over a scripted full check in one process (p50, p99)
  d  peak RSS      a fresh process that runs the whole scripted check
  e  DynamoDB      cold launch and cold yes/no with PERSISTENCE=dynamodb against a local moto server
                   (skipped with --no-dynamodb or when moto_server is missing)
Nothing here is a test: figures are printed, targets are shown, the exit code is 0.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PROJECT_DIR = ROOT / "lambda"
BASELINE_DIR = Path(os.environ.get("BACKCARE_BASELINE_DIR", ROOT.parent / "shared" / "bench" / "baseline_skill"))
sys.path.insert(0, str(PROJECT_DIR))

from backcare_tools import envelopes as env  # noqa: E402

TARGETS = {
    "a_cold_yes_no": 1.3,
    "b_cold_launch": 1.5,
    "c_warm_p50": 2.0,
}
P99_LIMIT_MS = 2.0
RSS_EXTRA_MIB = 10.0

# A child process: put the skill's directory first on sys.path (as Lambda does), import the
# entry point, answer the envelopes in argv[2], print timings and peak RSS as JSON.
CHILD = r"""
import json, sys, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1])
import lambda_function
t1 = time.perf_counter()
events = json.load(open(sys.argv[2]))
turns = []
for event in events:
    s = time.perf_counter()
    out = lambda_function.lambda_handler(event, None)
    turns.append(time.perf_counter() - s)
    assert out.get("version") == "1.0", out
# VmHWM, not ru_maxrss: ru_maxrss keeps the high-water mark of the forking parent across exec.
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"import": t1 - t0, "turns": turns, "rss_kib": hwm,
                  "boto3": "boto3" in sys.modules, "requests": "requests" in sys.modules}))
"""


def scripted_check() -> list[dict]:
    """Launch, yes (start the check), fourteen no's, no to the offers: a whole conversation."""
    session = env.Session()
    handler = _in_process_handler(PROJECT_DIR, persistence="none")
    requests = [env.launch_request(), env.intent_request("AMAZON.YesIntent")]
    requests += [env.intent_request("AMAZON.NoIntent")] * 14
    requests += [env.intent_request("AMAZON.NoIntent"), env.intent_request("AMAZON.StopIntent")]
    out = []
    for request in requests:
        envelope = session.envelope(request)
        out.append(envelope)
        response = handler(envelope, None)
        if response.get("response", {}).get("shouldEndSession"):
            break
        session.absorb(response)
    return out


def mid_check_yes_no() -> dict:
    """One "no" to the first question, with the session attributes the skill itself produced."""
    session = env.Session()
    handler = _in_process_handler(PROJECT_DIR, persistence="none")
    session.absorb(handler(session.envelope(env.intent_request("CheckSymptomsIntent")), None))
    return session.envelope(env.intent_request("AMAZON.NoIntent"))


def _in_process_handler(directory: Path, persistence: str):
    import importlib.util

    os.environ["PERSISTENCE"] = persistence
    name = f"lf_{directory.name}_{persistence}"
    spec = importlib.util.spec_from_file_location(name, directory / "lambda_function.py")
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(directory))
    spec.loader.exec_module(module)
    return module.lambda_handler


def run_child(directory: Path, events: list[dict], env_extra: dict[str, str]) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(events, fh)
        path = fh.name
    child_env = {k: v for k, v in os.environ.items() if k not in ("PERSISTENCE", "PYTHONPATH")}
    child_env.update({"LOG_LEVEL": "INFO", **env_extra})
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", CHILD, str(directory), path], capture_output=True, text=True,
                            env=child_env, cwd=tempfile.gettempdir(), check=False)
    wall = time.perf_counter() - start
    os.unlink(path)
    if result.returncode != 0:
        raise RuntimeError(f"child failed for {directory}:\n{result.stderr[-2000:]}")
    data = json.loads(result.stdout.strip().splitlines()[-1])
    data["wall"] = wall
    return data


def cold(events: list[dict], runs: int, project_env: dict[str, str]) -> tuple[float, float, dict]:
    """Median wall time of a fresh process, project and baseline interleaved (after one
    discarded run of each, so both find their files in the page cache)."""
    run_child(PROJECT_DIR, events, project_env)
    run_child(BASELINE_DIR, events, {})
    project, baseline = [], []
    last: dict = {}
    for _ in range(runs):
        last = run_child(PROJECT_DIR, events, project_env)
        project.append(last["wall"])
        baseline.append(run_child(BASELINE_DIR, events, {})["wall"])
    return statistics.median(project), statistics.median(baseline), last


def warm(events: list[dict], rounds: int) -> dict[str, list[float]]:
    handlers = {
        "project": _in_process_handler(PROJECT_DIR, persistence="none"),
        "baseline": _in_process_handler(BASELINE_DIR, persistence="none"),
    }
    times: dict[str, list[float]] = {name: [] for name in handlers}
    for handler in handlers.values():
        for event in events:  # warm-up round
            handler(event, None)
    for _ in range(rounds):
        for name, handler in handlers.items():
            for event in events:
                start = time.perf_counter()
                handler(event, None)
                times[name].append(time.perf_counter() - start)
    return times


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * (len(ordered) - 1))))
    return ordered[index]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def dynamodb_scenarios(runs: int, launch: list[dict], yes_no: list[dict]) -> dict | None:
    moto = shutil.which("moto_server") or str(Path(sys.executable).with_name("moto_server"))
    if not Path(moto).exists():
        print("e  DynamoDB: skipped (moto_server not installed)")
        return None
    port = free_port()
    creds = {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": "us-east-1",
             "AWS_EC2_METADATA_DISABLED": "true"}
    server = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(port)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, env={**os.environ, **creds})
    try:
        endpoint = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        subprocess.run([sys.executable, "-m", "backcare_tools", "dynamodb", "create-table", "--endpoint-url", endpoint,
                        "--table", "backcare-bench"], check=True, env={**os.environ, **creds},
                       capture_output=True)
        project_env = {**creds, "PERSISTENCE": "dynamodb", "TABLE_NAME": "backcare-bench",
                       "AWS_ENDPOINT_URL_DYNAMODB": endpoint}
        launch_p, launch_b, launch_last = cold(launch, runs, project_env)
        yes_p, yes_b, yes_last = cold(yes_no, runs, project_env)
        return {
            "launch": {"project_s": launch_p, "baseline_s": launch_b, "ratio": launch_p / launch_b,
                       "boto3_imported": launch_last["boto3"]},
            "yes_no": {"project_s": yes_p, "baseline_s": yes_b, "ratio": yes_p / yes_b,
                       "boto3_imported": yes_last["boto3"]},
        }
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--no-dynamodb", action="store_true", help="skip the DynamoDB scenarios")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not (BASELINE_DIR / "lambda_function.py").exists():
        print(f"bench: baseline skill not found at {BASELINE_DIR} (set BACKCARE_BASELINE_DIR)", file=sys.stderr)
        return 2
    runs, rounds = (3, 5) if args.quick else (15, 200)
    state = tempfile.mkdtemp(prefix="backcare-bench-")
    os.environ["BACKCARE_STATE_DIR"] = state

    script = scripted_check()
    yes_no = [mid_check_yes_no()]
    launch = [env.Session().envelope(env.launch_request())]
    results: dict = {"python": sys.version.split()[0], "runs": runs, "rounds": rounds}

    a_p, a_b, a_last = cold(yes_no, runs, {"PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": state})
    results["a_cold_yes_no"] = {"project_s": a_p, "baseline_s": a_b, "ratio": a_p / a_b,
                                "requests_imported": a_last["requests"], "boto3_imported": a_last["boto3"]}
    b_p, b_b, _ = cold(launch, runs, {"PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": state})
    results["b_cold_launch"] = {"project_s": b_p, "baseline_s": b_b, "ratio": b_p / b_b}

    times = warm(script, rounds)
    p50 = {name: percentile(values, 50) for name, values in times.items()}
    p99 = {name: percentile(values, 99) for name, values in times.items()}
    results["c_warm"] = {"turns": len(times["project"]), "project_p50_ms": p50["project"] * 1e3,
                         "project_p99_ms": p99["project"] * 1e3, "baseline_p50_ms": p50["baseline"] * 1e3,
                         "baseline_p99_ms": p99["baseline"] * 1e3, "p50_ratio": p50["project"] / p50["baseline"]}

    rss_p = run_child(PROJECT_DIR, script, {"PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": state})["rss_kib"]
    rss_b = run_child(BASELINE_DIR, script, {})["rss_kib"]
    results["d_peak_rss"] = {"project_mib": rss_p / 1024, "baseline_mib": rss_b / 1024,
                             "extra_mib": (rss_p - rss_b) / 1024}
    if not args.no_dynamodb:
        results["e_dynamodb"] = dynamodb_scenarios(runs, launch, yes_no)
    shutil.rmtree(state, ignore_errors=True)

    report(results)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


def report(r: dict) -> None:
    def verdict(ok: bool) -> str:
        return "meets target" if ok else "MISSES target"

    a, b, c, d = r["a_cold_yes_no"], r["b_cold_launch"], r["c_warm"], r["d_peak_rss"]
    print(f"Back Care Coach vs baseline skill (Python {r['python']}, {r['runs']} cold runs, {r['rounds']} warm rounds)")
    print(f"a  cold yes/no turn   {a['project_s'] * 1e3:7.1f} ms vs {a['baseline_s'] * 1e3:7.1f} ms  "
          f"ratio {a['ratio']:.2f} (target <= {TARGETS['a_cold_yes_no']}) {verdict(a['ratio'] <= 1.3)}; "
          f"requests imported: {a['requests_imported']}, boto3 imported: {a['boto3_imported']}")
    print(f"b  cold launch        {b['project_s'] * 1e3:7.1f} ms vs {b['baseline_s'] * 1e3:7.1f} ms  "
          f"ratio {b['ratio']:.2f} (target <= {TARGETS['b_cold_launch']}) {verdict(b['ratio'] <= 1.5)}")
    print(f"c  warm turns ({c['turns']})  p50 {c['project_p50_ms']:.3f} ms vs {c['baseline_p50_ms']:.3f} ms "
          f"ratio {c['p50_ratio']:.2f} (target <= 2) {verdict(c['p50_ratio'] <= 2)}; "
          f"p99 {c['project_p99_ms']:.3f} ms (target < {P99_LIMIT_MS} ms) {verdict(c['project_p99_ms'] < 2)}; "
          f"baseline p99 {c['baseline_p99_ms']:.3f} ms")
    print(f"d  peak RSS           {d['project_mib']:7.1f} MiB vs {d['baseline_mib']:7.1f} MiB  "
          f"extra {d['extra_mib']:.1f} MiB (target <= {RSS_EXTRA_MIB}) {verdict(d['extra_mib'] <= RSS_EXTRA_MIB)}")
    e = r.get("e_dynamodb")
    for label, key in (("launch", "launch"), ("yes/no", "yes_no")) if e else ():
        row = e[key]
        print(f"e  DynamoDB {label:9} {row['project_s'] * 1e3:7.1f} ms vs {row['baseline_s'] * 1e3:7.1f} ms"
              f"  ratio {row['ratio']:.2f}; boto3 imported: {row['boto3_imported']}")


if __name__ == "__main__":
    raise SystemExit(main())
