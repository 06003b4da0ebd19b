"""The external programs the audio tooling needs, found on PATH with clear errors when missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

INSTALL_HINT = {
    "ffmpeg": "install it with `apt-get install ffmpeg` (Debian/Ubuntu) or `brew install ffmpeg` (macOS)",
    "ffprobe": "it comes with ffmpeg: `apt-get install ffmpeg` or `brew install ffmpeg`",
    "espeak-ng": "install it with `apt-get install espeak-ng` (Debian/Ubuntu) or `brew install espeak-ng`",
}

# Players in order of preference, with the arguments that play a file once and exit.
PLAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("paplay", ()),
    ("aplay", ("-q",)),
    ("afplay", ()),
    ("ffplay", ("-nodisp", "-autoexit", "-loglevel", "error")),
)


class ToolMissing(RuntimeError):
    """A required external program is not installed."""


def require(name: str) -> str:
    """Absolute path of `name` on PATH, or ToolMissing saying how to install it."""
    found = shutil.which(name)
    if not found:
        raise ToolMissing(f"{name} not found on PATH; {INSTALL_HINT.get(name, 'install it')}")
    return found


def find_player() -> list[str] | None:
    for name, args in PLAYERS:
        found = shutil.which(name)
        if found:
            return [found, *args]
    return None


def ffprobe_stream(path: Path, timeout: float = 30.0) -> dict | None:
    """The first audio stream as ffprobe sees it, or None when ffprobe is not installed."""
    exe = shutil.which("ffprobe")
    if not exe:
        return None
    out = subprocess.run(
        [exe, "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=codec_name,sample_rate,channels,bit_rate:format=duration", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=timeout, check=False,
    )
    if out.returncode != 0:
        return {"error": out.stderr.strip() or f"ffprobe exit {out.returncode}"}
    data = json.loads(out.stdout or "{}")
    streams = data.get("streams") or [{}]
    return {**streams[0], **data.get("format", {})}


def load_pydub():
    """Import pydub quietly: it warns at import when ffmpeg is absent (we check ourselves, with a
    clearer message) and about audioop's deprecation (Python 3.11 still has it)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        warnings.simplefilter("ignore", DeprecationWarning)
        import pydub
        import pydub.generators
    return pydub
