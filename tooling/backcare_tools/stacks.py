"""The deployed regional stacks: samconfig.toml's environments and their SkillEndpointArn outputs.

Each environment of samconfig.toml named after an AWS region that serves an Alexa region
(us-east-1 NA, eu-west-1 EU, us-west-2 FE) is one regional stack. `endpoints_from_stacks` asks
CloudFormation (boto3, the usual AWS credentials; AWS_ENDPOINT_URL_CLOUDFORMATION for a local
server) for each stack's outputs and returns the skill endpoint per Alexa region. A stack that
does not exist is skipped with a note: deploy only the regions you need.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from backcare_tools.manifest import ALEXA_REGION_OF

ENDPOINT_OUTPUT = "SkillEndpointArn"


@dataclass(frozen=True)
class Stack:
    environment: str
    aws_region: str
    alexa_region: str
    name: str


def regional_stacks(repo: Path) -> list[Stack]:
    config = tomllib.loads((repo / "samconfig.toml").read_text(encoding="utf-8"))
    stacks = []
    for environment, commands in config.items():
        if environment in ("version", "default") or not isinstance(commands, dict):
            continue
        common = commands.get("global", {}).get("parameters", {})
        deploy = commands.get("deploy", {}).get("parameters", {})
        region = deploy.get("region") or common.get("region")
        name = deploy.get("stack_name") or common.get("stack_name")
        if region in ALEXA_REGION_OF and name:
            stacks.append(Stack(environment, region, ALEXA_REGION_OF[region], name))
    return sorted(stacks, key=lambda s: s.alexa_region)


def stack_endpoint(stack: Stack) -> str | None:
    """The stack's SkillEndpointArn output, or None if the stack does not exist."""
    import boto3
    from botocore.exceptions import ClientError

    client = boto3.client("cloudformation", region_name=stack.aws_region)
    try:
        described = client.describe_stacks(StackName=stack.name)["Stacks"][0]
    except ClientError as error:
        if "does not exist" in str(error):
            return None
        raise
    outputs = {o["OutputKey"]: o["OutputValue"] for o in described.get("Outputs", [])}
    if ENDPOINT_OUTPUT not in outputs:
        raise ValueError(f"stack {stack.name} in {stack.aws_region} has no {ENDPOINT_OUTPUT} output "
                         f"(status {described.get('StackStatus')})")
    return outputs[ENDPOINT_OUTPUT]


def endpoints_from_stacks(repo: Path, only: list[str] | None = None) -> tuple[dict[str, str], list[str]]:
    """({Alexa region: endpoint ARN}, notes) for the regional stacks (or the environments `only`)."""
    stacks = regional_stacks(repo)
    if only:
        unknown = sorted(set(only) - {s.environment for s in stacks})
        if unknown:
            raise ValueError(f"no samconfig.toml environment for {unknown}")
        stacks = [s for s in stacks if s.environment in only]
    endpoints, notes = {}, []
    for stack in stacks:
        arn = stack_endpoint(stack)
        if arn is None:
            notes.append(f"no stack {stack.name} in {stack.aws_region}: "
                         f"{stack.alexa_region} users get the default endpoint")
        else:
            endpoints[stack.alexa_region] = arn
    if not endpoints:
        raise ValueError("no deployed stack found: deploy one first (sam deploy --config-env us-east-1 ...)")
    return endpoints, notes
