"""espeak-ng speech for one run of text, cached on disk by (text, voice, style) hash.

espeak-ng has no Australian or Indian English voice; the British voice is the nearer of the
two it has for both. Speed is 160 words per minute, close to Alexa's default pace, so the
durations the report measures are a fair estimate (not an exact prediction) of Alexa's.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import tempfile
import wave
from array import array
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path

from backcare_tools.audio.ssml import Style
from backcare_tools.audio.tools import require

VOICES = {"en-US": "en-us", "en-CA": "en-us", "en-GB": "en-gb", "en-AU": "en-gb", "en-IN": "en-gb"}
WORDS_PER_MINUTE = 160
BASE_PITCH = 50  # espeak-ng's 0..99 scale
SYNTH_TIMEOUT_S = 60.0
# Silence kept after a run: espeak-ng's own gap after a sentence (~410 ms at 160 wpm) or a comma
# (~235 ms), so splitting text at a <break> or a style change neither adds nor loses its pauses.
SENTENCE_TAIL_MS = 450
COMMA_TAIL_MS = 240
WORD_TAIL_MS = 40
PLAIN = Style()
DEFAULT_CACHE = Path("build/audio/cache/tts")


def voice_for(locale: str) -> str:
    """espeak-ng voice for an Alexa locale (falls back on the language, then US English)."""
    if locale in VOICES:
        return VOICES[locale]
    language = locale.split("-")[0].lower()
    return language if language != "en" else "en-us"


def cache_dir() -> Path:
    return Path(os.environ.get("BACKCARE_AUDIO_CACHE") or DEFAULT_CACHE)


@cache
def espeak_version() -> str:
    out = subprocess.run([require("espeak-ng"), "--version"], capture_output=True, text=True,
                         timeout=SYNTH_TIMEOUT_S, check=False)
    return out.stdout.strip()


def _arguments(voice: str, style: Style) -> list[str]:
    speed = max(80, min(450, round(WORDS_PER_MINUTE * style.rate)))
    pitch = max(0, min(99, round(BASE_PITCH * (1 + style.pitch))))
    return ["-v", voice, "-s", str(speed), "-p", str(pitch)]


def _key(text: str, voice: str, style: Style) -> str:
    # Volume is applied afterwards as gain, so it is not part of what espeak-ng renders.
    trim = f"tail{SENTENCE_TAIL_MS},{COMMA_TAIL_MS},{WORD_TAIL_MS}"
    material = "\x1f".join([espeak_version(), trim, *_arguments(voice, style), text])
    return hashlib.sha256(material.encode()).hexdigest()


def synthesize(text: str, voice: str, style: Style = PLAIN, directory: Path | None = None) -> Path:
    """WAV file (22050 Hz mono) of `text` spoken by espeak-ng; reused when already rendered."""
    directory = directory or cache_dir()
    path = directory / f"{_key(text, voice, style)}.wav"
    if path.exists():
        return path
    directory.mkdir(parents=True, exist_ok=True)
    # Write to a temporary name first, so a parallel run never reads a half-written file.
    fd, tmp = tempfile.mkstemp(suffix=".wav", dir=directory)
    os.close(fd)
    try:
        result = subprocess.run([require("espeak-ng"), *_arguments(voice, style), "-w", tmp, "--stdin"],
                                input=text, capture_output=True, text=True, timeout=SYNTH_TIMEOUT_S,
                                check=False)
        if result.returncode != 0:
            raise RuntimeError(f"espeak-ng failed ({result.returncode}): {result.stderr.strip()}")
        _trim_tail(Path(tmp), _tail_ms(text))
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def _tail_ms(text: str) -> int:
    last = text.rstrip()[-1:]
    if last and last in ".?!":
        return SENTENCE_TAIL_MS
    return COMMA_TAIL_MS if last and last in ",:;" else WORD_TAIL_MS


def _trim_tail(path: Path, keep_ms: int, threshold: int = 100) -> None:
    """espeak-ng ends every run with ~350 ms of silence; keep a natural gap instead, so a
    sentence split into several runs (emphasis, say-as) is not stretched."""
    with wave.open(str(path), "rb") as wav:
        params = wav.getparams()
        samples = array("h", wav.readframes(params.nframes))
    end = len(samples)
    while end > 0 and abs(samples[end - 1]) < threshold:
        end -= 1
    end = min(len(samples), end + params.framerate * keep_ms // 1000)
    with wave.open(str(path), "wb") as wav:
        wav.setparams(params)
        wav.writeframes(samples[:end].tobytes())


def wav_duration_ms(path: Path) -> int:
    """Length from the WAV header alone (no decoding)."""
    with wave.open(str(path), "rb") as wav:
        return round(wav.getnframes() * 1000 / wav.getframerate())


def synthesize_many(jobs: list[tuple[str, str, Style]], directory: Path | None = None,
                    workers: int | None = None) -> list[Path]:
    """Render many runs in parallel (espeak-ng runs as separate processes)."""
    require("espeak-ng")
    espeak_version()
    workers = workers or min(8, (os.cpu_count() or 2))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: synthesize(*job, directory=directory), jobs))
