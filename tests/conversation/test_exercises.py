"""The exercise programme (SPEC §5) as a user meets it: through lambda_handler, in every locale,
with the default SQLite store (each test has its own state directory)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from backcare.config import Config
from backcare.content import LOCALES, texts
from backcare.handlers.exercises.audio import asset_url
from backcare.handlers.exercises.programme import EXERCISES, LEVELS, SESSIONS_PER_LEVEL, Part, Sides
from backcare_tools.invoke import load_lambda_handler
from support.reminders import stored_record
from support.skill import Conversation, Reply, said

USER = "amzn1.ask.account.EXERCISER"
AUDIO_BASE = "https://assets.example.com/backcare/audio/3f9c2a1b7d04"
CHIME, DONE = f"{AUDIO_BASE}/chime.mp3", f"{AUDIO_BASE}/done.mp3"
HURTS = {"value": "it hurts when I do that"}  # a complaint: ReportSymptomIntent naming no red flag


# ---------------------------------------------------------------- helpers


@pytest.fixture
def make_handler(monkeypatch) -> Callable[..., Callable]:
    def make(audio: str | None = None) -> Callable:
        if audio:
            monkeypatch.setenv("AUDIO_BASE_URL", audio)
        else:
            monkeypatch.delenv("AUDIO_BASE_URL", raising=False)
        return load_lambda_handler()

    return make


@pytest.fixture
def person(returning) -> Callable[..., Conversation]:
    """A returning user (the disclaimer heard) who has never exercised."""
    def make(locale: str = "en-US", handler: Callable | None = None, user: str = USER) -> Conversation:
        return returning(locale, user_id=user, handler=handler)

    return make


def place(reply: Reply) -> dict:
    return reply.attributes.get("exercise") or {}


def plan(level: int) -> list[tuple[int, int]]:
    """Every turn of a session as (exercise step, set), in order."""
    return [(step, part) for step, dose in enumerate(LEVELS[level].doses) for part in range(dose.sets)]


def name(locale: str, level: int, step: int) -> str:
    return texts(locale).plain(EXERCISES[LEVELS[level].doses[step].exercise].texts.name)


def counts(reply: Reply) -> list[int]:
    """The repetition counts spoken in a turn, in order (each count is a sentence: "2.")."""
    return [int(n) for n in re.findall(r"(?:^|(?<=[.!?] ))(\d+)\.(?= )", reply.speech)]


def audio_sources(reply: Reply) -> list[str]:
    return [node.get("src", "") for node in ET.fromstring(reply.ssml).iter("audio")]


def breaks(reply: Reply) -> list[float]:
    return [float(node.get("time", "0s").rstrip("s")) for node in ET.fromstring(reply.ssml).iter("break")]


def assert_guides(reply: Reply, locale: str, level: int, step: int, part: int, what: str) -> None:
    """The reply guides set `part` of exercise `step` of `level`, counted, and waits for the user."""
    dose = LEVELS[level].doses[step]
    exercise = EXERCISES[dose.exercise]
    assert place(reply).get("step") == step and place(reply).get("part") == part, (
        f"{what}: expected exercise {step + 1} set {part + 1}, the place is {place(reply)}: {reply}")
    assert place(reply).get("phase") == "doing" and place(reply).get("level") == level, f"{what}: {place(reply)}"
    if part == 0:
        assert name(locale, level, step) in reply.speech, f"{what}: the exercise is not named: {reply.speech}"
    assert counts(reply) == list(range(1, dose.reps + 1)), f"{what}: counts {counts(reply)} in {reply.speech}"
    if dose.hold:
        assert breaks(reply).count(float(dose.hold)) == dose.reps, f"{what}: each hold is a break: {reply.ssml}"
    assert all(0 < b <= 10 for b in breaks(reply)), f"{what}: a break over 10 s: {breaks(reply)}"
    if exercise.sides is Sides.ALTERNATE:
        left, right = texts(locale).plain("exercise.side.left"), texts(locale).plain("exercise.side.right")
        sides = re.findall(rf"\b({left}|{right})\b", reply.speech)
        assert sides[:2] == [left, right], f"{what}: sides should alternate: {sides}"
    assert reply.ends_session is False and reply.reprompt, f"{what}: the session must stay open: {reply}"


def start_and_begin(talk: Conversation, intent: str = "StartExercisesIntent") -> tuple[Reply, Reply]:
    intro = talk.say(intent)
    assert place(intro).get("phase") == "ready", f"a session starts with 'ready to begin?': {intro}"
    return intro, talk.yes()


def run_session(talk: Conversation) -> list[Reply]:
    """A whole session saying only "next": every reply after the introduction."""
    _, first = start_and_begin(talk)
    replies = [first]
    while replies[-1].mode == "exercise":
        assert len(replies) < 40, "a session that does not end"
        replies.append(talk.say("AMAZON.NextIntent"))
    return replies


def stored_progress() -> dict:
    return (stored_record(USER) or {}).get("exercise") or {}


# ---------------------------------------------------------------- a whole session


@pytest.mark.parametrize("locale", LOCALES)
def test_a_first_session_says_the_safety_line_then_guides_every_set_then_the_walking_goal(person, locale):
    talk = person(locale)
    intro, first = start_and_begin(talk)
    safety = said("exercise.safety.first", locale)
    for words in ("pain spreads down a leg", "numbness", "weakness"):
        assert words in safety, f"{locale}: the safety line lacks {words!r}: {safety}"
    assert safety in intro.speech, f"{locale}: the first session starts with the safety line: {intro}"
    assert intro.speech.index(safety) < intro.speech.index(said("exercise.ready", locale)), intro
    assert "level 1" in intro.speech.lower(), f"{locale}: a beginner starts at level 1: {intro}"

    replies = [first]
    for _ in plan(1)[1:]:
        replies.append(talk.say("AMAZON.NextIntent"))
    for reply, (step, part) in zip(replies, plan(1), strict=True):
        assert_guides(reply, locale, 1, step, part, f"{locale} exercise {step + 1} set {part + 1}")

    done = talk.say("AMAZON.NextIntent")
    assert said("exercise.walk", locale, minutes=LEVELS[1].walk_minutes) in done.speech, done
    assert said("exercise.done", locale) in done.speech, done
    assert said("exercise.goodbye", locale) in done.speech, done
    assert "open back care coach" in said("exercise.goodbye", locale), "the way back leads with open"
    assert done.ends_session is True, f"{locale}: the first session ends after the walking goal: {done}"
    assert stored_progress() == {"level": 1, "sessions": 1}, f"{locale}: {stored_record(USER)}"


def test_mobility_comes_first_then_strength_at_every_level():
    for number, level in LEVELS.items():
        parts = [EXERCISES[dose.exercise].part for dose in level.doses]
        assert parts == sorted(parts, key=[Part.MOBILITY, Part.STRENGTH].index), f"level {number}: {parts}"
        mobility = [dose.exercise for dose in level.doses if EXERCISES[dose.exercise].part is Part.MOBILITY]
        assert mobility == ["knee_rolls", "bottom_to_heels", "back_extensions", "pelvic_tilts"], mobility
        assert level.walk_minutes > 0 and level.count_of(Part.STRENGTH) >= 3, f"level {number}"
    assert [LEVELS[n].walk_minutes for n in sorted(LEVELS)] == sorted(LEVELS[n].walk_minutes for n in LEVELS)


# ---------------------------------------------------------------- every control word


@pytest.mark.parametrize("locale", LOCALES)
def test_every_control_word(person, locale):
    talk = person(locale)
    start_and_begin(talk)
    second = talk.say("AMAZON.NextIntent")
    assert_guides(second, locale, 1, 1, 0, f"{locale} next")

    again = talk.say("AMAZON.RepeatIntent")
    assert again.ssml == second.ssml and place(again) == place(second), f"{locale}: repeat says it all again"

    easier = talk.say("EasierIntent")
    assert said("exercise.easier.intro", locale, name=name(locale, 1, 1)) in easier.speech, easier
    assert said("exercise.bottom_to_heels.easier", locale) in easier.speech, easier
    assert place(easier)["easier"] is True and place(easier)["step"] == 1, place(easier)
    assert talk.say("EasierIntent").speech == said("exercise.easier.already", locale), "already easier"

    third = talk.say("AMAZON.NextIntent")
    assert_guides(third, locale, 1, 2, 0, f"{locale} next after easier")
    assert place(third)["easier"] is False, "the easier form is for one exercise only"

    skipped = talk.say("SkipIntent")
    assert_guides(skipped, locale, 1, 3, 0, f"{locale} skip")

    paused = talk.say("AMAZON.PauseIntent")
    assert said("exercise.paused", locale) in paused.speech and place(paused)["paused"] is True, paused
    assert paused.ends_session is False and "resume" in paused.reprompt.lower(), paused
    resumed = talk.say("AMAZON.ResumeIntent")
    assert resumed.speech.startswith(said("exercise.resumed", locale)), resumed
    assert_guides(resumed, locale, 1, 3, 0, f"{locale} resume")

    helped = talk.say("AMAZON.HelpIntent")
    assert f"4 of {LEVELS[1].count}" in helped.speech and name(locale, 1, 3) in helped.speech, helped
    for word in ("next", "easier", "skip", "pause", "stop"):
        assert word in helped.speech.lower(), f"{locale}: help should mention {word!r}: {helped}"
    assert place(helped) == place(resumed), "help keeps the place"

    for intent, key in (("AMAZON.FallbackIntent", "exercise.fallback"), ("UnsureIntent", "exercise.wait"),
                        ("AMAZON.NoIntent", "exercise.wait")):
        reply = talk.say(intent)
        assert reply.speech == said(key, locale) and place(reply) == place(resumed), f"{intent}: {reply}"

    continued = talk.say("AMAZON.ResumeIntent")  # "continue" without a pause goes on
    assert_guides(continued, locale, 1, 4, 0, f"{locale} continue")
    assert_guides(talk.yes(), locale, 1, 4, 1, f"{locale} yes: the second set")

    over = talk.say("AMAZON.StartOverIntent")
    assert over.speech.startswith(said("exercise.restart", locale)), over
    assert_guides(over, locale, 1, 0, 0, f"{locale} start over")

    stopped = talk.say("AMAZON.StopIntent")
    assert stopped.speech == said("exercise.stopped", locale) and stopped.ends_session is True, stopped
    assert stored_progress().get("sessions", 0) == 0, "a stopped session is not counted"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_or_cancel_at_any_phase_ends_politely(person, intent):
    for phase in ("ready", "doing", "paused"):
        talk = person(user=f"{USER}{phase.upper()}")
        talk.say("StartExercisesIntent")
        if phase != "ready":
            talk.yes()
        if phase == "paused":
            talk.say("AMAZON.PauseIntent")
        reply = talk.say(intent)
        assert reply.ends_session is True and not reply.reprompt, f"{intent} while {phase}: {reply}"
        expected = "exercise.stopped.kept" if phase == "paused" else "exercise.stopped"
        assert reply.speech == said(expected), f"{intent} while {phase}: {reply}"


def test_no_to_ready_is_not_now_and_names_the_way_back(person):
    talk = person()
    talk.say("StartExercisesIntent")
    reply = talk.no()
    assert reply.speech == said("exercise.not_now") and reply.ends_session is True, reply
    assert "open back care coach" in reply.speech, reply


def test_help_and_fallback_before_beginning_keep_the_question(person):
    talk = person()
    talk.say("StartExercisesIntent")
    for intent in ("AMAZON.HelpIntent", "AMAZON.FallbackIntent", "AMAZON.PauseIntent"):
        reply = talk.say(intent)
        assert place(reply).get("phase") == "ready" and reply.ends_session is False, f"{intent}: {reply}"
    assert_guides(talk.say("AMAZON.NextIntent"), "en-US", 1, 0, 0, "next to 'ready?'")


def test_easier_and_skip_straight_from_ready(person):
    talk = person()
    talk.say("StartExercisesIntent")
    easier = talk.say("EasierIntent")
    assert place(easier)["easier"] is True and place(easier)["step"] == 0, easier
    talk2 = person(user=USER + "TWO")
    talk2.say("StartExercisesIntent")
    assert_guides(talk2.say("SkipIntent"), "en-US", 1, 1, 0, "skip before the first exercise")


def test_skipping_everything_still_ends_with_the_walking_goal(person):
    talk = person()
    start_and_begin(talk)
    reply = talk.say("SkipIntent")
    while reply.mode == "exercise":
        reply = talk.say("SkipIntent")
    assert said("exercise.walk", minutes=LEVELS[1].walk_minutes) in reply.speech, reply


# ---------------------------------------------------------------- "it hurts"


@pytest.mark.parametrize("locale", LOCALES)
def test_it_hurts_stops_the_exercise_says_what_to_do_and_offers_the_check(person, locale):
    talk = person(locale)
    start_and_begin(talk)
    talk.say("AMAZON.NextIntent")
    reply = talk.say("ReportSymptomIntent", {"symptom": HURTS})
    advice = said("exercise.hurts", locale)
    assert reply.speech.startswith(advice), f"{locale}: {reply}"
    peeing = texts(locale).fact("peeing")
    for words in ("Stop", "rest", "spreads down a leg", "numbness", "weakness", f"trouble {peeing}"):
        assert words in advice, f"{locale}: the advice lacks {words!r}: {advice}"
    number = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "triple zero", "en-IN": "112"}[locale]
    assert number in reply.speech, f"{locale}: the emergency number for the emergency signs: {reply}"
    assert reply.offers == ["check"] and "exercise" not in reply.attributes, f"{locale}: {reply.attributes}"
    assert reply.ends_session is False, reply
    check = talk.yes()
    assert check.mode == "check", f"{locale}: yes starts the red-flag check: {check}"


def test_new_weakness_during_an_exercise_is_a_red_flag(person):
    talk = person()
    start_and_begin(talk)
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "my leg's gone weak", "id": "leg_getting_weaker"}})
    assert "exercise" not in reply.attributes, f"the programme stops for a red flag: {reply.attributes}"
    assert "medical advice today" in reply.speech.lower() or "today" in reply.speech, reply


# ---------------------------------------------------------------- pause across sessions


@pytest.mark.parametrize("locale", LOCALES)
def test_a_pause_survives_the_session_ending(person, locale):
    talk = person(locale)
    start_and_begin(talk)
    talk.say("AMAZON.NextIntent")
    talk.say("AMAZON.NextIntent")
    paused = talk.say("AMAZON.PauseIntent")
    assert said("exercise.paused.kept", locale) in paused.speech, paused
    assert stored_progress().get("paused_at") == 2, f"the place is kept for later: {stored_record(USER)}"
    talk.end_session("EXCEEDED_MAX_REPROMPTS")
    talk.new_session()

    offered = talk.say("StartExercisesIntent")
    assert offered.speech == said("exercise.resume.offer", locale, number=3, total=LEVELS[1].count,
                                  name=name(locale, 1, 2)), offered
    assert offered.ends_session is False and place(offered)["phase"] == "resume", offered
    resumed = talk.yes()
    assert resumed.speech.startswith(said("exercise.resumed", locale)), resumed
    assert_guides(resumed, locale, 1, 2, 0, f"{locale} resumed in a new session")
    assert "paused_at" not in stored_progress(), "a pause is used once"


def test_no_to_carrying_on_starts_from_the_beginning(person):
    talk = person()
    start_and_begin(talk)
    talk.say("AMAZON.NextIntent")
    talk.say("AMAZON.PauseIntent")
    talk.say("AMAZON.StopIntent")  # stopping while paused keeps the place
    talk.new_session()
    talk.say("StartExercisesIntent")
    fresh = talk.no()
    assert fresh.speech.startswith(said("exercise.resume.fresh")), fresh
    assert_guides(fresh, "en-US", 1, 0, 0, "no to carrying on")
    assert "paused_at" not in stored_progress()


def test_stopping_a_running_session_forgets_an_older_pause(person):
    talk = person()
    start_and_begin(talk)
    talk.say("AMAZON.PauseIntent")
    talk.new_session()
    talk.say("StartStretchesIntent")  # the stretches begin afresh: no offer to carry on
    talk.yes()
    talk.say("AMAZON.StopIntent")
    assert "paused_at" not in stored_progress(), stored_record(USER)
    talk.new_session()
    assert place(talk.say("StartExercisesIntent"))["phase"] == "ready"


def test_a_completed_session_drops_the_pause(person):
    talk = person()
    start_and_begin(talk)
    talk.say("AMAZON.PauseIntent")
    talk.say("AMAZON.ResumeIntent")
    reply = talk.say("AMAZON.NextIntent")
    while reply.mode == "exercise":
        reply = talk.say("AMAZON.NextIntent")
    assert stored_progress() == {"level": 1, "sessions": 1}, stored_record(USER)


# ---------------------------------------------------------------- levels


@pytest.mark.parametrize("locale", LOCALES)
def test_the_next_level_is_offered_after_three_sessions_and_never_imposed(person, locale):
    talk = person(locale)
    for session in range(1, SESSIONS_PER_LEVEL):
        last = run_session(talk)[-1]
        assert last.ends_session is True and not last.offers, f"{locale}: no offer after session {session}"
        talk.new_session()
    third = run_session(talk)[-1]
    assert third.offers == ["next_level"], f"{locale}: after three sessions, the next level: {third}"
    assert said("offer.next_level", locale) in third.speech and third.ends_session is False, third
    declined = talk.no()
    assert declined.ends_session is True, declined
    assert stored_progress() == {"level": 1, "sessions": 3}, "never raised without a yes"

    talk.new_session()
    intro = talk.say("StartExercisesIntent")
    assert "level 1" in intro.speech.lower(), f"{locale}: still level 1 after a no: {intro}"
    talk.say("AMAZON.StopIntent")
    for _ in range(SESSIONS_PER_LEVEL - 1):
        talk.new_session()
        assert not run_session(talk)[-1].offers, "offered again only after three more sessions"
    talk.new_session()
    sixth = run_session(talk)[-1]
    assert sixth.offers == ["next_level"], sixth
    moved = talk.yes()
    assert moved.speech == said("exercise.level_up", locale, level=2) and moved.ends_session is True, moved
    assert stored_progress() == {"level": 2, "sessions": 0}, stored_record(USER)


def reach_level(talk: Conversation, number: int) -> None:
    """Three sessions and a yes per level, as a user would get there."""
    while (stored_progress().get("level") or 1) < number:
        last = run_session(talk)[-1]
        if last.offers == ["next_level"]:
            talk.yes()
        talk.new_session()


@pytest.mark.parametrize("locale", LOCALES)
def test_a_returning_user_resumes_at_their_level(person, locale):
    talk = person(locale)
    reach_level(talk, 2)
    intro, first = start_and_begin(talk)
    assert "level 2" in intro.speech.lower(), f"{locale}: a returning user starts at their level: {intro}"
    assert said("exercise.safety", locale) in intro.speech, f"{locale}: the short safety line now: {intro}"
    assert said("exercise.safety.first", locale) not in intro.speech, intro
    assert_guides(first, locale, 2, 0, 0, f"{locale} level 2")
    replies = [first]
    while replies[-1].mode == "exercise":
        replies.append(talk.say("AMAZON.NextIntent"))
    guided = {LEVELS[2].doses[place(r)["step"]].exercise for r in replies[:-1]}
    assert "side_leg_lifts" in guided, f"{locale}: level 2's own exercises: {guided}"
    assert said("exercise.walk", locale, minutes=LEVELS[2].walk_minutes) in replies[-1].speech
    assert stored_progress() == {"level": 2, "sessions": 1}


@pytest.mark.parametrize("number", sorted(LEVELS))
def test_every_level_runs_every_set_to_its_walking_goal(person, number):
    talk = person()
    reach_level(talk, number)
    _, first = start_and_begin(talk)
    replies = [first]
    while replies[-1].mode == "exercise":
        replies.append(talk.say("AMAZON.NextIntent"))
    assert len(replies) == len(plan(number)) + 1, f"level {number}: {len(replies)} turns"
    for reply, (step, part) in zip(replies, plan(number), strict=False):
        assert_guides(reply, "en-US", number, step, part, f"level {number} exercise {step + 1} set {part + 1}")
    assert said("exercise.walk", minutes=LEVELS[number].walk_minutes) in replies[-1].speech


def test_the_top_level_offers_nothing_more(person):
    talk = person()
    reach_level(talk, 3)
    for _ in range(SESSIONS_PER_LEVEL):
        last = run_session(talk)[-1]
        talk.new_session()
        assert not last.offers and last.ends_session is True, last
    assert stored_progress() == {"level": 3, "sessions": SESSIONS_PER_LEVEL}


# ---------------------------------------------------------------- stretches, offers, audio, safety


@pytest.mark.parametrize("locale", LOCALES)
def test_guide_me_through_stretches_starts_the_programme_at_its_stretches(person, locale):
    talk = person(locale)
    intro, first = start_and_begin(talk, "StartStretchesIntent")
    assert said("exercise.intro.stretches", locale, level=1, minutes=LEVELS[1].minutes) in intro.speech, intro
    assert said("exercise.safety.first", locale) in intro.speech, intro
    assert_guides(first, locale, 1, 0, 0, f"{locale} stretches")
    talk.say("AMAZON.NextIntent")
    back = talk.say("StartStretchesIntent")
    assert_guides(back, locale, 1, 0, 0, f"{locale} stretches again in a session")


def test_the_exercises_offer_starts_a_session(person):
    talk = person()
    talk.say("SelfCareTipsIntent", {"topic": {"value": "exercise", "id": "exercise"}})
    offered = None
    for _ in range(10):
        reply = talk.history[-1]
        if reply.offers[:1] == ["exercises"]:
            offered = reply
            break
        if reply.ends_session:
            break
        talk.no()
    assert offered is not None, f"the exercise tip should lead to the programme: {talk.history[-1]}"
    started = talk.yes()
    assert place(started).get("phase") == "ready", started


def test_a_place_that_does_not_fit_the_plan_restarts_safely(person):
    for bad in ({"level": 1, "step": 42}, {"level": 7, "step": 0}, {"level": 1, "step": 0, "part": 5},
                {"level": 1, "step": "two"}, "step 2", None):
        talk = person(user=f"{USER}{abs(hash(repr(bad)))}")
        start_and_begin(talk)
        talk.session.attributes["exercise"] = bad
        reply = talk.say("AMAZON.NextIntent")
        if reply.mode == "exercise":
            assert reply.speech.startswith(said("exercise.lost_state")), f"{bad!r}: {reply}"
            assert_guides(reply, "en-US", 1, 0, 0, f"lost place {bad!r}")
        else:
            assert reply.ends_session is False, f"{bad!r}: an unreadable place goes home: {reply}"


@pytest.mark.parametrize("locale", LOCALES)
def test_the_chime_plays_between_exercises_only_when_audio_is_configured(make_handler, person, locale):
    talk = person(locale, handler=make_handler(AUDIO_BASE + "/"))
    intro, first = start_and_begin(talk)
    assert audio_sources(intro) == [] and audio_sources(first) == [], "no chime before the first exercise"
    for step, part in plan(1)[1:]:
        reply = talk.say("AMAZON.NextIntent")
        expected = [CHIME] if part == 0 else []
        assert audio_sources(reply) == expected, f"{locale} exercise {step + 1} set {part + 1}: {reply.ssml[:120]}"
        if part == 0:
            assert reply.ssml.startswith("<speak><audio"), "the chime comes before the next exercise"
    for intent in ("AMAZON.RepeatIntent", "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "EasierIntent"):
        reply = talk.say(intent)
        assert CHIME not in audio_sources(reply)[1:] and "<audio" not in reply.reprompt, f"{intent}: {reply.ssml}"
        if intent != "AMAZON.RepeatIntent":
            assert audio_sources(reply) == [], f"{intent}: the chime is only between exercises"
    done = talk.say("AMAZON.NextIntent")
    assert audio_sources(done) == [CHIME, DONE], f"the walking goal, then the done sound: {done.ssml[:200]}"

    plain = person(locale, handler=make_handler(None), user=USER + "PLAIN")
    plain.say("StartExercisesIntent")
    for intent in ["AMAZON.YesIntent"] + ["AMAZON.NextIntent"] * len(plan(1)):
        reply = plain.say(intent)
        assert "<audio" not in reply.ssml, f"no audio without AUDIO_BASE_URL: {reply.ssml[:200]}"


def test_asset_url_is_none_without_audio_and_joins_the_base_url_with_it():
    assert asset_url(Config(), "chime") is None, "no audio configured: no asset URL"
    assert asset_url(Config(audio_base_url=AUDIO_BASE), "chime") == CHIME
    assert asset_url(Config(audio_base_url=AUDIO_BASE + "/"), "done") == DONE


def test_a_first_time_one_shot_hears_the_disclaimer_first():
    reply = Conversation(user_id=USER).say("StartExercisesIntent")
    assert reply.speech.startswith(said("launch.disclaimer")), reply
    assert said("exercise.safety.first") in reply.speech, reply


def test_only_fitness_progress_is_stored(person):
    talk = person()
    start_and_begin(talk)
    talk.say("ReportSymptomIntent", {"symptom": HURTS})
    talk.new_session()
    run_session(talk)
    talk.new_session()
    start_and_begin(talk)
    talk.say("AMAZON.PauseIntent")
    record = stored_record(USER) or {}
    assert set(record["exercise"]) <= {"level", "sessions", "paused_at"}, record
    assert "hurt" not in repr(record).lower() and "symptom" not in repr(record).lower(), record
