"""`backcare package` and `backcare skill-id`: the ASK CLI project ask-cli deploys.

Each test packages into its own project folder (--project), never into the checkout. What
ask-cli itself reads from these files is checked in tests/deploy/test_ask_cli.py.
"""

from __future__ import annotations

import json
import shutil

import pytest

from support.dynamodb import moto_server_fixture  # noqa: F401 (fixture)
from support.nlu import LOCALES, MODELS_DIR, REPO, run_backcare

NA = "arn:aws:lambda:us-east-1:123456789012:function:back-care-coach-SkillFunction-AB12:live"
EU = "arn:aws:lambda:eu-west-1:123456789012:function:back-care-coach-SkillFunction-CD34:live"
FE = "arn:aws:lambda:us-west-2:123456789012:function:back-care-coach-SkillFunction-EF56:live"
SKILL = "amzn1.ask.skill.11111111-2222-3333-4444-555555555555"
OTHER_SKILL = "amzn1.ask.skill.99999999-8888-7777-6666-555555555555"
PRIVACY, TERMS = "https://backcarecoach.org/privacy", "https://backcarecoach.org/terms"


def read(path):
    return json.loads(path.read_text(encoding="utf-8"))


def package(project, *args):
    done = run_backcare("package", "--project", str(project), *args)
    manifest_path = project / "build" / "skill-package" / "skill.json"
    manifest = read(manifest_path)["manifest"] if manifest_path.exists() else None
    return done, manifest


def test_first_deploy_package_has_no_endpoint_and_no_events(tmp_path):
    done, manifest = package(tmp_path, "--first-deploy")
    assert done.returncode == 0, done.stderr
    assert "endpoint" not in manifest["apis"]["custom"], f"first deploy must not name an endpoint: {manifest['apis']}"
    assert "regions" not in manifest["apis"]["custom"], manifest["apis"]
    assert "events" not in manifest, f"events need an endpoint, so the first deploy has none: {manifest.get('events')}"
    assert "NEW skill" in done.stdout, f"the user must be told a new skill will be created: {done.stdout}"


def test_package_holds_the_manifest_every_locale_model_and_the_icons(tmp_path):
    done, manifest = package(tmp_path, "--first-deploy")
    assert done.returncode == 0, done.stderr
    source = read(REPO / "skill" / "skill.json")["manifest"]
    assert manifest["permissions"] == source["permissions"], "permissions changed on the way"
    package_dir = tmp_path / "build" / "skill-package"
    for locale in LOCALES:
        model = package_dir / "interactionModels" / "custom" / f"{locale}.json"
        assert read(model) == read(MODELS_DIR / f"{locale}.json"), f"{locale} model missing or changed"
        details = manifest["publishingInformation"]["locales"][locale]
        for field, size in (("smallIconUri", 108), ("largeIconUri", 512)):
            uri = details[field]
            assert uri.startswith("file://assets/images/"), f"{locale} {field} is {uri}"
            icon = package_dir / uri.removeprefix("file://")
            assert icon.read_bytes() == (REPO / "skill" / "icons" / f"icon-{size}.png").read_bytes(), f"{icon} differs"


def test_ask_resources_points_the_profile_at_the_package_and_holds_no_skill_id(tmp_path):
    done, _ = package(tmp_path, "--first-deploy", "--profile", "work", "--skill-id", SKILL)
    assert done.returncode == 0, done.stderr
    resources = read(tmp_path / "ask-resources.json")
    assert resources["askcliResourcesVersion"] == "2020-03-31", resources
    profile = resources["profiles"]["work"]
    assert profile == {"skillMetadata": {"src": "./build/skill-package"}}, f"ask-cli ignores anything else: {profile}"
    assert (tmp_path / profile["skillMetadata"]["src"] / "skill.json").exists(), "src must resolve from the project"


def test_skill_id_is_kept_in_ask_states_where_ask_cli_reads_it_and_survives_rebuilds(tmp_path):
    package(tmp_path, "--first-deploy", "--skill-id", SKILL)
    states = read(tmp_path / ".ask" / "ask-states.json")
    assert states["askcliStatesVersion"] == "2020-03-31", states
    assert states["profiles"]["default"]["skillId"] == SKILL, states
    shutil.rmtree(tmp_path / "build")  # what `make clean` does
    done, _ = package(tmp_path, "--endpoint", NA)
    assert done.returncode == 0, done.stderr
    assert read(tmp_path / ".ask" / "ask-states.json")["profiles"]["default"]["skillId"] == SKILL, "skill id lost"
    assert f"update skill {SKILL}" in done.stdout, f"the user must see which skill is updated: {done.stdout}"


