"""The guided stretch routine (SPEC §5), driven through the real Lambda entry point."""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import pytest

from backcare.config import Config
from backcare.content import LOCALES, prompt_catalog, strip_ssml, texts
from backcare.handlers.stretches import REPETITIONS, STRETCHES, asset_url
from backcare_tools.envelopes import Device, Session, intent_request
from backcare_tools.invoke import load_lambda_handler

AUDIO_BASE = "https://assets.example.com/backcare/audio/3f9c2a1b7d04"
CHIME_SRC = f"{AUDIO_BASE}/chime.mp3"
MAX_BREAK_SECONDS = 10.0
MAX_SPEECH_CHARS = 8000
MAX_AUDIO_SECONDS = 240.0
MAX_RESPONSE_BYTES = 24 * 1024
MAX_AUDIO_TAGS = 5
SLOW_WORDS_PER_MINUTE = 130  # slower than Alexa speaks, so the estimate errs long
REMINDERS_SHIPPED = importlib.util.find_spec("backcare.handlers.reminders") is not None

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


# ---------------------------------------------------------------- helpers


@pytest.fixture
def make_handler(monkeypatch) -> Callable[..., Handler]:
    """A fresh lambda_handler built from the environment, with or without AUDIO_BASE_URL."""

    def make(audio_base_url: str | None = None) -> Handler:
        if audio_base_url:
            monkeypatch.setenv("AUDIO_BASE_URL", audio_base_url)
        else:
            monkeypatch.delenv("AUDIO_BASE_URL", raising=False)
        return load_lambda_handler()

    return make


