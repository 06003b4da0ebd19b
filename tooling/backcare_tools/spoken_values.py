"""Spoken numbers, durations and times as Alexa sends them in AMAZON.DURATION and AMAZON.TIME
slots: "every hour" -> PT1H, "an hour and a half" -> PT1H30M, "three pm" -> 15:00,
"half past four" -> 16:30, "noon" -> 12:00, "in the morning" -> MO.

Works on text already normalised by `backcare_tools.nlu.normalise` (lower case, no punctuation
except ':' between digits). Local tooling only.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
          "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
         "ninety": 90}
_NUMBER_WORDS = {word: value for value, word in enumerate(UNITS)} | _TENS | {"a": 1, "an": 1, "oh": 0}
_NUM = (r"(?:\d{1,3}|(?:" + "|".join(_TENS) + r")(?: (?:" + "|".join(UNITS[1:10]) + r"))?|"
        + "|".join(sorted(UNITS, key=len, reverse=True)) + ")")
_HOUR = r"(?:\d{1,2}|" + "|".join(sorted(UNITS[1:13], key=len, reverse=True)) + ")"
_MINUTE_WORDS = (r"(?:oh (?:" + "|".join(UNITS[1:10]) + r")|(?:" + "|".join(list(_TENS)[:4])
                 + r")(?: (?:" + "|".join(UNITS[1:10]) + r"))?|" + "|".join(UNITS[10:20]) + ")")
_MARKER = (r"(?:am|pm|a m|p m|in the morning|in the afternoon|in the evening|at night|tonight|"
           r"o'clock|oclock|o clock)")


def parse_number(words: str) -> int | None:
    words = words.strip()
    if words.isdigit():
        return int(words)
    total = 0
    for word in words.split():
        if word not in _NUMBER_WORDS:
            return None
        total += _NUMBER_WORDS[word]
    return total


def iso_duration(hours: int = 0, minutes: int = 0) -> str:
    text = "PT"
    if hours:
        text += f"{hours}H"
    if minutes or not hours:
        text += f"{minutes}M"
    return text


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    type: str   # slot type: AMAZON.DURATION, AMAZON.TIME or a custom type name
    value: str  # what Alexa sends as the slot value (ISO duration, HH:MM, or the words heard)
    id: str | None = None  # entity-resolution id for custom types
    name: str | None = None  # the resolved value's canonical name for custom types


_DURATION_PATTERNS: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (re.compile(r"\b(?:an? )?hour and a half\b"), lambda m: iso_duration(1, 30)),
    (re.compile(rf"\b(?P<n>{_NUM}) and a half hours?\b"),
     lambda m: iso_duration(parse_number(m["n"]) or 0, 30)),
    (re.compile(r"\b(?:a )?half (?:an )?hour\b"), lambda m: iso_duration(0, 30)),
    (re.compile(r"\b(?:a )?quarter (?:of an )?hour\b"), lambda m: iso_duration(0, 15)),
    (re.compile(rf"\b(?P<n>{_NUM}) (?P<unit>hours?|hrs?|minutes?|mins?)\b"),
     lambda m: iso_duration(parse_number(m["n"]) or 0, 0) if m["unit"].startswith("h")
     else iso_duration(0, parse_number(m["n"]) or 0)),
    (re.compile(r"(?:(?<=\bevery )|(?<=\beach ))(?P<unit>hour|minute)\b"),
     lambda m: iso_duration(1, 0) if m["unit"] == "hour" else iso_duration(0, 1)),
]

_DAY_PARTS = {"morning": "MO", "afternoon": "AF", "evening": "EV", "night": "NI"}


def _clock(hour: int, minute: int, marker: str | None) -> str | None:
    """24-hour HH:MM. Without am/pm people mean the waking day: 1-6 is afternoon, 7-11 morning."""
    if not (0 <= hour <= 24 and 0 <= minute < 60):
        return None
    marker = (marker or "").replace(" ", "")
    if marker in ("pm", "intheafternoon", "intheevening", "atnight", "tonight"):
        if hour < 12:
            hour += 12
    elif marker in ("am", "inthemorning"):
        if hour == 12:
            hour = 0
    elif 1 <= hour <= 6:
        hour += 12
    if hour == 24:
        hour = 0
    return f"{hour:02d}:{minute:02d}"


def _time_from_match(m: re.Match[str]) -> str | None:
    groups = m.groupdict()
    if groups.get("fixed"):
        return {"noon": "12:00", "midday": "12:00", "twelve noon": "12:00", "midnight": "00:00",
                "twelve midnight": "00:00"}[groups["fixed"]]
    if groups.get("part"):
        return _DAY_PARTS[groups["part"]]
    hour = parse_number(groups["h"])
    if hour is None:
        return None
    minute = 0
    if groups.get("m"):
        minute = int(groups["m"])
    elif groups.get("mw"):
        minute = parse_number(groups["mw"].replace("oh ", "")) or 0
    elif groups.get("rel"):
        amount = {"half": 30, "quarter": 15}.get(groups["q"]) or parse_number(groups["q"].split(" minutes")[0])
        if amount is None:
            return None
        if groups["rel"] == "to":
            hour, minute = (hour - 1) % 12 or 12, 60 - amount
        else:
            minute = amount
    return _clock(hour, minute, groups.get("ap"))


_TIME_PATTERNS = [
    re.compile(r"\b(?P<fixed>twelve noon|twelve midnight|noon|midday|midnight)\b"),
    re.compile(rf"(?<!from )(?<!between )\b(?P<q>half|quarter|(?:five|ten|twenty|twenty five|\d{{1,2}})"
               rf"(?: minutes)?|{_NUM} minutes) (?P<rel>past|after|to) (?P<h>{_HOUR})"
               rf"(?: (?P<ap>{_MARKER}))?\b"),
    re.compile(rf"\b(?P<h>{_HOUR})(?::(?P<m>\d\d)| (?P<mw>{_MINUTE_WORDS}))? ?(?P<ap>{_MARKER})(?!\w)"),
    re.compile(r"\b(?P<h>\d{1,2}):(?P<m>\d\d)\b"),
    re.compile(rf"(?:(?<=\bat )|(?<=\bfrom )|(?<=\bto )|(?<=\buntil )|(?<=\btill )|(?<=\band )|(?<=\bby )"
               rf"|(?<=\baround )|(?<=\bbetween )|(?<=\bafter )|(?<=\bbefore ))"
               rf"(?P<h>{_HOUR})(?: (?P<mw>{_MINUTE_WORDS}))?\b(?! (?:minutes?|mins?|hours?|hrs?|weeks?"
               rf"|days?|months?|years?|times?|of|legs?|o'clock))"),
    re.compile(r"(?:(?<=\bin the )|(?<=\beach )|(?<=\bevery )|(?<=\bthis ))(?P<part>morning|afternoon|evening)\b"),
    re.compile(r"(?:(?<=\beach )|(?<=\bevery ))(?P<part>night)\b"),
]


def _find_spans(text: str, patterns: list[re.Pattern[str]], slot_type: str,
                convert: Callable[[re.Match[str]], str | None]) -> list[Span]:
    spans: list[Span] = []
    for pattern in patterns:
        for m in pattern.finditer(text):
            if any(m.start() < s.end and s.start < m.end() for s in spans):
                continue
            value = convert(m)
            if value:
                spans.append(Span(m.start(), m.end(), slot_type, value))
    return sorted(spans, key=lambda s: s.start)


_DURATION_VALUE = dict(_DURATION_PATTERNS)


def find_durations(text: str) -> list[Span]:
    return _find_spans(text, list(_DURATION_VALUE), "AMAZON.DURATION", lambda m: _DURATION_VALUE[m.re](m))


def find_times(text: str, blocked: list[Span]) -> list[Span]:
    """Times in `text`, leaving out any that overlap `blocked` (the durations already found)."""
    found = _find_spans(text, _TIME_PATTERNS, "AMAZON.TIME", _time_from_match)
    return [s for s in found if not any(s.start < b.end and b.start < s.end for b in blocked)]


def number_words(value: int) -> str:
    """0-99 as words: samples spell numbers out, people type digits."""
    if value < 20:
        return UNITS[value]
    tens, unit = divmod(value, 10)
    word = next(w for w, v in _TENS.items() if v == tens * 10)
    return f"{word} {UNITS[unit]}" if unit else word