def test_recording_another_skill_id_drops_the_old_skills_deploy_hash(tmp_path):
    states_path = tmp_path / ".ask" / "ask-states.json"
    states_path.parent.mkdir()
    states_path.write_text(json.dumps({"askcliStatesVersion": "2020-03-31", "profiles": {"default": {
        "skillId": SKILL, "skillMetadata": {"lastDeployHash": "abc", "lastImportId": "x"}}}}))
    done = run_backcare("skill-id", "--project", str(tmp_path), "--set", OTHER_SKILL)
    assert done.returncode == 0, done.stderr
    assert SKILL in done.stderr, f"replacing an id must be reported: {done.stderr}"
    entry = read(states_path)["profiles"]["default"]
    assert entry["skillId"] == OTHER_SKILL, entry
    assert "lastDeployHash" not in entry["skillMetadata"], "ask-cli would skip the upload to the new skill"
    assert entry["skillMetadata"]["lastImportId"] == "x", "other ask-cli state must be kept"
    shown = run_backcare("skill-id", "--project", str(tmp_path))
    assert shown.stdout.strip() == OTHER_SKILL, shown.stdout


def test_skill_id_command_says_when_there_is_none_and_refuses_a_malformed_id(tmp_path):
    done = run_backcare("skill-id", "--project", str(tmp_path))
    assert done.returncode == 1 and "new skill" in done.stderr, done.stderr
    bad = run_backcare("skill-id", "--project", str(tmp_path), "--set", "my-skill")
    assert bad.returncode == 1 and "not a skill id" in bad.stderr, bad.stderr


def test_regional_endpoints_serve_requests_and_skill_events(tmp_path):
    done, manifest = package(tmp_path, "--endpoint", NA, "--region-endpoint", f"EU={EU}", "--region-endpoint",
                             f"FE={FE}")
    assert done.returncode == 0, done.stderr
    expected = {"EU": {"endpoint": {"uri": EU}}, "FE": {"endpoint": {"uri": FE}}}
    for section in (manifest["apis"]["custom"], manifest["events"]):
        assert section["endpoint"] == {"uri": NA}, f"default endpoint: {section['endpoint']}"
        assert section["regions"] == expected, f"regional endpoints: {section['regions']}"


def test_an_endpoint_in_the_wrong_aws_region_is_refused(tmp_path):
    done, manifest = package(tmp_path, "--endpoint", NA, "--region-endpoint", f"FE={EU}")
    assert done.returncode == 1, "an FE endpoint in eu-west-1 must be refused"
    assert "us-west-2" in done.stderr, done.stderr
    assert manifest is None, "nothing may be written when the manifest is refused"


def test_the_endpoint_source_must_be_chosen(tmp_path):
    done, manifest = package(tmp_path)
    assert done.returncode == 1, "without an endpoint source the package would silently drop the endpoint"
    assert "--first-deploy" in done.stderr and "--from-stacks" in done.stderr, done.stderr
    assert manifest is None, "nothing may be written"


def test_submission_refuses_placeholder_urls_and_keeps_the_earlier_package(tmp_path, monkeypatch):
    done, _ = package(tmp_path, "--endpoint", NA)
    assert done.returncode == 0, done.stderr
    monkeypatch.setenv("BACKCARE_PRIVACY_POLICY_URL", "https://example.com/back-care-coach/privacy")
    monkeypatch.setenv("BACKCARE_TERMS_OF_USE_URL", "https://example.com/back-care-coach/terms")
    refused, manifest = package(tmp_path, "--endpoint", NA, "--submission")
    assert refused.returncode == 1, "a submission package with example.com URLs must be refused"
    assert "placeholder" in refused.stderr and "privacyPolicyUrl" in refused.stderr, refused.stderr
    assert "privacyAndCompliance" in manifest and "locales" not in manifest["privacyAndCompliance"], (
        "the refused package must not replace the earlier one")
    assert not (tmp_path / "build" / "skill-package.new").exists(), "the refused package was left behind"


def test_submission_refuses_missing_urls_and_a_first_deploy_package(tmp_path):
    missing, _ = package(tmp_path, "--endpoint", NA, "--submission")
    assert missing.returncode == 1 and "is not set" in missing.stderr, missing.stderr
    first, _ = package(tmp_path, "--first-deploy", "--submission", "--privacy-policy-url", PRIVACY,
                       "--terms-of-use-url", TERMS)
    assert first.returncode == 1 and "cannot be submitted" in first.stderr, first.stderr


def test_submission_package_with_real_urls_sets_them_for_every_locale(tmp_path):
    done, manifest = package(tmp_path, "--endpoint", NA, "--submission", "--privacy-policy-url", PRIVACY,
                             "--terms-of-use-url", TERMS)
    assert done.returncode == 0, done.stderr
    documents = manifest["privacyAndCompliance"]["locales"]
    assert set(documents) == set(LOCALES), documents
    assert all(d == {"privacyPolicyUrl": PRIVACY, "termsOfUseUrl": TERMS} for d in documents.values()), documents
    assert "example.com" not in json.dumps(manifest), "a placeholder reached the submission package"


def test_name_free_declares_can_fulfill_intent_request(tmp_path):
    done, manifest = package(tmp_path, "--endpoint", NA, "--name-free")
    assert done.returncode == 0, done.stderr
    assert {"type": "CAN_FULFILL_INTENT_REQUEST"} in manifest["apis"]["custom"]["interfaces"], manifest["apis"]
    _, manifest = package(tmp_path, "--endpoint", NA)
    assert manifest["apis"]["custom"]["interfaces"] == [], "name-free is declared only when asked for"