@dataclass
class Talk:
    """One user talking to the skill in one session; every response is checked against Alexa's limits."""

    handler: Handler
    session: Session
    responses: list[dict[str, Any]] = field(default_factory=list)

    def say(self, intent: str, slots: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.handler(self.session.envelope(intent_request(intent, slots)), None)
        assert_within_alexa_limits(response, f"{intent} in {self.session.device.locale}")
        self.session.absorb(response)
        self.responses.append(response)
        return response

    @property
    def attrs(self) -> dict[str, Any]:
        return self.session.attributes


def talk(handler: Handler, locale: str = "en-US", user: str = "amzn1.ask.account.STRETCHER") -> Talk:
    return Talk(handler, Session(device=Device(locale=locale, user_id=user)))


def speech(response: dict[str, Any]) -> str:
    return ((response.get("response") or {}).get("outputSpeech") or {}).get("ssml", "")


def reprompt(response: dict[str, Any]) -> str:
    return (((response.get("response") or {}).get("reprompt") or {}).get("outputSpeech") or {}).get("ssml", "")


def ends(response: dict[str, Any]) -> bool | None:
    return (response.get("response") or {}).get("shouldEndSession")


def said(response: dict[str, Any]) -> str:
    """What the user hears, as plain words."""
    return strip_ssml(speech(response))


def _seconds(value: str) -> float:
    match = re.fullmatch(r"\s*([\d.]+)\s*(ms|s)\s*", value)
    assert match, f"break time {value!r} is not in seconds or milliseconds"
    number = float(match.group(1))
    return number / 1000 if match.group(2) == "ms" else number


def breaks(ssml: str) -> list[float]:
    """Every `<break time=...>` in an SSML document, in seconds (the document must be well-formed)."""
    root = ET.fromstring(ssml)
    return [_seconds(node.get("time", "0s")) for node in root.iter("break")]


def audio_sources(ssml: str) -> list[str]:
    return [node.get("src", "") for node in ET.fromstring(ssml).iter("audio")]


def assert_within_alexa_limits(response: dict[str, Any], what: str) -> None:
    for kind, ssml in (("speech", speech(response)), ("reprompt", reprompt(response))):
        if not ssml:
            continue
        try:
            holds = breaks(ssml)
        except ET.ParseError as error:
            pytest.fail(f"{what}: {kind} is not well-formed SSML ({error}): {ssml[:200]}")
        assert len(ssml) <= MAX_SPEECH_CHARS, f"{what}: {kind} is {len(ssml)} characters, over Alexa's 8000"
        too_long = [h for h in holds if h > MAX_BREAK_SECONDS]
        assert not too_long, f"{what}: {kind} has breaks over 10 s: {too_long}"
        assert sum(holds) <= MAX_AUDIO_SECONDS, f"{what}: {kind} has {sum(holds)} s of breaks, over 240 s"
        estimate = len(strip_ssml(ssml).split()) * 60 / SLOW_WORDS_PER_MINUTE + sum(holds)
        assert estimate <= MAX_AUDIO_SECONDS, f"{what}: {kind} would take about {estimate:.0f} s, over 240 s"
        assert len(audio_sources(ssml)) <= MAX_AUDIO_TAGS, f"{what}: {kind} has more than 5 <audio> tags"
    size = len(json.dumps(response).encode("utf-8"))
    assert size <= MAX_RESPONSE_BYTES, f"{what}: response is {size} bytes, over Alexa's 24 KB"


def assert_routine_goes_on(response: dict[str, Any], what: str) -> None:
    assert ends(response) is False, f"{what}: the session should stay open while the routine goes on"
    assert reprompt(response), f"{what}: a turn that waits for the user needs a reprompt"


def stretch_name(locale: str, index: int) -> str:
    return texts(locale).plain(f"stretch.{STRETCHES[index]}.name")


def assert_on_stretch(t: Talk, response: dict[str, Any], index: int, what: str) -> None:
    """The response guides stretch `index` (and no other), ends with "say next", and remembers it."""
    locale = t.session.device.locale
    words = said(response)
    assert stretch_name(locale, index) in words, f"{what}: expected stretch {index + 1} in: {words}"
    others = [stretch_name(locale, i) for i in range(len(STRETCHES)) if i != index]
    assert not [o for o in others if o in words], f"{what}: another stretch is mentioned in: {words}"
    assert words.endswith(texts(locale).plain("stretch.say_next")), f"{what}: should end with 'say next': {words}"
    assert breaks(speech(response)), f"{what}: the guided repetition should hold with SSML breaks"
    assert_routine_goes_on(response, what)
    assert t.attrs.get("mode") == "stretches", f"{what}: mode should be 'stretches', not {t.attrs.get('mode')!r}"
    assert t.attrs.get("stretch") == {"step": index, "paused": False}, f"{what}: wrong place {t.attrs.get('stretch')}"


# ---------------------------------------------------------------- the routine, step by step

SPEC_RANGES = {"knee_rolls": (8, 10), "bottom_to_heels": (8, 10), "back_extensions": (8, 10), "pelvic_tilts": (10, 15)}


def counted_repetitions(response: dict[str, Any]) -> list[int]:
    """The repetition counts spoken in a stretch turn, in order (each count is a sentence: "2.")."""
    return [int(number) for number in re.findall(r"(?<=[.!?] )(\d+)\.(?= )", said(response))]


@pytest.mark.parametrize("name", STRETCHES)
def test_guided_repetitions_are_within_the_spec_range(name):
    low, high = SPEC_RANGES[name]
    assert low <= REPETITIONS[name] <= high, f"{name}: {REPETITIONS[name]} repetitions, SPEC says {low} to {high}"


@pytest.mark.parametrize("audio", [None, AUDIO_BASE], ids=["no-audio", "audio"])
@pytest.mark.parametrize("locale", LOCALES)
def test_routine_guides_every_stretch_in_order_then_says_well_done(make_handler, locale, audio):
    t = talk(make_handler(audio), locale)
    words = texts(locale)

    first = t.say("StartStretchesIntent")
    heard = said(first)
    safety = words.plain("stretch.safety")
    assert safety in heard, f"{locale}: the safety line is missing from the start: {heard}"
    assert heard.index(safety) < heard.index(stretch_name(locale, 0)), f"{locale}: safety must come before stretch 1"
    for fact in ("fewer repetitions", "pain gets worse", "numbness", "tingling"):
        assert fact in safety, f"{locale}: the safety line lacks {fact!r}: {safety}"
    assert_on_stretch(t, first, 0, f"{locale} start")

    for index in range(1, len(STRETCHES)):
        response = t.say("AMAZON.NextIntent")
        assert_on_stretch(t, response, index, f"{locale} next to stretch {index + 1}")

    for index, response in enumerate(t.responses):
        name = STRETCHES[index]
        expected = list(range(1, REPETITIONS[name] + 1))
        assert counted_repetitions(response) == expected, f"{locale} {name}: counts {said(response)}"
        assert words.plain("stretch.set_done", reps=REPETITIONS[name]) in said(response), f"{locale} {name}: end"

    done = t.say("AMAZON.NextIntent")
    assert said(done).startswith(words.plain("stretch.done")), f"{locale}: expected well done, got {said(done)}"
    if REMINDERS_SHIPPED:
        assert words.plain("offer.reminders") in said(done), f"{locale}: reminders should be offered: {said(done)}"
        assert t.attrs.get("offer") == "reminders", f"{locale}: the pending offer should be reminders: {t.attrs}"
        assert_routine_goes_on(done, f"{locale} offer of reminders")
    else:
        assert ends(done) is True, f"{locale}: without reminders the routine ends with goodbye"
    assert "stretch" not in t.attrs, f"{locale}: the routine's place should be gone after the end: {t.attrs}"


def test_every_back_extension_holds_5_to_10_seconds(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.NextIntent")
    response = t.say("AMAZON.NextIntent")
    holds = [hold for hold in breaks(speech(response)) if 5 <= hold <= 10]
    assert len(holds) == REPETITIONS["back_extensions"], f"each back extension should hold 5 to 10 s: {holds}"


@pytest.mark.parametrize("locale", LOCALES)
def test_knee_rolls_alternate_sides_and_hold_a_deep_breath(make_handler, locale):
    t = talk(make_handler(), locale)
    words = said(t.say("StartStretchesIntent"))
    left, right = texts(locale).plain("stretch.side.left"), texts(locale).plain("stretch.side.right")
    sides = re.findall(rf"\b({re.escape(left)}|{re.escape(right)})\b", words)
    assert len(sides) == REPETITIONS["knee_rolls"], f"{locale}: one side per knee roll, got {sides}"
    assert all(a != b for a, b in itertools.pairwise(sides)), f"{locale}: sides should alternate: {sides}"
    assert "one deep breath" in words, f"{locale}: knee rolls hold for one deep breath: {words}"


def test_yes_goes_on_to_the_next_stretch(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    response = t.say("AMAZON.YesIntent")
    assert_on_stretch(t, response, 1, "yes after stretch 1")


def test_pause_keeps_the_place_and_resume_continues_the_same_stretch(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.NextIntent")

    paused = t.say("AMAZON.PauseIntent")
    assert said(paused) == texts("en-US").plain("stretch.paused"), f"unexpected pause speech: {said(paused)}"
    assert "resume" in strip_ssml(reprompt(paused)).lower(), "the pause reprompt should say how to resume"
    assert_routine_goes_on(paused, "pause")
    assert t.attrs.get("stretch") == {"step": 1, "paused": True}, f"pause should keep step 2: {t.attrs}"

    resumed = t.say("AMAZON.ResumeIntent")
    assert said(resumed).startswith(texts("en-US").plain("stretch.resumed")), f"resume speech: {said(resumed)}"
    assert_on_stretch(t, resumed, 1, "resume")

    after = t.say("AMAZON.NextIntent")
    assert_on_stretch(t, after, 2, "next after resume")


def test_continue_without_a_pause_goes_on_to_the_next_stretch(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    response = t.say("AMAZON.ResumeIntent")  # "continue" and "carry on" resolve to Resume
    assert_on_stretch(t, response, 1, "resume without a pause")


def test_next_while_paused_goes_on(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.PauseIntent")
    response = t.say("AMAZON.NextIntent")
    assert_on_stretch(t, response, 1, "next while paused")


def test_repeat_repeats_the_current_stretch(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.NextIntent")
    third = t.say("AMAZON.NextIntent")

    again = t.say("AMAZON.RepeatIntent")
    assert_on_stretch(t, again, 2, "repeat")
    assert said(again).endswith(said(third)), "repeat should say the whole current stretch again"

    assert_on_stretch(t, t.say("AMAZON.NextIntent"), 3, "next after repeat")


@pytest.mark.parametrize("intent", ["AMAZON.StartOverIntent", "StartStretchesIntent"])
def test_start_over_restarts_at_the_first_stretch(make_handler, intent):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.NextIntent")
    t.say("AMAZON.NextIntent")
    response = t.say(intent)
    assert said(response).startswith(texts("en-US").plain("stretch.restart")), f"restart speech: {said(response)}"
    assert_on_stretch(t, response, 0, intent)


def test_help_is_about_the_routine_and_keeps_the_place(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.NextIntent")
    t.say("AMAZON.PauseIntent")

    helped = t.say("AMAZON.HelpIntent")
    assert "2 of 4" in said(helped), f"help should say where the user is: {said(helped)}"
    assert "next" in said(helped).lower(), f"help should say how to go on: {said(helped)}"
    assert_routine_goes_on(helped, "help")
    assert t.attrs.get("stretch") == {"step": 1, "paused": True}, f"help should not move the place: {t.attrs}"

    assert_on_stretch(t, t.say("AMAZON.NextIntent"), 2, "next after help")


@pytest.mark.parametrize(("intent", "key"), [("AMAZON.FallbackIntent", "stretch.fallback"),
                                             ("UnsureIntent", "stretch.unsure")])
def test_something_not_understood_or_unsure_keeps_the_place(make_handler, intent, key):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    response = t.say(intent)
    assert said(response) == texts("en-US").plain(key), f"{intent}: speech {said(response)}"
    assert_routine_goes_on(response, intent)
    assert t.attrs.get("stretch") == {"step": 0, "paused": False}, f"{intent} should keep the place: {t.attrs}"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NoIntent"])
@pytest.mark.parametrize("paused", [False, True], ids=["running", "paused"])
def test_stop_cancel_or_no_ends_politely(make_handler, intent, paused):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.say("AMAZON.NextIntent")
    if paused:
        t.say("AMAZON.PauseIntent")
    response = t.say(intent)
    assert said(response) == texts("en-US").plain("stretch.stopped"), f"{intent}: stop speech: {said(response)}"
    assert ends(response) is True, f"{intent}: the session should end"
    assert not reprompt(response), f"{intent}: an ending response has no reprompt"
    assert t.attrs.get("mode") is None, f"{intent}: the routine should be left: {t.attrs}"


@pytest.mark.parametrize("bad_place", [{"step": 99}, {"step": "two"}, {"step": True}, "step 2", None])
def test_unreadable_place_restarts_the_routine_safely(make_handler, bad_place):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    t.session.attributes["stretch"] = bad_place
    response = t.say("AMAZON.NextIntent")
    assert said(response).startswith(texts("en-US").plain("stretch.lost_state")), f"got: {said(response)}"
    assert_on_stretch(t, response, 0, f"lost place {bad_place!r}")


# ---------------------------------------------------------------- audio


def test_without_audio_base_url_no_response_has_audio_tags(make_handler):
    t = talk(make_handler(None))
    t.say("StartStretchesIntent")
    for intent in ("AMAZON.NextIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.RepeatIntent",
                   "AMAZON.HelpIntent", "AMAZON.NextIntent", "AMAZON.NextIntent", "AMAZON.NextIntent"):
        t.say(intent)
    for response in t.responses:
        for ssml in (speech(response), reprompt(response)):
            assert "<audio" not in ssml, f"no <audio> without AUDIO_BASE_URL, but got: {ssml[:200]}"


def test_with_audio_base_url_a_chime_plays_between_stretches_only(make_handler):
    t = talk(make_handler(AUDIO_BASE + "/"))
    first = t.say("StartStretchesIntent")
    assert audio_sources(speech(first)) == [], "no chime before the first stretch"
    for index in range(1, len(STRETCHES)):
        response = t.say("AMAZON.NextIntent")
        sources = audio_sources(speech(response))
        assert sources == [CHIME_SRC], f"stretch {index + 1} should open with one chime from {CHIME_SRC}: {sources}"
        assert speech(response).startswith("<speak><audio"), "the chime should play before the next stretch"
    for intent in ("AMAZON.RepeatIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.NextIntent"):
        response = t.say(intent)
        assert audio_sources(speech(response)) == [], f"{intent}: the chime is only between stretches"
        assert "<audio" not in reprompt(response), f"{intent}: no chime in a reprompt"


def test_asset_url_is_none_without_audio_and_joins_the_base_url_with_it():
    assert asset_url(Config(), "chime") is None, "no audio configured: no asset URL"
    assert asset_url(Config(audio_base_url=AUDIO_BASE), "chime") == CHIME_SRC, "chime URL from the base"
    assert asset_url(Config(audio_base_url=AUDIO_BASE + "/"), "chime") == CHIME_SRC, "a trailing slash is ignored"


# ---------------------------------------------------------------- content


@pytest.mark.parametrize("locale", LOCALES)
def test_no_stretch_text_holds_a_break_over_10_seconds(locale):
    prompts = [p for p in prompt_catalog(locale) if p.kind == "stretch"]
    assert len(prompts) >= 4 * len(STRETCHES), f"{locale}: the stretch texts are missing from the catalog"
    for prompt in prompts:
        holds = breaks(f"<speak>{prompt.text}</speak>")
        assert all(0 < hold <= MAX_BREAK_SECONDS for hold in holds), f"{locale} {prompt.key}: breaks {holds}"


def test_stretch_content_files_use_only_stretch_keys():
    folder = resources.files("backcare.content")
    files = [entry for entry in folder.iterdir() if entry.name.endswith(".stretches.json")]
    assert any(entry.name == "en.stretches.json" for entry in files), "en.stretches.json should exist"
    base = json.loads(folder.joinpath("en.stretches.json").read_text(encoding="utf-8"))["texts"]
    for entry in files:
        keys = json.loads(entry.read_text(encoding="utf-8"))["texts"]
        wrong = [key for key in keys if not key.startswith("stretch.")]
        assert not wrong, f"{entry.name}: keys outside 'stretch.': {wrong}"
        unknown = [key for key in keys if key not in base]
        assert not unknown, f"{entry.name}: overrides keys the base does not have: {unknown}"


# ---------------------------------------------------------------- with the rest of the skill


def test_first_time_one_shot_hears_the_disclaimer_and_a_returning_user_does_not(make_handler):
    handler = make_handler()
    disclaimer = texts("en-US").plain("disclaimer")
    first = talk(handler).say("StartStretchesIntent")
    assert said(first).startswith(disclaimer), f"a first-time user should hear the disclaimer first: {said(first)}"
    again = talk(handler).say("StartStretchesIntent")
    assert disclaimer not in said(again), f"a returning user should not hear the disclaimer: {said(again)}"
    assert said(again).startswith(texts("en-US").plain("stretch.intro")), f"returning start: {said(again)}"


def test_yes_to_the_offer_of_stretches_starts_the_routine(make_handler):
    t = talk(make_handler())
    t.say("SelfCareTipsIntent")
    offered = t.say("AMAZON.NoIntent")
    assert t.attrs.get("offer") == "stretches", f"declining tips should offer stretches: {said(offered)}"
    response = t.say("AMAZON.YesIntent")
    assert texts("en-US").plain("stretch.intro") in said(response), f"the routine should start: {said(response)}"
    assert_on_stretch(t, response, 0, "yes to the offer")


def test_a_running_check_keeps_priority_over_the_routine(make_handler):
    t = talk(make_handler())
    t.say("CheckSymptomsIntent")
    response = t.say("StartStretchesIntent")
    assert t.attrs.get("mode") == "check", f"the check should keep the user: {t.attrs.get('mode')}"
    assert texts("en-US").plain("check.redirect") in said(response), f"back to the question: {said(response)}"


def test_a_symptom_volunteered_during_the_routine_goes_to_the_check(make_handler):
    t = talk(make_handler())
    t.say("StartStretchesIntent")
    response = t.say("ReportSymptomIntent", {"symptom": {"value": "my leg is numb", "id": "one_leg_numbness"}})
    assert t.attrs.get("mode") == "check", f"a volunteered symptom should start the check: {t.attrs.get('mode')}"
    assert "stretch" not in t.attrs, "the routine's place should be dropped once the check runs"
    assert texts("en-US").plain("check.volunteered") in said(response), f"got: {said(response)}"
