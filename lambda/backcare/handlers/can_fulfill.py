"""CanFulfillIntentRequest: Alexa asks, before any session, whether this skill could answer a
request made without its name. The answer is truthful and has no side effects: nothing is read
from or written to the store and no API is called (docs/publishing.md says how to switch
name-free interaction on in the manifest once the skill is eligible).

- An intent the skill serves: YES, unless it names a slot value the skill doesn't recognise
  (then MAYBE: it would still answer, in general terms).
- Anything else: NO.
"""

from __future__ import annotations

from ask_sdk_model import Response
from ask_sdk_model.canfulfill import (
    CanFulfillIntent,
    CanFulfillIntentValues,
    CanFulfillSlot,
    CanFulfillSlotValues,
    CanUnderstandSlotValues,
)

from backcare.handlers.base import Handler, SkillContext, Turn, silent
from backcare.handlers.slots import resolved_ids

# The intents a name-free request may start, and the custom slots whose values must resolve.
SERVED: dict[str, tuple[str, ...]] = {
    "CheckSymptomsIntent": (),
    "EmergencyIntent": (),
    "ReportSymptomIntent": ("symptom",),
    "SelfCareTipsIntent": ("topic",),
    "CausesIntent": (),
    "WhenToSeeDoctorIntent": (),
    "WarningSignsIntent": (),
    "StartStretchesIntent": (),
    "StartExercisesIntent": (),
    "SetPostureReminderIntent": (),
    "SetStretchReminderIntent": (),
    "SetCheckInReminderIntent": (),
    "ListRemindersIntent": (),
    "CancelRemindersIntent": ("kind",),
    "DeleteMyDataIntent": (),
}


class CanFulfillHandler(Handler):
    intents = ("CanFulfillIntentRequest",)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        intent = getattr(turn.request, "intent", None)
        name = getattr(intent, "name", None)
        slots = getattr(intent, "slots", None) or {}
        if name not in SERVED:
            verdict, answers = "NO", {}
        else:
            answers = {}
            for slot_name, slot in slots.items():
                said = bool(getattr(slot, "value", None))
                understood = slot_name not in SERVED[name] or bool(resolved_ids(turn.handler_input, slot_name))
                level = "YES" if said and understood else "MAYBE" if said else "NO"
                answers[slot_name] = CanFulfillSlot(can_understand=CanUnderstandSlotValues(level),
                                                    can_fulfill=CanFulfillSlotValues("YES" if understood else "NO"))
            unclear = any(a.can_understand != CanUnderstandSlotValues("YES") for slot_name, a in answers.items()
                          if slot_name in SERVED[name] and getattr(slots[slot_name], "value", None))
            verdict = "MAYBE" if unclear else "YES"
        turn.handler_input.response_builder.set_can_fulfill_intent(
            CanFulfillIntent(can_fulfill=CanFulfillIntentValues(verdict), slots=answers or None))
        return silent(turn)


def handlers(ctx: SkillContext) -> list[Handler]:
    return [CanFulfillHandler(ctx)]
