"""Every turn of the exercise programme as heard, per locale and level (`backcare audio report`).

The programme guides one set of one exercise per turn, and no turn may hold more than 60 s of
speech and pauses (SPEC §5) so the user can answer. Here each level's session is scripted
through the real lambda_handler, as the journeys are (no store, audio configured so the chime
is heard): every set as it first comes (after "next", with the chime), in its easier form
(after "easier") and again after "pause" and "resume", plus the introduction, help and "it
hurts". Each response is measured the way the report measures (espeak-ng at its pace, breaks as
silence, the chime and done sounds at their length).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EXERCISE_TURN_MAX_S = 60.0
# What a user spends between turns (hearing "say next", answering, getting into position): added
# to the spoken time to estimate a whole session.
SECONDS_BETWEEN_TURNS = 5.0
VARIANTS = ("as guided", "easier", "resumed")


@dataclass(frozen=True)
class ExerciseTurn:
    locale: str
    level: int
    variant: str  # "as guided", "easier", "resumed", or the request for the other turns
    exercise: str | None  # the exercise the turn guides (None: introduction, help, ...)
    part: int
    seconds: float
    ssml: str

    @property
    def over(self) -> bool:
        return self.seconds > EXERCISE_TURN_MAX_S


def _place(reply: dict[str, Any]) -> dict[str, Any]:
    return (reply.get("sessionAttributes") or {}).get("exercise") or {}


def _ssml(reply: dict[str, Any]) -> str:
    speech = (reply.get("response") or {}).get("outputSpeech") or {}
    return speech.get("ssml") or f"<speak>{speech.get('text', '')}</speak>"


def _ready(level: int) -> dict[str, Any]:
    """Session attributes of a session at `level` waiting for "ready to begin?" (the runtime's
    layout), so a level can be heard without a store."""
    from backcare.conversation import LAYOUT_VERSION, Conversation, ExercisePhase, ExercisePlace, Mode

    attributes: dict[str, Any] = {}
    Conversation(mode=Mode.EXERCISE,
                 exercise=ExercisePlace(level=level, step=0, phase=ExercisePhase.READY)).save(attributes)
    assert attributes["v"] == LAYOUT_VERSION
    return attributes


def level_turns(locale: str, level: int, handler: Any, measure: Callable[[str, str], float]) -> list[ExerciseTurn]:
    """Two sessions at `level`: one saying only "next" (each set as guided, the walking goal at
    the end), and one where each set is paused, resumed and made easier before "next"."""
    from backcare.handlers.exercises.programme import level_plan
    from backcare_tools import envelopes as env

    turns: list[ExerciseTurn] = []
    for script in (("AMAZON.NextIntent",),
                   ("AMAZON.PauseIntent", "AMAZON.ResumeIntent", "EasierIntent", "AMAZON.NextIntent")):
        session = env.Session(device=env.Device(locale=locale), new=False, attributes=_ready(level))
        intents = ["AMAZON.YesIntent"]
        for _ in range(100):
            for intent in intents:
                reply = handler(session.envelope(env.intent_request(intent)), None)
                place = _place(reply)
                guided = place.get("phase") == "doing" and not place.get("paused")
                variant = {"AMAZON.ResumeIntent": "resumed", "EasierIntent": "easier"}.get(intent, "as guided")
                if len(script) > 1 and intent in ("AMAZON.NextIntent", "AMAZON.YesIntent"):
                    variant = "next after easier"
                exercise = level_plan(place["level"]).doses[place["step"]].exercise if guided else None
                ended = bool((reply.get("response") or {}).get("shouldEndSession")) or not place
                if ended:
                    variant = "walking goal" if len(script) == 1 else "walking goal after easier"
                elif not guided:
                    variant = intent.removeprefix("AMAZON.").removesuffix("Intent").lower()
                ssml = _ssml(reply)
                turns.append(ExerciseTurn(locale, level, variant, exercise, int(place.get("part") or 0),
                                          round(measure(ssml, locale), 2), ssml))
                if ended:
                    break
                session.absorb(reply)
            else:
                intents = list(script)
                continue
            break
    return turns


def other_turns(locale: str, handler: Any, measure: Callable[[str, str], float]) -> list[ExerciseTurn]:
    """The introduction (a first session, level 1) and "it hurts" during an exercise."""
    from backcare_tools import envelopes as env

    session = env.Session(device=env.Device(locale=locale))
    turns = []
    for intent, slots in (("StartExercisesIntent", None), ("AMAZON.YesIntent", None),
                          ("ReportSymptomIntent", {"symptom": {"value": "it hurts when I do that"}})):
        reply = handler(session.envelope(env.intent_request(intent, slots)), None)
        ssml = _ssml(reply)
        if intent != "AMAZON.YesIntent":
            label = "introduction" if intent == "StartExercisesIntent" else "it hurts"
            turns.append(ExerciseTurn(locale, 1, label, None, 0, round(measure(ssml, locale), 2), ssml))
        session.absorb(reply)
    return turns


def exercise_turns(locales: list[str], state_dir: str) -> list[ExerciseTurn]:
    """Every scripted turn of every level in `locales` (the skill as the journeys run it)."""
    from backcare.handlers.exercises.programme import LEVELS
    from backcare_tools.audio.journeys import _skill_environment
    from backcare_tools.audio.render import measure_items
    from backcare_tools.audio.ssml import parse_ssml
    from backcare_tools.invoke import load_lambda_handler

    def measure(ssml: str, locale: str) -> float:
        return measure_items(parse_ssml(ssml, warn=lambda message: None), locale,
                             warn=lambda message: None) / 1000

    with _skill_environment(state_dir):
        handler = load_lambda_handler()
        turns: list[ExerciseTurn] = []
        for locale in locales:
            turns += other_turns(locale, handler, measure)
            for level in sorted(LEVELS):
                turns += level_turns(locale, level, handler, measure)
        return turns


def session_minutes(turns: list[ExerciseTurn], locale: str, level: int) -> float:
    """A session saying only "next": its spoken turns, the introduction, and the user's time
    between turns."""
    guided = [t for t in turns
              if t.locale == locale and t.level == level and t.variant in ("as guided", "walking goal")]
    intro = [t for t in turns if t.locale == locale and t.variant == "introduction"]
    spoken = sum(t.seconds for t in guided) + sum(t.seconds for t in intro[:1])
    return round((spoken + SECONDS_BETWEEN_TURNS * len(guided)) / 60, 1)


def format_exercises(turns: list[ExerciseTurn]) -> str:
    lines = ["", f"exercise programme, one set per turn (limit {EXERCISE_TURN_MAX_S:g} s of speech and pauses):",
             f"{'locale':6} {'level':>5} {'turns':>5} {'session':>8} {'longest s':>9}  longest turn"]
    for locale in sorted({t.locale for t in turns}, key=[t.locale for t in turns].index):
        for level in sorted({t.level for t in turns if t.locale == locale}):
            mine = [t for t in turns if t.locale == locale and t.level == level]
            longest = max(mine, key=lambda t: t.seconds)
            what = f"{longest.exercise or '-'} set {longest.part + 1}, {longest.variant}"
            flag = "  !! over the limit" if longest.over else ""
            lines.append(f"{locale:6} {level:5d} {len(mine):5d} {session_minutes(turns, locale, level):6.1f} m "
                         f"{longest.seconds:9.2f}  {what}{flag}")
    lines.append("")
    lines.append("longest turn of each exercise (any locale, level and variant):")
    for exercise in sorted({t.exercise for t in turns if t.exercise}):
        longest = max((t for t in turns if t.exercise == exercise), key=lambda t: t.seconds)
        flag = "  !! over the limit" if longest.over else ""
        lines.append(f"  {exercise:18} {longest.seconds:6.2f} s  ({longest.locale}, level {longest.level}, "
                     f"set {longest.part + 1}, {longest.variant}){flag}")
    return "\n".join(lines)
