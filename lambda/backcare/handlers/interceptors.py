"""What happens around every handler, decided once per request.

- `TurnInterceptor` (request): reads the conversation from the session into this request's Turn,
  and logs the request's type and intent (never slot values or ids). On the first request of a
  session it reads the user's data, counting the visit in the same store call when the store can
  (`user_data.load_counting_visit`: one DynamoDB UpdateItem for a returning user).
- `FinishInterceptor` (response), and `finish` for the exception handlers: on the first request
  of a session, the one-time disclaimer and the visit count (unless already stored); then the
  last response for Repeat; then the conversation back into the session attributes.

The disclaimer rule: a first-time user hears it once, at the start of their first session, but
never in front of EMERGENCY or URGENT advice (then it waits for a later session). A handler that
places it itself (the welcome) says so with `turn.disclaimer_said`.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.handlers.base import Turn, turn_of
from backcare.triage import Disposition

log = logging.getLogger(__name__)

DISCLAIMER = "launch.disclaimer"
_SPEAK = "<speak>"
# Requests a person made by speaking (the others are the platform's).
_SPOKEN = ("LaunchRequest", "IntentRequest")


def first_visit(turn: Turn) -> bool:
    """Whether this session is the user's first, i.e. the disclaimer is still owed."""
    from backcare.persistence import user_data  # here: a turn inside a session never reads the store

    return turn.new_session and not user_data.load(turn.handler_input).get("disclaimer_heard")


def disclaimer(turn: Turn) -> str:
    """The disclaimer, for a handler that places it itself, when it is owed; else ""."""
    if not first_visit(turn):
        return ""
    turn.disclaimer_said = True
    return turn.t(DISCLAIMER)


class TurnInterceptor(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        turn = turn_of(handler_input)
        request = turn.request
        log.debug("request %s%s", getattr(request, "object_type", None),
                  f" {turn.intent_name}" if turn.intent_name else "")
        if _opens_session(turn):  # the read `_welcome` needs, with the visit counted in it where possible
            from backcare.persistence import user_data

            user_data.load_counting_visit(handler_input)


class FinishInterceptor(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response) -> None:
        finish(handler_input, response)


def finish(handler_input: HandlerInput, response: Response | None) -> None:
    """Disclaimer and visit count, Repeat's memory, and the conversation saved. Never raises."""
    try:
        turn = turn_of(handler_input)
    except Exception:  # an envelope too odd to read a turn from: nothing to save
        log.warning("no conversation to save for this request")
        return
    if _opens_session(turn) and response is not None:
        _welcome(turn, response)
    if not turn.has_session or response is None:
        return
    speech = _ssml_body(getattr(response, "output_speech", None))
    reprompt = _ssml_body(getattr(getattr(response, "reprompt", None), "output_speech", None))
    if speech and not response.should_end_session:
        turn.conv = turn.conv.with_last(speech, reprompt or speech)
    turn.conv.save(handler_input.attributes_manager.session_attributes)


def _opens_session(turn: Turn) -> bool:
    """The first request of a session, made by speaking: where the disclaimer and the visit belong."""
    return turn.new_session and getattr(turn.request, "object_type", None) in _SPOKEN


def _welcome(turn: Turn, response: Response) -> None:
    """Say the disclaimer if owed and allowed; count the visit. A store failure costs neither."""
    from backcare.persistence import user_data

    try:
        owed = first_visit(turn)
    except Exception:
        log.warning("could not tell whether the disclaimer is owed")
        return
    urgent = turn.advice is not None and turn.advice >= Disposition.URGENT
    said = turn.disclaimer_said
    speech = getattr(response, "output_speech", None)
    if owed and not said and not urgent and getattr(speech, "ssml", None):
        speech.ssml = speech.ssml.replace(_SPEAK, f"{_SPEAK}{turn.t(DISCLAIMER)} ", 1)
        said = True

    if user_data.visit_counted(turn.handler_input):
        return  # stored with the read: only for a user who had heard the disclaimer, so nothing else to record

    def record(data: dict) -> None:
        data["visits"] = int(data.get("visits") or 0) + 1
        data["disclaimer_heard"] = bool(data.get("disclaimer_heard")) or said

    user_data.update(turn.handler_input, record)


def _ssml_body(speech) -> str:
    ssml = getattr(speech, "ssml", None) or getattr(speech, "text", None)
    if not isinstance(ssml, str):
        return ""
    body = ssml.strip()
    if body.startswith(_SPEAK) and body.endswith("</speak>"):
        body = body[len(_SPEAK):-len("</speak>")]
    return body.strip()
