"""The level of each triage v2 question id (SPEC §3), for scoring red-flag recall: a red-flag
sentence counts as resolved when the NLU names its symptom or one at least as serious."""

from __future__ import annotations

from enum import IntEnum


class Level(IntEnum):
    SELF_CARE = 0
    SEE_DOCTOR = 1
    URGENT = 2
    EMERGENCY = 3


SYMPTOM_LEVELS: dict[str, Level] = {
    "bladder": Level.EMERGENCY,
    "bowel": Level.EMERGENCY,
    "saddle_numbness": Level.EMERGENCY,
    "both_legs": Level.EMERGENCY,
    "major_trauma": Level.EMERGENCY,
    "chest_pain": Level.EMERGENCY,
    "sexual_function": Level.EMERGENCY,
    "fever": Level.URGENT,
    "leg_getting_weaker": Level.URGENT,
    "infection_risk": Level.URGENT,
    "cancer_history": Level.URGENT,
    "weight_loss": Level.URGENT,
    "bone_risk": Level.SEE_DOCTOR,
    "duration_worsening": Level.SEE_DOCTOR,
    "one_leg": Level.SEE_DOCTOR,
    "sleep_daily": Level.SEE_DOCTOR,
}


def level(symptom_id: str) -> Level:
    """A symptom's level; an unknown id is no level at all (SELF_CARE)."""
    return SYMPTOM_LEVELS.get(symptom_id, Level.SELF_CARE)
