"""What every handler shares: the turn (this request's conversation, texts and flags), the
routing rule, and one way to build a response.

Routing. Each handler says where it applies, as class attributes:
    intents = ("AMAZON.YesIntent",)      # intent names or request types (or ANY_INTENT / ANY_REQUEST)
    modes = (Mode.TIPS,)                 # the modes it serves; () = anywhere the mode has no handler of its own
    everywhere = True                    # before any mode's own handlers (emergencies, symptoms, platform)
`Router` turns these declarations into one table and refuses two handlers for the same place.
For a request it looks, in order, for: an everywhere handler for the request; the mode's handler
for it; the mode's catch-all (ANY_INTENT, for intents only); an anywhere handler for it; the
anywhere catch-all. `docs/routing.md` is that table, probed from the built skill.

Imports. `build_skill` creates every handler (the router needs their declarations), so every
handler module is imported by every fresh Lambda, including one that answers a yes/no turn of
the check. A handler module therefore imports at its top only what its declarations and its
light helpers need (this module, the conversation, offers, slots, the texts); the store
(`backcare.persistence.user_data`), another area's use cases (reminder actions, the exercise
programme and progress), schedules and the Alexa services are imported inside the functions that
use them. `tests/deploy/test_cold_path.py` lists what a yes/no turn must not load. For the same
reason immutable values (tables of text keys, table rows, the check's state and steps, the
conversation's tips and exercise places and last response, a locale's texts, a stored record) are
NamedTuples (`_replace` for a changed copy): creating a frozen dataclass costs about ten times as
much at import (0.5 to 1 ms each), and the turn and the skill's context are plain classes. The two
dataclasses left are the conversation (mutable, compared, copied with `replace`) and `Config`
(tools change it with `dataclasses.replace`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from backcare.config import Config
from backcare.content import Texts, normalize_locale, texts
from backcare.conversation import Conversation, Mode, Offer
from backcare.handlers.slots import resolved_ids
from backcare.triage import Disposition, most_serious

log = logging.getLogger(__name__)

ANY_INTENT = "*intent"
ANY_REQUEST = "*request"
REPORT_SYMPTOM = "ReportSymptomIntent"
# ReportSymptomIntent naming no red flag ("my back hurts", "it hurts when I do that") routes
# under its own key: a complaint, not a symptom.
COMPLAINT = "ReportSymptomIntent/complaint"
_TURN = "backcare.turn"
_ROUTE = "backcare.route"

OfferAction = Callable[["Turn", str], Response]


class Turn:
    """One request: who is asking, in which locale, where the conversation stands."""

    def __init__(self, handler_input: HandlerInput, conv: Conversation, t: Texts, locale: str,
                 new_session: bool, has_session: bool) -> None:
        self.handler_input = handler_input
        self.conv = conv
        self.t = t
        self.locale = locale
        self.new_session = new_session
        self.has_session = has_session
        # Set by handlers: the most serious advice this response gives (the disclaimer never
        # stands in front of EMERGENCY or URGENT advice), and whether it already holds the disclaimer.
        self.advice: Disposition | None = None
        self.disclaimer_said = False

    @property
    def request(self):
        return self.handler_input.request_envelope.request

    @property
    def intent_name(self) -> str | None:
        return getattr(getattr(self.request, "intent", None), "name", None)


def _locale_of(handler_input: HandlerInput) -> str:
    locale = getattr(handler_input.request_envelope.request, "locale", None)
    return normalize_locale(locale if isinstance(locale, str) else None)


def turn_of(handler_input: HandlerInput) -> Turn:
    """This request's Turn, made on first use (normally by the TurnInterceptor)."""
    attributes = handler_input.attributes_manager.request_attributes
    turn = attributes.get(_TURN)
    if turn is None:
        session = handler_input.request_envelope.session
        locale = _locale_of(handler_input)
        conv = Conversation.load(handler_input.attributes_manager.session_attributes if session else None)
        turn = Turn(handler_input=handler_input, conv=conv, t=texts(locale), locale=locale,
                    new_session=bool(session is not None and session.new), has_session=session is not None)
        attributes[_TURN] = turn
    return turn


def request_key(handler_input: HandlerInput) -> str:
    """What the router matches on: the intent name, or the request type for other requests."""
    request = handler_input.request_envelope.request
    request_type = getattr(request, "object_type", None) or "Unknown"
    if request_type != "IntentRequest":
        return request_type
    name = getattr(getattr(request, "intent", None), "name", None) or "Unknown"
    if name == REPORT_SYMPTOM and symptom_of(handler_input) is None:
        return COMPLAINT
    return name


