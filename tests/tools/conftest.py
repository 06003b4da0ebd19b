"""Fixtures for the audio tests: built assets, a shared speech cache, a local S3 server.

Test modules opt into the speech
cache with `pytestmark = pytest.mark.usefixtures("speech_cache")`.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

MOTO_SERVER = Path(sys.executable).with_name("moto_server")


@pytest.fixture(scope="session")
def built_assets(tmp_path_factory) -> Path:
    """The real `build_assets` output (ffmpeg), built once per test session."""
    from backcare_tools.audio.assets import build_assets

    out = tmp_path_factory.mktemp("audio-build")
    build_assets(out)
    return out


@pytest.fixture(scope="session")
def _speech_cache_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("tts-cache")


@pytest.fixture
def speech_cache(_speech_cache_dir, monkeypatch) -> Path:
    """espeak-ng output is cached per session, never in the repo's build/ folder."""
    monkeypatch.setenv("BACKCARE_AUDIO_CACHE", str(_speech_cache_dir))
    return _speech_cache_dir


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def audio_moto_endpoint(tmp_path_factory) -> Iterator[str]:
    """A real moto server (S3, CloudFormation, ...) on 127.0.0.1, stopped after the session."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = subprocess.Popen([str(MOTO_SERVER), "-H", "127.0.0.1", "-p", str(port)],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/moto-api/", timeout=2).close()
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto_server did not start on {url}") from None
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)
        log.close()
