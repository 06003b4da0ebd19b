"""Benchmarks: Back Care Coach beside the smallest honest ASK SDK skill, in the same run.

    .venv/bin/python bench/run.py            # full run (about a minute)
    .venv/bin/python bench/run.py --quick    # fewer repetitions (a smoke run)
    .venv/bin/python bench/run.py --json out.json

Scenarios (ratios are project / baseline, same interpreter, same machine, interleaved runs):
  a  cold yes/no   a fresh process imports the entry point and answers one yes/no turn of the check
  b  cold launch   a fresh process answers a LaunchRequest (project: SQLite store)
  c  warm turns    per-turn latency over a scripted full check in one process (p50, p99)
  d  peak RSS      a fresh process that runs the whole scripted check
  e  DynamoDB      PERSISTENCE=dynamodb against a local moto server, for each Lambda initialisation
                   type (AWS_LAMBDA_INITIALIZATION_TYPE on-demand, snap-start, provisioned-concurrency):
                   a fresh process per run; "init" is importing lambda_function (which, for snap-start
                   and provisioned-concurrency, builds the store client and warms the first request),
                   "first" is the first lambda_handler call: a LaunchRequest of a returning user (the
                   visit counted with the read: one UpdateItem) and a yes/no turn of the check (no
                   store). The baseline has no store and no modes: its init and first request are
                   measured the same way, interleaved.
                   (skipped with --no-dynamodb or when moto_server is missing)
Nothing here is a test: figures are printed, targets are shown, the exit code is 0.
"""

from __future__ import annotations

import argparse
import compileall
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
    "e_snapshot_launch": 1.5,  # DynamoDB LaunchRequest after a snapshot-style init / baseline's first request
    "e_on_demand_yes_no": 1.3,  # on-demand cold yes/no turn (init + first) / baseline's (init + first)
}
MODES = ("on-demand", "snap-start", "provisioned-concurrency")
# p99 of warm turns: an absolute limit, shown for reference. On a shared machine p99 measures the
# machine (a descheduled turn), not the skill: the baseline, a few lines of code, misses it as
# often; the project's p99 against the baseline's, in the same interleaved run, is what says
# whether the skill itself has a slow tail.
P99_LIMIT_MS = 2.0
P99_RATIO_LIMIT = 2.0
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
# Time spent waiting for the store, and the store calls made, per turn (the project's DynamoDB
# store only): what the skill's own work is, apart from the round trips to the server.
store_waits, store_calls = [0.0], [[]]
adapter = getattr(lambda_function, "_adapter", None)
if adapter is not None and hasattr(adapter, "_call"):
    call = adapter._call
    def timed_call(operation, *args, **kwargs):
        start = time.perf_counter()
        store_calls[-1].append(operation)
        try:
            return call(operation, *args, **kwargs)
        finally:
            store_waits[-1] += time.perf_counter() - start
    adapter._call = timed_call
turns, store, calls = [], [], []
for event in events:
    store_waits.append(0.0)
    store_calls.append([])
    s = time.perf_counter()
    out = lambda_function.lambda_handler(event, None)
    turns.append(time.perf_counter() - s)
    store.append(store_waits[-1])
    calls.append(store_calls[-1])
    assert out.get("version") == "1.0", out
# VmHWM, not ru_maxrss: ru_maxrss keeps the high-water mark of the forking parent across exec.
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({"import": t1 - t0, "turns": turns, "store": store, "store_calls": calls, "rss_kib": hwm,
                  "boto3": "boto3" in sys.modules, "botocore": "botocore" in sys.modules,
                  "requests": "requests" in sys.modules}))
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


