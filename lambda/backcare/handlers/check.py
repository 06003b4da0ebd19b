"""The red-flag check: translates requests into calls on backcare.triage and speaks the Step.

While the check runs (Mode.CHECK), its handlers take every intent: what they don't name is
off-topic and brings the user back to the question. Emergencies, named symptoms and Repeat are
handled everywhere (symptoms.py, builtins.py) and so reach the check too.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer
from backcare.handlers.base import (
    ANY_INTENT,
    COMPLAINT,
    Handler,
    SkillContext,
    Turn,
    ask,
    join,
    tell,
)
from backcare.handlers.offers import offer
from backcare.handlers.slots import slot_value
from backcare.triage import QUESTION_IDS, Answer, Disposition, Step, StepKind, TriageCheck, TriageState

log = logging.getLogger(__name__)


class QuestionTexts(NamedTuple):  # NamedTuples: key tables cost a tenth of a dataclass at import
    ask: str
    reask: str
    why: str


QUESTION_TEXTS: dict[str, QuestionTexts] = {
    "bladder": QuestionTexts("question.bladder.ask", "question.bladder.reask", "question.bladder.why"),
    "bowel": QuestionTexts("question.bowel.ask", "question.bowel.reask", "question.bowel.why"),
    "saddle_numbness": QuestionTexts("question.saddle_numbness.ask", "question.saddle_numbness.reask",
                                     "question.saddle_numbness.why"),
    "both_legs": QuestionTexts("question.both_legs.ask", "question.both_legs.reask", "question.both_legs.why"),
    "major_trauma": QuestionTexts("question.major_trauma.ask", "question.major_trauma.reask",
                                  "question.major_trauma.why"),
    "chest_pain": QuestionTexts("question.chest_pain.ask", "question.chest_pain.reask", "question.chest_pain.why"),
    "sexual_function": QuestionTexts("question.sexual_function.ask", "question.sexual_function.reask",
                                     "question.sexual_function.why"),
    "fever": QuestionTexts("question.fever.ask", "question.fever.reask", "question.fever.why"),
    "leg_getting_weaker": QuestionTexts("question.leg_getting_weaker.ask", "question.leg_getting_weaker.reask",
                                        "question.leg_getting_weaker.why"),
    "infection_risk": QuestionTexts("question.infection_risk.ask", "question.infection_risk.reask",
                                    "question.infection_risk.why"),
    "cancer_history": QuestionTexts("question.cancer_history.ask", "question.cancer_history.reask",
                                    "question.cancer_history.why"),
    "weight_loss": QuestionTexts("question.weight_loss.ask", "question.weight_loss.reask", "question.weight_loss.why"),
    "bone_risk": QuestionTexts("question.bone_risk.ask", "question.bone_risk.reask", "question.bone_risk.why"),
    "duration_worsening": QuestionTexts("question.duration_worsening.ask", "question.duration_worsening.reask",
                                        "question.duration_worsening.why"),
    "one_leg": QuestionTexts("question.one_leg.ask", "question.one_leg.reask", "question.one_leg.why"),
    "sleep_daily": QuestionTexts("question.sleep_daily.ask", "question.sleep_daily.reask", "question.sleep_daily.why"),
}
assert tuple(QUESTION_TEXTS) == QUESTION_IDS, "one entry per triage question, in order"


class OutcomeTexts(NamedTuple):
    speech: str
    card_title: str
    card_text: str


OUTCOME_TEXTS: dict[Disposition, OutcomeTexts] = {
    Disposition.EMERGENCY: OutcomeTexts("outcome.emergency.speech", "outcome.emergency.card_title",
                                        "outcome.emergency.card_text"),
    Disposition.URGENT: OutcomeTexts("outcome.urgent.speech", "outcome.urgent.card_title",
                                     "outcome.urgent.card_text"),
    Disposition.SEE_DOCTOR: OutcomeTexts("outcome.see_doctor.speech", "outcome.see_doctor.card_title",
                                         "outcome.see_doctor.card_text"),
    Disposition.SELF_CARE: OutcomeTexts("outcome.self_care.speech", "outcome.self_care.card_title",
                                        "outcome.self_care.card_text"),
}
# Advice said at once when a sign is named while more serious questions remain.
ADVICE_TEXTS: dict[Disposition, str] = {
    Disposition.URGENT: "advice.urgent",
    Disposition.SEE_DOCTOR: "advice.see_doctor",
}
# What follows an outcome that keeps the session open (one offer per turn, in this order).
OFFERS_AFTER: dict[Disposition, tuple[Offer, ...]] = {
    Disposition.SEE_DOCTOR: (Offer.CHECKIN_REMINDER, Offer.TIPS),
    Disposition.SELF_CARE: (Offer.CHECKIN_REMINDER, Offer.TIPS, Offer.EXERCISES),
}
CHECK_INTRO = "check.intro"
NOTHING_TO_GO_BACK = "check.nothing_to_go_back"
ANSWERS = {"AMAZON.YesIntent": Answer.YES, "AMAZON.NoIntent": Answer.NO, "UnsureIntent": Answer.UNSURE}


def all_no_keys() -> list[str]:
    """What a check answered "no" throughout says, in order (for the speech-length report)."""
    return [CHECK_INTRO, *(QUESTION_TEXTS[qid].ask for qid in QUESTION_IDS),
            OUTCOME_TEXTS[Disposition.SELF_CARE].speech]


def outcome_card(turn: Turn, disposition: Disposition) -> tuple[str, str]:
    keys = OUTCOME_TEXTS[disposition]
    return turn.t.plain(keys.card_title), turn.t.plain(keys.card_text)


def speak_step(turn: Turn, ctx: SkillContext, step: Step, prefix: str = "") -> Response:
    """Say what the check wants next, and remember where it stands."""
    t = turn.t
    if step.unsure_counted:
        prefix = join(prefix, t("check.unsure_counted"))
    if step.kind is StepKind.OUTCOME:
        return speak_outcome(turn, ctx, step.state, prefix)
    if step.kind is StepKind.DECLINED:
        turn.conv.leave_check()
        return tell(turn, join(prefix, t("check.declined")))

    turn.conv.in_check(step.state)
    advice = ""
    if step.advice is not None:
        turn.advice = step.advice
        advice = t(ADVICE_TEXTS[step.advice])
    if step.kind is StepKind.CONSENT:
        remaining = t("advice.remaining.consent", count=step.state.remaining())
        return ask(turn, join(prefix, advice, remaining), t("check.consent.reprompt"))

    assert step.question is not None
    keys = QUESTION_TEXTS[step.question.id]
    question = t(keys.ask)
    if advice:
        prefix = join(prefix, advice, t("advice.remaining.continue"))
    elif step.volunteered:
        more = t("check.more_serious") if step.kind is StepKind.ASK else ""
        prefix = join(prefix, t("check.noted"), more)
    if step.went_back:
        prefix = join(prefix, t("check.went_back"))
    if step.kind is StepKind.REASK:
        reask = t(keys.reask)
        return ask(turn, join(prefix, t("check.unsure_first"), t(keys.why), reask), reask)
    if step.kind is StepKind.REDIRECT:
        return ask(turn, join(prefix, t("check.redirect"), question), question)
    if step.kind is StepKind.CONFIRM:
        return ask(turn, join(prefix, t("check.confirm"), question), question)
    return ask(turn, join(prefix, question), question)


def speak_outcome(turn: Turn, ctx: SkillContext, state: TriageState, prefix: str = "") -> Response:
    t = turn.t
    disposition = state.worst
    turn.advice = disposition
    speech = join(prefix, t(OUTCOME_TEXTS[disposition].speech))
    card = outcome_card(turn, disposition)
    log.debug("check finished")  # never the outcome itself
    if disposition >= Disposition.URGENT:
        # Nothing may dilute this advice: no offers; end here so the user can act on it.
        turn.conv.leave_check()
        return tell(turn, join(speech, t("outcome.end")), card=card)
    # The finished check stays: a symptom named later, or "go back", still builds on it.
    turn.conv.go(Mode.HOME, triage=state)
    return offer(turn, ctx, OFFERS_AFTER[disposition], prefix=speech, card=card)


def start_check(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    return speak_step(turn, ctx, TriageCheck.start(), prefix=join(prefix, turn.t(CHECK_INTRO)))


def pending(turn: Turn) -> TriageState:
    """The running check's state (mode CHECK guarantees there is one)."""
    assert turn.conv.triage is not None and not turn.conv.triage.finished
    return turn.conv.triage


