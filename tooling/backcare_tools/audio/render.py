"""Hear a response without an Echo: SSML → one sound file, played when a player exists.

`render_ssml` builds the audio; `measure_ssml` computes the same length from WAV headers
without decoding (used by the report). `speak_response` is what `backcare dialog --speak`
calls with a response envelope.
"""

from __future__ import annotations

import io
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

from backcare_tools.audio import names, speech
from backcare_tools.audio.ssml import UNKNOWN_AUDIO_MS, Item, Pause, Sound, Speech, Warn, parse_ssml
from backcare_tools.audio.tools import find_player, load_pydub, require

if TYPE_CHECKING:
    from pydub import AudioSegment

FRAME_RATE = 22050  # espeak-ng's own rate
DEFAULT_RENDER_DIR = Path("build/audio/render")
DEFAULT_ASSETS_DIR = Path("build/audio")


def _warner(warn: Warn | None) -> Warn:
    return warn or (lambda message: print(f"warning: {message}", file=sys.stderr))


def _asset_segment(asset_id: str, assets_dir: Path | None) -> AudioSegment:
    """The built MP3 when there is one (what Alexa would play), else the same cue synthesised."""
    from backcare_tools.audio.assets import synthesize

    path = (assets_dir or DEFAULT_ASSETS_DIR) / names.published_name(asset_id)
    if path.exists():
        load_pydub().AudioSegment.converter = require("ffmpeg")
        return load_pydub().AudioSegment.from_file(str(path), format="mp3")
    return synthesize(asset_id)


def _sound_id(item: Sound, warn: Warn) -> str | None:
    asset_id = names.asset_id_from_src(item.src)
    if asset_id is None:
        warn(f"<audio src={item.src!r}> is not one of this skill's sounds "
             f"({', '.join(names.ASSET_IDS)}); playing {UNKNOWN_AUDIO_MS} ms of silence instead")
    return asset_id


def render_items(items: list[Item], locale: str, assets_dir: Path | None = None,
                 warn: Warn | None = None) -> AudioSegment:
    warn = _warner(warn)
    AudioSegment = load_pydub().AudioSegment
    voice = speech.voice_for(locale)
    texts = [(i.text, voice, i.style) for i in items if isinstance(i, Speech)]
    wavs = iter(speech.synthesize_many(texts)) if texts else iter(())
    out = AudioSegment.silent(duration=0, frame_rate=FRAME_RATE)
    for item in items:
        if isinstance(item, Speech):
            part = AudioSegment.from_wav(io.BytesIO(next(wavs).read_bytes()))
            if item.style.volume_db is None:
                part = AudioSegment.silent(duration=len(part), frame_rate=FRAME_RATE)
            elif item.style.volume_db:
                part = part.apply_gain(item.style.volume_db)
        elif isinstance(item, Pause):
            part = AudioSegment.silent(duration=item.ms, frame_rate=FRAME_RATE)
        else:
            asset_id = _sound_id(item, warn)
            part = (_asset_segment(asset_id, assets_dir) if asset_id
                    else AudioSegment.silent(duration=UNKNOWN_AUDIO_MS, frame_rate=FRAME_RATE))
        out += part.set_frame_rate(FRAME_RATE).set_channels(1).set_sample_width(2)
    return out


def render_ssml(ssml: str, locale: str = "en-US", assets_dir: Path | None = None,
                warn: Warn | None = None) -> AudioSegment:
    """One AudioSegment for an SSML document: espeak-ng speech, silent breaks, local assets."""
    warn = _warner(warn)
    return render_items(parse_ssml(ssml, warn), locale, assets_dir, warn)


def _asset_ms(asset_id: str, assets_dir: Path | None) -> int:
    try:
        entry = names.read_manifest(assets_dir or DEFAULT_ASSETS_DIR)["assets"][asset_id]
        return int(entry["duration_ms"])
    except (FileNotFoundError, KeyError, ValueError):
        return len(_asset_segment(asset_id, None))