def test_rebuilding_replaces_a_stale_package(tmp_path):
    stale = tmp_path / "build" / "skill-package" / "interactionModels" / "custom" / "de-DE.json"
    stale.parent.mkdir(parents=True)
    stale.write_text("{}")
    done, _ = package(tmp_path, "--first-deploy")
    assert done.returncode == 0, done.stderr
    assert not stale.exists(), "a locale that is no longer in the manifest must not be deployed"


@pytest.fixture
def checkout_copy(tmp_path, monkeypatch):
    """A copy of the files `backcare package` reads, to break on purpose (BACKCARE_PROJECT_DIR)."""
    copy = tmp_path / "checkout"
    shutil.copytree(REPO / "skill", copy / "skill")
    shutil.copytree(MODELS_DIR, copy / "interaction_models", ignore=shutil.ignore_patterns("sources", "*.py"))
    shutil.copyfile(REPO / "samconfig.toml", copy / "samconfig.toml")
    monkeypatch.setenv("BACKCARE_PROJECT_DIR", str(copy))
    return copy


def test_a_manifest_key_smapi_does_not_know_is_refused(checkout_copy, tmp_path):
    path = checkout_copy / "skill" / "skill.json"
    manifest = read(path)
    manifest["manifest"]["publishingInformation"]["locales"]["en-GB"]["examplePhrase"] = ["Alexa, open it"]
    path.write_text(json.dumps(manifest))
    done, _ = package(tmp_path / "project", "--first-deploy")
    assert done.returncode == 1, "a misspelt key must be refused before SMAPI sees it"
    assert "examplePhrase" in done.stderr, done.stderr


def test_an_unknown_event_is_refused(checkout_copy, tmp_path):
    path = checkout_copy / "skill" / "skill.json"
    manifest = read(path)
    manifest["manifest"]["events"]["subscriptions"].append({"eventName": "SKILL_UNINSTALLED"})
    path.write_text(json.dumps(manifest))
    done, _ = package(tmp_path / "project", "--endpoint", NA)
    assert done.returncode == 1 and "SKILL_UNINSTALLED" in done.stderr, done.stderr


def test_example_phrases_must_come_from_the_sample_utterances(checkout_copy, tmp_path):
    path = checkout_copy / "skill" / "skill.json"
    manifest = read(path)
    manifest["manifest"]["publishingInformation"]["locales"]["en-AU"]["examplePhrases"][1] = "fix my back for me"
    path.write_text(json.dumps(manifest))
    done, _ = package(tmp_path / "project", "--endpoint", NA, "--submission", "--privacy-policy-url", PRIVACY,
                      "--terms-of-use-url", TERMS)
    assert done.returncode == 1, "an example phrase that is no sample utterance fails certification"
    assert "en-AU" in done.stderr and "fix my back for me" in done.stderr, done.stderr


def test_source_manifest_declares_permission_events_disclaimer_and_no_placeholders():
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
        phrases = details["examplePhrases"]
        assert phrases[0] == "Alexa, open back care coach", f"{locale}: lead with opening the skill: {phrases}"
        assert not any(p.lower().startswith("alexa, ask") for p in phrases), (
            f"{locale}: a one-shot may not reach a skill in development under Alexa+: {phrases}")
    assert info["category"] == "HEALTH_AND_FITNESS", info["category"]
    assert manifest["privacyAndCompliance"]["isChildDirected"] is False, "a health skill is not for children"
    text = json.dumps(manifest)
    for placeholder in ("example.com", "000000000000", "arn:aws:lambda"):
        assert placeholder not in text, f"skill.json holds {placeholder}: endpoints and URLs are set at package time"


CFN_TEMPLATE = json.dumps({
    "Resources": {"Queue": {"Type": "AWS::SQS::Queue"}},
    "Outputs": {"SkillEndpointArn": {"Value": "ARN"}},
})


def test_from_stacks_reads_each_regional_stacks_endpoint(tmp_path, monkeypatch, moto_server):
    import boto3

    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDFORMATION", moto_server.url)
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    for region, arn in (("us-east-1", NA), ("eu-west-1", EU)):  # no us-west-2 stack
        client = boto3.client("cloudformation", region_name=region, endpoint_url=moto_server.url)
        client.create_stack(StackName="back-care-coach", TemplateBody=CFN_TEMPLATE.replace("ARN", arn))
    done, manifest = package(tmp_path, "--from-stacks")
    assert done.returncode == 0, done.stderr
    assert manifest["apis"]["custom"]["endpoint"] == {"uri": NA}, manifest["apis"]
    regions = {"EU": {"endpoint": {"uri": EU}}, "NA": {"endpoint": {"uri": NA}}}
    assert manifest["apis"]["custom"]["regions"] == regions, manifest["apis"]
    assert manifest["events"]["regions"]["EU"] == {"endpoint": {"uri": EU}}, manifest["events"]
    assert "us-west-2" in done.stderr and "FE" in done.stderr, f"the missing FE stack must be noted: {done.stderr}"
