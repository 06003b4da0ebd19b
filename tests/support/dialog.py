"""Drive the real `backcare dialog` command (typed lines → NLU → envelopes → lambda_handler) and
read its transcript the way the user reads it."""

from __future__ import annotations

from dataclasses import dataclass, field

from backcare.content import strip_ssml, texts
from support.nlu import run_backcare


@dataclass
class Turn:
    said: str
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.lines).split())

    @property
    def ended(self) -> bool:
        return "(session ended)" in self.lines

    @property
    def has_card(self) -> bool:
        return any(line.startswith("[card]") for line in self.lines)


def converse(lines: list[str], locale: str = "en-US", *extra: str, read_all: bool = True) -> list[Turn]:
    done = run_backcare("dialog", "--locale", locale, *extra, stdin="\n".join(lines) + "\n")
    assert done.returncode == 0, f"dialog failed: {done.stderr[-3000:]}"
    turns: list[Turn] = []
    for line in done.stdout.splitlines():
        if line.startswith("you> "):
            turns.append(Turn(line[5:]))
        elif turns:
            turns[-1].lines.append(line.strip())
    said = [line for line in lines if line.strip()]
    assert not read_all or [t.said for t in turns] == said, f"every line gets a turn: {done.stdout[-3000:]}"
    return turns


def plain(locale: str, key: str) -> str:
    """What the user reads for a content key: the spoken form (SSML stripped)."""
    return " ".join(strip_ssml(texts(locale).say(key)).split())


def spoken_emergency_number(locale: str) -> str:
    words = texts(locale)
    return strip_ssml(words.facts_speech.get("emergency", words.fact("emergency")))


def speech_of(turn: Turn) -> str:
    return " ".join(line.removeprefix("Alexa: ") for line in turn.lines if line.startswith("Alexa: "))


def segments(turns: list[Turn]) -> list[list[Turn]]:
    """The transcript cut into sessions (a session ends when the skill ends it)."""
    result, current = [], []
    for turn in turns:
        current.append(turn)
        if turn.ended:
            result.append(current)
            current = []
    if current:
        result.append(current)
    return result
