"""Upload the built assets to S3 and say what AUDIO_BASE_URL to configure.

Objects go to `PREFIX/RELEASE/<id>.mp3`, where RELEASE hashes every asset's bytes (see
`names`), with `Cache-Control: public, max-age=31536000, immutable`: a URL never changes
content, so CloudFront and devices may cache it for a year.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backcare_tools.audio import mp3check, names

CACHE_CONTROL = "public, max-age=31536000, immutable"
CONTENT_TYPE = "audio/mpeg"
DEFAULT_PREFIX = "audio"
TIMEOUT_SECONDS = 10
# Stack outputs we understand (the template's CloudFront distribution and bucket).
BASE_URL_OUTPUTS = ("AudioBaseUrl", "AudioDistributionDomainName", "AudioDomainName")
BUCKET_OUTPUTS = ("AudioBucketName", "AudioBucket")


class PublishError(RuntimeError):
    pass


@dataclass(frozen=True)
class Published:
    bucket: str
    release: str
    folder: str  # PREFIX/RELEASE: the template's AudioPath parameter
    keys: dict[str, str]  # asset id (and "manifest") -> object key
    uploaded: list[str]  # keys actually written (others were already there, same bytes)
    base_url: str | None  # AUDIO_BASE_URL, when the public HTTPS address is known
    local_url: str | None  # the folder on a local/test endpoint (not usable by Alexa)


def _client(service: str, endpoint_url: str | None, region: str | None):
    import boto3
    from botocore.config import Config

    config = Config(connect_timeout=TIMEOUT_SECONDS, read_timeout=TIMEOUT_SECONDS,
                    retries={"max_attempts": 3, "mode": "standard"})
    return boto3.client(service, endpoint_url=endpoint_url, region_name=region, config=config)


def stack_outputs(stack: str, *, endpoint_url: str | None = None, region: str | None = None) -> dict[str, str]:
    """Outputs of a deployed CloudFormation stack, by OutputKey."""
    stacks = _client("cloudformation", endpoint_url, region).describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def https_base(value: str) -> str:
    """'d123.cloudfront.net' or 'https://d123.cloudfront.net/' → 'https://d123.cloudfront.net'."""
    value = value.strip().rstrip("/")
    if value.startswith("http://"):
        raise PublishError(f"{value} is plain HTTP; Alexa only plays audio over HTTPS")
    return value if value.startswith("https://") else f"https://{value}"


def pick_output(outputs: dict[str, str], wanted: tuple[str, ...]) -> str | None:
    return next((outputs[key] for key in wanted if outputs.get(key)), None)


def _already_there(s3, bucket: str, key: str, sha256: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        head = s3.head_object(Bucket=bucket, Key=key)
    except ClientError:
        return False
    return head.get("Metadata", {}).get("sha256") == sha256 and head.get("CacheControl") == CACHE_CONTROL


def publish(assets_dir: Path, bucket: str, *, prefix: str = DEFAULT_PREFIX, endpoint_url: str | None = None,
            region: str | None = None, base_url: str | None = None) -> Published:
    """Check, then upload every built asset and the manifest; idempotent for unchanged bytes."""
    manifest = names.read_manifest(assets_dir)
    hashes: dict[str, str] = {}
    bodies: dict[str, bytes] = {}
    for asset_id in names.ASSET_IDS:
        path = Path(assets_dir) / names.published_name(asset_id)
        result = mp3check.check_file(path)
        if not result.ok:
            raise PublishError(result.summary())
        bodies[asset_id] = path.read_bytes()
        hashes[asset_id] = names.sha256_hex(bodies[asset_id])
        if manifest["assets"].get(asset_id, {}).get("sha256") != hashes[asset_id]:
            raise PublishError(f"{path} differs from {names.MANIFEST_NAME}; run `backcare audio build` again")
    release = names.release_id(hashes)
    folder = "/".join(part for part in (prefix.strip("/"), release) if part)
    s3 = _client("s3", endpoint_url, region)
    keys: dict[str, str] = {}
    uploaded: list[str] = []
    objects: list[tuple[str, bytes, str, str]] = [
        (asset_id, bodies[asset_id], CONTENT_TYPE, hashes[asset_id]) for asset_id in names.ASSET_IDS]
    manifest_body = json.dumps({**manifest, "release": release}, indent=2, sort_keys=True).encode()
    objects.append(("manifest", manifest_body, "application/json", names.sha256_hex(manifest_body)))
    for asset_id, body, content_type, sha in objects:
        name = names.MANIFEST_NAME if asset_id == "manifest" else names.published_name(asset_id)
        key = keys[asset_id] = f"{folder}/{name}"
        if _already_there(s3, bucket, key, sha):
            continue
        s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType=content_type,
                      CacheControl=CACHE_CONTROL, Metadata={"sha256": sha})
        uploaded.append(key)
    public = f"{https_base(base_url)}/{folder}" if base_url else None
    local = f"{endpoint_url.rstrip('/')}/{bucket}/{folder}" if endpoint_url else None
    return Published(bucket, release, folder, keys, uploaded, public, local)


def explain(published: Published) -> str:
    lines = [f"published release {published.release} to s3://{published.bucket}/{published.folder}/ "
             f"({len(published.uploaded)} uploaded, {len(published.keys) - len(published.uploaded)} unchanged)"]
    lines += [f"  {asset_id:8} {key}" for asset_id, key in published.keys.items()]
    deploy = ["With the SAM template, deploy with the parameter that sets it:",
              f"  sam deploy --parameter-overrides AudioPath={published.folder}"]
    if published.base_url:
        lines += ["", "Configure the skill with:", f"  AUDIO_BASE_URL={published.base_url}",
                  f"(the chime is then {names.asset_url(published.base_url, 'chime')})", *deploy]
    else:
        if published.local_url:
            lines += ["", f"On the local endpoint the files are under {published.local_url}/"]
        lines += ["", "AUDIO_BASE_URL must be a public HTTPS address with a trusted certificate (Alexa",
                  "plays nothing else). Pass --stack STACK to read the CloudFront domain from the",
                  "stack's outputs, or --base-url https://dXXXX.cloudfront.net, and set",
                  f"  AUDIO_BASE_URL=https://<distribution domain>/{published.folder}", *deploy]
    return "\n".join(lines)


def resolve_from_stack(stack: str, **client_args: Any) -> tuple[str | None, str | None]:
    """(bucket, base URL) from the stack outputs, each None when the stack has no such output."""
    outputs = stack_outputs(stack, **client_args)
    return pick_output(outputs, BUCKET_OUTPUTS), pick_output(outputs, BASE_URL_OUTPUTS)
