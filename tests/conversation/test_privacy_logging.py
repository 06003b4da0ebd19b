"""Logs never hold raw user ids, device ids or tokens (SPEC §6): `logging_setup.redact` and the
filter `configure` installs, checked on captured log output, in this process and in a fresh one
running the real lambda_handler at DEBUG."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import textwrap

import pytest

from backcare.logging_setup import RedactingFilter, configure, redact, short_hash
from backcare_tools import envelopes
from support import ROOT

USER_ID = "amzn1.ask.account.AEKZ2XQ7PLMNOPQRSTUVWXYZ234567ABCDEFGHIJ"
DEVICE_ID = "amzn1.ask.device.AEDEVICE7PLMNOPQRSTUVWXYZ234567ABCDEFG"
PERSON_ID = "amzn1.ask.person.AEPERSON7PLMNOPQRSTUVWXYZ234567"
API_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2FwaSJ9.c2lnbmF0dXJlLXBhcnQ"
CONSENT_TOKEN = "Atza|IwEBIA-consent-token-value_0123456789"
LOCAL_TOKEN = "local-api-access-token"
SECRETS = (USER_ID, DEVICE_ID, PERSON_ID, API_TOKEN, CONSENT_TOKEN, LOCAL_TOKEN)
LAMBDA_DIR = ROOT / "lambda"


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text, f"{secret[:24]}... leaked into: {text[:300]}"
    assert "AEKZ2XQ7" not in text, "part of a user id leaked"


def test_alexa_ids_are_replaced_by_a_short_stable_hash():
    line = f"user {USER_ID} on {DEVICE_ID} as {PERSON_ID}"
    redacted = redact(line)
    assert_no_secret(redacted)
    assert f"<user:{short_hash(USER_ID)}>" in redacted, f"the user id should become a hash: {redacted}"
    assert f"<device:{short_hash(DEVICE_ID)}>" in redacted, f"the device id should become a hash: {redacted}"
    assert redact(line) == redacted, "the same id must always give the same hash (logs correlate)"
    other = redact("user amzn1.ask.account.SOMEONEELSE")
    assert short_hash(USER_ID) not in other, "different users must get different hashes"


@pytest.mark.parametrize("text", [
    f"Authorization: Bearer {API_TOKEN}",
    f"authorization=Bearer {LOCAL_TOKEN}",
    json.dumps({"apiAccessToken": LOCAL_TOKEN, "consentToken": CONSENT_TOKEN}),
    repr({"api_access_token": LOCAL_TOKEN, "consent_token": CONSENT_TOKEN}),
    f"token {API_TOKEN} and {CONSENT_TOKEN}",
    f"api_access_token={LOCAL_TOKEN}, consent_token='{CONSENT_TOKEN}'",
])
def test_tokens_are_redacted_in_every_usual_shape(text):
    redacted = redact(text)
    assert_no_secret(redacted)
    assert "<token:" in redacted, f"a token placeholder should show where the token was: {redacted}"


def test_ordinary_text_and_the_skill_id_are_left_alone():
    text = f"request IntentRequest CheckSymptomsIntent for {envelopes.DEFAULT_SKILL_ID} took 3 ms"
    assert redact(text) == text, "redaction must not damage lines without personal data"


def test_a_whole_envelope_dump_is_redacted():
    device = envelopes.Device(user_id=USER_ID, device_id=DEVICE_ID, api_access_token=API_TOKEN,
                              consent_token=CONSENT_TOKEN)
    body = envelopes.Session(device=device).envelope(envelopes.launch_request())
    assert_no_secret(redact(json.dumps(body)))
    assert_no_secret(redact(repr(body)))


@pytest.fixture
def restore_root_logger():
    root = logging.getLogger()
    level, handlers = root.level, list(root.handlers)
    filters = {handler: list(handler.filters) for handler in handlers}
    yield
    root.setLevel(level)
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler, kept in filters.items():
        handler.filters[:] = kept


def test_configure_redacts_messages_arguments_and_tracebacks(caplog, restore_root_logger):
    configure("DEBUG")
    configure("DEBUG")  # idempotent: one filter per handler
    assert sum(isinstance(f, RedactingFilter) for f in caplog.handler.filters) == 1, \
        "configure must install exactly one redacting filter per root handler"
    log = logging.getLogger("backcare.test")
    log.info("launch for %s with token %s", USER_ID, API_TOKEN)
    try:
        raise RuntimeError(f"store failed for {USER_ID} (consentToken={CONSENT_TOKEN})")
    except RuntimeError:
        log.exception("handler failed")
    captured = caplog.text + "".join(record.getMessage() for record in caplog.records)
    assert_no_secret(captured)
    assert f"<user:{short_hash(USER_ID)}>" in caplog.text, "the message should keep a hash of the user id"
    assert "RuntimeError: store failed for <user:" in caplog.text, "the traceback should be kept, redacted"


def test_noisy_libraries_stay_at_warning(restore_root_logger):
    configure("DEBUG")
    assert logging.getLogger("botocore").getEffectiveLevel() == logging.WARNING, \
        "botocore logs whole request bodies at DEBUG: it must stay at WARNING"


def run_lambda_at_debug(tmp_path, events: list[dict]) -> subprocess.CompletedProcess:
    """A fresh process, like a Lambda container: LOG_LEVEL=DEBUG, the events in one session (each
    response's session attributes carried into the next), a probe line per event logging the
    whole event and response."""
    script = textwrap.dedent(f"""
        import json, logging, sys
        sys.path.insert(0, {str(LAMBDA_DIR)!r})
        import lambda_function
        attributes = {{}}
        for event in json.loads(sys.stdin.read()):
            if "session" in event:
                event["session"]["attributes"] = attributes
            response = lambda_function.lambda_handler(event, None)
            attributes = response.get("sessionAttributes") or {{}}
            logging.getLogger("probe").debug("event %s response %s", json.dumps(event), json.dumps(response))
    """)
    env = {**os.environ, "LOG_LEVEL": "DEBUG", "PERSISTENCE": "sqlite", "BACKCARE_STATE_DIR": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", script], input=json.dumps(events), env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


def test_lambda_handler_at_debug_logs_no_ids_or_tokens(tmp_path):
    """A launch and a check turn."""
    device = envelopes.Device(user_id=USER_ID, device_id=DEVICE_ID, api_access_token=API_TOKEN,
                              consent_token=CONSENT_TOKEN)
    session = envelopes.Session(device=device)
    events = [session.envelope(envelopes.launch_request()),
              session.envelope(envelopes.intent_request("CheckSymptomsIntent"))]
    result = run_lambda_at_debug(tmp_path, events)
    assert "probe" in result.stderr and "<user:" in result.stderr, \
        f"the probe line should be logged, with the user id hashed: {result.stderr[-1000:]}"
    assert_no_secret(result.stderr + result.stdout)


SYMPTOM_WORDS = "I can't feel anything between my legs"


def test_lambda_handler_at_debug_logs_no_symptom_or_outcome(tmp_path):
    """SPEC §6: logs never hold symptom answers. A check answered no, then yes (an URGENT sign),
    and a named symptom (EMERGENCY) in a later session: the skill's own log lines (not the probe's)
    name neither the sign, nor the words, nor the advice given."""
    device = envelopes.Device(user_id=USER_ID, device_id=DEVICE_ID, api_access_token=API_TOKEN,
                              consent_token=CONSENT_TOKEN)
    session = envelopes.Session(device=device)
    session.new = False
    events = [envelopes.Session(device=device).envelope(envelopes.launch_request()),
              session.envelope(envelopes.intent_request("CheckSymptomsIntent")),
              *(session.envelope(envelopes.intent_request("AMAZON.NoIntent")) for _ in range(7)),
              session.envelope(envelopes.intent_request("AMAZON.YesIntent")),  # question 8: fever (URGENT)
              envelopes.Session(device=device).envelope(envelopes.intent_request("ReportSymptomIntent", {
                  "symptom": {"value": SYMPTOM_WORDS, "id": "saddle_numbness"}}))]
    result = run_lambda_at_debug(tmp_path, events)
    probe = result.stderr.count("probe")
    assert probe == len(events), f"every event should have run: {result.stderr[-2000:]}"
    responses = [line for line in result.stderr.splitlines() if "probe" in line]
    assert "Get medical advice today" in responses[-2] and "emergency" in responses[-1].lower(), (
        "the check and the symptom should have reached their advice")
    own = "\n".join(line for line in result.stderr.splitlines() if "probe" not in line)
    assert own.strip(), "the skill should log something at DEBUG"
    from backcare.triage import QUESTION_IDS

    for word in (SYMPTOM_WORDS, *QUESTION_IDS, "URGENT", "EMERGENCY", "SELF_CARE", "SEE_DOCTOR",
                 "Disposition.", "medical advice today", "outcome.", "advice."):
        assert word not in own, f"{word!r} in the skill's own logs:\n{own[-3000:]}"
    assert_no_secret(result.stderr + result.stdout)
