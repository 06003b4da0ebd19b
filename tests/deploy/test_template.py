"""template.yaml and samconfig.toml: offline linters, and the properties the deployment relies on."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from cfnlint.decode import cfn_yaml

from support import ROOT

ROOT = ROOT
TEMPLATE = ROOT / "template.yaml"
SAM = ROOT / ".venv-sam" / "bin" / "sam"
OFFLINE_ENV = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0",
               "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(TEMPLATE))


@pytest.fixture(scope="module")
def resources(template) -> dict:
    return template["Resources"]


def sam_command() -> str:
    if not SAM.exists():
        pytest.fail(f"aws-sam-cli is missing at {SAM}: run scripts/bootstrap.sh test")
    return str(SAM)


def test_cfn_lint_passes():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(cfn_lint), str(TEMPLATE)], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **OFFLINE_ENV})
    assert done.returncode == 0, f"cfn-lint found problems:\n{done.stdout}{done.stderr}"


@pytest.mark.slow
def test_sam_validate_lint_passes_offline():
    done = subprocess.run([sam_command(), "validate", "--lint", "--template", str(TEMPLATE), "--region", "us-east-1"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, **OFFLINE_ENV})
    assert done.returncode == 0, f"sam validate --lint failed:\n{done.stdout}{done.stderr}"


def test_function_runs_python311_on_arm64_from_lambda_dir_within_alexas_8_seconds(resources):
    props = resources["SkillFunction"]["Properties"]
    assert props["Runtime"] == "python3.11", f"runtime is {props['Runtime']}"
    assert props["Architectures"] == ["arm64"], f"architectures are {props['Architectures']}"
    assert props["CodeUri"] == "lambda/", f"CodeUri is {props['CodeUri']}"
    assert props["Handler"] == "lambda_function.lambda_handler", f"handler is {props['Handler']}"
    assert props["Timeout"] < 8, f"timeout {props['Timeout']} s is not below Alexa's 8 s"
    assert 256 <= props["MemorySize"] <= 1024, f"memory {props['MemorySize']} MB is outside the justified range"
    assert props.get("AutoPublishAlias"), "the skill endpoint should be a published alias"


def test_only_this_skill_may_invoke_the_function(resources):
    events = resources["SkillFunction"]["Properties"]["Events"]
    alexa = [e for e in events.values() if e["Type"] == "AlexaSkill"]
    assert len(alexa) == 1, f"expected one AlexaSkill event, found {len(alexa)}"
    assert alexa[0]["Properties"]["SkillId"] == {"Ref": "SkillId"}, "the trigger is not restricted to SkillId"


def test_environment_configures_dynamodb_audio_and_logging(resources):
    env = resources["SkillFunction"]["Properties"]["Environment"]["Variables"]
    assert set(env) == {"SKILL_ID", "TABLE_NAME", "PERSISTENCE", "AUDIO_BASE_URL", "LOG_LEVEL"}, f"env: {set(env)}"
    assert env["PERSISTENCE"] == "dynamodb", f"PERSISTENCE is {env['PERSISTENCE']}"
    assert env["TABLE_NAME"] == {"Ref": "UserTable"}, f"TABLE_NAME is {env['TABLE_NAME']}"
    assert env["SKILL_ID"] == {"Ref": "SkillId"}, f"SKILL_ID is {env['SKILL_ID']}"
    audio = env["AUDIO_BASE_URL"]["Fn::If"]
    assert audio[0] == "HasAudio", f"AUDIO_BASE_URL should depend on the AudioPath parameter: {audio}"
    assert audio[1] == {"Fn::Sub": "https://${AudioDistribution.DomainName}/${AudioPath}"}, (
        f"audio is not served from the distribution over HTTPS: {audio[1]}")
    assert audio[2] == {"Ref": "AWS::NoValue"}, "without published audio the skill should get no AUDIO_BASE_URL"


def test_function_may_only_read_and_write_its_own_table(resources):
    policies = resources["SkillFunction"]["Properties"]["Policies"]
    assert policies == [{"DynamoDBCrudPolicy": {"TableName": {"Ref": "UserTable"}}}], f"policies: {policies}"


def test_table_matches_the_persistence_adapter_defaults_and_is_protected(resources):
    table = resources["UserTable"]
    props = table["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}], f"keys: {props['KeySchema']}"
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}], "id must be a string"
    assert props["BillingMode"] == "PAY_PER_REQUEST", f"billing: {props['BillingMode']}"
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, "PITR is off"
    assert props["SSESpecification"]["SSEEnabled"] is True, "server-side encryption is off"
    assert "TableName" not in props, "a fixed table name would clash between stacks"


def test_audio_bucket_is_private_and_read_only_through_cloudfront_oac(resources):
    bucket = resources["AudioBucket"]["Properties"]
    block = bucket["PublicAccessBlockConfiguration"]
    assert all(block[k] is True for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                          "RestrictPublicBuckets")), f"public access not blocked: {block}"
    statements = resources["AudioBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    allows = [s for s in statements if s["Effect"] == "Allow"]
    assert len(allows) == 1, f"expected one Allow statement, found {allows}"
    assert allows[0]["Principal"] == {"Service": "cloudfront.amazonaws.com"}, f"who may read: {allows[0]}"
    assert "AWS:SourceArn" in allows[0]["Condition"]["StringEquals"], "any distribution could read the bucket"
    distribution = resources["AudioDistribution"]["Properties"]["DistributionConfig"]
    origin = distribution["Origins"][0]
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": ["AudioOriginAccessControl", "Id"]}, "no OAC"
    assert distribution["DefaultCacheBehavior"]["ViewerProtocolPolicy"] == "https-only", "audio must be HTTPS"
    assert distribution["ViewerCertificate"] == {"CloudFrontDefaultCertificate": True}, "certificate changed"


def test_logs_are_kept_for_a_bounded_time(resources):
    group = resources["SkillLogGroup"]["Properties"]
    assert group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/${SkillFunction}"}, "not the function's log group"
    assert group["RetentionInDays"] == {"Ref": "LogRetentionDays"}, "log retention is not set"


def test_every_output_is_described_and_the_endpoint_is_the_alias(template):
    outputs = template["Outputs"]
    for name in ("SkillEndpointArn", "SkillFunctionArn", "UserTableName", "AudioBaseUrl"):
        assert name in outputs, f"output {name} is missing"
    undescribed = [name for name, out in outputs.items() if not out.get("Description")]
    assert not undescribed, f"outputs without a description: {undescribed}"
    assert outputs["SkillEndpointArn"]["Value"] == {"Ref": "SkillFunction.Alias"}, "endpoint is not the alias"


def test_samconfig_defaults_deploy_with_iam_capability_and_invoke_locally():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM", "the function's role needs CAPABILITY_IAM"
    assert deploy["resolve_s3"] is True, "sam deploy needs an artefact bucket"
    local = config["default"]["local_invoke"]["parameters"]
    assert (ROOT / local["env_vars"]).is_file(), f"{local['env_vars']} is missing"
    assert config["default"]["global"]["parameters"]["stack_name"], "no default stack name"
