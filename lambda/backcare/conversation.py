"""Where the user is in the conversation: the one typed object behind the session attributes.

Handlers read and write the session only through `Conversation`. It is loaded once per request
(`Conversation.load`) and saved once, after the handler (`save`), by the interceptors that
`build_skill` registers.

Rules kept here, in one place:
- The mode says what the skill is waiting for; each mode has exactly the fields it needs, and
  `validated` drops anything that does not fit it.
- Mode CHECK holds exactly when there is an unfinished triage state (`TriageState`); a finished
  one may stay after its outcome (a later symptom or "go back" builds on it).
- What cannot be trusted is never trusted: a session from another layout version, or a check
  whose state is corrupt, becomes `Mode.CHECK_LOST` when it was in a check (the check restarts
  from the top; a lost check could otherwise reassure) and `Mode.HOME` otherwise.

Pure module: no ASK imports.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, MutableMapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, NamedTuple

from backcare.triage import StateError, TriageState

log = logging.getLogger(__name__)

LAYOUT_VERSION = 2
# The longest "last response" kept for Repeat. Repeat says it again and keeps it in the session, so
# twice both texts must fit Alexa's 24 KB response; the skill's own answers are far shorter (60 s of speech).
_MAX_TEXT = 4000
# A pending reminder is a small flat record (`schedule.Schedule.to_dict()`, or the check-in's day);
# the session gives it back as it is, so anything bigger or deeper is not ours.
_MAX_PENDING = 2000
# The SSML elements Alexa speaks: Repeat says only what the skill could have said.
_SSML_ELEMENTS = frozenset({
    "p", "s", "break", "say-as", "sub", "phoneme", "prosody", "emphasis", "audio", "lang", "voice", "w", "mark",
    "amazon:effect", "amazon:domain", "amazon:emotion", "amazon:auto-breaths", "amazon:breath", "amazon:breaths"})


class Mode(StrEnum):
    HOME = "home"                          # nothing pending
    OFFER = "offer"                        # a yes/no offer is pending (`offers[0]`)
    CHECK = "check"                        # the red-flag check is running
    CHECK_LOST = "check_lost"              # a check whose state could not be read (never saved)
    TIPS = "tips"                          # a tip was read; "another?" is pending
    EXERCISE = "exercise"                  # in the exercise programme (`exercise`)
    REMINDER_CONFIRM = "reminder_confirm"  # "shall I set that?" (`pending_reminder`)
    CANCEL_CONFIRM = "cancel_confirm"      # "shall I cancel …?" (`pending_cancel`)
    DELETE_CONFIRM = "delete_confirm"      # "shall I delete your data?"
    CHECKIN = "checkin"                    # "better, about the same, or worse?"


class Offer(StrEnum):
    """What a yes to an offer starts (each handler area registers its action)."""

    CHECK = "check"
    TIPS = "tips"
    EXERCISES = "exercises"
    POSTURE_REMINDERS = "posture_reminders"
    CHECKIN_REMINDER = "checkin_reminder"
    NEXT_LEVEL = "next_level"


class TipsPlace(NamedTuple):  # small values: NamedTuples cost a tenth of a frozen dataclass at import
    topic: str
    heard: tuple[str, ...] = ()


class ExercisePhase(StrEnum):
    """What a session of the exercise programme waits for."""

    READY = "ready"    # the session was introduced: "ready to begin?" (it begins at `step`)
    DOING = "doing"    # set `part` of exercise `step` was guided: "say next when you're ready"
    RESUME = "resume"  # a pause from an earlier session: "shall we carry on from exercise `step`?"


class ExercisePlace(NamedTuple):
    """Position in a session of the exercise programme: exercise `step` of the level's plan,
    its set `part`; `paused` (in DOING) after "pause"; `easier` while the current exercise is
    done in its easier form."""

    level: int
    step: int
    paused: bool = False
    easier: bool = False
    phase: ExercisePhase = ExercisePhase.DOING
    part: int = 0


class LastResponse(NamedTuple):
    speech: str
    reprompt: str


@dataclass
class Conversation:
    """Where the session stands: its mode and the fields that mode needs (see the module docstring)."""

    mode: Mode = Mode.HOME
    offers: tuple[Offer, ...] = ()
    triage: TriageState | None = None
    tips: TipsPlace | None = None
    exercise: ExercisePlace | None = None
    pending_reminder: dict[str, Any] | None = None
    pending_cancel: str | None = None
    last: LastResponse | None = None
    # Not saved: facts about this request only.
    lost: bool = field(default=False, compare=False)

    # -- moving between places --------------------------------------------------------
    def go(self, mode: Mode, **fields: Any) -> None:
        """Move to `mode`, dropping every field that belonged to the previous place.

        The triage state is kept unless replaced (a finished check stays for later symptoms
        and corrections); `last` is kept for Repeat.
        """
        kept = {"triage": self.triage, "last": self.last}
        fresh = Conversation(mode=mode, **{**kept, **fields})
        self.__dict__.update(fresh.validated().__dict__)

    def home(self) -> None:
        self.go(Mode.HOME)

    def offer(self, offers: tuple[Offer, ...]) -> None:
        self.go(Mode.OFFER, offers=offers) if offers else self.go(Mode.HOME)

    def in_check(self, state: TriageState) -> None:
        """Save a check's state: CHECK while unfinished, a kept finished state otherwise."""
        if state.finished:
            self.go(Mode.HOME, triage=state)
        else:
            self.go(Mode.CHECK, triage=state)

    def leave_check(self) -> None:
        self.go(Mode.HOME, triage=None)

    @property
    def offered(self) -> Offer | None:
        return self.offers[0] if self.mode is Mode.OFFER and self.offers else None

    # -- consistency ------------------------------------------------------------------
    def validated(self) -> Conversation:
        """This conversation with every field that does not fit its mode dropped."""
        mode = self.mode
        needs = {
            Mode.OFFER: bool(self.offers),
            Mode.CHECK: self.triage is not None and not self.triage.finished,
            Mode.TIPS: self.tips is not None,
            Mode.EXERCISE: self.exercise is not None,
            Mode.REMINDER_CONFIRM: self.pending_reminder is not None,
            Mode.CANCEL_CONFIRM: self.pending_cancel is not None,
        }
        if not needs.get(mode, True):
            mode = Mode.CHECK_LOST if mode is Mode.CHECK else Mode.HOME
        triage = self.triage
        if triage is not None and not triage.finished and mode is not Mode.CHECK:
            triage = None  # an unfinished check lives only in mode CHECK
        return Conversation(
            mode=mode,
            offers=self.offers if mode is Mode.OFFER else (),
            triage=triage,
            tips=self.tips if mode is Mode.TIPS else None,
            exercise=self.exercise if mode is Mode.EXERCISE else None,
            pending_reminder=self.pending_reminder if mode is Mode.REMINDER_CONFIRM else None,
            pending_cancel=self.pending_cancel if mode is Mode.CANCEL_CONFIRM else None,
            last=self.last,
            lost=self.lost or mode is Mode.CHECK_LOST,
        )

    # -- the session ------------------------------------------------------------------
    @classmethod
    def load(cls, attributes: Mapping[str, Any] | None) -> Conversation:
        """The conversation saved in `attributes` (session attributes), validated."""
        attributes = attributes or {}
        was_checking = attributes.get("mode") == Mode.CHECK.value
        if attributes and attributes.get("v") != LAYOUT_VERSION:
            log.warning("dropping session attributes of layout %r", attributes.get("v"))
            return cls(mode=Mode.CHECK_LOST if was_checking else Mode.HOME, lost=was_checking)
        try:
            mode = Mode(attributes.get("mode", Mode.HOME.value))
        except ValueError:
            log.warning("dropping an unknown conversation mode")
            mode = Mode.HOME
        triage = None
        if attributes.get("triage") is not None:
            try:
                triage = TriageState.from_dict(attributes["triage"])
            except StateError as error:
                log.warning("dropping a triage state that cannot be trusted: %s", error)
        conversation = cls(
            mode=mode,
            offers=_offers(attributes.get("offers")),
            triage=triage,
            tips=_tips(attributes.get("tips")),
            exercise=_exercise(attributes.get("exercise")),
            pending_reminder=_pending_reminder(attributes.get("pending_reminder")),
            pending_cancel=_text(attributes.get("pending_cancel"), 20),
            last=_last(attributes.get("last")),
        ).validated()
        if conversation.mode is Mode.CHECK_LOST:
            log.warning("a check was running but its state could not be read; it restarts")
        return conversation

    def save(self, attributes: MutableMapping[str, Any]) -> None:
        """Write this conversation into `attributes` (replacing what was there)."""
        current = self.validated()
        attributes.clear()
        attributes["v"] = LAYOUT_VERSION
        mode = Mode.HOME if current.mode is Mode.CHECK_LOST else current.mode
        attributes["mode"] = mode.value
        if current.offers:
            attributes["offers"] = [o.value for o in current.offers]
        if current.triage is not None:
            attributes["triage"] = current.triage.to_dict()
        if current.tips is not None:
            attributes["tips"] = {"topic": current.tips.topic, "heard": list(current.tips.heard)}
        if current.exercise is not None:
            e = current.exercise
            attributes["exercise"] = {"level": e.level, "step": e.step, "paused": e.paused, "easier": e.easier,
                                      "phase": e.phase.value, "part": e.part}
        if current.pending_reminder is not None:
            attributes["pending_reminder"] = current.pending_reminder
        if current.pending_cancel is not None:
            attributes["pending_cancel"] = current.pending_cancel
        if current.last is not None:
            attributes["last"] = {"speech": current.last.speech, "reprompt": current.last.reprompt}

    def with_last(self, speech: str, reprompt: str) -> Conversation:
        return replace(self, last=LastResponse(speech, reprompt))


