"""Publishing the assets to a real S3-compatible server (moto, on 127.0.0.1)."""

from __future__ import annotations

import json
import shutil
import uuid

import boto3
import pytest

from backcare_tools.audio import names
from backcare_tools.audio.cli import main as audio_main
from backcare_tools.audio.publish import CACHE_CONTROL, PublishError, https_base, publish


@pytest.fixture
def s3(audio_moto_endpoint):
    return boto3.client("s3", endpoint_url=audio_moto_endpoint, region_name="us-east-1")


@pytest.fixture
def bucket(s3) -> str:
    name = f"audio-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def _keys(s3, bucket: str) -> set[str]:
    return {obj["Key"] for obj in s3.list_objects_v2(Bucket=bucket).get("Contents", [])}


def test_publish_puts_each_asset_with_type_cache_headers_and_content_addressed_key(
        built_assets, s3, bucket, audio_moto_endpoint):
    published = publish(built_assets, bucket, endpoint_url=audio_moto_endpoint, base_url="d111.cloudfront.net")
    release = names.read_manifest(built_assets)["release"]
    expected = {f"audio/{release}/{name}" for name in ("chime.mp3", "hold.mp3", "done.mp3", "manifest.json")}
    assert _keys(s3, bucket) == expected, f"objects in the bucket: {_keys(s3, bucket)}"
    for asset_id in names.ASSET_IDS:
        obj = s3.get_object(Bucket=bucket, Key=f"audio/{release}/{asset_id}.mp3")
        assert obj["ContentType"] == "audio/mpeg", f"{asset_id} content type {obj['ContentType']}"
        assert obj["CacheControl"] == CACHE_CONTROL and "immutable" in obj["CacheControl"], obj["CacheControl"]
        body = obj["Body"].read()
        assert body == (built_assets / f"{asset_id}.mp3").read_bytes(), f"{asset_id} bytes differ from the build"
    assert published.base_url == f"https://d111.cloudfront.net/audio/{release}", published.base_url
    manifest = json.loads(s3.get_object(Bucket=bucket, Key=f"audio/{release}/manifest.json")["Body"].read())
    assert manifest["release"] == release, "published manifest names another release"


def test_publishing_again_uploads_nothing(built_assets, bucket, audio_moto_endpoint):
    first = publish(built_assets, bucket, endpoint_url=audio_moto_endpoint)
    second = publish(built_assets, bucket, endpoint_url=audio_moto_endpoint)
    assert len(first.uploaded) == 4 and second.uploaded == [], f"re-upload of unchanged assets: {second.uploaded}"


def test_a_changed_sound_gets_a_new_url(built_assets, tmp_path, s3, bucket, audio_moto_endpoint):
    changed = tmp_path / "changed"
    shutil.copytree(built_assets, changed)
    shutil.copy(changed / "hold.mp3", changed / "chime.mp3")  # a different, still compliant sound
    manifest = names.read_manifest(changed)
    assets = manifest["assets"]
    assets["chime"] = {**assets["hold"], "file": "chime.mp3"}
    names.write_manifest(changed, assets)
    old = publish(built_assets, bucket, endpoint_url=audio_moto_endpoint)
    new = publish(changed, bucket, endpoint_url=audio_moto_endpoint)
    assert new.release != old.release and new.keys["chime"] != old.keys["chime"], "changed chime kept its URL"
    assert old.keys["chime"] in _keys(s3, bucket), "the old release was removed while a skill may still use it"


def test_publish_refuses_assets_that_do_not_match_the_manifest(built_assets, tmp_path, bucket, audio_moto_endpoint):
    stale = tmp_path / "stale"
    shutil.copytree(built_assets, stale)
    shutil.copy(stale / "done.mp3", stale / "chime.mp3")
    with pytest.raises(PublishError, match=r"differs from manifest\.json"):
        publish(stale, bucket, endpoint_url=audio_moto_endpoint)


def test_publish_command_prints_the_audio_base_url(built_assets, bucket, audio_moto_endpoint, capsys):
    code = audio_main(["publish", "--bucket", bucket, "--endpoint-url", audio_moto_endpoint, "--prefix", "sounds",
                       "--assets", str(built_assets), "--base-url", "https://d222.cloudfront.net/"])
    out = capsys.readouterr().out
    release = names.read_manifest(built_assets)["release"]
    assert code == 0, f"publish failed: {out}"
    assert f"AUDIO_BASE_URL=https://d222.cloudfront.net/sounds/{release}" in out, out
    assert f"AudioPath=sounds/{release}" in out, f"no template parameter to deploy with: {out}"


def test_publish_command_without_a_public_url_explains_what_to_set(built_assets, bucket, audio_moto_endpoint, capsys):
    assert audio_main(["publish", "--bucket", bucket, "--endpoint-url", audio_moto_endpoint,
                       "--assets", str(built_assets)]) == 0, "publish failed"
    out = capsys.readouterr().out
    assert "AUDIO_BASE_URL=" not in out.replace("AUDIO_BASE_URL=https://<", ""), f"invented a URL: {out}"
    assert "HTTPS" in out and "--stack" in out and audio_moto_endpoint in out, f"no explanation: {out}"


def test_publish_reads_bucket_and_cloudfront_domain_from_the_stack(built_assets, s3, audio_moto_endpoint, capsys):
    stack = f"backcare-{uuid.uuid4().hex[:8]}"
    template = {
        "Resources": {"AudioBucket": {"Type": "AWS::S3::Bucket"}},
        "Outputs": {"AudioBucketName": {"Value": {"Ref": "AudioBucket"}},
                    "AudioDistributionDomainName": {"Value": "d333.cloudfront.net"}},
    }
    cfn = boto3.client("cloudformation", endpoint_url=audio_moto_endpoint, region_name="us-east-1")
    cfn.create_stack(StackName=stack, TemplateBody=json.dumps(template))
    code = audio_main(["publish", "--stack", stack, "--endpoint-url", audio_moto_endpoint, "--region", "us-east-1",
                       "--assets", str(built_assets)])
    out = capsys.readouterr().out
    release = names.read_manifest(built_assets)["release"]
    assert code == 0 and f"AUDIO_BASE_URL=https://d333.cloudfront.net/audio/{release}" in out, out
    outputs = cfn.describe_stacks(StackName=stack)["Stacks"][0]["Outputs"]
    bucket = next(o["OutputValue"] for o in outputs if o["OutputKey"] == "AudioBucketName")
    assert f"audio/{release}/chime.mp3" in _keys(s3, bucket), "assets not in the stack's bucket"


def test_publishing_to_a_missing_bucket_fails_with_the_reason(built_assets, audio_moto_endpoint, capsys):
    code = audio_main(["publish", "--bucket", f"missing-{uuid.uuid4().hex[:8]}", "--endpoint-url",
                       audio_moto_endpoint, "--assets", str(built_assets)])
    err = capsys.readouterr().err
    assert code == 1 and "NoSuchBucket" in err, f"exit {code}, message {err!r}"


def test_an_unknown_stack_fails_with_the_reason(built_assets, audio_moto_endpoint, capsys):
    code = audio_main(["publish", "--stack", "no-such-stack", "--endpoint-url", audio_moto_endpoint,
                       "--region", "us-east-1", "--assets", str(built_assets)])
    err = capsys.readouterr().err
    assert code == 1 and "cannot read stack no-such-stack" in err, f"exit {code}, message {err!r}"


def test_plain_http_is_not_an_audio_base_url():
    with pytest.raises(PublishError, match="HTTPS"):
        https_base("http://example.com")
