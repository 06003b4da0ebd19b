"""Shared test set-up: every test gets its own state directory and a clean environment."""

from __future__ import annotations

import pytest

from support import ROOT


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path, monkeypatch):
    """No test reads the developer's state, AWS credentials or skill id."""
    monkeypatch.setenv("BACKCARE_STATE_DIR", str(tmp_path / "state"))
    # The tooling finds the checkout from here even when a test runs it in another folder.
    monkeypatch.setenv("BACKCARE_PROJECT_DIR", str(ROOT))
    for name in ("SKILL_ID", "TABLE_NAME", "PERSISTENCE", "AUDIO_BASE_URL", "AWS_LAMBDA_FUNCTION_NAME",
                 "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
