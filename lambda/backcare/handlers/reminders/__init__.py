"""Posture-break and stretch reminders (SPEC §5), in four rooms: `speech` (how schedules are
said), `permission` (the AskFor protocol), `actions` (set, cancel, list; shared with data and
events) and `handlers` (thin intent handlers)."""

from backcare.handlers.reminders.handlers import handlers

__all__ = ["handlers"]
