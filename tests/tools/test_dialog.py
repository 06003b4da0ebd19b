"""Whole conversations typed into the real `backcare dialog` command, in every locale: what the
user reads is what Alexa would say. Lines go through the NLU, real envelopes and lambda_handler."""

from __future__ import annotations

import pytest

from backcare.handlers.check import OUTCOME_TEXTS, QUESTION_TEXTS
from backcare.handlers.tips import TIP_TEXTS
from backcare.triage import QUESTION_IDS, QUESTIONS, Disposition
from support.dialog import converse, plain, segments, speech_of, spoken_emergency_number
from support.nlu import LOCALES, run_backcare

EMERGENCY_QUESTIONS = [q.id for q in QUESTIONS if q.level == Disposition.EMERGENCY]


def script_for_locale() -> list[str]:
    """One long piped session per locale: every conversation the issue asks for."""
    lines = ["open back care coach", "is my back pain serious", *["no"] * len(QUESTION_IDS), "stop"]
    for position in range(len(EMERGENCY_QUESTIONS)):
        lines += ["ask back care coach to check my back", *["no"] * position, "yes"]
    lines += ["open back care coach", "check my back", "I'm not sure", "I don't know"]
    lines += ["open back care coach", "check my back", "no", "help", "no", "stop"]
    lines += ["ask back care coach to give me tips about posture", "stop"]
    lines += ["open back care coach", "I can't feel my bottom"]
    return lines


@pytest.fixture(scope="module", params=LOCALES)
def locale_transcript(request, tmp_path_factory):
    with pytest.MonkeyPatch.context() as env:  # module scope: the same isolation as conftest's
        env.setenv("BACKCARE_STATE_DIR", str(tmp_path_factory.mktemp("state")))
        for name in ("SKILL_ID", "TABLE_NAME", "PERSISTENCE", "AUDIO_BASE_URL", "AWS_LAMBDA_FUNCTION_NAME",
                     "AWS_ENDPOINT_URL_DYNAMODB", "AWS_PROFILE"):
            env.delenv(name, raising=False)
        return request.param, converse(script_for_locale(), request.param)


def test_all_no_asks_every_question_in_order_and_ends_in_self_care(locale_transcript):
    locale, turns = locale_transcript
    session = segments(turns)[0]
    asked = [turn for turn in session[1:] if turn.said in ("is my back pain serious", "no")]
    for turn, question_id in zip(asked, QUESTION_IDS, strict=False):
        assert plain(locale, QUESTION_TEXTS[question_id].ask) in turn.text, f"{locale}: expected {question_id}: {turn}"
    outcome = session[-2]
    self_care = plain(locale, OUTCOME_TEXTS[Disposition.SELF_CARE].speech)
    assert self_care in outcome.text, f"{locale}: no SELF_CARE: {outcome}"
    assert not outcome.ended, f"{locale}: SELF_CARE goes on to an offer, so the session stays open"
    assert session[-1].said == "stop" and session[-1].ended, f"{locale}: stop must end the session"


def test_a_yes_on_each_emergency_question_gives_the_emergency_outcome(locale_transcript):
    locale, turns = locale_transcript
    emergencies = segments(turns)[1:1 + len(EMERGENCY_QUESTIONS)]
    number = spoken_emergency_number(locale)
    for position, session in enumerate(emergencies):
        answer = session[-1]
        assert answer.said == "yes", f"{locale}: unexpected session shape {[t.said for t in session]}"
        assert plain(locale, QUESTION_TEXTS[EMERGENCY_QUESTIONS[position]].ask) in session[-2].text, (
            f"{locale}: question {position + 1} was not {EMERGENCY_QUESTIONS[position]}")
        assert plain(locale, OUTCOME_TEXTS[Disposition.EMERGENCY].speech) in answer.text, f"{locale}: {answer}"
        assert f"call {number}" in speech_of(answer).lower(), f"{locale}: emergency number missing: {answer}"
        assert answer.ended and any(line.startswith("[card]") for line in answer.lines), (
            f"{locale}: the emergency outcome ends the session with a card")
    if locale != "en-GB":
        assert all("111" not in t.text for s in emergencies for t in s), f"{locale}: 111 is UK only"


def test_unsure_twice_counts_as_yes(locale_transcript):
    locale, turns = locale_transcript
    session = segments(turns)[1 + len(EMERGENCY_QUESTIONS)]
    first, second = session[-2], session[-1]
    assert plain(locale, "check.unsure_first") in first.text, f"{locale}: first unsure explains: {first}"
    assert plain(locale, QUESTION_TEXTS["bladder"].reask) in first.text, f"{locale}: and asks again simply: {first}"
    assert plain(locale, "check.unsure_counted") in second.text, f"{locale}: second unsure counts: {second}"
    assert plain(locale, OUTCOME_TEXTS[Disposition.EMERGENCY].speech) in second.text, f"{locale}: {second}"


