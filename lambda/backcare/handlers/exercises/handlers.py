"""The exercise programme's conversation (SPEC §5): start a session at the user's level, guide
one set per turn, and answer next, repeat, skip, easier, pause, resume, help and stop.

Where the user is lives in `Conversation.exercise` (mode EXERCISE), in one of three phases:
READY ("ready to begin?" after the introduction and the safety line), DOING (a set was guided;
"say next when you're ready"; `paused` after "pause") and RESUME ("shall we carry on from
exercise N?" when an earlier session was paused). Repeat is the skill-wide replay of the last
response. "It hurts" (a complaint naming no red flag) stops the exercise and offers the check;
a red-flag symptom or an emergency is handled everywhere by handlers/symptoms.py.

The programme, its speech and the stored progress are imported by the functions that use them:
every handler here is built with the skill (routing needs their declarations), but a fresh
Lambda answering a turn outside the exercises never loads them (tests/deploy/test_cold_path.py).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from ask_sdk_model import Response

from backcare.conversation import ExercisePhase, ExercisePlace, Mode, Offer
from backcare.handlers.base import COMPLAINT, Handler, SkillContext, Turn, ask, join, tell
from backcare.handlers.exercises.audio import CHIME, DONE, audio_tag
from backcare.handlers.offers import offer

if TYPE_CHECKING:
    from backcare.handlers.exercises.programme import Level

log = logging.getLogger(__name__)

INTRO, INTRO_STRETCHES = "exercise.intro", "exercise.intro.stretches"
SAFETY_FIRST, SAFETY = "exercise.safety.first", "exercise.safety"
READY, READY_REPROMPT = "exercise.ready", "exercise.ready.reprompt"
REPROMPT = "exercise.reprompt"
PAUSED_REPROMPT = "exercise.paused.reprompt"
RESUME_OFFER, RESUME_REPROMPT = "exercise.resume.offer", "exercise.resume.reprompt"
RESUMED = "exercise.resumed"
RESTART = "exercise.restart"
FRESH = "exercise.resume.fresh"
WAIT = "exercise.wait"
STOPPED = "exercise.stopped"
HELP_REPROMPT = "exercise.help.reprompt"
EASIER_ALREADY = "exercise.easier.already"


# -- moving through a session ------------------------------------------------------------------


def start(turn: Turn, ctx: SkillContext, prefix: str = "", *, stretches: bool = False) -> Response:
    """A session at the user's level: the offer to carry on after a kept pause, otherwise the
    introduction, the safety line and "ready to begin?". `stretches`: asked for the stretches
    (StartStretchesIntent), which begin the programme; a kept pause is not offered then."""
    from backcare.handlers.exercises import progress
    from backcare.handlers.exercises.programme import Part, level_plan
    from backcare.handlers.exercises.speech import exercise_name

    t = turn.t
    stored = progress.read(turn.handler_input)
    level = level_plan(stored.level)
    if not stretches and stored.paused_at is not None and stored.paused_at < level.count:
        step = stored.paused_at
        turn.conv.go(Mode.EXERCISE, exercise=ExercisePlace(level=level.number, step=step,
                                                           phase=ExercisePhase.RESUME))
        return ask(turn, join(prefix, t(RESUME_OFFER, number=step + 1, total=level.count,
                                        name=exercise_name(t, level, step))), t(RESUME_REPROMPT))
    intro = t(INTRO_STRETCHES if stretches else INTRO, level=level.number, minutes=level.minutes,
              mobility=level.count_of(Part.MOBILITY), strength=level.count_of(Part.STRENGTH))
    safety = t(SAFETY_FIRST if stored.first_session else SAFETY)
    turn.conv.go(Mode.EXERCISE, exercise=ExercisePlace(level=level.number, step=0, phase=ExercisePhase.READY))
    return ask(turn, join(prefix, intro, safety, t(READY)), t(READY_REPROMPT))


def guide(turn: Turn, ctx: SkillContext, level: Level, step: int, part: int = 0, *, prefix: str = "",
          chime: bool = False, easier: bool = False, announce_easier: bool = False) -> Response:
    """Guide set `part` of exercise `step` and remember it as the current one (not paused)."""
    from backcare.handlers.exercises.speech import set_speech

    turn.conv.go(Mode.EXERCISE, exercise=ExercisePlace(level=level.number, step=step, part=part, easier=easier))
    cue = audio_tag(ctx.config, CHIME) if chime else ""
    speech = set_speech(turn.t, level, step, part, easier=easier, announce_easier=announce_easier)
    return ask(turn, join(prefix, cue, speech), turn.t(REPROMPT))


def next_exercise(turn: Turn, ctx: SkillContext, level: Level, step: int, prefix: str = "") -> Response:
    """Exercise `step` (a chime before it), or the walking goal and the end of the session."""
    if step < level.count:
        return guide(turn, ctx, level, step, prefix=prefix, chime=True)
    return finish(turn, ctx, level, prefix)


def go_on(turn: Turn, ctx: SkillContext, level: Level, place: ExercisePlace) -> Response:
    """After a set: the next set of the same exercise, or the next exercise."""
    if place.part + 1 < level.doses[place.step].sets:
        return guide(turn, ctx, level, place.step, place.part + 1, easier=place.easier)
    return next_exercise(turn, ctx, level, place.step + 1)


def finish(turn: Turn, ctx: SkillContext, level: Level, prefix: str = "") -> Response:
    """The walking goal, well done, the session counted; the next level offered every three
    completed sessions (never raised without a yes)."""
    from backcare.handlers.exercises import progress
    from backcare.handlers.exercises.programme import SESSIONS_PER_LEVEL, TOP_LEVEL

    t = turn.t
    saved, sessions = progress.complete_session(turn.handler_input, level.number)
    log.info("exercise session completed at level %d; saved: %s", level.number, saved)
    speech = join(prefix, audio_tag(ctx.config, CHIME), t("exercise.walk", minutes=level.walk_minutes),
                  audio_tag(ctx.config, DONE), t("exercise.done"))
    if not saved:
        speech = join(speech, t("exercise.not_saved"))
    elif level.number < TOP_LEVEL and sessions % SESSIONS_PER_LEVEL == 0:
        return offer(turn, ctx, (Offer.NEXT_LEVEL,), prefix=speech)
    turn.conv.home()
    return tell(turn, join(speech, t("exercise.goodbye")))


def move_up(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    """Yes to the next level: stored for the next session."""
    from backcare.handlers.exercises import progress
    from backcare.handlers.exercises.programme import TOP_LEVEL

    t = turn.t
    turn.conv.home()
    if progress.read(turn.handler_input).level >= TOP_LEVEL:
        return tell(turn, join(prefix, t("exercise.level_up.top")))
    saved, level = progress.raise_level(turn.handler_input)
    log.info("exercise level raised: saved %s", saved)
    if not saved:
        return tell(turn, join(prefix, t("exercise.level_up.not_saved")))
    return tell(turn, join(prefix, t("exercise.level_up", level=level)))


def stop(turn: Turn, place: ExercisePlace | None) -> Response:
    """Stop: a pause stays kept for next time when the user stops while paused (or when asked
    to carry on from one); stopping a running session forgets any older pause."""
    from backcare.handlers.exercises import progress

    t = turn.t
    turn.conv.home()
    if place is not None and (place.paused or place.phase is ExercisePhase.RESUME):
        if progress.read(turn.handler_input).paused_at is not None:
            return tell(turn, t("exercise.stopped.kept"))
        return tell(turn, t(STOPPED))
    progress.forget_pause(turn.handler_input)
    return tell(turn, t(STOPPED))


def forget_pause(turn: Turn) -> None:
    """The user chose not to carry on from a kept pause: it is not offered again."""
    from backcare.handlers.exercises import progress

    progress.forget_pause(turn.handler_input)


def hurts(turn: Turn, ctx: SkillContext) -> Response:
    """"It hurts when I do that": stop, what to do, and the offer of the check (SPEC §3)."""
    log.info("exercise stopped: the user said it hurts")
    turn.conv.home()
    return offer(turn, ctx, (Offer.CHECK,), prefix=turn.t("exercise.hurts"))


# -- handlers ------------------------------------------------------------------------------------


class StartExercisesHandler(Handler):
    """"Let's do my exercises" (or "guide me through stretches") outside a session."""

    intents = ("StartExercisesIntent", "StartStretchesIntent")

    def respond(self, turn: Turn) -> Response:
        return start(turn, self.ctx, stretches=turn.intent_name == "StartStretchesIntent")


class _InSession(Handler):
    """A request in a session; a place that does not fit the level's plan restarts the session
    at its first exercise (never silently somewhere else)."""

    modes = (Mode.EXERCISE,)

    def respond(self, turn: Turn) -> Response:
        from backcare.handlers.exercises import progress
        from backcare.handlers.exercises.programme import LEVELS, level_plan

        place = turn.conv.exercise
        level = LEVELS.get(place.level) if place is not None else None
        if place is None or level is None or place.step >= level.count or place.part >= level.doses[place.step].sets:
            log.warning("an exercise place that does not fit the plan; starting the session again")
            level = level or level_plan(progress.read(turn.handler_input).level)
            return guide(turn, self.ctx, level, 0, prefix=turn.t("exercise.lost_state"))
        if place.phase is ExercisePhase.READY:
            return self.ready(turn, level, place)
        if place.phase is ExercisePhase.RESUME:
            return self.resume_offered(turn, level, place)
        return self.doing(turn, level, place)

    # What each phase does by default: READY and RESUME take a go-ahead; DOING goes on.
    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return guide(turn, self.ctx, level, place.step)

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        forget_pause(turn)
        return guide(turn, self.ctx, level, place.step, prefix=turn.t(RESUMED))

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return go_on(turn, self.ctx, level, place)


class NextHandler(_InSession):
    """Next, or yes to "ready?" / "carry on?"; also from a pause."""

    intents = ("AMAZON.NextIntent", "AMAZON.YesIntent")


class ResumeHandler(_InSession):
    """After a pause: the set the user paused on, from its start. Otherwise "continue" (which
    Alexa also maps to Resume) after a set means going on."""

    intents = ("AMAZON.ResumeIntent", "StartExercisesIntent")

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        if place.paused:
            return guide(turn, self.ctx, level, place.step, place.part, easier=place.easier,
                         prefix=turn.t(RESUMED))
        if turn.intent_name == "StartExercisesIntent":  # already in one: this set again
            return guide(turn, self.ctx, level, place.step, place.part, easier=place.easier)
        return go_on(turn, self.ctx, level, place)


class SkipHandler(_InSession):
    """Skip: leave out the rest of this exercise (the chime says we moved on)."""

    intents = ("SkipIntent",)

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return next_exercise(turn, self.ctx, level, place.step + 1)

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        forget_pause(turn)
        return next_exercise(turn, self.ctx, level, place.step + 1)

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return next_exercise(turn, self.ctx, level, place.step + 1)


class EasierHandler(_InSession):
    """Easier: this set again in the exercise's easier form (kept for its remaining sets)."""

    intents = ("EasierIntent",)

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return guide(turn, self.ctx, level, place.step, easier=True, announce_easier=True)

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        forget_pause(turn)
        return guide(turn, self.ctx, level, place.step, easier=True, announce_easier=True)

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        if place.easier:
            turn.conv.go(Mode.EXERCISE, exercise=place._replace(paused=False))
            return ask(turn, turn.t(EASIER_ALREADY), turn.t(REPROMPT))
        return guide(turn, self.ctx, level, place.step, place.part, easier=True, announce_easier=True)


