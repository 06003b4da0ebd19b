"""Skill events (AlexaSkillEvent.*): they come without a session and get an empty response.

- SkillDisabled: the user's known reminders are cancelled (with the event's own apiAccessToken
  and apiEndpoint; when that fails, e.g. because the permission went with the skill, the data is
  deleted anyway) and the user's record is deleted (SPEC §6).
- SkillPermissionChanged / SkillPermissionAccepted: what the skill knows about the reminders
  permission is the consent token Alexa sends with every request, so nothing needs storing.
  When the reminders scope is no longer granted, the reminder records are deliberately kept:
  the reminders may still exist, and their alertTokens are the only way the skill can cancel
  them (or list them) once the user allows reminders again. A cancel without the permission
  takes the AskFor path. Nothing is written, so an event never creates a record for a user the
  skill has not stored.
- SkillAccountLinked, SkillEnabled and the rest are not used (the last-resort handler answers).

Logs never carry ids or tokens: only the event type and counts.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_request_type
from ask_sdk_model import Response

from backcare.handlers.common import Handler, SkillContext
from backcare.handlers.data import delete_everything
from backcare.handlers.reminders import REMINDERS_SCOPE
from backcare.persistence import user_data

log = logging.getLogger(__name__)

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"
PERMISSION_EVENTS = ("AlexaSkillEvent.SkillPermissionChanged", "AlexaSkillEvent.SkillPermissionAccepted")


def accepted_scopes(handler_input: HandlerInput) -> set[str]:
    """The permission scopes the event says the user has granted now."""
    body = getattr(handler_input.request_envelope.request, "body", None)
    scopes = set()
    for permission in (getattr(body, "accepted_permissions", None) or []):
        scope = getattr(permission, "scope", None)
        if scope:
            scopes.add(scope)
    return scopes


class SkillDisabledHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) == SKILL_DISABLED

    def handle(self, handler_input: HandlerInput) -> Response:
        deleted, known, gone, _ = delete_everything(handler_input)
        log.info("skill disabled: record deleted %s, reminders cancelled %d of %d", deleted, gone, known)
        return handler_input.response_builder.response


class PermissionEventHandler(Handler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return get_request_type(handler_input) in PERMISSION_EVENTS

    def handle(self, handler_input: HandlerInput) -> Response:
        granted = REMINDERS_SCOPE in accepted_scopes(handler_input)
        if granted:
            log.info("%s: reminders permission granted", get_request_type(handler_input))
        else:
            known = len(user_data.load(handler_input)["reminders"])
            log.info("%s: reminders permission not granted; %d reminder records kept for later cancelling",
                     get_request_type(handler_input), known)
        return handler_input.response_builder.response


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    return [SkillDisabledHandler(ctx), PermissionEventHandler(ctx)]
