"""No turn of the exercise programme holds more than 60 s of speech and pauses (SPEC §5), measured
the way `backcare audio report` measures (espeak-ng at its pace, breaks as silence, the chime
and done sounds at their length), in every locale, at every level, for every set as guided,
made easier, and resumed after a pause; and each session takes about 8-10 minutes."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest

from backcare.content import LOCALES
from backcare.handlers.exercises.programme import EXERCISES, LEVELS
from backcare_tools.audio.exercises import EXERCISE_TURN_MAX_S, ExerciseTurn, exercise_turns, session_minutes

MAX_BREAK_S = 10.0


@pytest.fixture(scope="module")
def turns(tmp_path_factory) -> Iterator[list[ExerciseTurn]]:
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.setenv("BACKCARE_AUDIO_CACHE", str(tmp_path_factory.mktemp("tts-cache")))
    try:
        yield exercise_turns(list(LOCALES), str(tmp_path_factory.mktemp("state")))
    finally:
        monkeypatch.undo()


@pytest.mark.parametrize("locale", LOCALES)
def test_no_exercise_turn_holds_more_than_60_seconds(turns, locale):
    mine = [t for t in turns if t.locale == locale]
    guided = {(t.level, t.exercise) for t in mine if t.exercise}
    expected = {(number, dose.exercise) for number, level in LEVELS.items() for dose in level.doses}
    assert guided == expected, f"{locale}: every exercise of every level is measured: {expected - guided}"
    for variant in ("as guided", "easier", "resumed", "walking goal", "introduction", "it hurts"):
        assert any(t.variant == variant for t in mine), f"{locale}: no {variant!r} turn was measured"
    over = [f"level {t.level} {t.exercise} set {t.part + 1} {t.variant}: {t.seconds:.1f} s" for t in mine if t.over]
    assert not over, f"{locale}: turns over {EXERCISE_TURN_MAX_S:g} s:\n" + "\n".join(over)
    longest = max(mine, key=lambda t: t.seconds)
    print(f"{locale}: longest exercise turn {longest.seconds:.1f} s (level {longest.level}, {longest.exercise}, "
          f"{longest.variant})")


def test_every_hold_is_a_break_of_at_most_10_seconds(turns):
    for turn in turns:
        holds = [float(node.get("time", "0s").rstrip("s")) for node in ET.fromstring(turn.ssml).iter("break")]
        assert all(0 < hold <= MAX_BREAK_S for hold in holds), f"{turn.locale} {turn.exercise}: {holds}"
        if turn.exercise and turn.variant == "as guided":
            assert holds, f"{turn.locale} {turn.exercise}: counts and holds are SSML breaks"


@pytest.mark.parametrize("level", sorted(LEVELS))
@pytest.mark.parametrize("locale", LOCALES)
def test_a_session_takes_about_8_to_10_minutes(turns, locale, level):
    minutes = session_minutes(turns, locale, level)
    assert 7.5 <= minutes <= 10.5, f"{locale} level {level}: a session takes about {minutes} minutes"
    assert abs(minutes - LEVELS[level].minutes) <= 1.0, (
        f"{locale} level {level}: the introduction says about {LEVELS[level].minutes} minutes, it takes {minutes}")


def test_every_exercise_is_in_some_level():
    used = {dose.exercise for level in LEVELS.values() for dose in level.doses}
    assert used == set(EXERCISES), f"exercises no level uses: {set(EXERCISES) - used}"
