"""Issue 12's sentences, typed into the real `backcare dialog` (local NLU → envelopes →
lambda_handler) in every locale: what the user reads must carry the right advice."""

from __future__ import annotations

import pytest

from backcare.handlers.check import QUESTION_TEXTS
from support.dialog import Turn, converse, plain, segments, spoken_emergency_number
from support.nlu import LOCALES

REGIONAL_YES = {"en-US": "mm hmm", "en-CA": "yep", "en-GB": "aye", "en-AU": "yeah mate", "en-IN": "haan"}
URGENT_CONTACT = {"en-US": "urgent care", "en-CA": "walk-in clinic", "en-GB": "NHS 111", "en-AU": "healthdirect",
                  "en-IN": "a doctor today"}
OPEN, CHECK = "open back care coach", "check my back"

# (name, lines of one session, what its last answer must be)
SCENARIOS = [
    ("no I can't pee", [OPEN, CHECK, "no I can't pee"], "emergency"),
    ("no but legs gone weak", [OPEN, CHECK, "no, but my legs have gone weak"], "emergency"),
    ("no feeling in my bum", [OPEN, CHECK, "no", "no", "I don't have any feeling in my bum"], "emergency"),
    ("numb not weak", [OPEN, CHECK, "no", "no", "no", "it's numb, not weak"], "emergency"),
    ("in remission", [OPEN, CHECK, *["no"] * 10, "no, not any more, I'm in remission"], "urgent"),
    ("heart attack", [OPEN, CHECK, "I think I'm having a heart attack"], "emergency"),
    ("ambulance", [OPEN, CHECK, "no", "call an ambulance"], "emergency"),
    ("A and E", [OPEN, CHECK, "I need to go to A and E"], "emergency"),
    ("can't breathe", [OPEN, CHECK, "no", "no", "I can't breathe"], "emergency"),
    ("bladder inside a tips request", ["ask back care coach what can I do for my back, I can't control my bladder"],
     "emergency"),
    ("wet yourself question", [OPEN, "is it normal to wet yourself with back pain"], "emergency"),
    ("nothing comes out during tips", [OPEN, "give me some tips", "I keep needing to go but nothing comes out"],
     "emergency"),
    ("fell off the roof", [OPEN, "heat or ice? I fell off the roof yesterday"], "emergency"),
    ("fever then stop", [OPEN, "I've got a fever", "stop"], "urgent_then_ended"),
    ("fever then home", [OPEN, "I've got a fever", "go home"], "urgent_then_open"),
    ("meant yes", [OPEN, CHECK, "no", "no", "sorry, I meant yes to the last question", "yes"], "emergency"),
    ("why then a bit", [OPEN, CHECK, "no", "no", "why", "a bit"], "emergency"),
    ("sometimes", [OPEN, CHECK, "no", "no", "sometimes"], "emergency"),
]


def script(locale: str) -> list[str]:
    lines = [line for _, session, _ in SCENARIOS for line in session]
    return [*lines, OPEN, CHECK, REGIONAL_YES[locale]]


@pytest.fixture(scope="module", params=LOCALES)
def transcript(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:  # module scope: the same isolation as conftest's
        env.setenv("BACKCARE_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        for name in ("SKILL_ID", "TABLE_NAME", "PERSISTENCE", "AUDIO_BASE_URL", "AWS_LAMBDA_FUNCTION_NAME"):
            env.delenv(name, raising=False)
        locale = request.param
        turns = converse(script(locale), locale)
    sessions = segments(turns)
    expected = [*[s for _, s, _ in SCENARIOS], [OPEN, CHECK, REGIONAL_YES[locale]]]
    # Scenarios that leave the session open run into the next one: regroup by the scripted lines.
    by_scenario, position = [], 0
    flat = [turn for session in sessions for turn in session]
    for lines in expected:
        by_scenario.append(flat[position:position + len(lines)])
        position += len(lines)
    return locale, by_scenario


def emergency(locale: str, turn: Turn) -> bool:
    number = spoken_emergency_number(locale)
    return turn.text.count(number) >= 2 and turn.ended and turn.has_card


def urgent(locale: str, turn: Turn) -> bool:
    return URGENT_CONTACT[locale] in turn.text and spoken_emergency_number(locale) in turn.text


@pytest.mark.parametrize("index", range(len(SCENARIOS)), ids=[name for name, _, _ in SCENARIOS])
def test_each_sentence_gets_its_advice(transcript, index):
    locale, by_scenario = transcript
    name, lines, expected = SCENARIOS[index]
    turns = by_scenario[index]
    assert [t.said for t in turns] == lines, f"{locale} {name}: transcript out of step: {[t.said for t in turns]}"
    last = turns[-1]
    assert "didn't mention any of the warning signs" not in " ".join(t.text for t in turns), \
        f"{locale} {name}: reassured"
    if expected == "emergency":
        assert emergency(locale, last), f"{locale} {name}: not the emergency outcome: {last}"
    elif expected == "urgent":
        assert urgent(locale, last) and last.ended, f"{locale} {name}: not the urgent outcome: {last}"
    else:
        advice, after = turns[-2], turns[-1]
        assert urgent(locale, advice) and not advice.ended, f"{locale} {name}: advice held back: {advice}"
        assert spoken_emergency_number(locale) in after.text, f"{locale} {name}: left without the number: {after}"
        assert after.ended == (expected == "urgent_then_ended"), f"{locale} {name}: {after}"


def test_why_explains_and_keeps_the_question(transcript):
    locale, by_scenario = transcript
    index = next(i for i, (name, _, _) in enumerate(SCENARIOS) if name == "why then a bit")
    why = by_scenario[index][-2]
    assert plain(locale, QUESTION_TEXTS["saddle_numbness"].why) in why.text and not why.ended, f"{locale}: {why}"


def test_the_regional_yes_is_a_yes(transcript):
    locale, by_scenario = transcript
    assert emergency(locale, by_scenario[-1][-1]), f"{locale}: {REGIONAL_YES[locale]!r}: {by_scenario[-1][-1]}"
