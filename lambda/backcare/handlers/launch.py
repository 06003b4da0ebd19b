"""Opening the skill: the one-time disclaimer, a returning greeting, the first offer."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from backcare.handlers.common import Handler, SkillContext, reply, set_mode, t
from backcare.persistence import user_data


def _is_new_session(handler_input: HandlerInput) -> bool:
    session = handler_input.request_envelope.session
    return bool(session is not None and session.new)


def first_visit(handler_input: HandlerInput) -> bool:
    """Count this visit and say whether the user has yet to hear the disclaimer.

    Marks the disclaimer as heard: the caller must say it in this response.
    """
    data = user_data.load(handler_input)
    first = not data.get("disclaimer_heard")
    data["visits"] = int(data.get("visits") or 0) + 1
    data["disclaimer_heard"] = True
    user_data.save(handler_input)
    return first


def opening(handler_input: HandlerInput) -> str:
    """The disclaimer when a first-time user opens a session with a request (one-shot)."""
    if not _is_new_session(handler_input):
        return ""
    return t(handler_input)("disclaimer") if first_visit(handler_input) else ""


class LaunchHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_request_type("LaunchRequest")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        texts = t(handler_input)
        greeting = texts("launch.first") if first_visit(handler_input) else texts("launch.returning")
        set_mode(handler_input, "offer", offer="check")
        return reply(handler_input, greeting, reprompt=texts("launch.reprompt"))


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [LaunchHandler(ctx)]