class StartCheckHandler(Handler):
    """"Is my back pain serious?": start the check."""

    intents = ("CheckSymptomsIntent",)

    def respond(self, turn: Turn) -> Response:
        return start_check(turn, self.ctx)


class AlreadyCheckingHandler(Handler):
    """"Check my back" during the check: say where we are and ask again."""

    intents = ("CheckSymptomsIntent",)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        return speak_step(turn, self.ctx, TriageCheck.current(pending(turn)), prefix=turn.t("check.already"))


class AnswerHandler(Handler):
    """Yes, no or unsure to the pending question (or to the offer to go on)."""

    intents = tuple(ANSWERS)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        answer = ANSWERS[turn.intent_name]
        state = pending(turn)
        step = TriageCheck.answer(state, answer)
        moved_on = step.kind is StepKind.ASK and not state.consent
        prefix = turn.t("check.ack") if answer is Answer.NO and moved_on else ""
        return speak_step(turn, self.ctx, step, prefix=prefix)


class WhyAskHandler(Handler):
    intents = ("WhyAskIntent",)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        step = TriageCheck.current(pending(turn))
        if step.kind is StepKind.CONSENT:
            return speak_step(turn, self.ctx, step)
        assert step.question is not None
        return speak_step(turn, self.ctx, step, prefix=turn.t(QUESTION_TEXTS[step.question.id].why))


