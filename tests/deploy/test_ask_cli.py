"""ask-cli 2.30.7 itself reads the project `backcare package` writes, offline.

The ASK CLI comes from npm through scripts/deploy-setup.sh (installed on first use, then found).
`ask deploy` needs an Amazon account, so the tests run what it does before it calls SMAPI, with
ask-cli's own modules (ask_cli_probe.js): load ask-resources.json and .ask/ask-states.json as
DeployCommand does, read the manifest with its Manifest model, run the domain check it runs
before enabling the skill, and zip the package as it uploads it. Skipped, saying why, only where
Node.js or npm is missing; CI has both.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from support import ROOT

SETUP = ROOT / "scripts" / "deploy-setup.sh"
ASK_CLI_DIR = ROOT / "scripts" / "ask-cli"
PROBE = Path(__file__).with_name("ask_cli_probe.js")
SKILL = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
NA = "arn:aws:lambda:us-east-1:123456789012:function:back-care-coach-SkillFunction-AB12:live"
EU = "arn:aws:lambda:eu-west-1:123456789012:function:back-care-coach-SkillFunction-CD34:live"
MODELS = [f"interactionModels/custom/{locale}.json" for locale in ("en-AU", "en-CA", "en-GB", "en-IN", "en-US")]


@pytest.fixture(scope="module")
def ask_cli() -> Path:
    missing = [tool for tool in ("node", "npm") if shutil.which(tool) is None]
    if missing:
        reason = f"{' and '.join(missing)} not installed: ask-cli cannot run here (CI installs Node.js)"
        print(f"\nSKIPPED ask-cli tests: {reason}")
        pytest.skip(reason)
    done = subprocess.run([str(SETUP), "ask-cli"], capture_output=True, text=True, timeout=900, check=False)
    assert done.returncode == 0, f"scripts/deploy-setup.sh ask-cli failed:\n{done.stderr[-3000:]}"
    return ASK_CLI_DIR / "node_modules"


def backcare_package(project: Path, *args: str) -> None:
    done = subprocess.run([str(ROOT / ".venv" / "bin" / "backcare"), "package", "--project", str(project), *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert done.returncode == 0, f"backcare package failed: {done.stderr}"


def probe(ask_cli: Path, project: Path, profile: str = "default") -> dict:
    done = subprocess.run(["node", str(PROBE), str(ask_cli / "ask-cli" / "dist" / "lib"), profile],
                          cwd=project, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"ask-cli could not read the project:\n{done.stderr[-3000:]}"
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_ask_cli_starts_with_the_antlr4ts_override(ask_cli):
    done = subprocess.run([str(ask_cli / ".bin" / "ask"), "--version"], capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, f"ask-cli does not start: {done.stderr[-2000:]}"
    assert done.stdout.strip() == "2.30.7", f"ask-cli version {done.stdout.strip()!r}"
    lock = json.loads((ASK_CLI_DIR / "package-lock.json").read_text())
    antlr = lock["packages"]["node_modules/antlr4ts"]["version"]
    assert antlr == "0.5.0-alpha.4", f"the override is not in the lock: antlr4ts {antlr}"


def test_ask_cli_reads_the_skill_id_and_the_first_deploy_package(ask_cli, tmp_path):
    backcare_package(tmp_path, "--first-deploy", "--skill-id", SKILL)
    found = probe(ask_cli, tmp_path)
    assert found["skillId"] == SKILL, f"ask-cli would create a new skill: it read {found['skillId']!r}"
    assert found["src"] == "./build/skill-package" and found["srcExists"], found
    assert found["endpoints"] == {}, f"the first deploy must have no endpoint: {found['endpoints']}"
    assert found["eventSubscriptions"] == [], f"the first deploy must have no events: {found['eventSubscriptions']}"
    assert found["skillName"] == "Back Care Coach", found["skillName"]
    assert found["domainValid"], f"ask-cli's domain check fails: {found.get('domainError')}"


def test_without_a_skill_id_ask_cli_would_create_a_skill(ask_cli, tmp_path):
    backcare_package(tmp_path, "--first-deploy")
    assert probe(ask_cli, tmp_path)["skillId"] is None, "no id was given, ask-cli must see none"


def test_ask_cli_reads_regional_endpoints_events_and_zips_the_whole_package(ask_cli, tmp_path):
    backcare_package(tmp_path, "--endpoint", NA, "--region-endpoint", f"EU={EU}", "--skill-id", SKILL,
                     "--profile", "work")
    found = probe(ask_cli, tmp_path, profile="work")
    assert found["skillId"] == SKILL, found
    assert found["endpoints"] == {"default": NA, "EU": EU}, f"endpoints as ask-cli reads them: {found['endpoints']}"
    assert found["eventSubscriptions"] == ["SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED", "SKILL_PERMISSION_CHANGED"], (
        found["eventSubscriptions"])
    assert found["hasIconFileUri"], "the icons must be file:// assets ask-cli uploads with the package"
    expected = sorted(["assets/images/icon-108.png", "assets/images/icon-512.png", "skill.json", *MODELS])
    assert found["zipEntries"] == expected, f"the zip ask deploy uploads: {found['zipEntries']}"


def test_deploy_setup_is_idempotent(ask_cli):
    done = subprocess.run([str(SETUP), "ask-cli"], capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert "installing" not in done.stderr, f"a second run must only check: {done.stderr}"


def test_deploy_setup_says_what_to_do_without_node(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("bash", "dirname", "cat", "sha256sum", "cut", "grep", "env"):
        found = shutil.which(tool)
        assert found, f"{tool} is needed to run the setup script"
        (bin_dir / tool).symlink_to(found)
    done = subprocess.run(["bash", str(SETUP), "ask-cli"], capture_output=True, text=True, timeout=60, check=False,
                          env={**os.environ, "PATH": str(bin_dir)})
    assert done.returncode == 3, f"missing Node.js should exit 3, got {done.returncode}: {done.stderr}"
    assert "Node.js is not installed" in done.stderr and "apt-get install nodejs npm" in done.stderr, done.stderr
