"""Cold start with DynamoDB (issue 14, point 7): `lambda_function` in a fresh process, as the Lambda
runtime loads it, with `AWS_LAMBDA_INITIALIZATION_TYPE` set as Lambda sets it. A snapshot or
provisioned initialisation builds the store client and warms the first request's path; an
on-demand one stays lazy (no botocore, no store request until a request needs the store). The
store is moto behind the fault proxy, whose log shows what reached it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from backcare.persistence.dynamodb import WARM_UP_KEY
from backcare.warmup import WARM_UP_USER
from backcare_tools.local_table import local_client
from support import ROOT
from support.dynamodb import (  # the *_fixture names register fixtures
    REGION,
    TABLE_NAME,
    FaultProxy,
    dynamodb_table_fixture,  # noqa: F401
    fault_proxy_fixture,  # noqa: F401
    free_port,
    moto_server_fixture,  # noqa: F401
    new_user_id,
)

CHILD = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, sys.argv[1])
    import lambda_function
    from backcare.warmup import DEFERRED
    loaded = {name: name in sys.modules for name in ("botocore", "requests", "dateutil.parser")}
    print(json.dumps({"after_init": loaded, "deferred_missing": [m for m in DEFERRED if m not in sys.modules]}),
          flush=True)
    if sys.argv[2] != "-":
        from backcare_tools import envelopes
        if sys.argv[2] == "launch":
            session = envelopes.Session(device=envelopes.Device(user_id=sys.argv[3]))
            event = session.envelope(envelopes.launch_request())
        else:
            event = json.loads(open(sys.argv[2]).read())
        response = lambda_function.lambda_handler(event, None)
        speech = ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")
        print(json.dumps({"speech": speech, "botocore": "botocore" in sys.modules}), flush=True)
""")
# A stand-in for the Lambda runtime's SnapStart hook module: records what was registered.
SNAPSHOT_HOOKS = textwrap.dedent("""
    registered = []
    def register_before_snapshot(hook, *args, **kwargs):
        registered.append(getattr(hook, "__qualname__", repr(hook)))
        print("before_snapshot:", registered[-1], flush=True)
        return hook
    def register_after_restore(hook, *args, **kwargs):
        return hook
""")


