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
OFFLINE_ENV = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1", "SAM_CLI_TELEMETRY": "0",
               "AWS_EC2_METADATA_DISABLED": "true"}


@pytest.fixture(scope="module")
def template() -> dict:
    return cfn_yaml.load(str(TEMPLATE))


@pytest.fixture(scope="module")
def resources(template) -> dict:
    return template["Resources"]


def test_cfn_lint_passes():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    done = subprocess.run([str(cfn_lint), str(TEMPLATE)], capture_output=True, text=True, timeout=180,
                          env={**os.environ, **OFFLINE_ENV})
    assert done.returncode == 0, f"cfn-lint found problems:\n{done.stdout}{done.stderr}"


@pytest.mark.slow
def test_sam_validate_lint_passes_offline(sam):
    done = subprocess.run([sam, "validate", "--lint", "--template", str(TEMPLATE), "--region", "us-east-1"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env={**os.environ, **OFFLINE_ENV})
    assert done.returncode == 0, f"sam validate --lint failed:\n{done.stdout}{done.stderr}"


def test_function_runs_python313_on_arm64_from_lambda_dir_within_alexas_8_seconds(resources):
    props = resources["SkillFunction"]["Properties"]
    assert props["Runtime"] == "python3.13", f"runtime is {props['Runtime']} (python3.13 is supported into 2029)"
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


# The item operations lambda/backcare/persistence/ performs (the SDK adapter's get/put/delete,
# and attribute updates). Anything more (Scan, Query, Batch*, table operations) is not granted.
USED_DYNAMODB_ACTIONS = {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"}


def test_function_may_only_read_and_write_items_of_its_own_table(resources):
    policies = resources["SkillFunction"]["Properties"]["Policies"]
    assert len(policies) == 1 and "Statement" in policies[0], f"expected one inline policy document: {policies}"
    statements = policies[0]["Statement"]
    assert all(s["Effect"] == "Allow" for s in statements), f"unexpected statements: {statements}"
    granted = {action for s in statements for action in s["Action"]}
    assert granted == USED_DYNAMODB_ACTIONS, f"granted {sorted(granted)}, the code uses {sorted(USED_DYNAMODB_ACTIONS)}"
    resources_granted = [s["Resource"] for s in statements]
    assert resources_granted == [{"Fn::GetAtt": ["UserTable", "Arn"]}], f"not limited to the table: {resources_granted}"


def test_granted_actions_are_the_dynamodb_operations_the_runtime_code_calls():
    """Every DynamoDB operation named in lambda/backcare (as "GetItem" or as .get_item( ) is granted, and
    nothing else is: the policy follows the persistence code."""
    import re

    import botocore.session
    from botocore import xform_name

    operations = botocore.session.get_session().get_service_model("dynamodb").operation_names
    code = "\n".join(p.read_text() for p in (ROOT / "lambda" / "backcare").rglob("*.py"))
    used = {f"dynamodb:{op}" for op in operations
            if re.search(rf'"{op}"', code) or re.search(rf"\.{xform_name(op)}\(", code)}
    assert used == USED_DYNAMODB_ACTIONS, (
        f"the code calls {sorted(used)}, the template grants {sorted(USED_DYNAMODB_ACTIONS)}")


def test_logs_are_native_json_at_the_log_level_parameter(template, resources):
    props = resources["SkillFunction"]["Properties"]
    logging = props["LoggingConfig"]
    assert logging["LogFormat"] == "JSON", f"log format is {logging['LogFormat']}"
    assert logging["ApplicationLogLevel"] == {"Ref": "LogLevel"}, f"application level: {logging['ApplicationLogLevel']}"
    assert props["Environment"]["Variables"]["LOG_LEVEL"] == {"Ref": "LogLevel"}, "LOG_LEVEL must follow LogLevel"
    allowed = set(template["Parameters"]["LogLevel"]["AllowedValues"])
    lambda_levels = {"TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL"}
    assert allowed <= lambda_levels, f"{allowed - lambda_levels} are not Lambda application log levels"
    import logging as python_logging

    unknown = [level for level in allowed if not isinstance(python_logging.getLevelName(level), int)]
    assert not unknown, f"Python's logging does not know the levels {unknown} (LOG_LEVEL gets the same value)"


def test_snapstart_is_a_switch_that_is_off_by_default_and_states_its_cost(template, resources):
    parameter = template["Parameters"]["SnapStart"]
    assert parameter["Default"] == "Off", f"SnapStart costs money: default should be Off, is {parameter['Default']}"
    assert set(parameter["AllowedValues"]) == {"On", "Off"}, parameter["AllowedValues"]
    assert "$" in parameter["Description"] and "GB" in parameter["Description"], "the cost is not stated"
    assert template["Conditions"]["UseSnapStart"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "On"]}, "condition changed"
    snap = resources["SkillFunction"]["Properties"]["SnapStart"]
    assert snap == {"ApplyOn": {"Fn::If": ["UseSnapStart", "PublishedVersions", "None"]}}, f"SnapStart: {snap}"
    runtime = resources["SkillFunction"]["Properties"]["Runtime"]
    assert runtime >= "python3.12", f"SnapStart needs Python 3.12 or newer, the runtime is {runtime}"


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


def test_table_is_created_by_each_regional_stack(resources):
    table = resources["UserTable"]
    assert table["Type"] == "AWS::DynamoDB::Table", "each regional stack must create its own table"
    assert "TableName" not in table["Properties"], "a fixed name would clash between stacks in one account"


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


ALEXA_REGIONS = {"us-east-1", "eu-west-1", "us-west-2"}  # North America, Europe and India, Far East


def test_samconfig_has_one_environment_per_alexa_region_each_with_its_own_stack():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    environments = set(config) - {"version", "default"}
    assert environments == ALEXA_REGIONS, f"samconfig environments {sorted(environments)}"
    for name in sorted(environments):
        common = config[name]["global"]["parameters"]
        deploy = config[name]["deploy"]["parameters"]
        assert common["region"] == name, f"environment {name} deploys to {common['region']}"
        assert common["stack_name"], f"environment {name} has no stack name"
        assert deploy["capabilities"] == "CAPABILITY_IAM", f"{name}: the function's role needs CAPABILITY_IAM"
        assert deploy["resolve_s3"] is True, f"{name}: sam deploy needs an artefact bucket in the region"
        assert "SkillId" not in deploy.get("parameter_overrides", ""), f"{name}: the skill id is per developer"


def test_samconfig_defaults_deploy_with_iam_capability_and_invoke_locally():
    config = tomllib.loads((ROOT / "samconfig.toml").read_text())
    deploy = config["default"]["deploy"]["parameters"]
    assert deploy["capabilities"] == "CAPABILITY_IAM", "the function's role needs CAPABILITY_IAM"
    assert deploy["resolve_s3"] is True, "sam deploy needs an artefact bucket"
    local = config["default"]["local_invoke"]["parameters"]
    assert (ROOT / local["env_vars"]).is_file(), f"{local['env_vars']} is missing"
    assert config["default"]["global"]["parameters"]["stack_name"], "no default stack name"
