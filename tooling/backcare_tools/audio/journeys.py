"""Whole responses as a user hears them: scripted conversations through the real lambda_handler.

The prompt report measures texts one by one; a response often joins several (an
acknowledgement, the next question, a chime). Here each response's SSML is measured as sent,
against Alexa's per-response limits (240 s of audio, 8000 characters of speech).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from backcare_tools.audio.report import RESPONSE_MAX_CHARS, RESPONSE_MAX_S
from backcare_tools.audio.ssml import parse_ssml

# A placeholder HTTPS release folder, so responses carry <audio> tags as they would on Alexa;
# the renderer plays the local asset for them.
MAX_AUDIO_TAGS = 5  # Alexa plays at most five <audio> clips per response
FAKE_AUDIO_BASE_URL = "https://audio.example.invalid/audio/local"


def _requests(*specs: tuple[str, int]) -> list[dict[str, Any]]:
    from backcare_tools import envelopes as env

    out: list[dict[str, Any]] = []
    for name, times in specs:
        request = env.launch_request() if name == "LaunchRequest" else env.intent_request(name)
        out += [request] * times
    return out


def _all_no_check() -> list[dict[str, Any]]:
    from backcare.triage import QUESTION_IDS

    return _requests(("CheckSymptomsIntent", 1), ("AMAZON.NoIntent", len(QUESTION_IDS)))


def _all_tips() -> list[dict[str, Any]]:
    from backcare.handlers.tips import PAGES

    return _requests(("SelfCareTipsIntent", 1), ("AMAZON.NextIntent", len(PAGES) - 1))


def _information() -> list[dict[str, Any]]:
    """Each information answer, as a one-shot of its own would hear it (each ends offering the check)."""
    from backcare.handlers.info import INFO_TEXTS

    return _requests(*((name, 1) for name in INFO_TEXTS))


JOURNEYS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "all-no check": _all_no_check,
    "launch": lambda: _requests(("LaunchRequest", 1)),
    # The programme from its stretches to the walking goal (level 1; every level: audio/exercises.py).
    "stretch routine": lambda: _requests(("StartStretchesIntent", 1), ("AMAZON.YesIntent", 1),
                                         ("AMAZON.NextIntent", 8)),
    "tips": _all_tips,
    "information": _information,
}


@dataclass(frozen=True)
class Turn:
    journey: str
    step: int
    request: str
    seconds: float
    chars: int
    flags: tuple[str, ...]
    ssml: str


@dataclass(frozen=True)
class JourneyResult:
    journey: str
    locale: str
    turns: list[Turn]
    error: str | None = None

    @property
    def seconds(self) -> float:
        return round(sum(turn.seconds for turn in self.turns), 2)


@contextmanager
def _skill_environment(state_dir: str) -> Iterator[None]:
    """The skill as `backcare invoke` runs it: no storage, audio configured."""
    wanted = {"PERSISTENCE": "none", "AUDIO_BASE_URL": FAKE_AUDIO_BASE_URL, "BACKCARE_STATE_DIR": state_dir,
              "LOG_LEVEL": "CRITICAL"}
    saved = {name: os.environ.get(name) for name in wanted}
    os.environ.update(wanted)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _request_name(request: dict[str, Any]) -> str:
    return (request.get("intent") or {}).get("name") or request["type"]


def run_journey(name: str, locale: str, measure: Callable[[str, str], float], handler: Any) -> JourneyResult:
    """Send the journey's requests in one session; stop when the session ends."""
    from backcare_tools import envelopes as env

    session = env.Session(device=env.Device(locale=locale))
    turns: list[Turn] = []
    for step, request in enumerate(JOURNEYS[name](), start=1):
        try:
            reply = handler(session.envelope(request), None)
        except Exception as exc:  # the report carries on; the journey says what broke
            return JourneyResult(name, locale, turns, f"{_request_name(request)}: {exc!r}")
        speech = (reply.get("response") or {}).get("outputSpeech") or {}
        ssml = speech.get("ssml") or f"<speak>{speech.get('text', '')}</speak>"
        seconds = measure(ssml, locale)
        flags = []
        if seconds > RESPONSE_MAX_S:
            flags.append(f"response audio > {RESPONSE_MAX_S:g} s")
        if len(ssml) > RESPONSE_MAX_CHARS:
            flags.append(f"response > {RESPONSE_MAX_CHARS} chars")
        if ssml.count("<audio") > MAX_AUDIO_TAGS:
            flags.append(f"more than {MAX_AUDIO_TAGS} <audio> tags")
        turns.append(Turn(name, step, _request_name(request), round(seconds, 2), len(ssml), tuple(flags), ssml))
        if (reply.get("response") or {}).get("shouldEndSession"):
            break
        session.absorb(reply)
    return JourneyResult(name, locale, turns)


def run_journeys(locales: list[str], state_dir: str, names: list[str] | None = None) -> list[JourneyResult]:
    from backcare_tools.audio.render import measure_items
    from backcare_tools.invoke import load_lambda_handler

    def measure(ssml: str, locale: str) -> float:
        return measure_items(parse_ssml(ssml, warn=lambda message: None), locale,
                             warn=lambda message: None) / 1000

    with _skill_environment(state_dir):
        handler = load_lambda_handler()
        return [run_journey(name, locale, measure, handler) for locale in locales for name in names or JOURNEYS]


def format_journeys(results: list[JourneyResult]) -> str:
    lines = ["", "responses as heard (scripted conversations through lambda_handler):",
             f"{'locale':6} {'journey':16} {'turns':>5} {'total s':>8} {'longest s':>9}  notes"]
    for result in results:
        longest = max(result.turns, key=lambda t: t.seconds, default=None)
        notes = "; ".join(sorted({f for t in result.turns for f in t.flags}))
        if result.error:
            notes = (notes + "; " if notes else "") + f"stopped: {result.error}"
        longest_s = f"{longest.seconds:9.2f}" if longest else f"{'-':>9}"
        lines.append(f"{result.locale:6} {result.journey:16} {len(result.turns):5d} {result.seconds:8.2f} "
                     f"{longest_s}  {notes}")
    return "\n".join(lines)
