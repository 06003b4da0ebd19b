"""The guided stretch routine (SPEC §5): four stretches, one per turn, with holds as SSML breaks.

Where the user is lives in session attributes: mode "stretches" and
`stretch = {"step": index into STRETCHES, "paused": bool}`. While in the routine these handlers
answer Next, Yes, Pause, Resume, Repeat, Start over, Help, Stop, Cancel and No. A running
red-flag check still sees every intent first (its handlers are registered before these).
"""

from __future__ import annotations

import logging

from ask_sdk_model import Response

from backcare.config import Config
from backcare.content import Texts
from backcare.conversation import ExercisePlace, Mode, Offer
from backcare.handlers.base import Handler, SkillContext, Turn, ask, join, tell
from backcare.handlers.offers import offer

log = logging.getLogger(__name__)

STRETCHES: tuple[str, ...] = ("knee_rolls", "bottom_to_heels", "back_extensions", "pelvic_tilts")
# Repetitions guided per stretch, within SPEC §5's ranges (8-10, 8-10, 8-10, 10-15); the lower
# end, since the safety line asks newcomers to start with fewer.
REPETITIONS: dict[str, int] = {"knee_rolls": 8, "bottom_to_heels": 8, "back_extensions": 8, "pelvic_tilts": 10}
# Published file name of each audio asset the routine plays (see asset_url).
ASSET_FILES: dict[str, str] = {"chime": "chime.mp3"}


def _attribute(value: str) -> str:
    """Escape a value for a double-quoted SSML attribute (xml.sax.saxutils would cost a Lambda
    cold start ~30 ms: it imports urllib.request, http.client and ssl)."""
    return value.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;").replace(">", "&gt;")


def asset_url(config: Config, name: str) -> str | None:
    """The URL of audio asset `name`, or None when no audio is configured (AUDIO_BASE_URL).

    The one place that turns an asset name into a URL: if published names become
    content-hashed, look them up here (e.g. in the release manifest).
    """
    if not config.audio_base_url:
        return None
    return f"{config.audio_base_url.rstrip('/')}/{ASSET_FILES[name]}"


def audio_tag(config: Config, name: str) -> str:
    """`<audio src="..."/>` for asset `name`; empty when audio is not configured."""
    url = asset_url(config, name)
    return f'<audio src="{_attribute(url)}"/>' if url else ""


def stretch_speech(texts: Texts, step: int) -> str:
    """Everything said for one stretch: which one, how to start, then every repetition counted.

    Guiding each repetition (rather than one, then "do the rest on your own") keeps the user
    inside this one response: Alexa stops listening a few seconds after it ends.
    """
    name = STRETCHES[step]
    reps = REPETITIONS[name]
    counted = []
    for count in range(1, reps + 1):
        side = texts("stretch.side.left" if count % 2 else "stretch.side.right")
        how = texts(f"stretch.{name}.first" if count == 1 else f"stretch.{name}.rep", side=side)
        counted.append(join(texts("stretch.count", count=count), how))
    return join(
        texts("stretch.step", number=step + 1, total=len(STRETCHES), name=texts(f"stretch.{name}.name")),
        texts(f"stretch.{name}.how"),
        texts(f"stretch.{name}.plan", reps=reps),
        *counted,
        texts("stretch.set_done", reps=reps),
        texts("stretch.say_next"),
    )


def speak_stretch(turn: Turn, ctx: SkillContext, step: int, prefix: str = "", *, chime: bool = False) -> Response:
    """Guide stretch `step` and remember it as the current one (not paused)."""
    t = turn.t
    turn.conv.go(Mode.EXERCISE, exercise=ExercisePlace(level=1, step=step))
    cue = audio_tag(ctx.config, "chime") if chime else ""
    last = step == len(STRETCHES) - 1
    return ask(turn, join(prefix, cue, stretch_speech(t, step)),
               t("stretch.reprompt_last" if last else "stretch.reprompt"))


