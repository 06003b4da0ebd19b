"""Alexa SSML → a timeline of speech runs, pauses and sounds (pure: no pydub, no subprocess).

Timing follows Alexa's documented behaviour where it is defined: `<break>` without attributes
is a medium (comma) pause, `<s>` a sentence break, `<p>` a paragraph break, and a break longer
than 10 s is cut to 10 s. Styles (`<prosody>`, `<emphasis>`, whispering) are kept as a rate,
pitch and volume on each speech run, for the synthesiser to honour.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace

MAX_BREAK_MS = 10_000
STRENGTH_MS = {"none": 0, "x-weak": 0, "weak": 250, "medium": 400, "strong": 700, "x-strong": 1000}
SENTENCE_MS = STRENGTH_MS["strong"]
PARAGRAPH_MS = STRENGTH_MS["x-strong"]
UNKNOWN_AUDIO_MS = 500

_RATES = {"x-slow": 0.7, "slow": 0.85, "medium": 1.0, "fast": 1.2, "x-fast": 1.4}
_PITCHES = {"x-low": -0.3, "low": -0.15, "medium": 0.0, "high": 0.15, "x-high": 0.3}  # fraction of base
_VOLUMES = {"x-soft": -9.0, "soft": -4.5, "medium": 0.0, "loud": 4.0, "x-loud": 6.0}
# emphasis level -> (rate factor, volume dB)
_EMPHASIS = {"strong": (0.85, 3.0), "moderate": (0.92, 1.5), "none": (1.0, 0.0), "reduced": (1.1, -3.0)}
_TRANSPARENT = {"speak", "lang", "voice", "w", "amazon-domain", "amazon-emotion", "phoneme", "mark"}


@dataclass(frozen=True)
class Style:
    rate: float = 1.0  # multiplier of the voice's normal speed
    pitch: float = 0.0  # relative change, -0.33 .. +0.5
    volume_db: float | None = 0.0  # None means silent


@dataclass(frozen=True)
class Speech:
    text: str
    style: Style = Style()


@dataclass(frozen=True)
class Pause:
    ms: int
    implicit: bool = False  # from <p>/<s>: merges with neighbouring implicit pauses


@dataclass(frozen=True)
class Sound:
    src: str


Item = Speech | Pause | Sound
Warn = Callable[[str], None]


def _prepare(ssml: str) -> str:
    text = ssml.strip()
    text = re.sub(r"(</?)amazon:", r"\1amazon-", text)  # no namespace declaration needed
    text = re.sub(r"&(?!#?\w+;)", "&amp;", text)  # tolerate a bare ampersand
    if not text.startswith("<speak"):
        text = f"<speak>{text}</speak>"
    return text


def parse_time_ms(value: str) -> int:
    """'2s', '1.5s', '500ms' → milliseconds."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*", value or "")
    if not match:
        raise ValueError(f"not an SSML time: {value!r}")
    number = float(match.group(1))
    return round(number if match.group(2) == "ms" else number * 1000)


def _percent(value: str) -> float | None:
    match = re.fullmatch(r"\s*([+-]?\d+(?:\.\d+)?)%\s*", value)
    return float(match.group(1)) / 100 if match else None


def _say_as(text: str, interpret: str) -> str:
    text = " ".join(text.split())
    if interpret in ("characters", "spell-out"):
        return " ".join(ch for ch in text if not ch.isspace())
    if interpret == "digits":
        return " ".join(ch for ch in text if ch.isdigit())
    if interpret == "telephone":
        return ", ".join(" ".join(group) for group in re.findall(r"\d+", text)) or text
    if interpret == "ordinal" and text.isdigit():
        n = int(text)
        suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
        return f"{n}{suffix}"
    if interpret == "expletive":
        return "beep"
    return text  # cardinal, number, date, time, unit, interjection, ...: the synthesiser reads them