def symptom_of(handler_input: HandlerInput) -> str | None:
    """The red-flag question id a ReportSymptomIntent names (the most serious, if several)."""
    return most_serious(resolved_ids(handler_input, "symptom"))


class SkillContext:
    """Dependencies handed to every handler by build_skill."""

    def __init__(self, config: Config, clock: Callable[[], datetime]) -> None:
        self.config = config
        self.clock = clock
        # What a yes to each offer does, registered by the handler areas; an offer whose action is
        # missing is never made.
        self.offer_actions: dict[Offer, OfferAction] = {}
        self.router: Router | None = None  # wired by build_skill once every handler exists


class Handler(AbstractRequestHandler):
    """A request handler that declares where it applies (see the module docstring)."""

    intents: ClassVar[tuple[str, ...]] = ()
    modes: ClassVar[tuple[Mode, ...]] = ()
    everywhere: ClassVar[bool] = False

    def __init__(self, ctx: SkillContext) -> None:
        self.ctx = ctx

    def can_handle(self, handler_input: HandlerInput) -> bool:
        assert self.ctx.router is not None, "build_skill wires the router before any request"
        return self.ctx.router.route(handler_input) is self

    def handle(self, handler_input: HandlerInput) -> Response:
        return self.respond(turn_of(handler_input))

    def respond(self, turn: Turn) -> Response:
        raise NotImplementedError


class RoutingConflict(ValueError):
    """Two handlers declared the same place."""


class Router:
    """The routing table built from the handlers' declarations."""

    def __init__(self, handlers: Iterable[Handler]) -> None:
        self.everywhere: dict[str, Handler] = {}
        self.by_mode: dict[tuple[Mode, str], Handler] = {}
        self.anywhere: dict[str, Handler] = {}
        for handler in handlers:
            if not handler.intents:
                raise RoutingConflict(f"{type(handler).__name__} declares no intents")
            for key in handler.intents:
                if handler.everywhere:
                    self._put(self.everywhere, key, handler)
                elif handler.modes:
                    for mode in handler.modes:
                        self._put(self.by_mode, (mode, key), handler)
                else:
                    self._put(self.anywhere, key, handler)
        shadowed = {key for (_, key) in self.by_mode} & set(self.everywhere)
        if shadowed:
            raise RoutingConflict(f"mode handlers for requests that are handled everywhere: {sorted(shadowed)}")

    @staticmethod
    def _put(table: dict, key, handler: Handler) -> None:
        if key in table:
            raise RoutingConflict(f"{type(table[key]).__name__} and {type(handler).__name__} both take {key}")
        table[key] = handler

    def lookup(self, mode: Mode, key: str, *, intent: bool) -> Handler | None:
        wildcard = ANY_INTENT if intent else ANY_REQUEST
        return (self.everywhere.get(key) or self.by_mode.get((mode, key))
                or (self.by_mode.get((mode, ANY_INTENT)) if intent else None)
                or self.anywhere.get(key) or self.anywhere.get(wildcard))

    def route(self, handler_input: HandlerInput) -> Handler | None:
        attributes = handler_input.attributes_manager.request_attributes
        if _ROUTE not in attributes:
            key = request_key(handler_input)
            intent = getattr(handler_input.request_envelope.request, "object_type", None) == "IntentRequest"
            attributes[_ROUTE] = self.lookup(turn_of(handler_input).conv.mode, key, intent=intent)
        return attributes[_ROUTE]


# -- building responses --------------------------------------------------------------------------


def join(*parts: str | None) -> str:
    return " ".join(p.strip() for p in parts if p and p.strip())


def ask(turn: Turn, speech: str, reprompt: str, *, card: tuple[str, str] | None = None) -> Response:
    """Speak and listen: the session stays open with a reprompt."""
    builder = turn.handler_input.response_builder
    builder.speak(speech).ask(reprompt)
    if card:
        builder.set_card(SimpleCard(title=card[0], content=card[1]))
    return builder.response


def tell(turn: Turn, speech: str, *, card: tuple[str, str] | None = None) -> Response:
    """Speak and end the session."""
    builder = turn.handler_input.response_builder
    builder.speak(speech).set_should_end_session(True)
    if card:
        builder.set_card(SimpleCard(title=card[0], content=card[1]))
    return builder.response


def silent(turn: Turn) -> Response:
    """An empty response (platform requests, SessionEnded)."""
    return turn.handler_input.response_builder.response
