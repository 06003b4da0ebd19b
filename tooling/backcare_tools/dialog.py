"""`backcare dialog`: talk to the skill as you would to an Echo, in a terminal or through a pipe.

Each line you type goes through the local NLU (the deployed interaction model), becomes a real
request envelope (session, attributes, ids, timestamp, locale, user, device, apiEndpoint) and
runs through the Lambda entry point (lambda/lambda_function.py). What Alexa would say is printed
as plain text with the reprompt and the card; the session ends when the skill ends it, and a new
one starts only with "open back care coach" or a one-shot ("ask back care coach to ...").

The local Alexa services emulator (Reminders and Settings APIs) runs alongside on 127.0.0.1 with
an emulated clock that starts at midday today in the device's time zone; `:clock +2h` moves that
clock and shows the reminders that go off (`:clock +14d` after setting the two-week check-in: it
goes off at 10 AM on its day, and the next "open back care coach" asks how your back is).
Lines that start with ':' are commands; `:help` lists them. Local tooling only.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TextIO

from backcare_tools import envelopes as env
from backcare_tools.clock import EmulatedClock
from backcare_tools.nlu import LAUNCH, LOCALES, Nlu, load_nlu

TIME_ZONES = {"en-US": "America/New_York", "en-CA": "America/Toronto", "en-GB": "Europe/London",
              "en-AU": "Australia/Sydney", "en-IN": "Asia/Kolkata"}
ASK_FOR = ("Connections.SendRequest", "AskFor")
COMMANDS_HELP = """commands:
  :help                     this list
  :quit                     leave (also Ctrl-D)
  :clock                    show the emulated time
  :clock +2h                move the emulated clock (m, h, d, w; e.g. +30m, +1d, +1d2h) and show reminders that fire
  :permission grant|deny    grant or withdraw the reminders permission (as in the Alexa app)
  :reminders                the reminders the emulator holds for you
  :disable                  disable the skill (as in the Alexa app): the skill forgets you
  :silence                  say nothing (Alexa reprompts, then closes the session)
  :state                    show the session attributes the skill carries"""
_DELTA = re.compile(r"(\d+)\s*(w|d|h|m)")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes"}


def parse_delta(text: str) -> timedelta | None:
    """'+2h' -> 2 hours, '+1d30m' -> 1 day 30 minutes; None if it does not parse."""
    text = text.strip().lstrip("+").replace(" ", "").lower()
    parts = _DELTA.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        return None
    delta = timedelta()
    for number, unit in parts:
        delta += timedelta(**{_UNITS[unit]: int(number)})
    return delta


def load_handler(clock: Callable[[], Any] | None = None) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """The skill's Lambda handler (as lambda/lambda_function.py builds it), with an emulated clock."""
    from backcare_tools.invoke import load_lambda_handler

    return load_lambda_handler(clock)


def _start_emulator(locale: str, device: env.Device, time_zone: str | None):
    """The local Alexa services emulator, or None when it is not part of this checkout."""
    try:
        from backcare_tools.emulator import AlexaServicesEmulator
    except ModuleNotFoundError as error:
        if error.name != "backcare_tools.emulator":
            raise
        return None
    zone = time_zone or TIME_ZONES.get(locale, "UTC")
    emulator = AlexaServicesEmulator(default_time_zone=zone, clock=EmulatedClock(midday_today(zone))).start()
    emulator.set_time_zone(device.device_id, zone)
    return emulator


