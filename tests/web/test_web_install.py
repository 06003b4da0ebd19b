"""A self-hoster's install, as the README documents it: a fresh virtual environment, a plain
`pip install '.[web]'` (no constraints file; pip's cache makes it quick), then `backcare serve`
and gunicorn must start and answer a signed request. Neither oscrypto nor certvalidator (whose
oscrypto 1.3.0 cannot load OpenSSL >= 3.0.10) may be installed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from support import ROOT
from support.web import (
    GUNICORN_BANNER,
    SERVE_BANNER,
    envelope_body,
    gunicorn_command,
    http,
    service_env,
    signed_post,
    started,
)

pytestmark = pytest.mark.slow
INSTALL_TIMEOUT = 600
PROJECT_FILES = ("pyproject.toml", "README.md", "lambda", "tooling")


@pytest.fixture(scope="module")
def web_venv(tmp_path_factory) -> Path:
    """A new venv with the project installed from a copy of its sources, `pip install '<copy>[web]'`."""
    folder = tmp_path_factory.mktemp("selfhost")
    source = folder / "backcare"
    for name in PROJECT_FILES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info", "build", "*.pyc"))
        else:
            source.mkdir(exist_ok=True)
            shutil.copy2(origin, source / name)
    venv = folder / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=INSTALL_TIMEOUT)
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check",
                           "-q", f"{source}[web]"], capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
    assert done.returncode == 0, f"pip install '.[web]' failed:\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    return venv


def test_the_web_install_has_neither_oscrypto_nor_certvalidator(web_venv):
    code = ("import importlib.util as u; "
            "print(sorted(n for n in ('oscrypto', 'certvalidator', 'flask_ask_sdk') if u.find_spec(n)))")
    done = subprocess.run([str(web_venv / "bin" / "python"), "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, f"the check failed: {done.stderr[-1500:]}"
    assert done.stdout.strip() == "[]", f"packages of the old import chain are installed: {done.stdout.strip()}"


@pytest.fixture(scope="module")
def trust(pki, cert_host, tmp_path_factory) -> dict[str, str]:
    root = pki.write_root(tmp_path_factory.mktemp("trust") / "root.pem")
    return {"BACKCARE_TEST_TRUST_ROOTS": str(root), "BACKCARE_TEST_CERT_MIRROR": cert_host.base}


def _env(tmp_path: Path, trust: dict[str, str]) -> dict[str, str]:
    env = service_env(BACKCARE_STATE_DIR=str(tmp_path / "state"), **trust)
    for name in ("PERSISTENCE", "SKILL_ID", "PYTHONPATH"):
        env.pop(name, None)
    return env


def test_backcare_serve_from_the_web_install_starts_and_answers_a_signed_request(
        web_venv, trust, pki, good_url, tmp_path):
    command = [str(web_venv / "bin" / "backcare"), "serve", "--port", "0"]
    with started(command, _env(tmp_path, trust), tmp_path / "serve.log", banner=SERVE_BANNER,
                 what="backcare serve (web install)") as served:
        health = http("GET", served.base + "/health").json()
        reply = signed_post(served.base, pki, envelope_body(), good_url)
    assert health["verification"] == "on", f"the installed service does not verify: {health}"
    assert reply.status == 200, f"the installed service refused a signed launch: {reply.status} {reply.reason}"
    assert "<speak>" in reply.json()["response"]["outputSpeech"]["ssml"], "the launch got no speech"


def test_gunicorn_from_the_web_install_starts_and_answers_a_signed_request(
        web_venv, trust, pki, good_url, tmp_path):
    command = gunicorn_command(str(web_venv / "bin" / "python"))
    with started(command, _env(tmp_path, trust), tmp_path / "gunicorn.log", banner=GUNICORN_BANNER,
                 what="gunicorn (web install)") as served:
        reply = signed_post(served.base, pki, envelope_body(), good_url)
    assert reply.status == 200, f"gunicorn from the web install refused a signed launch: {reply.status} {reply.reason}"
