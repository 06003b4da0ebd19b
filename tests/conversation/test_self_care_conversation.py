"""Tips, information, offers and the built-in intents outside the check, in every locale, and the
one-time disclaimer. Users are returning users (the `returning` fixture of conftest.py) except
in the tests about the first visit; expected words come from the content keys."""

from __future__ import annotations

import pytest

from backcare.content import LOCALES, strip_ssml, texts
from backcare.handlers.tips import PAGES, TIP_TEXTS, TIP_TOPICS
from support.skill import Conversation, said

pytestmark = pytest.mark.parametrize("locale", LOCALES)


def tip(locale: str, topic: str) -> str:
    """The first page of a topic, as spoken."""
    return said(TIP_TEXTS[topic].pages[0], locale)


def page(locale: str, number: int) -> str:
    """Page `number` of all the tips, in the order "another tip" reads them."""
    return said(PAGES[number].text, locale)


def card(locale: str, topic: str) -> dict:
    words = texts(locale)
    return {"type": "Simple", "title": words.plain(TIP_TEXTS[topic].card_title),
            "content": words.plain(TIP_TEXTS[topic].card_text)}


def test_tips_with_a_topic_read_that_topic_then_offer_another(locale, returning):
    talk = returning(locale)
    reply = talk.say("SelfCareTipsIntent", {"topic": {"value": "hot and cold", "id": "heat_cold"}})
    assert reply.speech == f"{tip(locale, 'heat_cold')} {said('tips.more', locale)}", f"wrong tip: {reply}"
    assert reply.ends_session is False and reply.reprompt == said("tips.more.reprompt", locale), f"{reply}"
    assert reply.card == card(locale, "heat_cold"), f"the long version is on the card: {reply.card}"
    assert reply.mode == "tips" and reply.attributes["tips"] == {"topic": "heat_cold", "heard": ["heat_cold"]}


def test_next_and_yes_continue_through_the_topics(locale, returning):
    talk = returning(locale)
    first = talk.say("SelfCareTipsIntent")
    heard = [talk.say("AMAZON.NextIntent").speech, talk.yes().speech]
    assert first.speech.startswith(page(locale, 0)), f"a new user starts at the first tip: {first}"
    assert heard[0].startswith(page(locale, 1)) and heard[1].startswith(page(locale, 2)), heard


