"""The two-week check-in (SPEC §5): safety-netting after a self-care or see-a-doctor outcome.

- Offered after those outcomes (Offer.CHECKIN_REMINDER, placed by the check) and on request
  (SetCheckInReminderIntent): a one-time reminder two weeks ahead (handlers/reminders/checkin.py).
- On the first visit (LaunchRequest) on or after its day, one question, asked once (the stored
  check-in is cleared when it is asked): "is your back better, about the same, or worse?"
  (Mode.CHECKIN). Better: encouragement and the exercise programme. The same or worse (or "no",
  "not sure", "it still hurts"): pain lasting more than two weeks is worth a doctor's
  appointment, and the offer of the red-flag check. The answer is never stored.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from ask_sdk_model import Response

from backcare.conversation import Mode, Offer
from backcare.handlers.base import COMPLAINT, Handler, SkillContext, Turn, ask
from backcare.handlers.offers import offer
from backcare.handlers.slots import resolved_id

log = logging.getLogger(__name__)

BETTER, SAME, WORSE = "better", "same", "worse"
ANSWER_TEXTS = {BETTER: "checkin.better", SAME: "checkin.same", WORSE: "checkin.worse"}
NEXT_OFFER = {BETTER: Offer.EXERCISES, SAME: Offer.CHECK, WORSE: Offer.CHECK}
QUESTION, REPROMPT, AGAIN = "checkin.question", "checkin.question.reprompt", "checkin.again"
CANCEL_CAP_SECONDS = 1.0  # deleting the due check-in's reminder on the visit: a courtesy, kept short


def due_question(turn: Turn, ctx: SkillContext) -> str | None:
    """On a visit on or after the check-in's day: the question (and the stored check-in is
    cleared, so it is asked once; a reminder still waiting to go off is cancelled). None
    otherwise. Reads the device's time zone only when a check-in may be due."""
    from backcare.handlers.reminders import checkin as reminder

    record = reminder.stored(turn.handler_input)
    if record is None:
        return None
    due = reminder.due_of(record)
    if due > ctx.clock().date() + timedelta(days=1):  # not due anywhere on Earth yet
        return None
    today, _ = reminder.device_today(turn, ctx)
    if due > today:
        return None
    if record.get("alert_token"):
        _cancel_reminder(turn, record["alert_token"])
    saved = reminder.forget(turn.handler_input)
    log.info("check-in due: asked; record cleared: %s", saved)
    turn.conv.go(Mode.CHECKIN)
    return turn.t(QUESTION)


def _cancel_reminder(turn: Turn, token: str) -> None:
    """The user is here before the reminder went off (or it went off): it is not needed now.
    A courtesy, so it costs at most CANCEL_CAP_SECONDS of the request's budget, and nothing when
    the budget is short."""
    from backcare.services.reminders import CallBudget, Reminders, RemindersError

    try:
        client = Reminders.from_handler_input(turn.handler_input)
        budget = CallBudget.of(turn.handler_input, cap=CANCEL_CAP_SECONDS)
        if not budget.can_start(reserve=0.0, minimum=CANCEL_CAP_SECONDS):
            log.info("the check-in reminder was not deleted: no time for it")
            return
        with budget.call(reserve=0.0):
            client.delete(token)
    except RemindersError as error:
        log.info("the check-in reminder was not deleted: %s", type(error).__name__)


def confirm_reminder(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    """"Shall I remind you in two weeks?" (the reminder is set on yes: handlers/reminders/checkin.py)."""
    from backcare.handlers.reminders import checkin as reminder

    return reminder.confirm(turn, ctx, prefix)


def answer(turn: Turn, ctx: SkillContext, change: str) -> Response:
    turn.conv.home()
    return offer(turn, ctx, (NEXT_OFFER[change],), prefix=turn.t(ANSWER_TEXTS[change]))


class SetCheckInReminderHandler(Handler):
    """"Remind me to check my back in two weeks"."""

    intents = ("SetCheckInReminderIntent",)

    def respond(self, turn: Turn) -> Response:
        return confirm_reminder(turn, self.ctx)


class HowIsMyBackHandler(Handler):
    """"Better", "about the same", "worse"; a change Alexa could not resolve asks again."""

    intents = ("HowIsMyBackIntent",)
    modes = (Mode.CHECKIN,)

    def respond(self, turn: Turn) -> Response:
        change = resolved_id(turn.handler_input, "change")
        if change not in ANSWER_TEXTS:
            return ask(turn, turn.t(AGAIN), turn.t(REPROMPT))
        return answer(turn, self.ctx, change)


class NotBetterHandler(Handler):
    """"No" (not better), "not sure", "it still hurts": the same advice as "about the same"."""

    intents = ("AMAZON.NoIntent", "UnsureIntent", COMPLAINT)
    modes = (Mode.CHECKIN,)

    def respond(self, turn: Turn) -> Response:
        return answer(turn, self.ctx, SAME)


class UnclearHandler(Handler):
    """"Yes" (to which?), help, or something not understood: the question again."""

    intents = ("AMAZON.YesIntent", "AMAZON.HelpIntent", "AMAZON.FallbackIntent")
    modes = (Mode.CHECKIN,)

    def respond(self, turn: Turn) -> Response:
        t = turn.t
        if turn.intent_name == "AMAZON.HelpIntent":
            return ask(turn, t("checkin.help"), t(REPROMPT))
        return ask(turn, t(AGAIN), t(REPROMPT))


def handlers(ctx: SkillContext) -> list[Handler]:
    ctx.offer_actions[Offer.CHECKIN_REMINDER] = lambda turn, prefix="": confirm_reminder(turn, ctx, prefix)
    return [SetCheckInReminderHandler(ctx), HowIsMyBackHandler(ctx), NotBetterHandler(ctx), UnclearHandler(ctx)]