def test_help_in_the_middle_keeps_the_check_going_and_stop_ends_it(locale_transcript):
    locale, turns = locale_transcript
    session = segments(turns)[2 + len(EMERGENCY_QUESTIONS)]
    said = [t.said for t in session]
    assert said == ["open back care coach", "check my back", "no", "help", "no", "stop"], said
    help_turn, after_help, stop = session[3], session[4], session[5]
    assert plain(locale, "help.check") in help_turn.text and not help_turn.ended, f"{locale}: {help_turn}"
    third = plain(locale, QUESTION_TEXTS["saddle_numbness"].ask)
    assert third in after_help.text, f"{locale}: check resumed: {after_help}"
    assert stop.ended, f"{locale}: stop ends the session: {stop}"
    number = spoken_emergency_number(locale)
    assert number in stop.text, f"{locale}: stopping a check still says the emergency number: {stop}"


def test_tips_with_a_topic_read_that_topic(locale_transcript):
    locale, turns = locale_transcript
    turn = next(t for t in turns if t.said.startswith("ask back care coach to give me tips"))
    assert plain(locale, TIP_TEXTS["positions"].pages[0]) in turn.text, f"{locale}: {turn}"
    assert not turn.ended, f"{locale}: tips offer another, so the session stays open"


def test_volunteered_emergency_symptom_is_acted_on_at_once(locale_transcript):
    locale, turns = locale_transcript
    turn = turns[-1]
    assert turn.said == "I can't feel my bottom", turn
    assert plain(locale, OUTCOME_TEXTS[Disposition.EMERGENCY].speech) in turn.text, f"{locale}: {turn}"


def test_a_line_outside_a_session_is_not_sent_to_the_skill():
    turns = converse(["is my back pain serious", "open back care coach", "stop", "yes"])
    assert "no open session" in turns[0].text, turns[0]
    assert not speech_of(turns[0]), "nothing may answer before the skill is opened"
    assert "no open session" in turns[3].text, "after stop, a yes is not for the skill any more"


def test_reminder_with_permission_is_created_and_fires_on_the_emulated_clock():
    turns = converse([
        "open back care coach", "remind me to stretch at three pm", "yes", "yes", ":clock +1d",
    ])
    assert any(line.startswith("[directive] Connections.SendRequest AskFor") for line in turns[2].lines), (
        f"without a consent token the skill asks for the permission: {turns[2]}")
    assert "(permission accepted)" in turns[3].lines, turns[3]
    clock = turns[4]
    fired = [line for line in clock.lines if line.startswith("[reminder")]
    assert len(fired) == 1 and "15:00" in fired[0], f"one stretch reminder at 3 PM in a day: {clock}"
    assert any(line.startswith("(clock)") for line in clock.lines), clock


def test_dialog_commands_explain_themselves():
    turns = converse([":help", ":clock nonsense", ":nope", ":quit", "open back care coach"], read_all=False)
    assert ":clock +2h" in turns[0].text, turns[0]
    assert "usage: :clock" in turns[1].text, turns[1]
    assert "unknown command" in turns[2].text, turns[2]
    assert [t.said for t in turns][-1] == ":quit", ":quit stops reading"


def test_without_the_emulator_the_clock_is_explained():
    turns = converse([":clock +1h"], "en-US", "--no-emulator")
    assert "not available" in turns[0].text, turns[0]


def test_speak_renders_each_answer_or_says_audio_is_unavailable(tmp_path):
    done = run_backcare("dialog", "--speak", stdin="open back care coach\nstop\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    audio = [line for line in done.stdout.splitlines() if line.strip().startswith("(audio")]
    assert len(audio) == 2, f"one audio note per answer: {done.stdout}"
    rendered = tmp_path / "build" / "audio" / "render" / "last.wav"
    assert rendered.exists() or "not available" in audio[0], f"neither audio nor an explanation: {audio}"


def test_disabling_the_skill_cancels_its_reminders_and_forgets_the_user():
    turns = converse([
        "open back care coach", "stop", "open back care coach", "remind me to stretch at three pm", "yes", "yes",
        ":reminders", ":disable", ":reminders", "open back care coach",
    ])
    assert speech_of(turns[2]) != speech_of(turns[0]), "a returning user is greeted differently (no disclaimer)"
    assert any(line.startswith("[reminder]") for line in turns[6].lines), f"reminder created: {turns[6]}"
    assert "(event AlexaSkillEvent.SkillDisabled sent)" in turns[7].lines, turns[7]
    assert "(no reminders)" in turns[8].lines, f"SkillDisabled cancels the reminders: {turns[8]}"
    assert speech_of(turns[9]) == speech_of(turns[0]), "after disabling, the user is a first-time user again"


def test_withdrawing_the_permission_sends_the_permission_changed_event():
    turns = converse([":permission grant", ":permission deny"])
    assert "(event AlexaSkillEvent.SkillPermissionChanged sent)" in turns[0].lines, turns[0]
    assert "(event AlexaSkillEvent.SkillPermissionChanged sent)" in turns[1].lines, turns[1]