class CheckHelpHandler(Handler):
    intents = ("AMAZON.HelpIntent",)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        return speak_step(turn, self.ctx, TriageCheck.current(pending(turn)), prefix=turn.t("help.check"))


class CheckStartOverHandler(Handler):
    intents = ("AMAZON.StartOverIntent",)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        return speak_step(turn, self.ctx, TriageCheck.restart(pending(turn)), prefix=turn.t("check.restart"))


class CheckGoBackHandler(Handler):
    """"Go back", "I meant yes": the last answered question again."""

    intents = ("GoBackIntent",)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        state = pending(turn)
        if state.last_answered() is None:
            return speak_step(turn, self.ctx, TriageCheck.current(state),
                              prefix=turn.t(NOTHING_TO_GO_BACK))
        return speak_step(turn, self.ctx, TriageCheck.go_back(state))


class GoBackAfterCheckHandler(Handler):
    """"Wait, actually yes" after a check's outcome: back into the check at its last question."""

    intents = ("GoBackIntent",)

    def respond(self, turn: Turn) -> Response:
        state = turn.conv.triage
        if state is None or state.last_answered() is None:
            from backcare.handlers.builtins import home

            return home(turn, self.ctx, prefix=turn.t(NOTHING_TO_GO_BACK))
        return speak_step(turn, self.ctx, TriageCheck.go_back(state))


class CheckStopHandler(Handler):
    """Stop or cancel during the check: end, with the advice level already reached."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        advised = pending(turn).advised
        turn.conv.leave_check()
        key = "check.stopped_after_advice" if advised > Disposition.SELF_CARE else "check.stopped"
        return tell(turn, turn.t(key))


class CheckNavigateHomeHandler(Handler):
    intents = ("AMAZON.NavigateHomeIntent",)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.builtins import home

        turn.conv.leave_check()
        return home(turn, self.ctx, prefix=turn.t("check.left"))


class CheckComplaintHandler(Handler):
    """A symptom in words the skill doesn't know, during the check: ask the question again to be
    sure (never counted as an answer either way). A complaint with nothing named is off-topic."""

    intents = (COMPLAINT,)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        state = pending(turn)
        if slot_value(turn.handler_input, "symptom") and not state.consent:
            return speak_step(turn, self.ctx, TriageCheck.current(state)._replace(kind=StepKind.CONFIRM))
        return speak_step(turn, self.ctx, TriageCheck.stray(state))


class OffTopicHandler(Handler):
    """Anything else during the check (Fallback included): back to the question."""

    intents = (ANY_INTENT,)
    modes = (Mode.CHECK,)

    def respond(self, turn: Turn) -> Response:
        return speak_step(turn, self.ctx, TriageCheck.stray(pending(turn)))


class LostCheckHandler(Handler):
    """A check whose state could not be read: start it again from the top, saying so."""

    intents = (ANY_INTENT,)
    modes = (Mode.CHECK_LOST,)

    def respond(self, turn: Turn) -> Response:
        log.warning("restarting a check whose state was lost")
        return speak_step(turn, self.ctx, TriageCheck.start(), prefix=turn.t("check.lost_state"))


def handlers(ctx: SkillContext) -> list[Handler]:
    ctx.offer_actions[Offer.CHECK] = lambda turn, prefix="": start_check(turn, ctx, prefix)
    return [
        StartCheckHandler(ctx), AlreadyCheckingHandler(ctx), AnswerHandler(ctx), WhyAskHandler(ctx),
        CheckHelpHandler(ctx), CheckStartOverHandler(ctx), CheckGoBackHandler(ctx), GoBackAfterCheckHandler(ctx),
        CheckStopHandler(ctx), CheckNavigateHomeHandler(ctx), CheckComplaintHandler(ctx), OffTopicHandler(ctx),
        LostCheckHandler(ctx),
    ]