def midday_today(time_zone: str) -> datetime:
    """Where the emulated clock starts: 12:00 today in the device's zone, so moving it by whole
    days passes the morning reminders of the last day too (the check-in goes off at 10 AM)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(time_zone)
    return datetime.now(zone).replace(hour=12, minute=0, second=0, microsecond=0)


def plain_speech(body: dict[str, Any], key: str = "outputSpeech") -> str:
    from backcare.content import strip_ssml

    speech = body.get(key) or {}
    return strip_ssml(speech.get("ssml") or speech.get("text") or "")


class Dialog:
    """One person talking to the skill on one device. `say(line)` handles one typed line."""

    def __init__(self, locale: str = "en-US", user: str = "local", *, out: TextIO = sys.stdout,
                 speak: bool = False, show_nlu: bool = False, emulator: bool = True,
                 time_zone: str | None = None) -> None:
        self.locale = locale
        self.out = out
        self.speak = speak
        self.show_nlu = show_nlu
        safe_user = re.sub(r"[^A-Za-z0-9]", "", user) or "local"
        self.device = env.Device(user_id=f"amzn1.ask.account.{safe_user.upper()}",
                                 device_id=f"amzn1.ask.device.{safe_user.upper()}ECHO", locale=locale,
                                 api_access_token=f"local-access-token-{safe_user}")
        self.nlu: Nlu = load_nlu(locale)
        self.emulator = _start_emulator(locale, self.device, time_zone) if emulator else None
        if self.emulator is not None:
            self.device.api_endpoint = self.emulator.url
        self.clock = self.emulator.clock if self.emulator is not None else None
        self.handler = load_handler(self.clock)
        self.session: env.Session | None = None
        self.permission_token: str | None = None  # set while Alexa asks for the permission
        self.reprompt: str = ""
        self.silences = 0

    # --- output -----------------------------------------------------------------------------

    def print(self, text: str = "") -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def show(self, response: dict[str, Any]) -> None:
        body = response.get("response") or {}
        speech = plain_speech(body)
        if speech:
            self.print(f"Alexa: {speech}")
        self.reprompt = plain_speech(body.get("reprompt") or {})
        if self.reprompt:
            self.print(f"  (reprompt) {self.reprompt}")
        card = body.get("card")
        if card:
            text = card.get("content") or card.get("text") or ""
            title = card.get("title")
            if card.get("type") == "AskForPermissionsConsent":
                title, text = "Permission card", "asks for " + ", ".join(card.get("permissions") or [])
            self.print(f"  [card] {title + ': ' if title else ''}{' '.join(text.split())}")
        for directive in body.get("directives") or []:
            self.print(f"  [directive] {directive.get('type')} {directive.get('name', '')}".rstrip())
        if self.speak and speech:
            self._speak(response)

    def _speak(self, response: dict[str, Any]) -> None:
        try:
            from backcare_tools.audio.render import speak_response
        except ModuleNotFoundError:
            self.print("  (audio is not available in this checkout)")
            return
        try:
            result = speak_response(response, self.locale)
        except Exception as error:  # missing espeak-ng/ffmpeg/player: say so, keep talking
            self.print(f"  (audio not available: {error})")
            return
        self.print(f"  (audio) {result}")

    # --- requests ---------------------------------------------------------------------------

    def send(self, request: dict[str, Any]) -> dict[str, Any]:
        if self.session is None:
            self.session = env.Session(device=self.device)
        now = self.clock.now() if self.clock else None
        response = self.handler(self.session.envelope(request, now=now), None)
        self.silences = 0
        self.show(response)
        body = response.get("response") or {}
        asks_permission = any((d.get("type"), d.get("name")) == ASK_FOR for d in body.get("directives") or [])
        if asks_permission:
            directive = next(d for d in body["directives"] if (d.get("type"), d.get("name")) == ASK_FOR)
            self.permission_token = directive.get("token") or ""
            self.session.absorb(response)
            self.print("Alexa: (permission prompt) Back Care Coach would like to create reminders for you. "
                       "Is that OK? (yes / no)")
        elif body.get("shouldEndSession") is False:
            self.session.absorb(response)
        else:
            self.session = None
            self.print("  (session ended)")
        return response

    def say(self, line: str) -> bool:
        """Handle one line. False when the user wants to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line.startswith(":"):
            return self.command(line[1:].strip())
        if self.permission_token is not None:
            self._answer_permission(line)
            return True
        result = self.nlu.resolve(line)
        if self.show_nlu:
            self.print(f"  (nlu) {result.to_json()}")
        if result.intent == LAUNCH:
            self.session = None  # "open ..." always starts afresh, as on a device
            self.send(env.launch_request())
            return True
        if self.session is None and not result.invoked:
            self.print('(no open session: say "open back care coach", or "ask back care coach to ...")')
            return True
        declared = list(self.nlu.intent_slots.get(result.intent, {}))
        self.send(env.intent_request(result.intent, result.envelope_slots(declared)))
        return True

    def _answer_permission(self, line: str) -> None:
        intent = self.nlu.resolve(line).intent
        status = {"AMAZON.YesIntent": "ACCEPTED", "AMAZON.NoIntent": "DENIED"}.get(intent, "NOT_ANSWERED")
        if status == "ACCEPTED":
            self._grant()
        token, self.permission_token = self.permission_token or "", None
        self.print(f"  (permission {status.lower().replace('_', ' ')})")
        self.send(env.connections_response(status, token=token))

    def _grant(self) -> None:
        self.device.consent_token = f"local-consent-{self.device.user_id}"
        if self.emulator is not None:
            self.emulator.grant(self.device.api_access_token, self.device.user_id)

    def silence(self) -> None:
        if self.session is None:
            self.print("(nothing happens: no open session)")
            return
        self.silences += 1
        if self.silences == 1 and self.reprompt:
            self.print(f"Alexa: {self.reprompt}")
            return
        self.send(env.session_ended_request("EXCEEDED_MAX_REPROMPTS"))
        self.session = None

    # --- commands ---------------------------------------------------------------------------

    def command(self, text: str) -> bool:
        name, _, argument = text.partition(" ")
        name, argument = name.lower(), argument.strip()
        if name in ("quit", "q", "exit"):
            return False
        if name == "help":
            self.print(COMMANDS_HELP)
        elif name == "clock":
            self._clock(argument)
        elif name == "permission":
            self._permission(argument.lower())
        elif name == "reminders":
            self._reminders()
        elif name == "disable":
            self._disable()
        elif name == "silence":
            self.silence()
        elif name == "state":
            self.print(f"  session attributes: {self.session.attributes if self.session else '(no session)'}")
        else:
            self.print(f"(unknown command :{name}; :help lists the commands)")
        return True

    def _clock(self, argument: str) -> None:
        if self.emulator is None:
            self.print("(the local Alexa services emulator is not available, so there is no clock to move)")
            return
        if argument:
            delta = parse_delta(argument)
            if delta is None:
                self.print("(usage: :clock +2h, +30m, +1d, +1d2h)")
                return
            fired = self.emulator.advance(delta)
            for reminder in fired:
                at = reminder.at.strftime("%a %H:%M")
                self.print(f"  [reminder {at}] Alexa: {reminder.text}")
            if not fired:
                self.print("  (no reminders went off)")
        zone = self.emulator.time_zone_of(self.device.device_id)
        from zoneinfo import ZoneInfo

        local = self.emulator.clock.now().astimezone(ZoneInfo(zone))
        self.print(f"  (clock) {local:%A %Y-%m-%d %H:%M} {zone}")

    def _permission(self, argument: str) -> None:
        if argument in ("grant", "granted", "yes", "allow"):
            self._grant()
            self.print("  (reminders permission granted)")
        elif argument in ("deny", "denied", "no", "revoke"):
            self.device.consent_token = None
            if self.emulator is not None:
                self.emulator.revoke(self.device.api_access_token)
            self.print("  (reminders permission withdrawn)")
        else:
            self.print("(usage: :permission grant|deny)")
            return
        if self.permission_token is not None:
            token, self.permission_token = self.permission_token, None
            status = "ACCEPTED" if self.device.consent_token else "DENIED"
            self.send(env.connections_response(status, token=token))
        else:
            scopes = [{"scope": env.REMINDERS_SCOPE}] if self.device.consent_token else []
            self.event("SkillPermissionChanged", {"acceptedPermissions": scopes})

    def event(self, event_type: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """An AlexaSkillEvent, sent outside any session as Alexa sends it."""
        now = self.clock.now() if self.clock else None
        response = self.handler(env.event_envelope(self.device, env.skill_event(event_type, body=body), now=now),
                                None)
        self.print(f"  (event AlexaSkillEvent.{event_type} sent)")
        return response

    def _reminders(self) -> None:
        if self.emulator is None:
            self.print("(the local Alexa services emulator is not available)")
            return
        held = self.emulator.reminders_for(self.device.user_id)
        if not held:
            self.print("  (no reminders)")
        for reminder in held:
            trigger = reminder.get("trigger") or {}
            rules = (trigger.get("recurrence") or {}).get("recurrenceRules") or []
            text = ((reminder.get("alertInfo") or {}).get("spokenInfo") or {}).get("content") or [{}]
            self.print(f"  [reminder] {text[0].get('text', '')!r} from {trigger.get('scheduledTime')} "
                       f"{trigger.get('timeZoneId', '')} {len(rules)} rule(s) {reminder.get('status', '')}".rstrip())

    def _disable(self) -> None:
        self.session = None
        self.permission_token = None
        self.event("SkillDisabled")
        self.device.consent_token = None
        if self.emulator is not None:
            self.emulator.revoke(self.device.api_access_token)
        self.print("  (skill disabled; enabling it again is as simple as \"open back care coach\")")

    def close(self) -> None:
        if self.session is not None:
            try:
                self.handler(self.session.envelope(env.session_ended_request("USER_INITIATED")), None)
            finally:
                self.session = None
        if self.emulator is not None:
            self.emulator.stop()


def _lines(stream: TextIO, interactive: bool, out: TextIO):
    while True:
        if interactive:
            try:
                yield input("you> ")
            except EOFError:
                out.write("\n")
                return
        else:
            line = stream.readline()
            if not line:
                return
            line = line.rstrip("\n")
            if line.strip():
                out.write(f"you> {line}\n")
            yield line


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare dialog", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--locale", default="en-US", choices=LOCALES)
    parser.add_argument("--user", default="local", help="who is talking (each user has their own stored data)")
    parser.add_argument("--speak", action="store_true", help="also say each answer aloud (espeak-ng)")
    parser.add_argument("--show-nlu", action="store_true", help="print how each line was understood")
    parser.add_argument("--time-zone", help="the device's time zone (default: a typical one for the locale)")
    parser.add_argument("--no-emulator", action="store_true", help="do not start the Alexa services emulator")
    args = parser.parse_args(argv)
    import os

    os.environ.setdefault("LOG_LEVEL", "WARNING")  # the transcript, not the skill's info logs
    interactive = sys.stdin.isatty()
    dialog = Dialog(args.locale, args.user, speak=args.speak, show_nlu=args.show_nlu,
                    emulator=not args.no_emulator, time_zone=args.time_zone)
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401  (line editing and history for input())
        where = f"emulator at {dialog.emulator.url}" if dialog.emulator else "no services emulator"
        print(f'Back Care Coach ({args.locale}, {where}). Say "open back care coach". :help for commands.')
    try:
        for line in _lines(sys.stdin, interactive, sys.stdout):
            if not dialog.say(line):
                break
    except KeyboardInterrupt:
        print()
    finally:
        dialog.close()
    return 0