def start_lambda(endpoint: str, initialization: str, request: str = "-", user_id: str = "-",
                 extra_path: str | None = None) -> tuple[list[dict], str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("AWS_", "PYTHONPATH"))}
    env.update({
        "AWS_LAMBDA_FUNCTION_NAME": "backcare-test", "AWS_LAMBDA_INITIALIZATION_TYPE": initialization,
        "AWS_REGION": REGION, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "PERSISTENCE": "dynamodb", "TABLE_NAME": TABLE_NAME, "AWS_ENDPOINT_URL_DYNAMODB": endpoint,
        "BACKCARE_STORE_TIMEOUT": "0.5", "LOG_LEVEL": "INFO",
    })
    if extra_path:
        env["PYTHONPATH"] = extra_path
    result = subprocess.run([sys.executable, "-c", CHILD, str(ROOT / "lambda"), request, user_id], env=env,
                            capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert result.returncode == 0, f"the function failed to start or answer:\n{result.stderr[-3000:]}"
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return lines, result.stdout + result.stderr


def item(moto_server, key: str):
    return local_client(moto_server.url).get_item(TableName=TABLE_NAME, Key={"id": {"S": key}}).get("Item")


@pytest.mark.parametrize("initialization", ["snap-start", "provisioned-concurrency"])
def test_a_paid_initialisation_builds_the_store_client_and_warms_the_first_request(
        initialization, fault_proxy, moto_server):
    user_id = new_user_id()
    lines, output = start_lambda(fault_proxy.url, initialization, "launch", user_id)
    assert lines[0]["after_init"] == {"botocore": True, "requests": True, "dateutil.parser": True}, \
        f"{initialization}: the first request's imports must be done during initialisation: {lines[0]}"
    assert lines[0]["deferred_missing"] == [], \
        f"{initialization}: the modules the handlers import where used must be loaded at init: {lines[0]}"
    assert fault_proxy.targets() == ["GetItem", "UpdateItem", "PutItem", "UpdateItem", "PutItem"], (
        f"{initialization}: expected the warm-up's read, refused visit update and refused write, then the "
        f"first visit's read (the visit update, refused: nothing stored) and write: {fault_proxy.targets()}")
    assert lines[1]["speech"], f"{initialization}: the first request must be answered: {lines[1]}"
    assert item(moto_server, user_id) is not None, f"{initialization}: the launch must be stored"
    assert item(moto_server, WARM_UP_KEY) is None and item(moto_server, WARM_UP_USER) is None, \
        f"{initialization}: the warm-up must never write"
    assert "Warm-up for" in output, "the warm-up must be logged with its timings"


@pytest.mark.parametrize("initialization", ["snap-start", "on-demand"])
def test_a_returning_users_launch_is_one_store_round_trip(initialization, fault_proxy, moto_server):
    """A LaunchRequest from a user who has heard the disclaimer: the read and the visit count are
    one UpdateItem (it returns the record as it was), and nothing else reaches the store."""
    user_id = new_user_id()
    start_lambda(fault_proxy.url, "on-demand", "launch", user_id)  # the first visit: read, then write
    fault_proxy.switch(FaultProxy.PASS)
    lines, _ = start_lambda(fault_proxy.url, initialization, "launch", user_id)
    warm_up = ["GetItem", "UpdateItem", "PutItem"] if initialization == "snap-start" else []
    assert fault_proxy.targets() == [*warm_up, "UpdateItem"], \
        f"{initialization}: a returning user's launch should be one UpdateItem: {fault_proxy.targets()}"
    assert "Welcome back" in lines[1]["speech"] and "not medical advice" not in lines[1]["speech"], \
        f"{initialization}: a returning user hears the returning welcome, without the disclaimer: {lines[1]}"
    stored = item(moto_server, user_id)
    assert stored["attributes"]["M"]["visits"] == {"N": "2"} and stored["version"] == {"N": "2"}, \
        f"{initialization}: the second visit must be counted once, with a new version: {stored}"


def test_an_on_demand_initialisation_stays_lazy(fault_proxy):
    lines, _ = start_lambda(fault_proxy.url, "on-demand")
    assert lines[0]["after_init"]["botocore"] is False, "an on-demand cold start must not import botocore"
    assert lines[0]["after_init"]["requests"] is False, "nor requests"
    assert fault_proxy.targets() == [], f"an on-demand initialisation must not touch the store: {fault_proxy.targets()}"


def mid_check_no(user_id: str) -> dict:
    """A "no" to the first question of a check, with the session attributes the skill produced."""
    from backcare.config import Config
    from backcare.skill import build_skill, make_lambda_handler
    from backcare_tools import envelopes

    handler = make_lambda_handler(build_skill(Config(persistence="none")))
    session = envelopes.Session(device=envelopes.Device(user_id=user_id))
    session.absorb(handler(session.envelope(envelopes.intent_request("CheckSymptomsIntent")), None))
    return session.envelope(envelopes.intent_request("AMAZON.NoIntent"))


def test_an_on_demand_yes_no_turn_never_imports_botocore(fault_proxy, tmp_path):
    event = tmp_path / "no.json"
    event.write_text(json.dumps(mid_check_no(new_user_id())))
    lines, _ = start_lambda(fault_proxy.url, "on-demand", str(event))
    assert lines[1]["speech"], f"the turn must be answered: {lines}"
    assert lines[1]["botocore"] is False, "a yes/no turn of the check must never import botocore"
    assert fault_proxy.targets() == [], f"a yes/no turn must not touch the store: {fault_proxy.targets()}"


def test_a_store_that_is_down_at_initialisation_does_not_stop_the_function():
    unreachable = f"http://127.0.0.1:{free_port()}"
    lines, output = start_lambda(unreachable, "snap-start", "launch", new_user_id())
    assert lines[1]["speech"], f"the function must still answer: {lines}"
    assert "warm-up failed" in output, "the failed warm-up must be logged"


def test_snapstart_closes_the_store_connections_before_the_snapshot(tmp_path, fault_proxy):
    (tmp_path / "snapshot_restore_py.py").write_text(SNAPSHOT_HOOKS)
    _, output = start_lambda(fault_proxy.url, "snap-start", extra_path=str(tmp_path))
    assert "before_snapshot: LazyDynamoDbAdapter.close_connections" in output, \
        f"the connections must be closed before the snapshot (dead after restore): {output[-2000:]}"
    _, provisioned = start_lambda(fault_proxy.url, "provisioned-concurrency", extra_path=str(tmp_path))
    assert "before_snapshot" not in provisioned, "provisioned concurrency keeps its warm connection"


def test_the_configuration_reads_the_initialisation_type():
    from backcare.config import Config

    for value, eager in (("snap-start", True), ("provisioned-concurrency", True), ("on-demand", False), ("", False)):
        config = Config.from_env({"AWS_LAMBDA_INITIALIZATION_TYPE": value})
        assert config.eager_init is eager, f"{value!r}: eager_init should be {eager}"


def test_after_a_snapshot_initialisation_the_first_request_needs_no_new_client(fault_proxy):
    """The client built at init is the one the first request uses (no second model load)."""
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(ROOT / "lambda")!r})
        import lambda_function
        adapter = lambda_function._adapter
        built = len(adapter._clients)
        from backcare_tools import envelopes
        lambda_function.lambda_handler(envelopes.Session().envelope(envelopes.launch_request()), None)
        print("clients", built, len(adapter._clients))
    """)
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env.update({"AWS_LAMBDA_INITIALIZATION_TYPE": "snap-start", "AWS_REGION": REGION,
                "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "PERSISTENCE": "dynamodb",
                "TABLE_NAME": TABLE_NAME, "AWS_ENDPOINT_URL_DYNAMODB": fault_proxy.url})
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "clients 1 1" in result.stdout, f"the first request built another client: {result.stdout}"
