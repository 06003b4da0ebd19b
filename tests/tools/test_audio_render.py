"""Hearing a response: SSML → espeak-ng speech, silent breaks and local assets."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare_tools.audio import speech
from backcare_tools.audio.cli import main as audio_main
from backcare_tools.audio.render import measure_ssml, render_ssml, speak_response, ssml_of
from backcare_tools.audio.ssml import Pause, Sound, Speech, parse_ssml, plain_text, word_count
from support import ROOT

pytestmark = pytest.mark.usefixtures("speech_cache")

SENTENCE = "Do you have any new numbness around your bottom or genitals?"


@pytest.mark.parametrize("before, after", [(SENTENCE, "Take your time."), ("Breathe in", "and out.")])
def test_a_two_second_break_adds_at_least_two_seconds(before, after):
    without = render_ssml(f"<speak>{before} {after}</speak>", "en-US")
    with_break = render_ssml(f'<speak>{before} <break time="2s"/> {after}</speak>', "en-US")
    added = len(with_break) - len(without)
    assert 2000 <= added <= 2300, f"a 2 s break added {added} ms"


def test_break_strengths_are_ordered_and_time_beats_strength():
    items = parse_ssml('<speak>a<break strength="weak"/>b<break/>c<break strength="x-strong"/>d'
                       '<break time="750ms" strength="x-strong"/>e<break strength="none"/>f</speak>')
    pauses = [item.ms for item in items if isinstance(item, Pause)]
    assert pauses[0] < pauses[1] < pauses[2], f"weak < medium < x-strong not kept: {pauses}"
    assert pauses[3] == 750, f"explicit time should win over strength: {pauses}"
    assert pauses[4] == 0, f"strength none should be no pause: {pauses}"


def test_breaks_longer_than_ten_seconds_are_cut_to_alexas_maximum():
    warnings: list[str] = []
    items = parse_ssml('<speak>hold<break time="25s"/>release</speak>', warnings.append)
    assert [i.ms for i in items if isinstance(i, Pause)] == [10_000], f"not capped: {items}"
    assert any("10 s" in w for w in warnings), f"no warning about the cap: {warnings}"


def test_paragraphs_and_sentences_pause_between_but_not_at_the_ends():
    items = parse_ssml("<speak><p>First part.</p><p><s>Second.</s><s>Third.</s></p></speak>")
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Speech", "Pause", "Speech", "Pause", "Speech"], f"unexpected timeline {items}"
    assert items[1].ms > items[3].ms, f"paragraph pause should exceed sentence pause: {items}"


def test_say_as_sub_and_emphasis_are_spoken_sensibly():
    ssml = ('<speak>Call <say-as interpret-as="digits">999</say-as> or '
            '<say-as interpret-as="characters">NHS</say-as> <sub alias="one one one">111</sub> on the '
            '<say-as interpret-as="ordinal">3</say-as> day, <emphasis level="strong">now</emphasis>.</speak>')
    assert plain_text(ssml) == "Call 9 9 9 or N H S one one one on the 3rd day, now .", plain_text(ssml)
    strong = next(i for i in parse_ssml(ssml) if isinstance(i, Speech) and i.text == "now")
    assert strong.style.rate < 1 and strong.style.volume_db > 0, f"strong emphasis not slower/louder: {strong}"
    assert word_count(ssml) == 16, f"word count {word_count(ssml)}"


def test_slow_prosody_takes_longer_than_fast():
    slow = measure_ssml(f'<speak><prosody rate="x-slow">{SENTENCE}</prosody></speak>', "en-GB")
    fast = measure_ssml(f'<speak><prosody rate="x-fast">{SENTENCE}</prosody></speak>', "en-GB")
    assert slow > fast * 1.4, f"x-slow {slow} ms vs x-fast {fast} ms"


def test_measuring_agrees_with_rendering():
    ssml = f'<speak><p>{SENTENCE}</p><emphasis>Really</emphasis> <break time="1s"/> sure?</speak>'
    measured, rendered = measure_ssml(ssml, "en-AU"), len(render_ssml(ssml, "en-AU"))
    assert abs(measured - rendered) <= 5, f"measure {measured} ms vs render {rendered} ms"


def test_audio_tag_plays_the_local_asset(built_assets):
    segment = render_ssml('<speak><audio src="https://d1.cloudfront.net/audio/0a1b2c/chime.mp3"/></speak>',
                          "en-US", assets_dir=built_assets)
    chime_ms = json.loads((built_assets / "manifest.json").read_text())["assets"]["chime"]["duration_ms"]
    assert abs(len(segment) - chime_ms) <= 30, f"rendered {len(segment)} ms, chime is {chime_ms} ms"
    assert segment.dBFS > -30, f"the chime rendered almost silent ({segment.dBFS:.1f} dBFS)"


def test_audio_tag_without_a_build_uses_the_synthesised_cue(tmp_path):
    segment = render_ssml('<speak><audio src="done.mp3"/></speak>', "en-US", assets_dir=tmp_path)
    assert 1500 <= len(segment) <= 2200 and segment.dBFS > -30, f"done cue not rendered: {len(segment)} ms"


def test_unknown_audio_is_a_short_silence_with_a_warning():
    warnings: list[str] = []
    segment = render_ssml('<speak><audio src="soundbank://soundlibrary/animals/cat"/></speak>', "en-US",
                          warn=warnings.append)
    assert len(segment) == 500 and segment.max == 0, f"expected 500 ms silence, got {len(segment)} ms"
    assert warnings and "soundbank://" in warnings[0], f"no warning naming the source: {warnings}"


def test_unknown_tags_are_read_and_reported():
    warnings: list[str] = []
    items = parse_ssml("<speak><foo>still spoken</foo></speak>", warnings.append)
    assert items == [Speech("still spoken")] and "<foo>" in warnings[0], f"{items} {warnings}"


def test_invalid_ssml_fails_clearly(capsys):
    assert audio_main(["render", "--ssml", "<speak>unclosed", "--no-play"]) == 1, "bad SSML accepted"
    assert "not valid SSML" in capsys.readouterr().err, "message does not say the SSML is invalid"


def test_every_locale_has_an_espeak_voice():
    from backcare.content import LOCALES

    voices = {locale: speech.voice_for(locale) for locale in LOCALES}
    assert voices["en-US"] == "en-us" and voices["en-GB"] == "en-gb", f"wrong voices: {voices}"
    assert all(locale in speech.VOICES for locale in LOCALES), f"a locale falls back to a default: {voices}"


def test_speak_response_writes_the_output_speech_when_not_playing(tmp_path):
    envelope = {"version": "1.0", "response": {
        "outputSpeech": {"type": "SSML", "ssml": f'<speak>{SENTENCE}<break time="1s"/></speak>'},
        "reprompt": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Yes or no?</speak>"}},
        "shouldEndSession": False}}
    spoken = speak_response(envelope, "en-GB", out=tmp_path / "said.wav", play_it=False)
    assert spoken.path == tmp_path / "said.wav" and not spoken.played, spoken.message()
    with wave.open(str(spoken.path)) as wav:
        seconds = wav.getnframes() / wav.getframerate()
    assert 3 < seconds < 8, f"written file is {seconds:.1f} s"
    assert str(spoken.path) in spoken.message(), "the message does not say where the file is"
    assert str(spoken) == spoken.message(), "printing the result does not give the message"


def test_plain_text_responses_are_spoken_too(tmp_path):
    spoken = speak_response({"outputSpeech": {"type": "PlainText", "text": "Tips & tricks"}}, "en-US",
                            out=tmp_path / "plain.wav", play_it=False)
    assert spoken.path and spoken.duration_ms > 500, spoken.message()


def test_the_reprompt_can_be_read_too():
    envelope = {"response": {"outputSpeech": {"type": "SSML", "ssml": "<speak>Question?</speak>"},
                             "reprompt": {"outputSpeech": {"type": "PlainText", "text": "Yes or no?"}}}}
    assert ssml_of(envelope, reprompt=True) == "<speak>Yes or no?</speak>", ssml_of(envelope, reprompt=True)
    assert ssml_of(envelope) == "<speak>Question?</speak>", ssml_of(envelope)


def test_a_response_without_speech_says_so():
    spoken = speak_response({"response": {"shouldEndSession": True}}, "en-US", play_it=False)
    assert spoken.path is None and "no outputSpeech" in spoken.note, spoken.note


def test_render_command_writes_an_mp3_from_an_envelope(tmp_path, capsys):
    envelope = tmp_path / "response.json"
    envelope.write_text(json.dumps({"response": {"outputSpeech": {
        "type": "SSML", "ssml": '<speak>Next stretch. <audio src="chime.mp3"/></speak>'}}}))
    out = tmp_path / "heard.mp3"
    code = audio_main(["render", "--envelope", str(envelope), "--out", str(out), "--no-play",
                       "--assets", str(tmp_path / "no-build")])
    printed = capsys.readouterr().out
    assert code == 0 and out.exists(), f"render failed: {printed}"
    assert out.read_bytes()[:3] == b"ID3" or out.read_bytes()[0] == 0xFF, "output is not an MP3"
    assert str(out) in printed, f"does not say where the file is: {printed}"


def test_speech_is_cached_by_text_and_voice(speech_cache):
    first = speech.synthesize("Cached words.", "en-us")
    mtime = first.stat().st_mtime_ns
    again = speech.synthesize("Cached words.", "en-us")
    other_voice = speech.synthesize("Cached words.", "en-gb")
    assert again == first and again.stat().st_mtime_ns == mtime, "same text and voice was rendered again"
    assert other_voice != first and first.parent == speech_cache, "voice is not part of the cache key"


def test_sound_items_carry_their_source():
    assert parse_ssml('<speak><audio src="https://x/hold.mp3">fallback</audio></speak>') == [
        Sound("https://x/hold.mp3")], "audio element not kept as a sound"


def test_the_lambda_path_never_imports_the_audio_tooling(tmp_path):
    probe = (
        "import sys, json\n"
        "import lambda_function\n"
        "from backcare_tools.envelopes import Device, event_envelope, launch_request\n"
        "out = lambda_function.lambda_handler(event_envelope(Device(), launch_request()), None)\n"
        "assert out['response']['outputSpeech'], out\n"
        "loaded = [m for m in sys.modules if m.startswith(('backcare_tools.audio', 'pydub', 'boto3'))]\n"
        "print(json.dumps(loaded))\n"
    )
    lambda_dir = ROOT / "lambda"
    env = {"PATH": "/usr/bin:/bin", "PERSISTENCE": "none", "BACKCARE_STATE_DIR": str(tmp_path),
           "PYTHONPATH": str(lambda_dir), "AUDIO_BASE_URL": "https://d1.cloudfront.net/audio/abc"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60,
                            cwd=tmp_path, check=False)
    assert result.returncode == 0, f"lambda probe failed: {result.stderr[-800:]}"
    assert json.loads(result.stdout.strip().splitlines()[-1]) == [], f"Lambda loaded dev-only modules: {result.stdout}"


def _fake_player(bin_dir: Path, name: str, exit_code: int, stderr: str = "") -> Path:
    """A stand-in audio player: records the file it was asked to play."""
    bin_dir.mkdir(exist_ok=True)
    log = bin_dir / f"{name}.log"
    script = bin_dir / name
    script.write_text(f"#!/bin/sh\necho \"$@\" >> {log}\necho '{stderr}' >&2\nexit {exit_code}\n")
    script.chmod(0o755)
    return log


def test_render_plays_the_file_with_the_first_player_found(tmp_path, monkeypatch, capsys):
    log = _fake_player(tmp_path / "bin", "paplay", 0)
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    out = tmp_path / "played.wav"
    assert audio_main(["render", "--ssml", "<speak>Hello.</speak>", "--out", str(out)]) == 0, "render failed"
    assert log.read_text().split() == [str(out)], f"player not given the file: {log.read_text()!r}"
    assert capsys.readouterr().out.startswith(f"played {out}"), "did not say it played the file"


def test_a_player_that_cannot_play_leaves_the_file_and_says_where(tmp_path, monkeypatch):
    from backcare_tools.audio.render import speak

    _fake_player(tmp_path / "bin", "paplay", 0, stderr="Connection failure: Connection refused, audio open failed")
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:/usr/bin:/bin")
    spoken = speak("<speak>Hello.</speak>", "en-US", out=tmp_path / "kept.wav")
    assert not spoken.played and spoken.path.exists(), spoken.message()
    assert "paplay could not play it" in spoken.message() and str(spoken.path) in spoken.message(), spoken.message()


def test_without_any_player_the_file_is_written_and_the_message_says_so(tmp_path, monkeypatch):
    from backcare_tools.audio.render import speak

    only_espeak = tmp_path / "bin"
    only_espeak.mkdir()
    (only_espeak / "espeak-ng").symlink_to(shutil.which("espeak-ng"))
    monkeypatch.setenv("PATH", str(only_espeak))
    spoken = speak("<speak>Hello.</speak>", "en-US", out=tmp_path / "alone.wav")
    assert not spoken.played and spoken.path.exists(), spoken.message()
    assert "no audio player found" in spoken.note, spoken.note


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=80))
def test_any_escaped_text_parses_and_keeps_its_words(text):
    from xml.sax.saxutils import escape

    assert plain_text(f"<speak>{escape(text)}</speak>").split() == text.split(), f"words changed for {text!r}"
