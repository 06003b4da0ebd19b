"""Drive the real Lambda entry point with real envelopes, and read responses as a user would."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from backcare.content import strip_ssml, texts
from backcare_tools import envelopes as env
from backcare_tools.invoke import load_lambda_handler

_BREAK = re.compile(r'<break\s+time="(\d+(?:\.\d+)?)(ms|s)"\s*/>')


@dataclass
class Reply:
    """One response envelope, with what the user hears and sees."""

    raw: dict[str, Any]

    @property
    def body(self) -> dict[str, Any]:
        return self.raw.get("response") or {}

    @property
    def ssml(self) -> str:
        speech = self.body.get("outputSpeech") or {}
        return speech.get("ssml") or speech.get("text") or ""

    @property
    def speech(self) -> str:
        return strip_ssml(self.ssml)

    @property
    def reprompt(self) -> str:
        speech = (self.body.get("reprompt") or {}).get("outputSpeech") or {}
        return strip_ssml(speech.get("ssml") or speech.get("text") or "")

    @property
    def ends_session(self) -> bool | None:
        return self.body.get("shouldEndSession")

    @property
    def card(self) -> dict[str, Any] | None:
        return self.body.get("card")

    @property
    def directives(self) -> list[dict[str, Any]]:
        return self.body.get("directives") or []

    @property
    def attributes(self) -> dict[str, Any]:
        return self.raw.get("sessionAttributes") or {}

    @property
    def mode(self) -> str | None:
        """Where the conversation stands after this reply (`Conversation.mode` in the runtime)."""
        return self.attributes.get("mode")

    @property
    def offers(self) -> list[str]:
        """The yes/no offers pending after this reply, the one asked first."""
        return list(self.attributes.get("offers") or [])

    def __str__(self) -> str:
        return f"speech={self.speech!r} reprompt={self.reprompt!r} end={self.ends_session} card={self.card}"


@dataclass
class Conversation:
    """A user talking to the skill through lambda_handler, one session at a time."""

    locale: str = "en-US"
    user_id: str = "amzn1.ask.account.TESTUSER"
    handler: Any = None
    session: env.Session = field(init=False)
    history: list[Reply] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.handler = self.handler or load_lambda_handler()
        self.session = env.Session(device=env.Device(locale=self.locale, user_id=self.user_id))

    def send(self, request: dict[str, Any]) -> Reply:
        reply = Reply(self.handler(self.session.envelope(request), None))
        self.history.append(reply)
        if reply.ends_session:
            self.session = env.Session(device=self.session.device)
        else:
            self.session.absorb(reply.raw)
        return reply

    def launch(self) -> Reply:
        return self.send(env.launch_request())

    def say(self, intent: str, slots: dict[str, Any] | None = None) -> Reply:
        return self.send(env.intent_request(intent, slots))

    def yes(self) -> Reply:
        return self.say("AMAZON.YesIntent")

    def no(self) -> Reply:
        return self.say("AMAZON.NoIntent")

    def unsure(self) -> Reply:
        return self.say("UnsureIntent")

    def end_session(self, reason: str = "USER_INITIATED") -> Reply:
        return self.send(env.session_ended_request(reason))

    def new_session(self) -> None:
        """The user comes back later: a new session on the same device (the store remembers them)."""
        self.session = env.Session(device=self.session.device)

    def first_visit_over(self) -> Conversation:
        """Open the skill and stop, as a first-time user would, so the disclaimer has been heard;
        the next request starts a returning user's session."""
        disclaimer = said("launch.disclaimer", self.locale)
        opened = self.launch()
        assert disclaimer in opened.speech, f"a first launch should say the disclaimer: {opened}"
        self.say("AMAZON.StopIntent")
        self.new_session()
        return self


def said(key: str, locale: str = "en-US", **fields: Any) -> str:
    """What the user hears for content key `key` (SSML stripped), for comparing with a reply."""
    return strip_ssml(texts(locale)(key, **fields))


def break_seconds(ssml: str) -> list[float]:
    return [float(n) / (1000 if unit == "ms" else 1) for n, unit in _BREAK.findall(ssml)]
