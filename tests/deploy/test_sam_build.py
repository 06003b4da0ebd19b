"""`sam build` without Docker, into a temporary directory, and the built function itself.

The built artefact is imported in a fresh python3.13 interpreter (the runtime's version) that sees
only what Lambda would: the artefact first on sys.path, then a stand-in for the runtime's own
boto3/botocore, and the standard library. It answers every events/*.json envelope, storing to
DynamoDB (moto).
"""

from __future__ import annotations

import json
import os
import subprocess
import sysconfig
import uuid
import zipfile
from pathlib import Path

import pytest

from support import ROOT
from support.dynamodb import DUMMY_CREDENTIALS, REGION, moto_server_fixture  # noqa: F401 (fixture)

ROOT = ROOT
EVENTS = sorted((ROOT / "events").glob("*.json"))
MAX_UNZIPPED_BYTES = 20 * 1024 * 1024
# What the python3.13 Lambda runtime provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath")
DEV_ONLY = ("backcare_tools", "flask", "flask_ask_sdk", "werkzeug", "pydub", "audioop", "audioop_lts", "pytest",
            "_pytest", "moto", "sklearn", "ask_sdk_dynamodb", "hypothesis", "cryptography", "certvalidator", "ruff",
            "cfnlint", "resvg_py", "ask_smapi_model", "boto3", "botocore")
SAMPLE_SKILL_ID = "amzn1.ask.skill.00000000-0000-0000-0000-backcarecoach"

LOCK = ROOT / "lambda" / "requirements.txt"


def locked() -> dict[str, str]:
    pins = {}
    for line in LOCK.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"lambda/requirements.txt: {line!r} is not pinned with =="
            pins[canonical(name)] = version
    return pins


def canonical(name: str) -> str:
    return name.strip().lower().replace("_", "-").replace(".", "-")


def test_runtime_lock_holds_no_development_packages():
    shipped = set(locked()) & {canonical(n) for n in (*DEV_ONLY, "flask-ask-sdk", "moto", "pydub")}
    assert not shipped, f"development-only packages in lambda/requirements.txt: {sorted(shipped)}"


@pytest.fixture(scope="module")
def built(tmp_path_factory, sam, runtime_python) -> Path:
    """The SkillFunction artefact directory of a fresh `sam build` (never inside the repo)."""
    work = tmp_path_factory.mktemp("sam")
    # PYTHON: the interpreter packaging/lambda/Makefile compiles the bytecode with (3.13).
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "AWS_DEFAULT_REGION": "us-east-1", "PYTHON": str(runtime_python),
           "PATH": f"{Path(sam).parent}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [sam, "build", "--template", str(ROOT / "template.yaml"), "--build-dir", str(work / "build"),
         "--cache-dir", str(work / "cache"), "--no-cached"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, f"sam build failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return work / "build" / "SkillFunction"


@pytest.mark.slow
def test_artefact_holds_the_function_and_only_runtime_dependencies(built):
    top = {p.name.split("-")[0].split(".")[0].lower() for p in built.iterdir()}
    for needed in ("lambda_function", "backcare", "ask_sdk_core", "ask_sdk_model", "requests"):
        assert needed in top, f"{needed} is missing from the artefact: {sorted(top)}"
    shipped_dev = sorted(top & set(DEV_ONLY))
    assert not shipped_dev, f"development-only or runtime-provided packages were shipped: {shipped_dev}"
    tooling = sorted(str(p.relative_to(built)) for p in built.rglob("*") if "backcare_tools" in p.name
                     or p.name.endswith(".egg-info"))
    assert not tooling, f"the artefact holds tooling or packaging metadata: {tooling[:5]}"
    imports = sorted(str(p.relative_to(built)) for p in built.rglob("*.py")
                     if any(f"import {name}" in p.read_text(errors="replace") or f"from {name}" in
                            p.read_text(errors="replace") for name in ("backcare_tools", "pydub"))
                     and p.parts[len(built.parts)] in ("backcare", "lambda_function.py"))
    assert not imports, f"runtime modules import the tooling or pydub: {imports}"


@pytest.mark.slow
def test_artefact_has_exactly_the_locked_versions_and_every_dependency(built):
    """The build installs the lock with --no-deps, so every dependency must be pinned in it."""
    from email.parser import Parser

    from packaging.requirements import Requirement

    pins = locked()
    provided = {canonical(n) for n in RUNTIME_PACKAGES}
    installed, missing = {}, []
    for info in built.glob("*.dist-info"):
        meta = Parser().parsestr((info / "METADATA").read_text())
        installed[canonical(meta["Name"])] = meta["Version"]
        for spec in map(Requirement, meta.get_all("Requires-Dist") or []):
            if spec.marker and not spec.marker.evaluate({"extra": ""}):
                continue
            if canonical(spec.name) not in pins and canonical(spec.name) not in provided:
                missing.append(f"{meta['Name']} needs {spec}")
    assert installed == pins, f"artefact {installed} differs from lambda/requirements.txt {pins}"
    assert not missing, "lambda/requirements.txt lacks dependencies:\n" + "\n".join(missing)


