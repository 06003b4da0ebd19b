"""Stable asset ids and where the skill finds them (pure: no pydub, no boto3).

Publishing puts every asset under a content-addressed release folder:

    s3://BUCKET/PREFIX/RELEASE/<id>.mp3        e.g. audio/3f9c2a1b7d04/chime.mp3

where RELEASE is a hash of all asset bytes. A changed sound therefore gets a new URL (so the
objects can be cached forever), while the skill needs only `AUDIO_BASE_URL` (= the release
folder's HTTPS URL) and the stable id: `f"{AUDIO_BASE_URL}/{id}.mp3"`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

ASSET_IDS = ("chime", "hold", "done")
MANIFEST_NAME = "manifest.json"


def published_name(asset_id: str) -> str:
    """File name of an asset inside the release folder."""
    if asset_id not in ASSET_IDS:
        raise KeyError(f"unknown audio asset {asset_id!r}; known: {', '.join(ASSET_IDS)}")
    return f"{asset_id}.mp3"


def asset_url(base_url: str, asset_id: str) -> str:
    """The URL the skill puts in `<audio src="...">`."""
    return f"{base_url.rstrip('/')}/{published_name(asset_id)}"


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def release_id(file_hashes: Mapping[str, str], length: int = 12) -> str:
    """Content hash of a whole asset set: changes when any asset's bytes change."""
    joined = "\n".join(f"{asset_id}:{file_hashes[asset_id]}" for asset_id in sorted(file_hashes))
    return sha256_hex(joined.encode())[:length]


def asset_id_from_src(src: str) -> str | None:
    """Which asset an `<audio src>` URL (or bare name) refers to, if it is one of ours."""
    name = src.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]
    stem = name.rsplit(".", 1)[0]
    for candidate in (stem, stem.split("-", 1)[0]):
        if candidate in ASSET_IDS:
            return candidate
    return None


def write_manifest(folder: Path, assets: Mapping[str, Mapping[str, object]], **extra: object) -> Path:
    """Write `manifest.json` ({id: {file, sha256, duration_ms, ...}}) next to the assets."""
    hashes = {asset_id: str(meta["sha256"]) for asset_id, meta in assets.items()}
    body = {"version": 1, "release": release_id(hashes), "assets": dict(assets), **extra}
    path = Path(folder) / MANIFEST_NAME
    path.write_text(json.dumps(body, indent=2, sort_keys=True) + "\n")
    return path


def read_manifest(folder: Path) -> dict:
    path = Path(folder) / MANIFEST_NAME
    if not path.exists():
        raise FileNotFoundError(f"{path} not found: run `backcare audio build` first")
    return json.loads(path.read_text())
