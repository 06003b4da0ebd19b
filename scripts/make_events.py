"""Write the sample request envelopes in events/ (for `sam local invoke -e` and `backcare invoke`).

Envelopes that continue a conversation carry the session attributes the skill itself produced,
so they stay valid when the attribute layout changes: re-run this script and commit the result.
Fixed ids and timestamps keep the files stable between runs.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "lambda"))
os.environ.setdefault("PERSISTENCE", "none")
os.environ.setdefault("BACKCARE_STATE_DIR", tempfile.mkdtemp())

from backcare_tools import envelopes as env  # noqa: E402
from backcare_tools.invoke import load_lambda_handler  # noqa: E402

STAMP = "2026-11-25T10:00:00Z"


def stable(envelope: dict, name: str) -> dict:
    envelope["session"]["sessionId"] = "amzn1.echo-api.session.sample-" + name
    envelope["request"]["requestId"] = "amzn1.echo-api.request.sample-" + name
    envelope["request"]["timestamp"] = STAMP
    return envelope


def main() -> None:
    handler = load_lambda_handler()
    out = ROOT / "events"
    out.mkdir(exist_ok=True)

    def write(name: str, envelope: dict) -> None:
        (out / f"{name}.json").write_text(json.dumps(stable(envelope, name), indent=2) + "\n")

    fresh = env.Session()
    write("launch", fresh.envelope(env.launch_request()))
    write("check_symptoms", env.Session().envelope(env.intent_request("CheckSymptomsIntent")))
    write("tips", env.Session().envelope(env.intent_request("SelfCareTipsIntent", {"topic": {
        "value": "posture", "id": "positions"}})))
    write("help", env.Session().envelope(env.intent_request("AMAZON.HelpIntent")))
    write("report_symptom_emergency", env.Session().envelope(env.intent_request("ReportSymptomIntent", {
        "symptom": {"value": "I can't control my bladder", "id": "bladder"}})))
    write("emergency", env.Session().envelope(env.intent_request("EmergencyIntent")))

    # Mid-check envelopes: first question pending.
    in_check = env.Session()
    in_check.absorb(handler(in_check.envelope(env.intent_request("CheckSymptomsIntent")), None))
    for name, intent in [("yes", "AMAZON.YesIntent"), ("no", "AMAZON.NoIntent"),
                         ("unsure", "UnsureIntent"), ("why", "WhyAskIntent"), ("stop", "AMAZON.StopIntent")]:
        write(name, in_check.envelope(env.intent_request(intent)))
    write("session_ended", in_check.envelope(env.session_ended_request("USER_INITIATED")))

    # Reminders: the voice permission answer carries the pending reminder in its session.
    asking = env.Session(device=env.Device(consent_token=None))
    asking.absorb(handler(asking.envelope(env.intent_request("SetStretchReminderIntent", {"time": "15:00"})), None))
    asking.absorb(handler(asking.envelope(env.intent_request("AMAZON.YesIntent")), None))
    write("permission_denied", asking.envelope(env.connections_response("DENIED", token="reminders")))
    write("list_reminders", env.Session().envelope(env.intent_request("ListRemindersIntent")))

    # Skill events come without a session.
    device = env.Device()
    for name, event in [("skill_disabled", "SkillDisabled"), ("skill_permission_changed", "SkillPermissionChanged")]:
        body = {"acceptedPermissions": []} if event == "SkillPermissionChanged" else None
        envelope = env.event_envelope(device, env.skill_event(event, body=body))
        envelope["request"]["requestId"] = "amzn1.echo-api.request.sample-" + name
        envelope["request"]["timestamp"] = envelope["request"]["eventCreationTime"] = STAMP
        (out / f"{name}.json").write_text(json.dumps(envelope, indent=2) + "\n")


if __name__ == "__main__":
    main()