class PauseHandler(_InSession):
    """Pause: the place is kept in the session and, for a later session, in the user's data."""

    intents = ("AMAZON.PauseIntent",)

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t(WAIT), turn.t(READY_REPROMPT))

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t(RESUME_REPROMPT), turn.t(RESUME_REPROMPT))

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        t = turn.t
        turn.conv.go(Mode.EXERCISE, exercise=place._replace(paused=True))
        from backcare.handlers.exercises import progress

        kept = progress.keep_pause(turn.handler_input, level.number, place.step)
        return ask(turn, join(t("exercise.paused"), t("exercise.paused.kept") if kept else ""), t(PAUSED_REPROMPT))


class NoHandler(_InSession):
    """No: to "ready?", not now; to "carry on?", from the beginning; during a set, take your time."""

    intents = ("AMAZON.NoIntent",)

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        turn.conv.home()
        return tell(turn, turn.t("exercise.not_now"))

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        forget_pause(turn)
        return guide(turn, self.ctx, level, 0, prefix=turn.t(FRESH))

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t(WAIT), turn.t(PAUSED_REPROMPT if place.paused else REPROMPT))


class RestartHandler(_InSession):
    """Start over, or "guide me through stretches" (the stretches begin the programme): the
    first exercise again."""

    intents = ("AMAZON.StartOverIntent", "StartStretchesIntent")

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return guide(turn, self.ctx, level, 0)

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        forget_pause(turn)
        return guide(turn, self.ctx, level, 0, prefix=turn.t(FRESH))

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return guide(turn, self.ctx, level, 0, prefix=turn.t(RESTART))


