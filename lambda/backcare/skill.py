"""build_skill(config): the one place that wires handlers, interceptors, the store and API clients."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.dispatch_components import AbstractRequestInterceptor
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.services import ApiClient

from backcare.config import Config
from backcare.content import normalize_locale, texts
from backcare.handlers import builtins, check, data, errors, events, info, launch, reminders, stretches, tips
from backcare.handlers.common import SESSION_LAYOUT, SkillContext

log = logging.getLogger(__name__)

# Which offer follows when the user declines one (None: goodbye).
OFFER_CHAIN: dict[str, str | None] = {"tips": "reminders", "stretches": "reminders", "reminders": None, "check": None}


class SessionLayoutInterceptor(AbstractRequestInterceptor):
    """Session attributes from another layout version are dropped, never trusted."""

    def process(self, handler_input: HandlerInput) -> None:
        if handler_input.request_envelope.session is None:
            return
        attrs = handler_input.attributes_manager.session_attributes
        if attrs and attrs.get("v") != SESSION_LAYOUT:
            log.warning("dropping session attributes of layout %r", attrs.get("v"))
            attrs.clear()
        attrs["v"] = SESSION_LAYOUT


class RequestLogInterceptor(AbstractRequestInterceptor):
    """One line per request: its type and intent. Never slot values or ids."""

    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(getattr(request, "intent", None), "name", None)
        log.debug("request %s%s", getattr(request, "object_type", None), f" {intent}" if intent else "")


def build_skill(
    config: Config,
    *,
    persistence_adapter: AbstractPersistenceAdapter | None = None,
    api_client: ApiClient | None = None,
    clock: Callable[[], datetime] | None = None,
) -> CustomSkill:
    """The skill for `config`. Tests and local tools pass their own store, API client or clock."""
    if persistence_adapter is None:
        from backcare.persistence import make_adapter

        persistence_adapter = make_adapter(config)
    if api_client is None:
        from backcare.services.api_client import TimeoutApiClient

        api_client = TimeoutApiClient(timeout=config.api_timeout_seconds)
    ctx = SkillContext(config=config, clock=clock or (lambda: datetime.now(UTC)), offer_chain=dict(OFFER_CHAIN))

    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter, api_client=api_client)
    builder.skill_id = config.skill_id
    request_handlers = [
        *check.handlers(ctx),  # first: during a check they see every intent
        *events.handlers(ctx),
        *reminders.handlers(ctx),  # mode-specific handlers before the generic ones below
        *stretches.handlers(ctx),
        *data.handlers(ctx),
        *tips.handlers(ctx),
        *builtins.offer_answer_handlers(ctx),
        *launch.handlers(ctx),
        *info.handlers(ctx),
        *builtins.handlers(ctx),
        *builtins.last_resort_handlers(ctx),
    ]
    for handler in request_handlers:
        builder.add_request_handler(handler)
    for handler in errors.handlers(ctx):
        builder.add_exception_handler(handler)
    builder.add_global_request_interceptor(SessionLayoutInterceptor())
    builder.add_global_request_interceptor(RequestLogInterceptor())
    return builder.create()


def _safe_response(event: Any) -> dict[str, Any]:
    """The answer to an envelope the SDK cannot even read: still speak safe advice."""
    locale = None
    if isinstance(event, dict) and isinstance(event.get("request"), dict):
        locale = event["request"].get("locale")
    speech = texts(normalize_locale(locale))("error.generic")
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{speech}</speak>"},
            "shouldEndSession": True,
        },
    }


def _application_id(envelope: RequestEnvelope) -> str | None:
    system = getattr(envelope.context, "system", None)
    return getattr(getattr(system, "application", None), "application_id", None)


def make_lambda_handler(skill: CustomSkill) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Like the SDK's SkillBuilder.lambda_handler, but nothing escapes except a refusal:
    an unreadable envelope or a failure outside the handlers still gets a safe spoken answer,
    while a request for another skill id (or one that cannot show its id) is refused, as the
    SDK does, by raising."""
    serializer = skill.serializer

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        try:
            envelope = serializer.deserialize(payload=json.dumps(event), obj_type=RequestEnvelope)
            if envelope.request is None:
                raise ValueError("envelope has no request")
        except Exception as error:
            log.error("unreadable request envelope: %s", type(error).__name__)
            return _safe_response(event)
        if skill.skill_id is not None and _application_id(envelope) != skill.skill_id:
            raise AskSdkException("Skill ID Verification failed: request for another skill")
        if getattr(envelope.context, "system", None) is None:
            log.error("request envelope without context.System")
            return _safe_response(event)
        try:
            response = skill.invoke(request_envelope=envelope, context=context)
            return serializer.serialize(response)
        except Exception as error:
            log.error("failure outside the handlers: %s", type(error).__name__, exc_info=error)
            return _safe_response(event)

    return lambda_handler
