"""The exercise programme (SPEC §5) as data: the exercises, their words, and the three levels.

Pure module: no ASK imports. Every text key is written here once (the handlers and the speech
builder reach the words through these tables).

A level is a plan of doses, in order: mobility first (the seed article's stretches), then
strength and control, then a walking goal for the day. Each dose is one exercise done in
`sets` sets of `reps` repetitions (per side for exercises done on each side in turn), each
repetition held for `hold` seconds. One set is one turn, so no turn holds more than 60 s of
speech and pauses (tests/conversation/test_exercises_timing.py measures every set as spoken).
Levels grow by repetitions, holds, sets and harder exercises, never by a faster pace.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MAX_HOLD_SECONDS = 10  # Alexa's longest <break>


class Part(StrEnum):
    MOBILITY = "mobility"
    STRENGTH = "strength"


class Sides(StrEnum):
    NONE = "none"            # both sides at once
    ALTERNATE = "alternate"  # left, right, left, ... one repetition each
    EACH = "each"            # all repetitions on one side, then turn over and repeat


@dataclass(frozen=True)
class ExerciseTexts:
    """The words of one exercise: `how` sets the position, `first` guides the first repetition
    in full and `rep` the rest; `easier` and `easier_rep` are the easier form; `switch` (for
    exercises done on each side in turn) moves to the other side."""

    name: str
    how: str
    first: str
    rep: str
    easier: str
    easier_rep: str
    switch: str | None = None


@dataclass(frozen=True)
class Exercise:
    id: str
    part: Part
    texts: ExerciseTexts
    sides: Sides = Sides.NONE


@dataclass(frozen=True)
class Dose:
    exercise: str
    reps: int
    hold: int = 0
    sets: int = 1

    def __post_init__(self) -> None:
        if not 0 <= self.hold <= MAX_HOLD_SECONDS or self.reps < 1 or self.sets < 1:
            raise ValueError(f"impossible dose {self}")


@dataclass(frozen=True)
class Level:
    number: int
    doses: tuple[Dose, ...]
    walk_minutes: int
    minutes: int  # what the session takes, said in the introduction ("about 9 minutes")

    def exercise(self, step: int) -> Exercise:
        return EXERCISES[self.doses[step].exercise]

    @property
    def count(self) -> int:
        """Exercises in the plan (the walking goal is not counted as one)."""
        return len(self.doses)

    def count_of(self, part: Part) -> int:
        return sum(1 for dose in self.doses if EXERCISES[dose.exercise].part is part)


EXERCISES: dict[str, Exercise] = {
    exercise.id: exercise
    for exercise in (
        Exercise("knee_rolls", Part.MOBILITY, ExerciseTexts(
            "exercise.knee_rolls.name", "exercise.knee_rolls.how", "exercise.knee_rolls.first",
            "exercise.knee_rolls.rep", "exercise.knee_rolls.easier", "exercise.knee_rolls.easier_rep",
        ), Sides.ALTERNATE),
        Exercise("bottom_to_heels", Part.MOBILITY, ExerciseTexts(
            "exercise.bottom_to_heels.name", "exercise.bottom_to_heels.how", "exercise.bottom_to_heels.first",
            "exercise.bottom_to_heels.rep", "exercise.bottom_to_heels.easier",
            "exercise.bottom_to_heels.easier_rep",
        )),
        Exercise("back_extensions", Part.MOBILITY, ExerciseTexts(
            "exercise.back_extensions.name", "exercise.back_extensions.how", "exercise.back_extensions.first",
            "exercise.back_extensions.rep", "exercise.back_extensions.easier",
            "exercise.back_extensions.easier_rep",
        )),
        Exercise("pelvic_tilts", Part.MOBILITY, ExerciseTexts(
            "exercise.pelvic_tilts.name", "exercise.pelvic_tilts.how", "exercise.pelvic_tilts.first",
            "exercise.pelvic_tilts.rep", "exercise.pelvic_tilts.easier", "exercise.pelvic_tilts.easier_rep",
        )),
        Exercise("bridges", Part.STRENGTH, ExerciseTexts(
            "exercise.bridges.name", "exercise.bridges.how", "exercise.bridges.first", "exercise.bridges.rep",
            "exercise.bridges.easier", "exercise.bridges.easier_rep",
        )),
        Exercise("bird_dog", Part.STRENGTH, ExerciseTexts(
            "exercise.bird_dog.name", "exercise.bird_dog.how", "exercise.bird_dog.first", "exercise.bird_dog.rep",
            "exercise.bird_dog.easier", "exercise.bird_dog.easier_rep",
        ), Sides.ALTERNATE),
        Exercise("side_leg_lifts", Part.STRENGTH, ExerciseTexts(
            "exercise.side_leg_lifts.name", "exercise.side_leg_lifts.how", "exercise.side_leg_lifts.first",
            "exercise.side_leg_lifts.rep", "exercise.side_leg_lifts.easier",
            "exercise.side_leg_lifts.easier_rep", "exercise.side_leg_lifts.switch",
        ), Sides.EACH),
        Exercise("sit_to_stand", Part.STRENGTH, ExerciseTexts(
            "exercise.sit_to_stand.name", "exercise.sit_to_stand.how", "exercise.sit_to_stand.first",
            "exercise.sit_to_stand.rep", "exercise.sit_to_stand.easier", "exercise.sit_to_stand.easier_rep",
        )),
        Exercise("wall_sits", Part.STRENGTH, ExerciseTexts(
            "exercise.wall_sits.name", "exercise.wall_sits.how", "exercise.wall_sits.first",
            "exercise.wall_sits.rep", "exercise.wall_sits.easier", "exercise.wall_sits.easier_rep",
        )),
    )
}

# The stretches stay the same at every level (they keep the back moving); strength and control
# grow: longer holds, a second set, and a new exercise per level (sit to stand, side-lying leg
# lifts, wall sits). Each session is about 8-10 minutes with its pauses between turns.
MOBILITY = (Dose("knee_rolls", 6, 2), Dose("bottom_to_heels", 6, 2), Dose("back_extensions", 4, 5),
            Dose("pelvic_tilts", 6, 3))

LEVELS: dict[int, Level] = {
    level.number: level
    for level in (
        Level(1, (*MOBILITY, Dose("bridges", 5, 3, sets=2), Dose("bird_dog", 6, 2), Dose("sit_to_stand", 6)),
              walk_minutes=10, minutes=8),
        Level(2, (*MOBILITY, Dose("bridges", 4, 5, sets=2), Dose("bird_dog", 6, 2),
                  Dose("side_leg_lifts", 6, 2, sets=2)),
              walk_minutes=20, minutes=9),
        Level(3, (*MOBILITY, Dose("bridges", 3, 8, sets=2), Dose("bird_dog", 4, 4, sets=2),
                  Dose("wall_sits", 3, 6, sets=2)),
              walk_minutes=30, minutes=10),
    )
}
FIRST_LEVEL, TOP_LEVEL = min(LEVELS), max(LEVELS)
SESSIONS_PER_LEVEL = 3  # completed sessions at a level before the next one is offered


def level_plan(number: int) -> Level:
    """The plan of level `number` (an unknown level reads as the nearest one)."""
    return LEVELS[min(max(number, FIRST_LEVEL), TOP_LEVEL)]
