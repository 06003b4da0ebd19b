"""Tips, information, offers and the built-in intents outside the check, in every locale."""

from __future__ import annotations

import pytest

from backcare.content import LOCALES, TIP_TOPICS, strip_ssml, texts
from support.skill import Conversation

pytestmark = pytest.mark.parametrize("locale", LOCALES)


def tip(locale: str, topic: str) -> str:
    return strip_ssml(texts(locale)(f"tips.{topic}"))


def test_tips_with_a_topic_read_that_topic_then_offer_another(locale):
    talk = Conversation(locale=locale)
    reply = talk.say("SelfCareTipsIntent", {"topic": {"value": "hot and cold", "id": "heat_ice"}})
    assert tip(locale, "heat_ice") in reply.speech, f"wrong tip: {reply}"
    assert reply.speech.endswith("another tip?") and reply.ends_session is False, f"no 'another?': {reply}"


def test_next_and_yes_continue_through_the_topics(locale):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent")
    heard = [talk.say("AMAZON.NextIntent").speech, talk.yes().speech]
    assert heard[0].startswith(tip(locale, "posture")) and heard[1].startswith(tip(locale, "core")), heard


def test_no_after_a_tip_moves_on_politely(locale):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.no()
    assert reply.speech.startswith("OK"), f"declining another tip: {reply}"


def test_next_visit_starts_with_a_new_tip(locale):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent", {"topic": {"value": "posture", "id": "posture"}})
    talk.say("AMAZON.StopIntent")
    reply = talk.say("SelfCareTipsIntent")
    assert tip(locale, "core") in reply.speech, f"the remembered tip was not skipped: {reply}"


def test_hearing_every_topic_ends_the_tips_with_an_offer(locale):
    talk = Conversation(locale=locale)
    reply = talk.say("SelfCareTipsIntent")
    for _ in range(len(TIP_TOPICS) - 1):
        reply = talk.yes()
    assert "That's all my tips" in reply.speech, f"no end to the tips: {reply}"
    assert reply.attributes.get("mode") != "tips", "still offering tips after all were heard"


@pytest.mark.parametrize("intent,words", [
    ("CausesIntent", "strained muscle"),
    ("WhenToSeeDoctorIntent", "two to four weeks"),
    ("WarningSignsIntent", "bladder"),
])
def test_information_is_followed_by_the_offer_of_a_check(locale, intent, words):
    reply = Conversation(locale=locale).say(intent)
    assert words in reply.speech, f"{intent}: {reply}"
    assert reply.attributes.get("offer") == "check" and reply.reprompt, f"{intent} should offer the check: {reply}"


def test_first_time_one_shot_hears_the_disclaimer_once(locale):
    talk = Conversation(locale=locale)
    first = talk.say("CausesIntent")
    assert "not medical advice" in first.speech, f"one-shot first visit without the disclaimer: {first}"
    talk.say("AMAZON.StopIntent")
    assert "not medical advice" not in talk.say("CausesIntent").speech, "disclaimer repeated"


def test_help_depends_on_where_the_user_is(locale):
    talk = Conversation(locale=locale)
    home = talk.say("AMAZON.HelpIntent")
    talk.say("SelfCareTipsIntent")
    in_tips = talk.say("AMAZON.HelpIntent")
    assert "check your back pain" in home.speech, f"help at home: {home}"
    assert "name a topic" in in_tips.speech, f"help in tips: {in_tips}"
    assert home.reprompt and in_tips.reprompt, "help must keep listening"


def test_help_during_an_offer_repeats_the_offer(locale):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.say("AMAZON.HelpIntent")
    assert "yes or no" in reply.speech and "check your symptoms" in reply.speech, f"help at an offer: {reply}"


def test_repeat_works_after_a_tip_and_at_launch(locale):
    talk = Conversation(locale=locale)
    launch = talk.launch()
    assert talk.say("AMAZON.RepeatIntent").speech == launch.speech, "repeat at launch"
    tip_reply = talk.say("SelfCareTipsIntent")
    assert talk.say("AMAZON.RepeatIntent").speech == tip_reply.speech, "repeat after a tip"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_say_goodbye(locale, intent):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say(intent)
    assert "Goodbye" in reply.speech and reply.ends_session is True, f"{intent}: {reply}"


def test_navigate_home_offers_the_main_choices(locale):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say("AMAZON.NavigateHomeIntent")
    assert "self-care tips" in reply.speech and reply.attributes.get("offer") == "check", f"home: {reply}"


def test_declining_every_offer_says_goodbye(locale):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.no()
    while not reply.ends_session:
        assert reply.attributes.get("mode") == "offer", f"expected another offer or goodbye: {reply}"
        reply = talk.no()
    assert "Goodbye" in reply.speech, f"no goodbye after declining: {reply}"


def test_fallback_outside_the_check_suggests_what_to_say(locale):
    reply = Conversation(locale=locale).say("AMAZON.FallbackIntent")
    assert "check my back" in reply.speech and reply.ends_session is False, f"fallback: {reply}"


@pytest.mark.parametrize("intent", ["AMAZON.YesIntent", "AMAZON.NoIntent", "UnsureIntent", "WhyAskIntent",
                                    "AMAZON.PauseIntent", "AMAZON.ResumeIntent", "AMAZON.NextIntent"])
def test_answers_with_nothing_pending_lead_home(locale, intent):
    reply = Conversation(locale=locale).say(intent)
    assert reply.ends_session is False and reply.attributes.get("offer") == "check", f"{intent}: {reply}"


def test_session_ended_request_gets_an_empty_response(locale):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.end_session()
    assert reply.ssml == "" and not reply.card, f"SessionEndedRequest must not speak: {reply}"


@pytest.mark.parametrize("intent", ["AMAZON.FallbackIntent", "UnsureIntent"])
def test_not_understood_after_a_tip_asks_again_within_tips(locale, intent):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say(intent)
    assert "another tip" in reply.speech and reply.attributes.get("mode") == "tips", f"{intent} in tips: {reply}"
    assert talk.yes().speech.startswith(tip(locale, "posture")), "yes after the re-ask should read the next tip"


def test_pause_after_a_tip_moves_on_like_no(locale):
    talk = Conversation(locale=locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say("AMAZON.PauseIntent")
    assert reply.speech.startswith("OK") and "nothing to pause" not in reply.speech, f"pause in tips: {reply}"