def phases(events: list[dict], runs: int, project_env: dict[str, str]) -> dict[str, dict[str, float]]:
    """Medians of init (import of the entry point) and first request (first lambda_handler call), each
    in a fresh process, project and baseline interleaved after one discarded run of each."""
    run_child(PROJECT_DIR, events, project_env)
    run_child(BASELINE_DIR, events, {})
    samples: dict[str, dict[str, list[float]]] = {"project": {"init": [], "first": [], "first_store": []},
                                                  "baseline": {"init": [], "first": [], "first_store": []}}
    flags: dict = {}
    for _ in range(runs):
        for name, directory, extra in (("project", PROJECT_DIR, project_env), ("baseline", BASELINE_DIR, {})):
            data = run_child(directory, events, extra)
            samples[name]["init"].append(data["import"])
            samples[name]["first"].append(data["turns"][0])
            samples[name]["first_store"].append(data["store"][0])
            if name == "project":
                flags = {"boto3": data["boto3"], "botocore": data.get("botocore", False),
                         "first_store_calls": data["store_calls"][0]}
    result = {name: {phase: statistics.median(values) for phase, values in by_phase.items()}
              for name, by_phase in samples.items()}
    result["project"].update(flags)
    return result


def store_round_trips(endpoint: str, creds: dict[str, str], rounds: int = 30) -> dict[str, float]:
    """Median times, from a warm client, of what a LaunchRequest asks of the store: a returning
    user's visit (the adapter's conditional UpdateItem, returning the old record) and, for
    comparison, a consistent GetItem and a conditional PutItem (a first visit: the refused
    UpdateItem reads, the PutItem writes; before the visit was counted with the read, every launch
    made these two). The floor under any first request that uses the store."""
    import uuid

    import botocore.session

    from backcare.persistence.dynamodb import VISIT_CONDITION, VISIT_NAMES, VISIT_UPDATE

    client = botocore.session.Session().create_client(
        "dynamodb", region_name="us-east-1", endpoint_url=endpoint, aws_access_key_id=creds["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=creds["AWS_SECRET_ACCESS_KEY"])
    key = {"id": {"S": "bench-round-trip"}}
    record = {"schema": {"N": "2"}, "disclaimer_heard": {"BOOL": True}, "visits": {"N": "1"}}
    client.put_item(TableName="backcare-bench", Item={**key, "attributes": {"M": record}, "version": {"N": "1"},
                                                      "write_id": {"S": "bench"}})
    times: dict[str, list[float]] = {"get": [], "put": [], "visit": []}
    for _ in range(rounds + 3):
        start = time.perf_counter()
        got = client.get_item(TableName="backcare-bench", Key=key, ConsistentRead=True)["Item"]
        times["get"].append(time.perf_counter() - start)
        version = got["version"]["N"]
        start = time.perf_counter()
        client.put_item(TableName="backcare-bench",
                        Item={**got, "version": {"N": str(int(version) + 1)}, "write_id": {"S": uuid.uuid4().hex}},
                        ConditionExpression="#v = :v", ExpressionAttributeNames={"#v": "version"},
                        ExpressionAttributeValues={":v": {"N": version}})
        times["put"].append(time.perf_counter() - start)
        start = time.perf_counter()
        client.update_item(TableName="backcare-bench", Key=key, UpdateExpression=VISIT_UPDATE,
                           ConditionExpression=VISIT_CONDITION, ExpressionAttributeNames=VISIT_NAMES,
                           ExpressionAttributeValues={":zero": {"N": "0"}, ":one": {"N": "1"}, ":true": {"BOOL": True},
                                                      ":number": {"S": "N"}, ":schema": {"N": "2"},
                                                      ":w": {"S": uuid.uuid4().hex}},
                           ReturnValues="ALL_OLD", ReturnValuesOnConditionCheckFailure="ALL_OLD")
        times["visit"].append(time.perf_counter() - start)
    return {name: statistics.median(values[3:]) for name, values in times.items()}


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
        subprocess.run([sys.executable, "-m", "backcare_tools", "dynamodb", "create-table", "--endpoint-url", endpoint,
                        "--table", "backcare-bench", "--wait", "30"], check=True, env={**os.environ, **creds},
                       capture_output=True)
        results: dict = {"store_round_trips_s": store_round_trips(endpoint, creds)}
        # The launches are a returning user's (the same user each run): one visit stored first.
        first_visit = {**creds, "PERSISTENCE": "dynamodb", "TABLE_NAME": "backcare-bench",
                       "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}
        run_child(PROJECT_DIR, launch, first_visit)
        for mode in MODES:
            project_env = {**creds, "PERSISTENCE": "dynamodb", "TABLE_NAME": "backcare-bench",
                           "AWS_ENDPOINT_URL_DYNAMODB": endpoint, "AWS_LAMBDA_INITIALIZATION_TYPE": mode}
            results[mode] = {"launch": phases(launch, runs, project_env), "yes_no": phases(yes_no, runs, project_env)}
        snap, on_demand = results["snap-start"]["launch"], results["on-demand"]["yes_no"]
        results["targets"] = {
            "snapshot_launch_first_vs_baseline_first": snap["project"]["first"] / snap["baseline"]["first"],
            "snapshot_launch_first_vs_baseline_cold": snap["project"]["first"]
            / (snap["baseline"]["init"] + snap["baseline"]["first"]),
            "snapshot_launch_own_work_vs_baseline_first":
                (snap["project"]["first"] - snap["project"]["first_store"]) / snap["baseline"]["first"],
            "on_demand_yes_no_cold_vs_baseline_cold": (on_demand["project"]["init"] + on_demand["project"]["first"])
            / (on_demand["baseline"]["init"] + on_demand["baseline"]["first"]),
        }
        return results
    finally:
        server.terminate()
        server.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (smoke run)")
    parser.add_argument("--no-dynamodb", action="store_true", help="skip the DynamoDB scenarios")
    parser.add_argument("--dynamodb-only", action="store_true", help="only the DynamoDB scenarios (e)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON")
    args = parser.parse_args(argv)
    if not (BASELINE_DIR / "lambda_function.py").exists():
        print(f"bench: baseline skill not found at {BASELINE_DIR} (set BACKCARE_BASELINE_DIR)", file=sys.stderr)
        return 2
    runs, rounds = (3, 5) if args.quick else (15, 200)
    # The deployed artefact ships bytecode (packaging/lambda/Makefile); so does this run, whatever
    # PYTHONDONTWRITEBYTECODE says, or every fresh process would compile the modules it imports.
    compileall.compile_dir(str(PROJECT_DIR), quiet=1)
    state = tempfile.mkdtemp(prefix="backcare-bench-")
    os.environ["BACKCARE_STATE_DIR"] = state

    script = scripted_check()
    yes_no = [mid_check_yes_no()]
    launch = [env.Session().envelope(env.launch_request())]
    results: dict = {"python": sys.version.split()[0], "runs": runs, "rounds": rounds}

    if args.dynamodb_only:
        results["e_dynamodb"] = dynamodb_scenarios(runs, launch, yes_no)
        shutil.rmtree(state, ignore_errors=True)
        report(results)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
        return 0
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
                         "baseline_p99_ms": p99["baseline"] * 1e3, "p50_ratio": p50["project"] / p50["baseline"],
                         "p99_ratio": p99["project"] / p99["baseline"]}

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

    print(f"Back Care Coach vs baseline skill (Python {r['python']}, {r['runs']} cold runs, {r['rounds']} warm rounds)")
    if "a_cold_yes_no" in r:
        report_abcd(r, verdict)
    report_dynamodb(r.get("e_dynamodb"), verdict)


def report_abcd(r: dict, verdict) -> None:
    a, b, c, d = r["a_cold_yes_no"], r["b_cold_launch"], r["c_warm"], r["d_peak_rss"]
    print(f"a  cold yes/no turn   {a['project_s'] * 1e3:7.1f} ms vs {a['baseline_s'] * 1e3:7.1f} ms  "
          f"ratio {a['ratio']:.2f} (target <= {TARGETS['a_cold_yes_no']}) {verdict(a['ratio'] <= 1.3)}; "
          f"requests imported: {a['requests_imported']}, boto3 imported: {a['boto3_imported']}")
    print(f"b  cold launch        {b['project_s'] * 1e3:7.1f} ms vs {b['baseline_s'] * 1e3:7.1f} ms  "
          f"ratio {b['ratio']:.2f} (target <= {TARGETS['b_cold_launch']}) {verdict(b['ratio'] <= 1.5)}")
    print(f"c  warm turns ({c['turns']})  p50 {c['project_p50_ms']:.3f} ms vs {c['baseline_p50_ms']:.3f} ms "
          f"ratio {c['p50_ratio']:.2f} (target <= 2) {verdict(c['p50_ratio'] <= 2)}; "
          f"p99 {c['project_p99_ms']:.3f} ms vs {c['baseline_p99_ms']:.3f} ms ratio {c['p99_ratio']:.2f} "
          f"(target <= {P99_RATIO_LIMIT}) {verdict(c['p99_ratio'] <= P99_RATIO_LIMIT)}; absolute "
          f"(< {P99_LIMIT_MS} ms): project {verdict(c['project_p99_ms'] < P99_LIMIT_MS)}, "
          f"baseline {verdict(c['baseline_p99_ms'] < P99_LIMIT_MS)}")
    print(f"d  peak RSS           {d['project_mib']:7.1f} MiB vs {d['baseline_mib']:7.1f} MiB  "
          f"extra {d['extra_mib']:.1f} MiB (target <= {RSS_EXTRA_MIB}) {verdict(d['extra_mib'] <= RSS_EXTRA_MIB)}")


def report_dynamodb(e: dict | None, verdict) -> None:
    if not e:
        return
    print("e  DynamoDB (moto) by initialisation type: init = import lambda_function, first = first request;"
          " medians in ms")
    print(f"   {'mode':24} {'request':8} {'init':>8} {'first':>8} {'store':>6}   baseline {'init':>7} {'first':>7}"
          "  botocore  store calls in the first request")
    for mode in MODES:
        for request in ("launch", "yes_no"):
            row = e[mode][request]
            p, b = row["project"], row["baseline"]
            print(f"   {mode:24} {request:8} {p['init'] * 1e3:8.1f} {p['first'] * 1e3:8.1f} "
                  f"{p['first_store'] * 1e3:6.1f}            {b['init'] * 1e3:7.1f} {b['first'] * 1e3:7.1f}  "
                  f"{p['botocore']!s:8}  {', '.join(p['first_store_calls']) or '-'}")
    t = e["targets"]
    strict = t["snapshot_launch_first_vs_baseline_first"]
    print(f"   snap-start LaunchRequest, first request / baseline's first request: {strict:.2f} "
          f"(target <= {TARGETS['e_snapshot_launch']}) {verdict(strict <= TARGETS['e_snapshot_launch'])}")
    snap = e["snap-start"]["launch"]["project"]
    own = t["snapshot_launch_own_work_vs_baseline_first"]
    trips = e["store_round_trips_s"]
    print(f"     of its {snap['first'] * 1e3:.1f} ms, {snap['first_store'] * 1e3:.1f} ms wait for the store "
          f"({', '.join(snap['first_store_calls'])}); the skill's own work / baseline's first request: {own:.2f}")
    print(f"     moto, to a warm client: the visit's conditional UpdateItem {trips['visit'] * 1e3:.1f} ms; "
          f"GetItem {trips['get'] * 1e3:.1f} ms + conditional PutItem {trips['put'] * 1e3:.1f} ms (a first visit)")
    cold = t["snapshot_launch_first_vs_baseline_cold"]
    print(f"   snap-start LaunchRequest, first request / baseline's cold first answer (init + first): {cold:.2f}")
    yes_no = t["on_demand_yes_no_cold_vs_baseline_cold"]
    print(f"   on-demand cold yes/no (init + first) / baseline's (init + first): {yes_no:.2f} "
          f"(target <= {TARGETS['e_on_demand_yes_no']}) {verdict(yes_no <= TARGETS['e_on_demand_yes_no'])}")


if __name__ == "__main__":
    raise SystemExit(main())
