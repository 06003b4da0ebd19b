"""The graded exercise programme (SPEC §5), in four rooms: `programme` (the exercises and the
three levels, as data), `speech` (what one set sounds like), `progress` (the level and sessions
stored per user) and `handlers` (the conversation); `audio` makes the sound cues."""

from backcare.handlers.exercises.handlers import handlers

__all__ = ["handlers"]