# -- readers: anything malformed reads as absent ----------------------------------------------


def _text(value: Any, limit: int) -> str | None:
    return value if isinstance(value, str) and 0 < len(value) <= limit else None


def _offers(value: Any) -> tuple[Offer, ...]:
    if not isinstance(value, list):
        return ()
    try:
        return tuple(Offer(item) for item in value[:8])
    except ValueError:
        return ()


def _tips(value: Any) -> TipsPlace | None:
    if not isinstance(value, dict) or _text(value.get("topic"), 40) is None:
        return None
    heard = value.get("heard")
    if not isinstance(heard, list) or not all(_text(item, 40) for item in heard):
        heard = []
    return TipsPlace(topic=value["topic"], heard=tuple(heard[:20]))


def _exercise(value: Any) -> ExercisePlace | None:
    if not isinstance(value, dict):
        return None
    level, step, part = value.get("level"), value.get("step"), value.get("part", 0)
    if any(type(number) is not int for number in (level, step, part)):
        return None
    if not 1 <= level <= 9 or not 0 <= step < 100 or not 0 <= part < 10:
        return None
    try:
        phase = ExercisePhase(value.get("phase", ExercisePhase.DOING.value))
    except ValueError:
        return None
    return ExercisePlace(level=level, step=step, paused=value.get("paused") is True,
                         easier=value.get("easier") is True, phase=phase, part=part)