def test_no_after_a_tip_moves_on_politely(locale, returning):
    talk = returning(locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.no()
    assert reply.speech == f"{said('offer.declined', locale)} {said('offer.exercises', locale)}", (
        f"declining another tip offers the exercises: {reply}")
    assert reply.offers == ["exercises"] and reply.ends_session is False, f"{reply}"


def test_next_visit_starts_with_a_new_tip(locale, returning):
    talk = returning(locale)
    talk.say("SelfCareTipsIntent", {"topic": {"value": "posture", "id": "positions"}})
    talk.say("AMAZON.StopIntent")
    reply = talk.say("SelfCareTipsIntent")
    following = [p.name for p in PAGES].index("positions") + 1
    assert reply.speech.startswith(page(locale, following)), f"the remembered tip was not skipped: {reply}"


def test_hearing_every_topic_ends_the_tips_with_an_offer(locale, returning):
    talk = returning(locale)
    replies = [talk.say("SelfCareTipsIntent")]
    for _ in range(len(PAGES) - 1):
        replies.append(talk.yes())
    for number, reply in enumerate(replies):
        assert reply.speech.startswith(page(locale, number)), f"page {number} not read in order: {reply}"
        assert reply.card == card(locale, PAGES[number].topic), f"page {number}: {reply.card}"
    assert {p.topic for p in PAGES} == set(TIP_TOPICS), "every topic is read"
    last = replies[-1]
    assert last.speech == " ".join((page(locale, len(PAGES) - 1), said("tips.all_heard", locale),
                                    said("offer.exercises", locale))), f"no end to the tips: {last}"
    assert last.mode == "offer" and last.offers == ["exercises"], "still offering tips after all were heard"


@pytest.mark.parametrize(("intent", "key"), [
    ("CausesIntent", "info.causes"),
    ("WhenToSeeDoctorIntent", "info.when_doctor"),
    ("WarningSignsIntent", "info.warning_signs"),
])
def test_information_is_followed_by_the_offer_of_a_check(locale, returning, intent, key):
    reply = returning(locale).say(intent)
    assert reply.speech == f"{said(key, locale)} {said('offer.check', locale)}", f"{intent}: {reply}"
    assert reply.offers == ["check"] and reply.reprompt == said("offer.check.reprompt", locale), (
        f"{intent} should offer the check: {reply}")


def test_the_check_offered_after_information_starts_on_yes(locale, returning):
    talk = returning(locale)
    talk.say("WarningSignsIntent")
    started = talk.yes()
    assert started.speech == f"{said('check.intro', locale)} {said('question.bladder.ask', locale)}", f"{started}"
    assert started.mode == "check", f"{started.attributes}"


def test_information_names_the_locales_emergency_number_and_the_two_week_threshold(locale, returning):
    talk = returning(locale)
    signs = talk.say("WarningSignsIntent")
    words = texts(locale)
    number = strip_ssml(words.facts_speech.get("emergency") or words.fact("emergency"))  # "911", "triple zero"
    assert number in signs.speech, f"the warning signs must name the local emergency number: {signs}"
    doctor = talk.say("WhenToSeeDoctorIntent")
    assert "two weeks" in doctor.speech, f"SPEC §4: the same two-week threshold everywhere: {doctor}"


# --------------------------------------------------------------------------- the one-time disclaimer


def test_first_time_one_shot_hears_the_disclaimer_once(locale):
    talk = Conversation(locale=locale)
    first = talk.say("CausesIntent")
    assert first.speech == " ".join((said("launch.disclaimer", locale), said("info.causes", locale),
                                     said("offer.check", locale))), f"one-shot first visit: {first}"
    assert first.reprompt == said("offer.check.reprompt", locale), "the reprompt never carries the disclaimer"
    same_session = talk.no()
    assert said("launch.disclaimer", locale) not in same_session.speech, f"said again: {same_session}"
    talk.new_session()
    later = talk.say("CausesIntent")
    assert said("launch.disclaimer", locale) not in later.speech, f"disclaimer repeated: {later}"


def test_a_first_launch_says_the_disclaimer_inside_the_welcome_and_a_later_one_does_not(locale):
    talk = Conversation(locale=locale)
    first = talk.launch()
    assert first.speech == " ".join((said("launch.first", locale), said("launch.disclaimer", locale),
                                     said("launch.menu", locale), said("offer.check", locale))), f"{first}"
    assert first.speech.count(said("launch.disclaimer", locale)) == 1, "said once, not twice"
    talk.say("AMAZON.StopIntent")
    later = talk.launch()
    assert later.speech == f"{said('launch.returning', locale)} {said('offer.check', locale)}", f"{later}"


def test_no_disclaimer_in_front_of_emergency_advice_and_it_waits_for_the_next_visit(locale):
    talk = Conversation(locale=locale)
    emergency = talk.say("EmergencyIntent")
    assert emergency.speech == said("emergency.request", locale) and emergency.ends_session is True, f"{emergency}"
    symptom = Conversation(locale=locale, user_id="amzn1.ask.account.SECONDUSER")
    outcome = symptom.say("ReportSymptomIntent", {"symptom": {"value": "I can't control my bladder", "id": "bladder"}})
    assert outcome.speech.startswith(said("outcome.emergency.speech", locale)), f"{outcome}"
    for reply in (emergency, outcome):
        assert said("launch.disclaimer", locale) not in reply.speech, f"nothing before emergency advice: {reply}"
    later = talk.say("CausesIntent")  # the emergency ended the session: this is the next visit
    assert later.speech.startswith(said("launch.disclaimer", locale)), f"the disclaimer is still owed: {later}"


def test_no_disclaimer_in_front_of_urgent_advice_and_it_waits_for_the_next_visit(locale):
    talk = Conversation(locale=locale)
    urgent = talk.say("ReportSymptomIntent", {"symptom": {"value": "I've got a fever", "id": "fever"}})
    assert urgent.speech.startswith(said("advice.urgent", locale)), f"the URGENT advice comes first: {urgent}"
    assert said("launch.disclaimer", locale) not in urgent.speech, f"nothing before urgent advice: {urgent}"
    talk.say("AMAZON.StopIntent")
    later = talk.launch()
    assert said("launch.disclaimer", locale) in later.speech, f"the disclaimer is still owed: {later}"


def test_a_platform_request_first_does_not_use_up_the_disclaimer(locale):
    talk = Conversation(locale=locale)
    assert talk.end_session().ssml == "", "SessionEndedRequest must not speak"
    talk.new_session()
    first = talk.say("CausesIntent")
    assert first.speech.startswith(said("launch.disclaimer", locale)), f"{first}"


# --------------------------------------------------------------------------- built-in intents


def test_help_depends_on_where_the_user_is(locale, returning):
    talk = returning(locale)
    home = talk.say("AMAZON.HelpIntent")
    talk.say("SelfCareTipsIntent")
    in_tips = talk.say("AMAZON.HelpIntent")
    assert home.speech == said("help.home", locale) and home.reprompt == said("help.home.reprompt", locale), home
    assert in_tips.speech == said("tips.help", locale) and in_tips.reprompt == said("tips.more.reprompt", locale)
    assert in_tips.mode == "tips", "help keeps the place in the tips"


def test_help_during_an_offer_says_what_the_skill_does_and_repeats_the_offer(locale, returning):
    talk = returning(locale)
    talk.launch()
    reply = talk.say("AMAZON.HelpIntent")
    assert reply.speech == f"{said('help.home', locale)} {said('offer.check', locale)}", f"help at an offer: {reply}"
    assert reply.offers == ["check", "tips", "exercises"], f"help must keep the offers: {reply}"
    assert reply.reprompt == said("offer.check.reprompt", locale), f"{reply}"
    unclear = talk.say("AMAZON.FallbackIntent")
    assert unclear.speech == f"{said('help.offer', locale)} {said('offer.check', locale)}", f"{unclear}"


def test_repeat_works_after_a_tip_and_at_launch(locale, returning):
    talk = returning(locale)
    launch = talk.launch()
    repeated = talk.say("AMAZON.RepeatIntent")
    assert repeated.speech == launch.speech and repeated.reprompt == launch.reprompt, "repeat at launch"
    assert repeated.offers == ["check", "tips", "exercises"], "repeat keeps the offers open"
    tip_reply = talk.say("SelfCareTipsIntent")
    repeated = talk.say("AMAZON.RepeatIntent")
    assert repeated.speech == tip_reply.speech and repeated.mode == "tips", "repeat after a tip"


def test_repeat_after_the_first_answer_repeats_the_disclaimer_with_it(locale):
    talk = Conversation(locale=locale)
    first = talk.say("CausesIntent")
    assert talk.say("AMAZON.RepeatIntent").speech == first.speech, "repeat says exactly what was said"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_and_cancel_say_goodbye(locale, returning, intent):
    talk = returning(locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say(intent)
    assert reply.speech == said("home.goodbye", locale) and reply.ends_session is True, f"{intent}: {reply}"
    assert not reply.card and reply.mode == "home", f"{intent}: {reply}"


@pytest.mark.parametrize("intent", ["AMAZON.NavigateHomeIntent", "AMAZON.StartOverIntent"])
def test_navigate_home_offers_the_main_choices(locale, returning, intent):
    talk = returning(locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say(intent)
    assert reply.speech == said("home.menu", locale) and reply.offers == ["check"], f"home: {reply}"
    assert reply.reprompt == said("home.menu.reprompt", locale), f"{reply}"


def test_declining_every_offer_says_goodbye(locale, returning):
    talk = returning(locale)
    talk.launch()
    reply = talk.no()
    while not reply.ends_session:
        assert reply.mode == "offer", f"expected another offer or goodbye: {reply}"
        reply = talk.no()
    assert reply.speech == f"{said('offer.declined', locale)} {said('home.goodbye', locale)}", f"{reply}"


def test_fallback_outside_the_check_suggests_what_to_say(locale, returning):
    reply = returning(locale).say("AMAZON.FallbackIntent")
    assert reply.speech == said("fallback.home", locale) and reply.ends_session is False, f"fallback: {reply}"
    assert reply.reprompt == said("fallback.home.reprompt", locale), f"{reply}"


NOTHING_PENDING = {
    "AMAZON.YesIntent": "nothing.answer", "AMAZON.NoIntent": "nothing.answer", "AMAZON.NextIntent": "nothing.answer",
    "UnsureIntent": "nothing.unsure", "WhyAskIntent": "nothing.why", "AMAZON.PauseIntent": "nothing.pause",
    "AMAZON.ResumeIntent": "nothing.resume",
}


@pytest.mark.parametrize("intent", sorted(NOTHING_PENDING))
def test_answers_with_nothing_pending_lead_home(locale, returning, intent):
    reply = returning(locale).say(intent)
    assert reply.speech == f"{said(NOTHING_PENDING[intent], locale)} {said('home.menu', locale)}", f"{intent}: {reply}"
    assert reply.ends_session is False and reply.offers == ["check"], f"{intent}: {reply}"


def test_session_ended_request_gets_an_empty_response(locale, returning):
    talk = returning(locale)
    talk.launch()
    reply = talk.end_session()
    assert reply.ssml == "" and not reply.card and not reply.directives, f"SessionEndedRequest must not speak: {reply}"


@pytest.mark.parametrize("intent", ["AMAZON.FallbackIntent", "UnsureIntent"])
def test_not_understood_after_a_tip_asks_again_within_tips(locale, returning, intent):
    talk = returning(locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say(intent)
    assert reply.speech == said("tips.not_understood", locale) and reply.mode == "tips", f"{intent} in tips: {reply}"
    assert talk.yes().speech.startswith(page(locale, 1)), "yes after the re-ask should read the next tip"


def test_pause_after_a_tip_moves_on_like_no(locale, returning):
    talk = returning(locale)
    talk.say("SelfCareTipsIntent")
    reply = talk.say("AMAZON.PauseIntent")
    assert reply.speech == f"{said('offer.declined', locale)} {said('offer.exercises', locale)}", f"pause: {reply}"
    assert said("nothing.pause", locale) not in reply.speech, f"pause in tips: {reply}"
