"""Alexa MP3 compliance, read from the file's own frame headers (no ffmpeg needed).

Alexa plays `<audio>` files that are MPEG-2 layer III at 48 kbps with a sample rate of
24000, 22050 or 16000 Hz, at most 240 s long. We also require mono and constant bit rate,
which is what `backcare audio build` produces.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

ALEXA_SAMPLE_RATES = (24000, 22050, 16000)
ALEXA_BITRATE_KBPS = 48
ALEXA_MAX_SECONDS = 240.0

_VERSIONS = {0b00: "MPEG-2.5", 0b10: "MPEG-2", 0b11: "MPEG-1"}  # 0b01 is reserved
_LAYERS = {0b01: 3, 0b10: 2, 0b11: 1}  # 0b00 is reserved
_SAMPLE_RATES = {
    "MPEG-1": (44100, 48000, 32000),
    "MPEG-2": (22050, 24000, 16000),
    "MPEG-2.5": (11025, 12000, 8000),
}
# Layer III bit rates (kbps) by index 1..14; index 0 is "free", 15 is invalid.
_L3_BITRATES = {
    "MPEG-1": (32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320),
    "MPEG-2": (8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160),
}
_L3_BITRATES["MPEG-2.5"] = _L3_BITRATES["MPEG-2"]
_CHANNEL_MODES = {0b00: "stereo", 0b01: "joint stereo", 0b10: "dual channel", 0b11: "mono"}


class Mp3FormatError(ValueError):
    """The bytes are not a readable MPEG audio stream."""


@dataclass(frozen=True)
class FrameHeader:
    version: str
    layer: int
    bitrate_kbps: int
    sample_rate: int
    padding: bool
    channel_mode: str

    @property
    def samples(self) -> int:
        if self.layer == 1:
            return 384
        if self.layer == 2 or self.version == "MPEG-1":
            return 1152
        return 576  # layer III in MPEG-2 / 2.5

    @property
    def length(self) -> int:
        """Frame length in bytes, header included."""
        if self.layer == 1:
            return (12 * self.bitrate_kbps * 1000 // self.sample_rate + self.padding) * 4
        return self.samples // 8 * self.bitrate_kbps * 1000 // self.sample_rate + self.padding


def parse_frame_header(raw: bytes) -> FrameHeader:
    """Decode one 4-byte MPEG audio frame header; raises Mp3FormatError if it is not one."""
    if len(raw) < 4:
        raise Mp3FormatError("truncated frame header")
    word = int.from_bytes(raw[:4], "big")
    if word >> 21 != 0x7FF:
        raise Mp3FormatError(f"no frame sync in {raw[:4].hex()}")
    version = _VERSIONS.get((word >> 19) & 0b11)
    layer = _LAYERS.get((word >> 17) & 0b11)
    bitrate_index = (word >> 12) & 0b1111
    rate_index = (word >> 10) & 0b11
    if version is None or layer is None:
        raise Mp3FormatError(f"reserved version or layer bits in {raw[:4].hex()}")
    if bitrate_index in (0, 15) or rate_index == 3:
        raise Mp3FormatError(f"free-format or invalid bit rate / sample rate index in {raw[:4].hex()}")
    if layer != 3:
        raise Mp3FormatError(f"{version} layer {'I' * layer} frame; Alexa needs MPEG-2 layer III")
    return FrameHeader(
        version=version,
        layer=layer,
        bitrate_kbps=_L3_BITRATES[version][bitrate_index - 1],
        sample_rate=_SAMPLE_RATES[version][rate_index],
        padding=bool((word >> 9) & 1),
        channel_mode=_CHANNEL_MODES[(word >> 6) & 0b11],
    )


def _skip_id3v2(data: bytes) -> int:
    if len(data) >= 10 and data[:3] == b"ID3":
        size = 0
        for byte in data[6:10]:  # syncsafe integer: 7 bits per byte
            size = (size << 7) | (byte & 0x7F)
        footer = 10 if data[5] & 0x10 else 0
        return 10 + size + footer
    return 0


@dataclass
class StreamInfo:
    """What the frames of one MP3 stream say about it."""

    frames: int = 0
    versions: Counter[str] = field(default_factory=Counter)
    layers: Counter[int] = field(default_factory=Counter)
    bitrates_kbps: Counter[int] = field(default_factory=Counter)
    sample_rates: Counter[int] = field(default_factory=Counter)
    channel_modes: Counter[str] = field(default_factory=Counter)
    samples: int = 0
    tag_frame: str | None = None  # a leading Xing/Info/VBRI frame: metadata, not audio

    @property
    def duration_seconds(self) -> float:
        rate = self.sample_rates.most_common(1)[0][0] if self.sample_rates else 0
        return self.samples / rate if rate else 0.0


def read_stream(data: bytes) -> StreamInfo:
    """Walk every frame from the first sync to the end (an ID3v1 tag at the end is allowed)."""
    pos = _skip_id3v2(data)
    # Find the first frame: a sync whose successor frame also syncs (avoids false syncs).
    while pos + 4 <= len(data):
        try:
            first = parse_frame_header(data[pos : pos + 4])
            nxt = pos + first.length
            if nxt + 4 > len(data) or (data[nxt] == 0xFF and (data[nxt + 1] & 0xE0) == 0xE0):
                break
        except Mp3FormatError:
            pass
        pos += 1
    else:
        raise Mp3FormatError("no MPEG audio frames found")
    info = StreamInfo()
    first_frame = data[pos : pos + parse_frame_header(data[pos : pos + 4]).length]
    for tag in (b"Xing", b"Info", b"VBRI"):
        if tag in first_frame[4:48]:
            # LAME's tag frame may use a different bit rate than the audio (it must fit the tag).
            header = parse_frame_header(first_frame)
            info.tag_frame = f"{tag.decode()} tag frame at {header.bitrate_kbps} kbps"
            pos += header.length
            break
    while pos + 4 <= len(data):
        if data[pos : pos + 3] == b"TAG" and len(data) - pos == 128:
            break  # ID3v1 trailer
        header = parse_frame_header(data[pos : pos + 4])
        info.frames += 1
        info.versions[header.version] += 1
        info.layers[header.layer] += 1
        info.bitrates_kbps[header.bitrate_kbps] += 1
        info.sample_rates[header.sample_rate] += 1
        info.channel_modes[header.channel_mode] += 1
        info.samples += header.samples
        pos += header.length
    if info.frames == 0:
        raise Mp3FormatError("no MPEG audio frames found")
    return info


def _describe(counter: Counter, unit: str = "") -> str:
    return ", ".join(f"{value}{unit}" for value in sorted(counter, key=str))


def alexa_violations(info: StreamInfo, *, require_mono: bool = True,
                     max_seconds: float = ALEXA_MAX_SECONDS) -> list[str]:
    """Every way this stream breaks Alexa's rules (empty when it complies)."""
    problems = []
    if set(info.versions) != {"MPEG-2"}:
        problems.append(f"MPEG version is {_describe(info.versions)} (Alexa needs MPEG-2)")
    if set(info.layers) != {3}:
        problems.append(f"layer is {_describe(info.layers)} (Alexa needs layer III)")
    if set(info.bitrates_kbps) != {ALEXA_BITRATE_KBPS}:
        problems.append(f"bit rate is {_describe(info.bitrates_kbps, ' kbps')} "
                        f"(Alexa needs a constant {ALEXA_BITRATE_KBPS} kbps)")
    if len(info.sample_rates) != 1 or not set(info.sample_rates) <= set(ALEXA_SAMPLE_RATES):
        problems.append(f"sample rate is {_describe(info.sample_rates, ' Hz')} (Alexa needs one of "
                        + ", ".join(f"{rate}" for rate in ALEXA_SAMPLE_RATES) + " Hz)")
    if require_mono and set(info.channel_modes) != {"mono"}:
        problems.append(f"channels are {_describe(info.channel_modes)} (the skill's sounds must be mono)")
    if info.duration_seconds > max_seconds:
        problems.append(f"duration is {info.duration_seconds:.1f} s (the limit is {max_seconds:g} s)")
    return problems