def _pending_reminder(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, dict) or len(value) > 12:
        return None

    def flat(item: Any) -> bool:
        return item is None or isinstance(item, (str, int, float, bool))

    if not all(isinstance(key, str) and (flat(item) or (isinstance(item, list) and all(map(flat, item))))
               for key, item in value.items()):
        return None
    try:
        size = len(json.dumps(value, allow_nan=False))
    except ValueError:
        return None
    return value if size <= _MAX_PENDING else None


def _speakable(value: Any) -> str | None:
    """`value` if it is SSML Alexa would speak: a well-formed fragment of its elements, short enough."""
    text = _text(value, _MAX_TEXT)
    if text is None:
        return None
    from xml.parsers import expat  # only when a session carries a last response

    elements: list[str] = []
    parser = expat.ParserCreate()
    parser.StartElementHandler = lambda name, _attributes: elements.append(name)
    try:
        parser.Parse(f"<speak>{text}</speak>", True)
    except expat.ExpatError:
        return None
    return text if set(elements[1:]) <= _SSML_ELEMENTS else None


def _last(value: Any) -> LastResponse | None:
    if not isinstance(value, dict):
        return None
    speech, reprompt = _speakable(value.get("speech")), _speakable(value.get("reprompt"))
    return LastResponse(speech, reprompt or speech) if speech else None
