"""What one turn of the programme says (pure: Texts in, SSML out).

A turn guides one set of one exercise: which exercise, how to get into position and the plan
(on its first set only), then every repetition counted, each held with SSML breaks, then what
to say next. Guiding every repetition keeps the user inside one response: Alexa stops
listening a few seconds after it ends.
"""

from __future__ import annotations

from backcare.content import Texts
from backcare.handlers.base import join
from backcare.handlers.exercises.programme import EXERCISES, Level, Sides

SIDE_TEXTS = ("exercise.side.left", "exercise.side.right")
PLAN_TEXTS = {Sides.NONE: "exercise.plan", Sides.ALTERNATE: "exercise.plan.alternate",
              Sides.EACH: "exercise.plan.each_side"}
# Exercises done in several sets (those done on each side in turn take one set per side).
PLAN_SETS_TEXTS = {Sides.NONE: "exercise.plan.sets", Sides.ALTERNATE: "exercise.plan.sets.alternate"}
COUNT = "exercise.count"
STEP = "exercise.step"
SET = "exercise.set"
PLAN_HOLD = "exercise.plan.hold"
EASIER = "exercise.easier.intro"
REST = "exercise.rest"
SAY_NEXT = "exercise.say_next"
PLAN_HOLD_FROM_SECONDS = 4  # shorter holds are heard in the counting and need no announcement


def hold_tag(seconds: int) -> str:
    return f'<break time="{seconds}s"/>' if seconds > 0 else ""


def easier_hold(seconds: int) -> int:
    """The easier form of an exercise holds about half as long."""
    return (seconds + 1) // 2


def exercise_name(texts: Texts, level: Level, step: int) -> str:
    return texts(level.exercise(step).texts.name)


def set_speech(texts: Texts, level: Level, step: int, part: int = 0, *, easier: bool = False,
               announce_easier: bool = False) -> str:
    """Set `part` of exercise `step`, counted in full, ending with what to say next.

    `easier`: the easier form (position and cues); `announce_easier`: this turn switches to it,
    so it says how the easier form differs before counting.
    """
    dose = level.doses[step]
    exercise = EXERCISES[dose.exercise]
    keys = exercise.texts
    name = texts(keys.name)
    hold = easier_hold(dose.hold) if easier else dose.hold
    if announce_easier:
        opening = [texts(EASIER, name=name), texts(keys.easier), _plan(texts, exercise.sides, dose.reps, hold)]
    elif part == 0:
        sets = dose.sets if exercise.sides is not Sides.EACH else 1
        opening = [texts(STEP, number=step + 1, name=name), texts(keys.how),
                   _plan(texts, exercise.sides, dose.reps, hold, sets)]
    elif exercise.sides is Sides.EACH:  # each set is one side: turn over between them
        assert keys.switch is not None, f"{exercise.id} is done on each side and needs a switch text"
        opening = [texts(keys.switch)]
    else:
        opening = [texts(SET, name=name, number=part + 1, total=dose.sets)]
    first = keys.easier_rep if easier else keys.first
    rep = keys.easier_rep if easier else keys.rep
    fresh = part == 0 or announce_easier  # the first repetition is guided in full
    counted = _counted(texts, exercise.sides, dose.reps, hold, first if fresh else rep, rep)
    last_set = part + 1 >= dose.sets
    ending = texts(SAY_NEXT) if last_set else texts(REST, number=part + 2)
    return join(*opening, *counted, ending)


def _plan(texts: Texts, sides: Sides, reps: int, hold: int, sets: int = 1) -> str:
    plan = texts(PLAN_SETS_TEXTS[sides] if sets > 1 else PLAN_TEXTS[sides], reps=reps, sets=sets)
    return join(plan, texts(PLAN_HOLD, seconds=hold)) if hold >= PLAN_HOLD_FROM_SECONDS else plan


def _counted(texts: Texts, sides: Sides, reps: int, hold: int, first: str, rep: str) -> list[str]:
    lines = []
    for count in range(1, reps + 1):
        side, other = (texts(SIDE_TEXTS[(count - 1 + n) % 2]) if sides is Sides.ALTERNATE else "" for n in (0, 1))
        cue = texts(first if count == 1 else rep, side=side, other=other, hold=hold_tag(hold))
        lines.append(join(texts(COUNT, count=count), cue))
    return lines