def measure_items(items: list[Item], locale: str, assets_dir: Path | None = None,
                  warn: Warn | None = None) -> int:
    """Length in ms of what render_items would produce, from WAV headers only."""
    warn = _warner(warn)
    voice = speech.voice_for(locale)
    texts = [(i.text, voice, i.style) for i in items if isinstance(i, Speech)]
    total = sum(speech.wav_duration_ms(path) for path in speech.synthesize_many(texts)) if texts else 0
    for item in items:
        if isinstance(item, Pause):
            total += item.ms
        elif isinstance(item, Sound):
            asset_id = _sound_id(item, warn)
            total += _asset_ms(asset_id, assets_dir) if asset_id else UNKNOWN_AUDIO_MS
    return total


def measure_ssml(ssml: str, locale: str = "en-US", assets_dir: Path | None = None,
                 warn: Warn | None = None) -> int:
    return measure_items(parse_ssml(ssml, warn), locale, assets_dir, warn)


def write_audio(segment: AudioSegment, out: Path) -> Path:
    """WAV needs nothing else; MP3 (by suffix) needs ffmpeg."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix.lower() == ".mp3":
        load_pydub().AudioSegment.converter = require("ffmpeg")
        segment.export(str(out), format="mp3", bitrate="64k")
    else:
        segment.export(str(out), format="wav")
    return out


def play(path: Path, seconds: float) -> tuple[bool, str]:
    """Play with the first available player; (played, reason when not)."""
    player = find_player()
    if player is None:
        return False, "no audio player found (paplay, aplay, afplay or ffplay)"
    try:
        result = subprocess.run([*player, str(path)], capture_output=True, text=True,
                                timeout=seconds + 15, check=False)
    except subprocess.TimeoutExpired:
        return False, f"{Path(player[0]).name} did not finish"
    # ffplay exits 0 even when it cannot open an audio device, so read what it says too.
    failed = result.returncode != 0 or "failed" in result.stderr.lower()
    if failed:
        lines = result.stderr.strip().splitlines() or ["no output"]
        reason = next((line for line in lines if "audio" in line.lower() and "fail" in line.lower()), lines[-1])
        return False, f"{Path(player[0]).name} could not play it ({reason.strip()})"
    return True, ""


@dataclass
class Spoken:
    path: Path | None
    duration_ms: int = 0
    played: bool = False
    note: str = ""
    warnings: list[str] = field(default_factory=list)

    def message(self) -> str:
        if self.path is None:
            return "(nothing to say)"
        where = f"{self.path} ({self.duration_ms / 1000:.1f} s)"
        return f"played {where}" if self.played else f"wrote {where}; {self.note}"

    __str__ = message  # `backcare dialog --speak` prints the result


def ssml_of(response: dict[str, Any], *, reprompt: bool = False) -> str | None:
    """The SSML of a response envelope (or of its inner `response`); PlainText is wrapped in <speak>."""
    body = response.get("response", response) or {}
    if reprompt:
        body = body.get("reprompt") or {}
    speech_ = body.get("outputSpeech")
    if not speech_:
        return None
    if speech_.get("type") == "SSML" or "ssml" in speech_:
        return speech_.get("ssml")
    return f"<speak>{escape(speech_.get('text', ''))}</speak>"


def speak(ssml: str, locale: str = "en-US", *, out: Path | None = None, play_it: bool = True,
          assets_dir: Path | None = None) -> Spoken:
    """Render SSML to a file and play it when possible."""
    notes: list[str] = []
    segment = render_ssml(ssml, locale, assets_dir, warn=notes.append)
    for message in notes:
        print(f"warning: {message}", file=sys.stderr)
    path = write_audio(segment, out or DEFAULT_RENDER_DIR / "last.wav")
    spoken = Spoken(path, len(segment), warnings=notes)
    if play_it:
        spoken.played, spoken.note = play(path, len(segment) / 1000)
    else:
        spoken.note = "not played (--no-play)"
    return spoken


def speak_response(response: dict[str, Any], locale: str = "en-US", *, out: Path | None = None,
                   play_it: bool = True, assets_dir: Path | None = None) -> Spoken:
    """Say a skill response's outputSpeech the way a device would (for `backcare dialog --speak`)."""
    ssml = ssml_of(response)
    if not ssml:
        return Spoken(None, note="the response has no outputSpeech")
    return speak(ssml, locale, out=out, play_it=play_it, assets_dir=assets_dir)
