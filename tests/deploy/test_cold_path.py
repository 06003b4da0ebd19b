"""What a fresh Lambda process imports: heavy modules only when a request needs them; the
skill's own areas only when a request reaches them (handlers/base.py, "Imports")."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from backcare.warmup import DEFERRED
from backcare_tools import envelopes as env
from support import ROOT

LAMBDA_DIR = ROOT / "lambda"
HEAVY = ("boto3", "botocore", "requests", "flask", "pydub", "backcare_tools.audio", "backcare_tools.nlu", "sqlite3",
         "urllib.request", "xml.sax", "importlib.resources", "tempfile")
# Imported where they are used, not with the handlers: the store's data layer, the exercise
# programme, the reminder use cases, schedules, the Alexa APIs (and the warm-up itself).
LAZY = (*DEFERRED, "backcare.warmup")

CHILD = """
import json, sys
sys.path.insert(0, sys.argv[1])
import lambda_function
out = lambda_function.lambda_handler(json.load(open(sys.argv[2])), None)
import gc
print(json.dumps({"heavy": sorted(m for m in json.loads(sys.argv[3]) if m in sys.modules),
                  "lazy": sorted(m for m in json.loads(sys.argv[4]) if m in sys.modules),
                  "gc": gc.isenabled(), "frozen": gc.get_freeze_count(),
                  "speech": out["response"].get("outputSpeech", {}).get("ssml", "")}))
"""


def fresh_process(tmp_path, envelope: dict, extra_env: dict[str, str]) -> dict:
    event = tmp_path / "event.json"
    event.write_text(json.dumps(envelope))
    child_env = {**os.environ, **extra_env}
    child_env.pop("PYTHONPATH", None)
    result = subprocess.run([sys.executable, "-c", CHILD, str(LAMBDA_DIR), str(event), json.dumps(HEAVY),
                             json.dumps(LAZY)],
                            capture_output=True, text=True, env=child_env, check=False, timeout=120)
    assert result.returncode == 0, f"the fresh process failed: {result.stderr[-2000:]}"
    return json.loads(result.stdout.strip().splitlines()[-1])


def mid_check_no() -> dict:
    from backcare_tools.invoke import load_lambda_handler

    session = env.Session()
    session.absorb(load_lambda_handler()(session.envelope(env.intent_request("CheckSymptomsIntent")), None))
    return session.envelope(env.intent_request("AMAZON.NoIntent"))


@pytest.mark.parametrize("persistence", ["dynamodb", "sqlite", "none"])
def test_a_yes_no_turn_imports_nothing_heavy(tmp_path, persistence):
    extra = {"PERSISTENCE": persistence, "TABLE_NAME": "backcare-test", "BACKCARE_STATE_DIR": str(tmp_path)}
    result = fresh_process(tmp_path, mid_check_no(), extra)
    assert "bowel control" in result["speech"], f"the turn was not answered: {result}"
    assert result["heavy"] == [], f"a yes/no turn with {persistence} imported {result['heavy']}"
    assert result["lazy"] == [], f"a yes/no turn with {persistence} loaded other areas' code: {result['lazy']}"


def test_the_collector_runs_again_after_initialisation(tmp_path):
    """lambda_function turns the cyclic garbage collector off while it initialises and freezes
    what initialisation built: collection must be on again for the requests."""
    extra = {"PERSISTENCE": "none"}
    result = fresh_process(tmp_path, mid_check_no(), extra)
    assert result["gc"] is True, "the garbage collector must be enabled after initialisation"
    assert result["frozen"] > 10_000, f"initialisation's objects should be frozen: {result['frozen']}"


def test_a_launch_with_sqlite_imports_neither_boto3_nor_requests(tmp_path):
    extra = {"PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": str(tmp_path)}
    result = fresh_process(tmp_path, env.Session().envelope(env.launch_request()), extra)
    assert "Welcome" in result["speech"], f"launch not answered: {result}"
    assert result["heavy"] == ["sqlite3"], f"launch imported {result['heavy']}"