def start(turn: Turn, ctx: SkillContext, prefix: str = "") -> Response:
    """The routine from the top: what it is, the safety line, then the first stretch."""
    t = turn.t
    return speak_stretch(turn, ctx, 0, prefix=join(prefix, t("stretch.intro"), t("stretch.safety")))


def go_on(turn: Turn, ctx: SkillContext, step: int) -> Response:
    """After stretch `step`: the next one (a chime between them), or the end of the routine."""
    if step + 1 < len(STRETCHES):
        return speak_stretch(turn, ctx, step + 1, chime=True)
    turn.conv.home()
    return offer(turn, ctx, (Offer.POSTURE_REMINDERS,), prefix=turn.t("stretch.done"))


class StartStretchesHandler(Handler):
    """"Guide me through stretches": from the top."""

    intents = ("StartStretchesIntent", "StartExercisesIntent")

    def respond(self, turn: Turn) -> Response:
        return start(turn, self.ctx)


class _InRoutine(Handler):
    """A request in the routine; a lost place restarts the routine safely."""

    modes = (Mode.EXERCISE,)

    def respond(self, turn: Turn) -> Response:
        place = turn.conv.exercise
        if place is None or place.step >= len(STRETCHES):
            return speak_stretch(turn, self.ctx, 0, prefix=turn.t("stretch.lost_state"))
        return self.act(turn, place.step, place.paused)

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        raise NotImplementedError


class RestartRoutineHandler(_InRoutine):
    intents = ("StartStretchesIntent", "StartExercisesIntent", "AMAZON.StartOverIntent")

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        return speak_stretch(turn, self.ctx, 0, prefix=turn.t("stretch.restart"))


class NextHandler(_InRoutine):
    """Next, or yes to "ready for the next stretch?" (also from a pause)."""

    intents = ("AMAZON.NextIntent", "AMAZON.YesIntent", "SkipIntent")

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        return go_on(turn, self.ctx, step)


class PauseHandler(_InRoutine):
    intents = ("AMAZON.PauseIntent",)

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        turn.conv.go(Mode.EXERCISE, exercise=ExercisePlace(level=1, step=step, paused=True))
        return ask(turn, turn.t("stretch.paused"), turn.t("stretch.paused.reprompt"))


class ResumeHandler(_InRoutine):
    """After a pause: the stretch the user paused on, from its start. Otherwise "continue"
    (which Alexa also maps to Resume) after a stretch means the next one."""

    intents = ("AMAZON.ResumeIntent",)

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        if not paused:
            return go_on(turn, self.ctx, step)
        return speak_stretch(turn, self.ctx, step, prefix=turn.t("stretch.resumed"))


class HelpHandler(_InRoutine):
    """Help about the routine; the place (and a pause) are kept."""

    intents = ("AMAZON.HelpIntent",)

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        t = turn.t
        return ask(turn, t("stretch.help", number=step + 1, total=len(STRETCHES)), t("stretch.help.reprompt"))


class StopHandler(_InRoutine):
    """Stop, cancel, or no to "ready for the next stretch?": end politely."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NoIntent")

    def respond(self, turn: Turn) -> Response:  # ends even with a lost place
        turn.conv.home()
        return tell(turn, turn.t("stretch.stopped"))


class FallbackHandler(_InRoutine):
    """Something not understood in the routine: keep the place and say what works."""

    intents = ("AMAZON.FallbackIntent", "UnsureIntent", "EasierIntent")

    def act(self, turn: Turn, step: int, paused: bool) -> Response:
        t = turn.t
        unsure = turn.intent_name == "UnsureIntent"
        reprompt = t("stretch.paused.reprompt" if paused else "stretch.reprompt")
        return ask(turn, t("stretch.unsure" if unsure else "stretch.fallback"), reprompt)


def handlers(ctx: SkillContext) -> list[Handler]:
    ctx.offer_actions[Offer.EXERCISES] = lambda turn, prefix="": start(turn, ctx, prefix)
    return [StartStretchesHandler(ctx), RestartRoutineHandler(ctx), NextHandler(ctx), PauseHandler(ctx),
            ResumeHandler(ctx), HelpHandler(ctx), StopHandler(ctx), FallbackHandler(ctx)]