class _Builder:
    def __init__(self, warn: Warn) -> None:
        self.items: list[Item] = []
        self.warn = warn

    def text(self, text: str | None, style: Style) -> None:
        if not text or not text.strip():
            if text and self.items and isinstance(self.items[-1], Speech):
                self.items[-1] = replace(self.items[-1], text=self.items[-1].text.rstrip() + " ")
            return
        last = self.items[-1] if self.items else None
        if isinstance(last, Speech) and last.style == style:
            self.items[-1] = replace(last, text=last.text + text)
        else:
            self.items.append(Speech(text, style))

    def pause(self, ms: int, implicit: bool = False) -> None:
        last = self.items[-1] if self.items else None
        if implicit and isinstance(last, Pause) and last.implicit:
            self.items[-1] = Pause(max(ms, last.ms), implicit=True)
        else:
            self.items.append(Pause(ms, implicit))

    def element(self, el: ET.Element, style: Style) -> None:
        tag = el.tag
        if tag == "break":
            self.pause(self._break_ms(el))
        elif tag == "audio":
            self.items.append(Sound(el.get("src", "")))
        elif tag in ("p", "s"):
            ms = PARAGRAPH_MS if tag == "p" else SENTENCE_MS
            self.pause(ms, implicit=True)
            self.children(el, style)
            self.pause(ms, implicit=True)
        elif tag == "say-as":
            self.text(_say_as("".join(el.itertext()), el.get("interpret-as", "")), style)
        elif tag == "sub":
            self.text(el.get("alias") or "".join(el.itertext()), style)
        elif tag == "emphasis":
            rate, gain = _EMPHASIS.get(el.get("level", "moderate"), _EMPHASIS["moderate"])
            self.children(el, _louder(replace(style, rate=style.rate * rate), gain))
        elif tag == "prosody":
            self.children(el, self._prosody(el, style))
        elif tag == "amazon-effect":
            whispered = el.get("name") == "whispered"
            self.children(el, _louder(replace(style, rate=style.rate * 0.95), -8.0) if whispered else style)
        else:
            if tag not in _TRANSPARENT:
                self.warn(f"<{tag}> is not rendered specially; reading its text")
            self.children(el, style)

    def children(self, el: ET.Element, style: Style) -> None:
        self.text(el.text, style)
        for child in el:
            self.element(child, style)
            self.text(child.tail, style)

    def _break_ms(self, el: ET.Element) -> int:
        if el.get("time"):
            try:
                ms = parse_time_ms(el.get("time", ""))
            except ValueError as exc:
                self.warn(f"{exc}; using a medium break")
                return STRENGTH_MS["medium"]
            if ms > MAX_BREAK_MS:
                self.warn(f"<break time={el.get('time')!r}> is longer than Alexa's 10 s; cut to 10 s")
            return min(ms, MAX_BREAK_MS)
        strength = el.get("strength", "medium")
        if strength not in STRENGTH_MS:
            self.warn(f"unknown break strength {strength!r}; using medium")
        return STRENGTH_MS.get(strength, STRENGTH_MS["medium"])

    def _prosody(self, el: ET.Element, style: Style) -> Style:
        rate, pitch, volume = el.get("rate"), el.get("pitch"), el.get("volume")
        if rate:
            factor = _RATES.get(rate) or _percent(rate)
            style = replace(style, rate=style.rate * max(factor or 1.0, 0.2))
        if pitch:
            change = _PITCHES.get(pitch, _percent(pitch))
            style = replace(style, pitch=min(max(style.pitch + (change or 0.0), -0.33), 0.5))
        if volume:
            if volume == "silent":
                return replace(style, volume_db=None)
            match = re.fullmatch(r"\s*([+-]?\d+(?:\.\d+)?)dB\s*", volume)
            style = _louder(style, float(match.group(1)) if match else _VOLUMES.get(volume, 0.0))
        return style


def _louder(style: Style, gain_db: float) -> Style:
    return style if style.volume_db is None else replace(style, volume_db=style.volume_db + gain_db)


def parse_ssml(ssml: str, warn: Warn | None = None) -> list[Item]:
    """Timeline of an SSML document (or bare text). Raises ValueError when it is not XML."""
    try:
        root = ET.fromstring(_prepare(ssml))
    except ET.ParseError as exc:
        raise ValueError(f"not valid SSML: {exc}") from exc
    builder = _Builder(warn or (lambda message: None))
    builder.children(root, Style())
    items = [replace(i, text=" ".join(i.text.split())) if isinstance(i, Speech) else i for i in builder.items]
    items = [i for i in items if not (isinstance(i, Speech) and not i.text)]
    while items and isinstance(items[0], Pause) and items[0].implicit:
        items.pop(0)
    while items and isinstance(items[-1], Pause) and items[-1].implicit:
        items.pop()
    return items


def plain_text(ssml: str) -> str:
    """What a listener hears as words (tags removed, say-as and sub applied)."""
    return " ".join(i.text for i in parse_ssml(ssml) if isinstance(i, Speech))


def word_count(ssml: str) -> int:
    return len(re.findall(r"[\w'’]+", plain_text(ssml)))