@pytest.mark.slow
def test_artefact_is_at_most_20_mb_unzipped(built, tmp_path):
    files = [p for p in built.rglob("*") if p.is_file()]
    unzipped = sum(p.stat().st_size for p in files)
    archive = tmp_path / "function.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in files:
            zf.write(path, path.relative_to(built))
    zipped = archive.stat().st_size
    print(f"\nSkillFunction artefact: {unzipped / 1e6:.1f} MB unzipped, {zipped / 1e6:.1f} MB zipped, "
          f"{len(files)} files")
    assert unzipped <= MAX_UNZIPPED_BYTES, f"artefact is {unzipped / 1e6:.1f} MB unzipped (limit 20 MB)"


RUNTIME_BYTECODE_TAG = "cpython-313"  # python3.13: bytecode of another version would be ignored


def runtime_bytecode(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}.{RUNTIME_BYTECODE_TAG}.pyc"


@pytest.mark.slow
def test_artefact_ships_bytecode_lambda_can_use(built):
    """Lambda's code directory is read-only: modules without .pyc are compiled on every cold start."""
    sources = (built / "backcare").rglob("*.py")
    missing = [str(p.relative_to(built)) for p in sources if not runtime_bytecode(p).exists()]
    assert not missing, f"no {RUNTIME_BYTECODE_TAG} bytecode for {missing[:5]} (and {max(0, len(missing) - 5)} more)"
    sample = runtime_bytecode(built / "lambda_function.py").read_bytes()
    flags = int.from_bytes(sample[4:8], "little")
    assert flags == 0b01, f"lambda_function's .pyc should be unchecked-hash (flags 1), got {flags}"


RUNNER = r"""
import json, sys
build, runtime, events = sys.argv[1], sys.argv[2], sys.argv[3:]
sys.path[:0] = [build]
sys.path.append(runtime)
import lambda_function
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_model import ResponseEnvelope
results = {}
for path in events:
    with open(path) as f:
        event = json.load(f)
    try:
        out = lambda_function.lambda_handler(event, None)
        DefaultSerializer().deserialize(json.dumps(out), ResponseEnvelope)
        results[path] = {"response": out, "size": len(json.dumps(out))}
    except Exception as exc:
        results[path] = {"error": f"{type(exc).__name__}: {exc}"}
outside = sorted({m.__file__ for m in list(sys.modules.values())
                  if getattr(m, "__file__", None) and not m.__file__.startswith((build, runtime, sys.argv[0]))
                  and "site-packages" in m.__file__})
print(json.dumps({"results": results, "outside": outside}))
"""


@pytest.fixture(scope="module")
def lambda_runtime(tmp_path_factory) -> Path:
    """A directory holding only the packages the Lambda runtime provides (links to the dev venv's)."""
    runtime = tmp_path_factory.mktemp("var-runtime")
    site = Path(sysconfig.get_paths()["purelib"])
    for name in RUNTIME_PACKAGES:
        (runtime / name).symlink_to(site / name, target_is_directory=True)
    return runtime


@pytest.fixture(scope="module")
def table(moto_server) -> str:
    import boto3

    name = f"backcare-built-{uuid.uuid4().hex[:8]}"
    client = boto3.client("dynamodb", endpoint_url=moto_server.url, region_name=REGION,
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    return name


@pytest.mark.slow
def test_built_function_answers_every_event_envelope_from_dynamodb(built, lambda_runtime, moto_server, table,
                                                                   runtime_python):
    assert EVENTS, "events/ has no envelopes to invoke"
    env = {**DUMMY_CREDENTIALS, "PATH": os.environ["PATH"], "AWS_LAMBDA_FUNCTION_NAME": "SkillFunction",
           "AWS_REGION": REGION, "PERSISTENCE": "dynamodb", "TABLE_NAME": table, "SKILL_ID": SAMPLE_SKILL_ID,
           "AWS_ENDPOINT_URL_DYNAMODB": moto_server.url, "LOG_LEVEL": "WARNING"}
    done = subprocess.run(
        [str(runtime_python), "-I", "-S", "-c", RUNNER, str(built), str(lambda_runtime), *map(str, EVENTS)],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, f"the built function could not run:\n{done.stderr[-3000:]}"
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["outside"] == [], f"the built function imported code from outside its artefact: {report['outside']}"
    problems = []
    for path, result in report["results"].items():
        name = Path(path).name
        if "error" in result:
            problems.append(f"{name}: {result['error']}")
            continue
        envelope = result["response"]
        if envelope.get("version") != "1.0":
            problems.append(f"{name}: response version {envelope.get('version')!r}")
        if result["size"] > 24 * 1024:
            problems.append(f"{name}: response is {result['size']} bytes (Alexa's limit is 24 KB)")
        request_type = json.loads(Path(path).read_text())["request"]["type"]
        speech = ((envelope.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")
        silent = request_type == "SessionEndedRequest" or request_type.startswith("AlexaSkillEvent.")
        if silent and speech:
            problems.append(f"{name}: a {request_type} must not speak, got {speech!r}")
        if not silent and not speech.startswith("<speak>"):
            problems.append(f"{name}: no speech in {envelope.get('response')}")
    assert not problems, "built function gave bad answers:\n" + "\n".join(problems)

    import boto3

    items = boto3.client("dynamodb", endpoint_url=moto_server.url, region_name=REGION).scan(TableName=table)["Items"]
    assert items, "the built function stored nothing in DynamoDB (adapter or runtime boto3 not working)"
