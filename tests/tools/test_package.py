"""`backcare package` writes a skill package the ASK CLI can deploy."""

from __future__ import annotations

import json

from support.nlu import LOCALES, MODELS_DIR, REPO, run_backcare

ARN = "arn:aws:lambda:eu-west-1:123456789012:function:back-care-coach-SkillFunction-ABC"


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_package_holds_the_manifest_and_every_locale_model(tmp_path):
    done = run_backcare("package", "--out", str(tmp_path))
    assert done.returncode == 0, done.stderr
    package = tmp_path / "skill-package"
    assert read(package / "skill.json") == read(REPO / "skill" / "skill.json"), "manifest changed on the way"
    for locale in LOCALES:
        model = package / "interactionModels" / "custom" / f"{locale}.json"
        assert read(model) == read(MODELS_DIR / f"{locale}.json"), f"{locale} model missing or changed"
    assert "placeholder" in done.stderr, "without --endpoint the user must be told the ARN is a placeholder"


def test_ask_resources_points_the_default_profile_at_the_package(tmp_path):
    run_backcare("package", "--out", str(tmp_path), "--skill-id", "amzn1.ask.skill.test")
    resources = read(tmp_path / "ask-resources.json")
    assert resources["askcliResourcesVersion"] == "2020-03-31", resources
    profile = resources["profiles"]["default"]
    assert profile["skillMetadata"]["src"] == "./skill-package", profile
    assert profile["skillId"] == "amzn1.ask.skill.test", profile
    assert (tmp_path / profile["skillMetadata"]["src"] / "skill.json").exists(), "src must resolve from build/"


def test_endpoint_option_sets_the_skill_and_events_endpoints(tmp_path):
    done = run_backcare("package", "--out", str(tmp_path), "--endpoint", ARN)
    assert done.returncode == 0, done.stderr
    manifest = read(tmp_path / "skill-package" / "skill.json")["manifest"]
    assert manifest["apis"]["custom"]["endpoint"]["uri"] == ARN, manifest["apis"]
    assert manifest["events"]["endpoint"]["uri"] == ARN, manifest["events"]
    assert "placeholder" not in done.stderr, done.stderr


def test_manifest_declares_permission_events_and_disclaimer():
    manifest = read(REPO / "skill" / "skill.json")["manifest"]
    assert {"name": "alexa::alerts:reminders:skill:readwrite"} in manifest["permissions"], manifest["permissions"]
    events = {e["eventName"] for e in manifest["events"]["subscriptions"]}
    assert events == {"SKILL_DISABLED", "SKILL_PERMISSION_ACCEPTED", "SKILL_PERMISSION_CHANGED"}, events
    info = manifest["publishingInformation"]
    assert set(info["locales"]) == set(LOCALES), info["locales"].keys()
    for locale, details in info["locales"].items():
        text = details["description"].lower()
        assert "not a substitute for professional medical advice" in text, f"{locale}: no disclaimer"
        assert "emergency" in text, f"{locale}: no emergency advice"
        assert "111" not in text or locale == "en-GB", f"{locale}: 111 is the UK's number only"
    assert info["category"] == "HEALTH_AND_FITNESS", info["category"]
    assert manifest["privacyAndCompliance"]["isChildDirected"] is False, "a health skill is not for children"


def test_rebuilding_replaces_a_stale_package(tmp_path):
    stale = tmp_path / "skill-package" / "interactionModels" / "custom" / "de-DE.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    assert run_backcare("package", "--out", str(tmp_path)).returncode == 0
    assert not stale.exists(), "a locale that is no longer in the manifest must not be deployed"