class HelpHandler(_InSession):
    """Help about where the user is; the place (and a pause) are kept."""

    intents = ("AMAZON.HelpIntent",)

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t("exercise.help.ready"), turn.t(READY_REPROMPT))

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t("exercise.help.resume"), turn.t(RESUME_REPROMPT))

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        from backcare.handlers.exercises.speech import exercise_name

        t = turn.t
        return ask(turn, t("exercise.help", number=place.step + 1, total=level.count,
                           name=exercise_name(t, level, place.step)), t(HELP_REPROMPT))


class FallbackHandler(_InSession):
    """Something not understood, or "not sure": keep the place and say what works."""

    intents = ("AMAZON.FallbackIntent", "UnsureIntent")

    def ready(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t(READY_REPROMPT), turn.t(READY_REPROMPT))

    def resume_offered(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        return ask(turn, turn.t(RESUME_REPROMPT), turn.t(RESUME_REPROMPT))

    def doing(self, turn: Turn, level: Level, place: ExercisePlace) -> Response:
        t = turn.t
        key = WAIT if turn.intent_name == "UnsureIntent" else "exercise.fallback"
        return ask(turn, t(key), t(PAUSED_REPROMPT if place.paused else REPROMPT))


class StopHandler(Handler):
    """Stop or cancel: end politely (even with a lost place)."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent")
    modes = (Mode.EXERCISE,)

    def respond(self, turn: Turn) -> Response:
        return stop(turn, turn.conv.exercise)


class HurtsHandler(Handler):
    """"It hurts when I do that", "that made it worse" during a session."""

    intents = (COMPLAINT,)
    modes = (Mode.EXERCISE,)

    def respond(self, turn: Turn) -> Response:
        return hurts(turn, self.ctx)


def handlers(ctx: SkillContext) -> list[Handler]:
    ctx.offer_actions[Offer.EXERCISES] = lambda turn, prefix="": start(turn, ctx, prefix)
    ctx.offer_actions[Offer.NEXT_LEVEL] = lambda turn, prefix="": move_up(turn, ctx, prefix)
    return [StartExercisesHandler(ctx), NextHandler(ctx), ResumeHandler(ctx), SkipHandler(ctx),
            EasierHandler(ctx), PauseHandler(ctx), NoHandler(ctx), RestartHandler(ctx), HelpHandler(ctx),
            FallbackHandler(ctx), StopHandler(ctx), HurtsHandler(ctx)]
