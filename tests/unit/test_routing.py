"""Routing you can read: handlers declare where they apply, the Router refuses ambiguity, and
docs/routing.md is what the built skill really does."""

from __future__ import annotations

import subprocess
import sys

import pytest

from backcare.config import Config
from backcare.conversation import Mode
from backcare.handlers.base import ANY_INTENT, Handler, Router, RoutingConflict, SkillContext
from backcare.skill import AREAS
from support import ROOT


def ctx() -> SkillContext:
    return SkillContext(config=Config(persistence="none"), clock=lambda: None)


class YesInTips(Handler):
    intents = ("AMAZON.YesIntent",)
    modes = (Mode.TIPS,)


class AlsoYesInTips(Handler):
    intents = ("AMAZON.YesIntent",)
    modes = (Mode.TIPS, Mode.OFFER)


class EmergencyEverywhere(Handler):
    intents = ("EmergencyIntent",)
    everywhere = True


class EmergencyInCheck(Handler):
    intents = ("EmergencyIntent",)
    modes = (Mode.CHECK,)


class AnythingInCheck(Handler):
    intents = (ANY_INTENT,)
    modes = (Mode.CHECK,)


class YesAnywhere(Handler):
    intents = ("AMAZON.YesIntent",)


def test_two_handlers_for_one_place_are_refused():
    with pytest.raises(RoutingConflict, match="YesInTips and AlsoYesInTips"):
        Router([YesInTips(ctx()), AlsoYesInTips(ctx())])


def test_a_mode_cannot_take_over_what_is_handled_everywhere():
    with pytest.raises(RoutingConflict, match="EmergencyIntent"):
        Router([EmergencyEverywhere(ctx()), EmergencyInCheck(ctx())])


def test_lookup_order_everywhere_then_mode_then_mode_catch_all_then_anywhere():
    everywhere, anything, yes_tips, yes_any = EmergencyEverywhere(ctx()), AnythingInCheck(ctx()), \
        YesInTips(ctx()), YesAnywhere(ctx())
    router = Router([everywhere, anything, yes_tips, yes_any])
    assert router.lookup(Mode.CHECK, "EmergencyIntent", intent=True) is everywhere, "emergencies come first"
    assert router.lookup(Mode.CHECK, "AMAZON.YesIntent", intent=True) is anything, "the mode's catch-all wins"
    assert router.lookup(Mode.TIPS, "AMAZON.YesIntent", intent=True) is yes_tips, "the mode's own handler wins"
    assert router.lookup(Mode.HOME, "AMAZON.YesIntent", intent=True) is yes_any, "anywhere handlers come last"
    assert router.lookup(Mode.CHECK, "LaunchRequest", intent=False) is None, "catch-alls take intents only"


def test_the_skills_own_handlers_build_one_unambiguous_table():
    context = ctx()
    router = Router([handler for area in AREAS for handler in area.handlers(context)])
    for mode in Mode:
        for key in ("EmergencyIntent", "ReportSymptomIntent", "AMAZON.RepeatIntent", "SessionEndedRequest"):
            handler = router.lookup(mode, key, intent=not key.endswith("Request"))
            assert handler is not None and handler.everywhere, f"{key} in {mode} is not handled everywhere"


def test_committed_routing_doc_is_what_the_built_skill_does():
    result = subprocess.run([sys.executable, "-m", "backcare_tools", "routing", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, f"docs/routing.md is stale (run `backcare routing`): {result.stderr[-500:]}"
