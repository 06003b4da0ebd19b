"""Issue 14, point 8: docs/persistence.md's local DynamoDB commands work exactly as written. The
block is taken from the document and run by bash in the checkout, with no AWS settings inherited;
the only change is the port (a free one instead of 5005, so a busy port cannot fail the test).
Afterwards the launch must be in the table: the store was really used, not skipped with a warning."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from support import ROOT
from support.dynamodb import free_port

DOC = ROOT / "docs" / "persistence.md"
SECTION = "## A local DynamoDB-compatible server"
DOCUMENTED_PORT = "5005"


def documented_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    assert SECTION in text, f"{DOC.name} lost its section {SECTION!r}"
    match = re.search(r"```sh\n(.*?)```", text[text.index(SECTION):], re.S)
    assert match, f"no sh block under {SECTION!r}"
    return match.group(1)


def test_the_block_sets_region_and_credentials_and_points_the_skill_at_the_server():
    block = documented_block()
    for needed in ("AWS_REGION=", "AWS_ACCESS_KEY_ID=", "AWS_SECRET_ACCESS_KEY=", "backcare dynamodb create-table",
                   "AWS_ENDPOINT_URL_DYNAMODB=", "PERSISTENCE=dynamodb", "TABLE_NAME="):
        assert needed in block, f"the documented commands must include {needed!r}:\n{block}"


@pytest.mark.timeout(180)
def test_the_documented_commands_store_the_launch_in_the_local_table(tmp_path):
    port = str(free_port())
    block = documented_block().replace(DOCUMENTED_PORT, port)
    table = re.search(r"--table (\S+)", block).group(1)
    check = (f".venv/bin/python -c \"from backcare_tools.local_table import local_client; import json; "
             f"items = local_client('http://127.0.0.1:{port}').scan(TableName='{table}')['Items']; "
             f"print('ITEMS', json.dumps(items))\"")
    script = "set -e\ntrap 'kill $! 2>/dev/null || true' EXIT\n" + block + "\n" + check + "\n"
    env = {key: value for key, value in os.environ.items()
           if not key.startswith("AWS_") and key not in ("PERSISTENCE", "TABLE_NAME", "BACKCARE_STATE_DIR")}
    env["BACKCARE_STATE_DIR"] = str(tmp_path / "state")  # never the developer's own store
    result = subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=150)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"the documented commands failed:\n{output[-4000:]}"
    assert "Persistent store failed" not in output, f"the skill ran without its store:\n{output[-3000:]}"
    response = json.loads(result.stdout[result.stdout.index("{"):result.stdout.rindex("ITEMS")])
    assert response["response"].get("outputSpeech"), f"the launch must be answered: {response}"
    items = json.loads(result.stdout.split("ITEMS", 1)[1])
    assert len(items) == 1 and items[0]["attributes"]["M"]["visits"] == {"N": "1"}, \
        f"the launch must be stored in the local table: {items}"
