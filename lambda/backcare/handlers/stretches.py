"""The guided stretch routine (SPEC §5): four stretches, one per turn, with holds as SSML breaks.

Where the user is lives in session attributes: mode "stretches" and
`stretch = {"step": index into STRETCHES, "paused": bool}`. While in the routine these handlers
answer Next, Yes, Pause, Resume, Repeat, Start over, Help, Stop, Cancel and No. A running
red-flag check still sees every intent first (its handlers are registered before these).
"""

from __future__ import annotations

import logging
from typing import ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backcare.config import Config
from backcare.content import Texts
from backcare.handlers.common import Handler, SkillContext, in_mode, is_intent, join, offer, reply, session, set_mode, t

log = logging.getLogger(__name__)

MODE = "stretches"
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


def speak_stretch(
    handler_input: HandlerInput, ctx: SkillContext, step: int, prefix: str = "", *, chime: bool = False
) -> Response:
    """Guide stretch `step` and remember it as the current one (not paused)."""
    texts = t(handler_input)
    set_mode(handler_input, MODE, stretch={"step": step, "paused": False})
    cue = audio_tag(ctx.config, "chime") if chime else ""
    last = step == len(STRETCHES) - 1
    return reply(
        handler_input,
        join(prefix, cue, stretch_speech(texts, step)),
        reprompt=texts("stretch.reprompt_last" if last else "stretch.reprompt"),
    )


def start(handler_input: HandlerInput, ctx: SkillContext, prefix: str = "") -> Response:
    """The routine from the top: what it is, the safety line, then the first stretch."""
    texts = t(handler_input)
    return speak_stretch(handler_input, ctx, 0, prefix=join(prefix, texts("stretch.intro"), texts("stretch.safety")))


def go_on(handler_input: HandlerInput, ctx: SkillContext, step: int) -> Response:
    """After stretch `step`: the next one (a chime between them), or the end of the routine."""
    if step + 1 < len(STRETCHES):
        return speak_stretch(handler_input, ctx, step + 1, chime=True)
    set_mode(handler_input, None)  # the routine is over, whether or not an offer follows
    return offer(handler_input, ctx, "reminders", prefix=t(handler_input)("stretch.done"))


def place(handler_input: HandlerInput) -> tuple[int, bool] | None:
    """(current step, paused) from the session, or None if missing or unreadable."""
    raw = session(handler_input).get("stretch")
    if not isinstance(raw, dict):
        return None
    step = raw.get("step")
    if isinstance(step, bool) or not isinstance(step, int) or not 0 <= step < len(STRETCHES):
        return None
    return step, bool(raw.get("paused"))


class StartStretchesHandler(Handler):
    """"Guide me through stretches": from the top (a first-time one-shot hears the disclaimer)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return is_intent("StartStretchesIntent")(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        if in_mode(MODE)(handler_input):
            return speak_stretch(handler_input, self.ctx, 0, prefix=t(handler_input)("stretch.restart"))
        from backcare.handlers.launch import opening

        return start(handler_input, self.ctx, prefix=opening(handler_input))


class _InRoutine(Handler):
    """A request in the routine; a lost or unreadable place restarts the routine safely."""

    intents: ClassVar[tuple[str, ...]] = ()

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return in_mode(MODE)(handler_input) and is_intent(*self.intents)(handler_input)

    def handle(self, handler_input: HandlerInput) -> Response:
        where = place(handler_input)
        if where is None:
            log.warning("unreadable stretch place in the session; restarting the routine")
            return speak_stretch(handler_input, self.ctx, 0, prefix=t(handler_input)("stretch.lost_state"))
        return self.act(handler_input, *where)

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        raise NotImplementedError


class NextHandler(_InRoutine):
    """Next, or yes to "ready for the next stretch?" (also from a pause)."""

    intents = ("AMAZON.NextIntent", "AMAZON.YesIntent")

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        return go_on(handler_input, self.ctx, step)


class PauseHandler(_InRoutine):
    intents = ("AMAZON.PauseIntent",)

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        texts = t(handler_input)
        set_mode(handler_input, MODE, stretch={"step": step, "paused": True})
        return reply(handler_input, texts("stretch.paused"), reprompt=texts("stretch.paused.reprompt"))


class ResumeHandler(_InRoutine):
    """After a pause: the stretch the user paused on, from its start. Otherwise "continue"
    (which Alexa also maps to Resume) after a stretch means the next one."""

    intents = ("AMAZON.ResumeIntent",)

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        if not paused:
            return go_on(handler_input, self.ctx, step)
        return speak_stretch(handler_input, self.ctx, step, prefix=t(handler_input)("stretch.resumed"))


class RepeatHandler(_InRoutine):
    intents = ("AMAZON.RepeatIntent",)

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        return speak_stretch(handler_input, self.ctx, step, prefix=t(handler_input)("stretch.repeat"))


class StartOverHandler(_InRoutine):
    intents = ("AMAZON.StartOverIntent",)

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        return speak_stretch(handler_input, self.ctx, 0, prefix=t(handler_input)("stretch.restart"))


class HelpHandler(_InRoutine):
    """Help about the routine; the place (and a pause) are kept."""

    intents = ("AMAZON.HelpIntent",)

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        texts = t(handler_input)
        speech = texts("stretch.help", number=step + 1, total=len(STRETCHES))
        return reply(handler_input, speech, reprompt=texts("stretch.help.reprompt"))


class StopHandler(_InRoutine):
    """Stop, cancel, or no to "ready for the next stretch?": end politely."""

    intents = ("AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NoIntent")

    def handle(self, handler_input: HandlerInput) -> Response:  # ends even with a lost place
        set_mode(handler_input, None)
        return reply(handler_input, t(handler_input)("stretch.stopped"), end=True)


class FallbackHandler(_InRoutine):
    """Something not understood in the routine: keep the place and say what works."""

    intents = ("AMAZON.FallbackIntent", "UnsureIntent")

    def act(self, handler_input: HandlerInput, step: int, paused: bool) -> Response:
        texts = t(handler_input)
        unsure = is_intent("UnsureIntent")(handler_input)
        reprompt = texts("stretch.paused.reprompt" if paused else "stretch.reprompt")
        return reply(handler_input, texts("stretch.unsure" if unsure else "stretch.fallback"), reprompt=reprompt)


def handlers(ctx: SkillContext) -> list[AbstractRequestHandler]:
    ctx.offer_actions["stretches"] = lambda handler_input, prefix="": start(handler_input, ctx, prefix)
    return [
        StartStretchesHandler(ctx),
        NextHandler(ctx),
        PauseHandler(ctx),
        ResumeHandler(ctx),
        RepeatHandler(ctx),
        StartOverHandler(ctx),
        HelpHandler(ctx),
        StopHandler(ctx),
        FallbackHandler(ctx),
    ]
