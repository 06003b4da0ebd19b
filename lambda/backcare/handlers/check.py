"""The red-flag check: translates requests into calls on backcare.triage and speaks the result.

While a check is running (mode "check"), these handlers see every intent first, so an
unrelated request brings the user back to the question instead of leaving the check.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.handlers.common import (
    Handler,
    SkillContext,
    in_mode,
    intent_name,
    is_intent,
    is_intent_request,
    join,
    offer,
    reply,
    session,
    set_mode,
    t,
)
from backcare.handlers.slots import resolved_id
from backcare.triage import QUESTION_IDS, Answer, Disposition, StateError, Step, TriageCheck, TriageState

log = logging.getLogger(__name__)

ANSWERS = {"AMAZON.YesIntent": Answer.YES, "AMAZON.NoIntent": Answer.NO, "UnsureIntent": Answer.UNSURE}
# Intents that keep their own meaning during the check; anything else is off-topic.
_CHECK_AWARE = {
    *ANSWERS, "WhyAskIntent", "AMAZON.RepeatIntent", "AMAZON.StartOverIntent", "AMAZON.HelpIntent",
    "AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent", "ReportSymptomIntent",
    "CheckSymptomsIntent",
}


def current_state(handler_input: HandlerInput) -> TriageState:
    return TriageState.from_dict(session(handler_input).get("triage"))


def speak_step(handler_input: HandlerInput, ctx: SkillContext, step: Step, prefix: str = "") -> Response:
    """Say what the check wants next, and remember where we are."""
    texts = t(handler_input)
    if step.unsure_counted:
        prefix = join(prefix, texts("check.unsure_counted"))
    if step.kind == "outcome":
        assert step.disposition is not None
        return speak_outcome(handler_input, ctx, step.state, step.disposition, prefix)

    set_mode(handler_input, "check", triage=step.state.to_dict())
    assert step.question is not None
    qid = step.question.id
    ask = texts(f"q.{qid}.ask")
    if step.kind == "reask":
        reask = texts(f"q.{qid}.reask")
        return reply(handler_input, join(prefix, texts("check.unsure_first"), texts(f"q.{qid}.why"), reask),
                     reprompt=reask)
    if step.kind == "redirect":
        return reply(handler_input, join(prefix, texts("check.redirect"), ask), reprompt=ask)
    if step.volunteered:
        prefix = join(prefix, texts("check.volunteered"), texts("check.volunteered_more"))
    return reply(handler_input, join(prefix, ask), reprompt=ask)


def speak_outcome(
    handler_input: HandlerInput, ctx: SkillContext, state: TriageState, disposition: Disposition, prefix: str = ""
) -> Response:
    texts = t(handler_input)
    name = disposition.name
    # The finished state stays in the session: a symptom volunteered later still counts.
    set_mode(handler_input, None, triage=state.to_dict())
    speech = join(prefix, texts(f"outcome.{name}.speech"))
    card = (texts.plain(f"outcome.{name}.card_title"), texts.plain(f"outcome.{name}.card"))
    log.debug("check finished")  # never the outcome itself
    if disposition >= Disposition.URGENT:
        # Nothing may dilute this advice: no offers; end here so the user can act on it.
        return reply(handler_input, join(speech, texts("outcome.end")), end=True, card=card)
    return offer(handler_input, ctx, "tips", prefix=speech, card=card)


def start_check(handler_input: HandlerInput, ctx: SkillContext, prefix: str = "") -> Response:
    texts = t(handler_input)
    return speak_step(handler_input, ctx, TriageCheck.start(), prefix=join(prefix, texts("check.intro")))


def restart_after_bad_state(handler_input: HandlerInput, ctx: SkillContext) -> Response:
    log.warning("discarding an unreadable triage state and restarting the check")
    session(handler_input).pop("triage", None)
    return speak_step(handler_input, ctx, TriageCheck.start(), prefix=t(handler_input)("check.lost_state"))


class StartCheckHandler(Handler):
    """"Is my back pain serious?" — outside a check, start one; inside, repeat the question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("CheckSymptomsIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        if in_mode("check")(handler_input):
            step = TriageCheck.current(current_state(handler_input))
            return speak_step(handler_input, self.ctx, step, prefix=t(handler_input)("check.already"))
        from backcare.handlers.launch import opening

        return start_check(handler_input, self.ctx, prefix=opening(handler_input))


class AnswerHandler(Handler):
    """Yes, no or unsure to the pending question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("check")(handler_input) and intent_name(handler_input) in ANSWERS

    def handle(self, handler_input: HandlerInput) -> Response:
        answer = ANSWERS[intent_name(handler_input)]
        step = TriageCheck.answer(current_state(handler_input), answer)
        prefix = t(handler_input)("check.ack") if answer is Answer.NO and step.kind == "ask" else ""
        return speak_step(handler_input, self.ctx, step, prefix=prefix)


class WhyAskHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("check")(handler_input) and is_intent("WhyAskIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        step = TriageCheck.current(current_state(handler_input))
        assert step.question is not None
        return speak_step(handler_input, self.ctx, step, prefix=t(handler_input)(f"q.{step.question.id}.why"))


class CheckHelpHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("check")(handler_input) and is_intent("AMAZON.HelpIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        step = TriageCheck.current(current_state(handler_input))
        return speak_step(handler_input, self.ctx, step, prefix=t(handler_input)("help.check"))


class CheckStartOverHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode("check")(handler_input) and is_intent("AMAZON.StartOverIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        return speak_step(handler_input, self.ctx, TriageCheck.start(), prefix=t(handler_input)("check.restart"))


class OffTopicHandler(Handler):
    """Anything unrelated during the check (including Fallback): back to the question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return (
            in_mode("check")(handler_input)
            and is_intent_request(handler_input)
            and intent_name(handler_input) not in _CHECK_AWARE
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        return speak_step(handler_input, self.ctx, TriageCheck.stray(current_state(handler_input)))


class ReportSymptomHandler(Handler):
    """A symptom the user volunteers, at any point: a yes to its question."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("ReportSymptomIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        from backcare.handlers.launch import opening

        symptom = resolved_id(handler_input, "symptom")
        state = _state_or_none(handler_input)
        in_check = in_mode("check")(handler_input) and state is not None
        if symptom not in QUESTION_IDS:
            if in_check:
                return speak_step(handler_input, self.ctx, TriageCheck.stray(state))
            texts = t(handler_input)
            prefix = join(opening(handler_input), texts("symptom.unmatched"))
            return offer(handler_input, self.ctx, "check", prefix=prefix)
        step = TriageCheck.volunteer(state, symptom)
        # A first-time user hears the disclaimer, except in front of emergency advice.
        urgent = step.kind == "outcome" and step.disposition is Disposition.EMERGENCY
        return speak_step(handler_input, self.ctx, step, prefix="" if urgent else opening(handler_input))


def _state_or_none(handler_input: HandlerInput) -> TriageState | None:
    raw = session(handler_input).get("triage")
    if raw is None:
        return None
    try:
        return TriageState.from_dict(raw)
    except StateError:
        log.warning("ignoring an unreadable triage state")
        return None


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    """Check-mode handlers first: they must see every intent while a check runs."""
    ctx.offer_actions["check"] = lambda handler_input, prefix="": start_check(handler_input, ctx, prefix)
    return [
        AnswerHandler(ctx),
        WhyAskHandler(ctx),
        CheckHelpHandler(ctx),
        CheckStartOverHandler(ctx),
        ReportSymptomHandler(ctx),
        StartCheckHandler(ctx),
        OffTopicHandler(ctx),
    ]
