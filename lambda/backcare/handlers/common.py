"""What every handler shares: where the user is (session attributes), the locale's texts,
and one way to build a response that Repeat can replay."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_locale, get_request_type, is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from backcare.config import Config
from backcare.content import Texts, normalize_locale, texts

SESSION_LAYOUT = 1
OfferAction = Callable[[HandlerInput, str], Response]


@dataclass
class SkillContext:
    """Dependencies handed to every handler by build_skill."""

    config: Config
    clock: Callable[[], datetime]
    # What a "yes" does for each offer the skill can make ("tips", "check", ...), filled by
    # the handler modules; an offer whose action is missing is never made.
    offer_actions: dict[str, OfferAction] = field(default_factory=dict)
    # The offer that follows when the user declines one (None: say goodbye).
    offer_chain: dict[str, str | None] = field(default_factory=dict)


class Handler(AbstractRequestHandler):
    """A request handler that holds the skill's dependencies (SkillContext)."""

    def __init__(self, ctx: SkillContext) -> None:
        self.ctx = ctx


def t(handler_input: HandlerInput) -> Texts:
    return texts(locale_of(handler_input))


def locale_of(handler_input: HandlerInput) -> str:
    try:
        return normalize_locale(get_locale(handler_input))
    except (AttributeError, TypeError):
        return normalize_locale(None)


def session(handler_input: HandlerInput) -> dict[str, Any]:
    """Session attributes; a scratch dict for requests that come without a session."""
    if handler_input.request_envelope.session is None:
        return handler_input.attributes_manager.request_attributes.setdefault("backcare.no_session", {})
    return handler_input.attributes_manager.session_attributes


def mode(handler_input: HandlerInput) -> str | None:
    return session(handler_input).get("mode")


def in_mode(name: str) -> Callable[[HandlerInput], bool]:
    return lambda handler_input: mode(handler_input) == name


def is_intent(*names: str) -> Callable[[HandlerInput], bool]:
    return lambda handler_input: any(is_intent_name(name)(handler_input) for name in names)


def intent_name(handler_input: HandlerInput) -> str | None:
    request = handler_input.request_envelope.request
    intent = getattr(request, "intent", None)
    return getattr(intent, "name", None)


def is_intent_request(handler_input: HandlerInput) -> bool:
    return get_request_type(handler_input) == "IntentRequest"


def set_mode(handler_input: HandlerInput, name: str | None, **values: Any) -> None:
    """Move the user to `name`, dropping what belonged to the previous place."""
    attrs = session(handler_input)
    for key in ("mode", "offer", "triage_paused", "tips", "stretch"):
        attrs.pop(key, None)
    if name:
        attrs["mode"] = name
    attrs.update(values)


def join(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def reply(
    handler_input: HandlerInput,
    speech: str,
    *,
    reprompt: str | None = None,
    end: bool = False,
    card: tuple[str, str] | None = None,
) -> Response:
    """Speak, remember it for Repeat, and keep the session open exactly when we ask."""
    builder = handler_input.response_builder
    builder.speak(speech)
    if end:
        builder.set_should_end_session(True)
    else:
        builder.ask(reprompt or speech)
    if card:
        builder.set_card(SimpleCard(title=card[0], content=card[1]))
    if not end:
        session(handler_input)["last"] = {"speech": speech, "reprompt": reprompt or speech}
    return builder.response


def offer(
    handler_input: HandlerInput,
    ctx: SkillContext,
    name: str | None,
    prefix: str = "",
    card: tuple[str, str] | None = None,
) -> Response:
    """Ask whether the user wants `name` (the first available offer in its chain)."""
    while name and name not in ctx.offer_actions:
        name = ctx.offer_chain.get(name)
    texts_ = t(handler_input)
    if not name:
        return reply(handler_input, join(prefix, texts_("goodbye")), end=True, card=card)
    set_mode(handler_input, "offer", offer=name)
    return reply(
        handler_input,
        join(prefix, texts_(f"offer.{name}")),
        reprompt=texts_(f"offer.{name}.reprompt"),
        card=card,
    )


def home(handler_input: HandlerInput, prefix: str = "") -> Response:
    """Back to the start: what the skill can do, with the check as the default offer."""
    texts_ = t(handler_input)
    set_mode(handler_input, "offer", offer="check")
    return reply(handler_input, join(prefix, texts_("home")), reprompt=texts_("home.reprompt"))
