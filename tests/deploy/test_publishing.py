"""What certification needs from the repository: icons, the privacy and terms documents, the docs,
and the one documented deploy sequence."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from backcare_tools.icons import SIZES, icon_path, png_size, render, source
from support import ROOT

DOCS = ROOT / "docs"


def doc_text(name: str) -> str:
    """A document's words on one line (Markdown wraps lines and quotes with "> ")."""
    return " ".join((DOCS / name).read_text(encoding="utf-8").replace("\n>", "\n").split())


def test_icons_are_pngs_at_108_and_512_pixels():
    for size in SIZES.values():
        path = icon_path(ROOT, size)
        assert path.is_file(), f"{path} is missing: run `backcare icons`"
        found = png_size(path.read_bytes())
        assert found == (size, size), f"{path} is {found}, not {size}x{size}"


def test_icons_are_the_current_render_of_the_one_source_drawing():
    assert source(ROOT).read_text().lstrip().startswith("<?xml"), "skill/icon.svg is the source drawing"
    for size in SIZES.values():
        assert render(source(ROOT), size) == icon_path(ROOT, size).read_bytes(), (
            f"skill/icons/icon-{size}.png is not the render of skill/icon.svg: run `backcare icons`")


def test_icons_command_renders_both_sizes_and_checks_them():
    done = subprocess.run([sys.executable, "-m", "backcare_tools", "icons", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"backcare icons --check: {done.stderr}"


# What lambda/backcare/persistence/user_data.py keeps (SPEC §6, v2), and how the privacy policy names it.
STORED_FIELDS = {
    "disclaimer_heard": "disclaimer heard",
    "visits": "visit count",
    "last_tip": "last tip",
    "reminders": "reminder records",
    "prefs": "reminder preferences",
    "exercise": "exercise level and completed sessions",
    "checkin": "check-in reminder",
    "schema": "schema number",
}


def test_privacy_policy_names_every_stored_field_and_what_is_never_kept():
    policy = doc_text("privacy-policy.md").lower()
    for field, words in STORED_FIELDS.items():
        assert words in policy, f"docs/privacy-policy.md does not describe the stored field {field!r} ({words!r})"
    for never in ("answers to the red-flag questions", "check-in question", "pain score", "voice"):
        assert never in policy, f"docs/privacy-policy.md must say the skill never keeps {never!r}"
    for fact in ("delete my data", "disabling the skill", "35 days", "30 days", "its date"):
        assert fact in policy, f"docs/privacy-policy.md lacks {fact!r}"


def test_privacy_policy_covers_every_field_the_code_keeps():
    """The allow-list's own layout: a new stored field must be disclosed before it ships."""
    code = ("import json, sys; sys.path.insert(0, 'lambda'); from backcare.persistence import user_data; "
            "print(json.dumps(sorted(user_data.defaults())))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, f"could not read the stored layout: {done.stderr[-2000:]}"
    undisclosed = sorted(set(json.loads(done.stdout.strip().splitlines()[-1])) - set(STORED_FIELDS))
    assert not undisclosed, f"stored but not in docs/privacy-policy.md (and STORED_FIELDS here): {undisclosed}"


def test_terms_say_information_not_advice_and_emergency_numbers():
    terms = doc_text("terms-of-use.md")
    assert "not a substitute for professional medical advice" in terms, "terms lack the disclaimer"
    for number in ("911", "999", "000", "112"):
        assert number in terms, f"terms lack the emergency number {number}"


def test_publishing_guide_quotes_the_health_policy_and_answers_it_plainly():
    guide = doc_text("publishing.md")
    assert "Collects information relating to any person's physical or mental health" in guide, "policy 8a not quoted"
    assert "not a substitute for professional medical advice." in guide, "policy 8e not quoted"
    for point in ("stores none", "within the session", "Alexa, open back care coach", "testingInstructions",
                  "--submission", "CAN_FULFILL_INTENT_REQUEST"):
        assert point in guide, f"docs/publishing.md lacks {point!r}"


def test_readme_points_to_the_deploy_and_publishing_guides():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for target in ("docs/deploy.md", "docs/publishing.md", "docs/privacy-policy.md", "make deploy"):
        assert target in readme, f"README does not mention {target}"
    deploy = doc_text("deploy.md")
    assert "Data deletion on disable needs the last step" in deploy, "the console route must be marked"
    for region in ("us-east-1", "eu-west-1", "us-west-2"):
        assert f"--config-env {region}" in deploy, f"docs/deploy.md does not deploy {region}"
    assert "python3.11" not in re.sub(r"python3\.11 only until 2027-06-30|\| python3\.11 \|", "", deploy), (
        "docs/deploy.md still describes the python3.11 runtime")


def test_deploy_script_runs_the_first_deploy_sequence_in_order(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "BACKCARE_PROJECT_DIR": str(ROOT)}
    done = subprocess.run(["bash", str(ROOT / "scripts" / "deploy.sh"), "--dry-run", "--yes"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, f"deploy.sh --dry-run failed: {done.stderr[-2000:]}"
    commands = [line[2:] for line in done.stderr.splitlines() if line.startswith("+ ")]
    skill_known = not any(c.startswith("backcare package --first-deploy") for c in commands)
    expected = [] if skill_known else ["backcare package --first-deploy", "ask deploy --target skill-metadata"]
    expected += ["sam build", "sam deploy --config-env us-east-1", "sam deploy --config-env eu-west-1",
                 "sam deploy --config-env us-west-2", "backcare package --from-stacks",
                 "ask deploy --target skill-metadata", "ask smapi set-skill-enablement"]
    assert len(commands) == len(expected), f"steps: {commands}"
    for command, start in zip(commands, expected, strict=True):
        assert command.startswith(start), f"expected {start!r}, got {command!r} in {commands}"
    assert all("SkillId=amzn1.ask.skill." in c for c in commands if c.startswith("sam deploy")), commands
