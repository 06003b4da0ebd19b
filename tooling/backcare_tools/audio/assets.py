"""The skill's cues, synthesised with pydub and exported as Alexa-compliant MP3.

Each cue is a few sine partials with a bell-like exponential decay, shaped with short fades
(no clicks), set to a target RMS loudness and capped below full scale (no clipping).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from backcare_tools.audio import mp3check, names
from backcare_tools.audio.tools import load_pydub, require

if TYPE_CHECKING:
    from pydub import AudioSegment

FRAME_RATE = 24000  # one of Alexa's three MPEG-2 rates
BITRATE = "48k"
PEAK_CEILING_DBFS = -1.0  # headroom so MP3 encoding cannot clip
DEFAULT_OUT = Path("build/audio")


def _silence(ms: int) -> AudioSegment:
    return load_pydub().AudioSegment.silent(duration=ms, frame_rate=FRAME_RATE)


def _decay(segment: AudioSegment, db_per_second: float, step_ms: int = 5) -> AudioSegment:
    """Exponential decay: gain falls linearly in dB, applied in short steps."""
    pieces = [segment[start : start + step_ms].apply_gain(-db_per_second * start / 1000)
              for start in range(0, len(segment), step_ms)]
    return sum(pieces[1:], pieces[0])


def _bell(freq: float, ms: int, decay_db_s: float) -> AudioSegment:
    """A soft bell: fundamental plus quieter, faster-decaying inharmonic partials."""
    sine = load_pydub().generators.Sine
    partials = ((1.0, 0.0, 1.0), (2.0, -9.0, 1.6), (2.76, -16.0, 2.2), (4.07, -24.0, 3.0))
    tone = _silence(ms)
    for ratio, gain_db, decay_factor in partials:
        partial = sine(freq * ratio, sample_rate=FRAME_RATE).to_audio_segment(duration=ms, volume=gain_db)
        tone = tone.overlay(_decay(partial, decay_db_s * decay_factor))
    return tone.fade_in(6)


def _sequence(notes: list[tuple[int, float]], total_ms: int, note_ms: int, decay_db_s: float) -> AudioSegment:
    """Overlay bell notes (start ms, frequency) on a silent bed of `total_ms`."""
    bed = _silence(total_ms)
    for start, freq in notes:
        bed = bed.overlay(_bell(freq, min(note_ms, total_ms - start), decay_db_s), position=start)
    return bed


def _finish(segment: AudioSegment, target_rms_dbfs: float, fade_out_ms: int) -> AudioSegment:
    """Fade the tail, set the loudness, and keep the peak under the ceiling."""
    segment = segment.fade_out(fade_out_ms).apply_gain(target_rms_dbfs - segment.dBFS)
    if segment.max_dBFS > PEAK_CEILING_DBFS:
        segment = segment.apply_gain(PEAK_CEILING_DBFS - segment.max_dBFS)
    return segment.set_frame_rate(FRAME_RATE).set_channels(1).set_sample_width(2)


def chime() -> AudioSegment:
    """Between exercises: two bell notes a fifth apart, about 1.4 s."""
    return _finish(_sequence([(0, 880.0), (160, 1318.5)], 1400, 1240, 9.0), -16.0, 300)


def hold() -> AudioSegment:
    """While holding a stretch: one soft low tone with a slow swell, about 0.8 s."""
    sine = load_pydub().generators.Sine
    tone = sine(392.0, sample_rate=FRAME_RATE).to_audio_segment(duration=800, volume=0.0)
    tone = tone.overlay(sine(784.0, sample_rate=FRAME_RATE).to_audio_segment(duration=800, volume=-14.0))
    return _finish(tone.fade_in(180), -22.0, 420)


def done() -> AudioSegment:
    """Routine finished: a rising major arpeggio, about 1.8 s."""
    notes = [(0, 523.25), (150, 659.25), (300, 783.99), (450, 1046.5)]
    return _finish(_sequence(notes, 1800, 1350, 7.0), -16.0, 400)


RECIPES: dict[str, Callable[[], AudioSegment]] = {"chime": chime, "hold": hold, "done": done}
assert tuple(RECIPES) == names.ASSET_IDS, "every stable asset id needs a recipe"


def synthesize(asset_id: str) -> AudioSegment:
    """The cue as audio, without ffmpeg (used by `render` when no build exists)."""
    return RECIPES[asset_id]()


@dataclass(frozen=True)
class BuiltAsset:
    asset_id: str
    path: Path
    sha256: str
    duration_ms: int
    peak_dbfs: float
    rms_dbfs: float
    check: str

    def manifest_entry(self) -> dict[str, object]:
        entry = asdict(self)
        for local_only in ("asset_id", "path", "check"):
            entry.pop(local_only)
        return {"file": self.path.name, **entry}


class AssetRuleError(RuntimeError):
    """A built file breaks Alexa's rules or clips."""


def export_mp3(segment: AudioSegment, path: Path) -> Path:
    """Encode as MPEG-2 layer III, 48 kbps CBR, mono, without metadata (byte-stable across runs)."""
    pydub = load_pydub()
    pydub.AudioSegment.converter = require("ffmpeg")
    path.parent.mkdir(parents=True, exist_ok=True)
    segment.set_frame_rate(FRAME_RATE).set_channels(1).export(
        str(path), format="mp3", codec="libmp3lame", bitrate=BITRATE,
        parameters=["-ar", str(FRAME_RATE), "-ac", "1", "-map_metadata", "-1",
                    "-id3v2_version", "0", "-write_xing", "0", "-fflags", "+bitexact"],
    )
    return path


def build_assets(out_dir: Path = DEFAULT_OUT) -> list[BuiltAsset]:
    """Synthesize, export and verify every cue; writes `manifest.json`. Raises on any broken rule."""
    pydub = load_pydub()
    require("ffmpeg")
    out_dir = Path(out_dir)
    built: list[BuiltAsset] = []
    for asset_id in names.ASSET_IDS:
        path = export_mp3(synthesize(asset_id), out_dir / names.published_name(asset_id))
        result = mp3check.check_file(path)
        problems = result.problems + mp3check.ffprobe_disagreements(result)
        decoded = pydub.AudioSegment.from_file(str(path), format="mp3")
        if decoded.max >= decoded.max_possible_amplitude - 1:
            problems.append(f"clips after encoding (peak {decoded.max_dBFS:.2f} dBFS)")
        if problems:
            raise AssetRuleError(f"{path}: " + "; ".join(problems))
        data = path.read_bytes()
        built.append(BuiltAsset(asset_id, path, names.sha256_hex(data), len(decoded),
                                round(decoded.max_dBFS, 2), round(decoded.dBFS, 2), result.summary()))
    names.write_manifest(out_dir, {a.asset_id: a.manifest_entry() for a in built})
    return built
