"""Emergencies and symptoms the user names, wherever the conversation is (SPEC §3).

- EmergencyIntent ("call an ambulance", "I think I'm having a heart attack"): the EMERGENCY
  outcome at once, in every state.
- ReportSymptomIntent naming a red flag, in every state and inside any question: a yes to that
  question (`TriageCheck.volunteer`), which decides whether to give the outcome, give advice
  at once and go on, or ask the pending question again to be sure.
- ReportSymptomIntent naming no red flag ("my back hurts"): sympathy and the offer of the check
  (the check and the exercise programme answer it their own way).
- HowIsMyBackIntent outside the check-in: "worse" is the getting-worse sign; better or the
  same is acknowledged.
"""

from __future__ import annotations

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer
from backcare.handlers.base import COMPLAINT, REPORT_SYMPTOM, Handler, SkillContext, Turn, symptom_of, tell
from backcare.handlers.check import outcome_card, speak_step
from backcare.handlers.offers import offer
from backcare.handlers.slots import resolved_id
from backcare.triage import Disposition, TriageCheck

STOP_EXERCISE = "exercise.stop_now"
WORSE = "worse"
GETTING_WORSE = "duration_worsening"
CHANGE_TEXTS = {"better": "change.better", "same": "change.same"}


def volunteer(turn: Turn, ctx: SkillContext, question_id: str) -> Response:
    """Count a named symptom against the running check, the finished one, or a new one."""
    return speak_step(turn, ctx, TriageCheck.volunteer(turn.conv.triage, question_id))


class EmergencyHandler(Handler):
    intents = ("EmergencyIntent",)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        turn.advice = Disposition.EMERGENCY
        turn.conv.leave_check()
        return tell(turn, turn.t("emergency.request"), card=outcome_card(turn, Disposition.EMERGENCY))


class SymptomHandler(Handler):
    """A red-flag symptom named in any words, in any state."""

    intents = (REPORT_SYMPTOM,)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        question_id = symptom_of(turn.handler_input)
        assert question_id is not None, "the router sends only named red flags here"
        # Named in the middle of an exercise: stop it first, whatever the advice is.
        prefix = turn.t(STOP_EXERCISE) if turn.conv.mode is Mode.EXERCISE else ""
        return speak_step(turn, self.ctx, TriageCheck.volunteer(turn.conv.triage, question_id), prefix=prefix)


class ComplaintHandler(Handler):
    """"My back hurts", "it's killing me": sorry, and the offer of the check."""

    intents = (COMPLAINT,)

    def respond(self, turn: Turn) -> Response:
        return offer(turn, self.ctx, (Offer.CHECK,), prefix=turn.t("complaint.sorry"))


class HowIsMyBackHandler(Handler):
    """"It's getting worse" (or better) when the skill did not ask."""

    intents = ("HowIsMyBackIntent",)

    def respond(self, turn: Turn) -> Response:
        change = resolved_id(turn.handler_input, "change")
        if change == WORSE:
            return volunteer(turn, self.ctx, GETTING_WORSE)
        from backcare.handlers.builtins import home

        return home(turn, self.ctx, prefix=turn.t(CHANGE_TEXTS.get(change, CHANGE_TEXTS["same"])))


def handlers(ctx: SkillContext) -> list[Handler]:
    return [EmergencyHandler(ctx), SymptomHandler(ctx), ComplaintHandler(ctx), HowIsMyBackHandler(ctx)]

