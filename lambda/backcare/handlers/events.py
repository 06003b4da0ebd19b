"""Skill events (AlexaSkillEvent.*): they come without a session and get an empty response.

- SkillDisabled: the user's known reminders (the check-in's too) are cancelled (with the event's own apiAccessToken
  and apiEndpoint; when that fails, e.g. because the permission went with the skill, the data is
  deleted anyway) and the user's record is deleted (SPEC §6). When the record could not be
  deleted (the store is down), the event fails (`EventNotProcessed` reaches Alexa as an error),
  so Alexa sends it again; a repeat finds less or nothing to do.
- SkillPermissionChanged / SkillPermissionAccepted: what the skill knows about the reminders
  permission is the consent token Alexa sends with every request, so nothing needs storing.
  When the reminders scope is no longer granted, the reminder records (and the check-in's) are kept:
  their alertTokens are the only way the skill can cancel them once the user allows reminders
  again. Nothing is written, so an event never creates a record.

Logs never carry ids or tokens: only the event type and counts.
"""

from __future__ import annotations

import logging

from ask_sdk_model import Response

from backcare.handlers.base import Handler, SkillContext, Turn, silent
from backcare.handlers.data import delete_everything
from backcare.handlers.reminders.permission import REMINDERS_SCOPE

log = logging.getLogger(__name__)

SKILL_DISABLED = "AlexaSkillEvent.SkillDisabled"
PERMISSION_EVENTS = ("AlexaSkillEvent.SkillPermissionChanged", "AlexaSkillEvent.SkillPermissionAccepted")


class EventNotProcessed(RuntimeError):
    """An event whose work could not be done; raised out of the Lambda so Alexa retries it."""


def accepted_scopes(turn: Turn) -> set[str]:
    """The permission scopes the event says the user has granted now."""
    body = getattr(turn.request, "body", None)
    return {scope for permission in (getattr(body, "accepted_permissions", None) or [])
            if (scope := getattr(permission, "scope", None))}


class SkillDisabledHandler(Handler):
    intents = (SKILL_DISABLED,)
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        done = delete_everything(turn.handler_input, only_if_readable=True)
        log.info("skill disabled: record deleted %s, reminders cancelled %d of %d",
                 done.record_deleted, done.reminders_gone, done.reminders_known)
        if not done.record_deleted:
            raise EventNotProcessed("the user's record could not be deleted; Alexa should retry")
        return silent(turn)


class PermissionEventHandler(Handler):
    intents = PERMISSION_EVENTS
    everywhere = True

    def respond(self, turn: Turn) -> Response:
        event = getattr(turn.request, "object_type", None)
        if REMINDERS_SCOPE in accepted_scopes(turn):
            log.info("%s: reminders permission granted", event)
        else:
            from backcare.persistence import user_data

            data = user_data.load(turn.handler_input)
            known = len(data["reminders"]) + (1 if data.get("checkin") else 0)
            log.info("%s: reminders permission not granted; %d reminder records kept for later cancelling",
                     event, known)
        return silent(turn)


def handlers(ctx: SkillContext) -> list[Handler]:
    return [SkillDisabledHandler(ctx), PermissionEventHandler(ctx)]
