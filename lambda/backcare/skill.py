"""build_skill(config): the one place that wires handlers, interceptors, the store and API clients."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from ask_sdk_core.attributes_manager import AbstractPersistenceAdapter
from ask_sdk_core.exceptions import AskSdkException
from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import CustomSkillBuilder
from ask_sdk_model import RequestEnvelope
from ask_sdk_model.services import ApiClient

from backcare.config import Config
from backcare.content import normalize_locale, texts
from backcare.deadline import DeadlineInterceptor
from backcare.handlers import (
    builtins,
    can_fulfill,
    check,
    checkin,
    data,
    errors,
    events,
    exercises,
    info,
    launch,
    offers,
    reminders,
    symptoms,
    tips,
)
from backcare.handlers.base import Router, SkillContext
from backcare.handlers.errors import GENERIC_ERROR
from backcare.handlers.events import EventNotProcessed
from backcare.handlers.interceptors import FinishInterceptor, TurnInterceptor

log = logging.getLogger(__name__)

MAX_ECHOED_ATTRIBUTES = 16_000  # characters: the whole response must stay within Alexa's 24 KB

# Every handler area. Their order does not matter: each handler declares where it applies and
# the Router refuses two handlers for one place (see handlers/base.py and docs/routing.md).
AREAS = (symptoms, check, checkin, offers, launch, tips, info, exercises, reminders, data, events, can_fulfill,
         builtins)


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
    ctx = SkillContext(config=config, clock=clock or (lambda: datetime.now(UTC)))
    request_handlers = [handler for area in AREAS for handler in area.handlers(ctx)]
    ctx.router = Router(request_handlers)

    builder = CustomSkillBuilder(persistence_adapter=persistence_adapter, api_client=api_client)
    builder.skill_id = config.skill_id
    for handler in request_handlers:
        builder.add_request_handler(handler)
    for handler in errors.handlers(ctx):
        builder.add_exception_handler(handler)
    builder.add_global_request_interceptor(DeadlineInterceptor.from_config(config))  # first: the budget starts now
    builder.add_global_request_interceptor(TurnInterceptor())
    builder.add_global_response_interceptor(FinishInterceptor())
    return builder.create()


# The generic "error.generic" (en.json) as a constant: what the fallback says if even the texts fail.
LAST_RESORT_SPEECH = ("Sorry, something went wrong on my side. If this could be an emergency, call your local "
                      "emergency number now. Otherwise, please try again.")


def _safe_response(event: Any) -> dict[str, Any]:
    """The answer to an envelope the SDK cannot even read: still speak safe advice. Never raises."""
    try:
        locale = None
        if isinstance(event, dict) and isinstance(event.get("request"), dict):
            locale = event["request"].get("locale")
        # normalize_locale takes anything: an unreadable locale gets the generic texts.
        speech = texts(normalize_locale(locale if isinstance(locale, str) else None))(GENERIC_ERROR)
    except Exception:
        speech = LAST_RESORT_SPEECH
    return {
        "version": "1.0",
        "response": {
            "outputSpeech": {"type": "SSML", "ssml": f"<speak>{speech}</speak>"},
            "shouldEndSession": True,
        },
    }


def _silent_response(event: Any) -> dict[str, Any]:
    """An empty answer that hands the session's attributes back unchanged (they are validated
    again on the next request), so a check in progress carries on."""
    response: dict[str, Any] = {"version": "1.0", "response": {}}
    session = event.get("session") if isinstance(event, dict) else None
    attributes = session.get("attributes") if isinstance(session, dict) else None
    if isinstance(attributes, dict):
        try:
            if len(json.dumps(attributes)) <= MAX_ECHOED_ATTRIBUTES:
                response["sessionAttributes"] = attributes
        except (TypeError, ValueError):
            pass
    return response


def _request_type(event: Any) -> str | None:
    request = event.get("request") if isinstance(event, dict) else None
    request_type = request.get("type") if isinstance(request, dict) else None
    return request_type if isinstance(request_type, str) else None


def _application_id(envelope: RequestEnvelope) -> str | None:
    system = getattr(envelope.context, "system", None)
    return getattr(getattr(system, "application", None), "application_id", None)


def make_lambda_handler(skill: CustomSkill) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """Like the SDK's SkillBuilder.lambda_handler, but nothing escapes except a refusal:
    an unreadable envelope or a failure outside the handlers still gets a safe spoken answer,
    while a request for another skill id (or one that cannot show its id) is refused, as the
    SDK does, by raising."""
    serializer = skill.serializer
    from ask_sdk_model import Request

    known_types = frozenset(Request.discriminator_value_class_map)

    def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        request_type = _request_type(event)
        if request_type is not None and request_type not in known_types:
            # A platform request newer than the SDK's model: nothing to say, and a check in
            # progress must not be ended by it.
            log.warning("request type unknown to the SDK model: %.60s", request_type)
            return _silent_response(event)
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
        except EventNotProcessed:
            raise  # Alexa retries an event that fails
        except Exception as error:
            log.error("failure outside the handlers: %s", type(error).__name__, exc_info=error)
            return _safe_response(event)

    return lambda_handler