@dataclass(frozen=True)
class CheckResult:
    path: Path
    info: StreamInfo | None
    problems: list[str]

    @property
    def ok(self) -> bool:
        return not self.problems

    def summary(self) -> str:
        if self.info is None:
            return f"FAIL {self.path}: " + "; ".join(self.problems)
        i = self.info
        layers = "/".join("I" * layer for layer in sorted(i.layers))
        facts = (f"{_describe(i.versions)} layer {layers}, {_describe(i.bitrates_kbps, ' kbps')}, "
                 f"{_describe(i.sample_rates, ' Hz')}, {_describe(i.channel_modes)}, "
                 f"{i.duration_seconds:.2f} s")
        if i.tag_frame:
            facts += f"; {i.tag_frame} skipped (ffmpeg writes none with -write_xing 0)"
        if self.ok:
            return f"ok   {self.path}: {facts}"
        return f"FAIL {self.path}: " + "; ".join(self.problems) + f" ({facts})"


def check_file(path: Path, **rules) -> CheckResult:
    """Check one file; unreadable files fail with the reason rather than raising."""
    path = Path(path)
    try:
        info = read_stream(path.read_bytes())
    except (OSError, Mp3FormatError) as exc:
        return CheckResult(path, None, [f"not a readable MP3 stream: {exc}"])
    return CheckResult(path, info, alexa_violations(info, **rules))


def ffprobe_disagreements(result: CheckResult) -> list[str]:
    """Second opinion from ffprobe (when installed) on what the frame headers said."""
    from backcare_tools.audio.tools import ffprobe_stream

    probe = ffprobe_stream(result.path)
    if probe is None or result.info is None:
        return []
    if "error" in probe:
        return [f"ffprobe cannot read it: {probe['error']}"]
    problems = []
    if probe.get("codec_name") != "mp3":
        problems.append(f"ffprobe sees codec {probe.get('codec_name')!r}, not mp3")
    rate = result.info.sample_rates.most_common(1)[0][0]
    if str(probe.get("sample_rate")) != str(rate):
        problems.append(f"ffprobe sees {probe.get('sample_rate')} Hz, the frame headers say {rate} Hz")
    if int(probe.get("channels") or 0) != (1 if set(result.info.channel_modes) == {"mono"} else 2):
        problems.append(f"ffprobe sees {probe.get('channels')} channels")
    return problems
