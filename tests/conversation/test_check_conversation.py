"""The red-flag check as a user meets it: through lambda_handler, in every locale."""

from __future__ import annotations

import pytest

from backcare.content import LOCALES, strip_ssml, texts
from backcare.triage import QUESTIONS, Disposition
from support.skill import Conversation

# SPEC §3, written out independently of the content files.
EMERGENCY_NUMBER = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}
SPOKEN_EMERGENCY = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "triple zero", "en-IN": "112"}
URGENT_CONTACT = {
    "en-US": "urgent care", "en-CA": "walk-in clinic", "en-GB": "NHS 111", "en-AU": "healthdirect",
    "en-IN": "a doctor today",
}
EMERGENCY_IDS = [q.id for q in QUESTIONS if q.level is Disposition.EMERGENCY]

pytestmark = pytest.mark.parametrize("locale", LOCALES)


def ask(locale: str, qid: str) -> str:
    return strip_ssml(texts(locale)(f"q.{qid}.ask"))


def start(locale: str) -> tuple[Conversation, object]:
    talk = Conversation(locale=locale)
    return talk, talk.say("CheckSymptomsIntent")


def answer_no_until(talk: Conversation, locale: str, qid: str):
    reply = talk.history[-1]
    while ask(locale, qid) not in reply.speech:
        assert not reply.ends_session, f"check ended before reaching {qid}: {reply}"
        reply = talk.no()
    return reply


def test_first_launch_gives_the_disclaimer_once(locale):
    talk = Conversation(locale=locale)
    first = talk.launch()
    assert "not medical advice" in first.speech, f"first visit lacks the disclaimer: {first}"
    assert SPOKEN_EMERGENCY[locale] in first.speech, f"disclaimer lacks the emergency number: {first}"
    assert first.ends_session is False and first.reprompt, "launch must ask and keep listening"
    talk.say("AMAZON.StopIntent")
    again = talk.launch()
    assert "not medical advice" not in again.speech, f"returning user heard the disclaimer again: {again}"
    assert "Welcome back" in again.speech, f"returning user not greeted as such: {again}"


def test_yes_at_launch_starts_the_check(locale):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.yes()
    assert ask(locale, "bladder_bowel") in reply.speech, f"yes at launch did not start the check: {reply}"
    assert reply.reprompt == ask(locale, "bladder_bowel"), "the reprompt should repeat the question"


def test_all_no_reaches_self_care_with_card_and_tips_offer(locale):
    talk, reply = start(locale)
    asked = []
    while reply.attributes.get("mode") == "check":
        asked.append(reply.reprompt)
        reply = talk.no()
    assert asked == [ask(locale, q.id) for q in QUESTIONS], "the questions were not asked in SPEC order"
    assert "none of the warning signs" in reply.speech.lower() or "any of the warning signs" in reply.speech, reply
    assert "two to four weeks" in reply.speech, f"self-care must say when to check again: {reply}"
    assert reply.card and reply.card["type"] == "Simple", f"self-care outcome without a card: {reply}"
    assert reply.ends_session is False and "tips" in reply.speech, f"tips not offered: {reply}"
    tip = talk.yes()
    assert tip.speech.startswith(strip_ssml(texts(locale)("tips.movement"))), f"yes did not read a tip: {tip}"


@pytest.mark.parametrize("qid", EMERGENCY_IDS)
def test_yes_to_each_emergency_question_gives_emergency_now(locale, qid):
    talk, _ = start(locale)
    answer_no_until(talk, locale, qid)
    reply = talk.yes()
    assert SPOKEN_EMERGENCY[locale] in reply.speech, f"emergency outcome lacks the number: {reply}"
    assert "Again" in reply.speech, "the emergency number should be said twice"
    assert reply.ends_session is True, "nothing may follow emergency advice"
    assert reply.card and EMERGENCY_NUMBER[locale] in reply.card["content"], f"card lacks the number: {reply}"
    assert "tips" not in reply.speech.lower(), "emergency advice buried under an offer"


def test_fever_gives_urgent_advice_with_the_local_contact(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "fever")
    reply = talk.yes()
    assert URGENT_CONTACT[locale] in reply.speech and "today" in reply.speech, f"urgent advice wrong: {reply}"
    assert SPOKEN_EMERGENCY[locale] in reply.speech, "urgent advice must still name the emergency number"
    assert reply.ends_session is True and reply.card, f"urgent outcome: {reply}"


def test_see_doctor_outcome_offers_tips(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "worsening")
    reply = talk.yes()
    assert "next few days" in reply.speech and "rarely needed" in reply.speech, f"see-doctor advice: {reply}"
    assert reply.ends_session is False and reply.attributes.get("offer") == "tips", f"no tips offer: {reply}"
    assert reply.card, "see-doctor outcome without a card"


def test_unsure_once_explains_and_reasks_simpler(locale):
    talk, _ = start(locale)
    reply = talk.unsure()
    t = texts(locale)
    assert strip_ssml(t("q.bladder_bowel.why")) in reply.speech, f"no explanation after unsure: {reply}"
    assert reply.reprompt == strip_ssml(t("q.bladder_bowel.reask")), f"not re-asked in simpler words: {reply}"


def test_unsure_twice_counts_as_yes_and_says_so(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "cancer_history")
    talk.unsure()
    reply = talk.unsure()
    assert "safe choice" in reply.speech, f"user not told unsure counts as yes: {reply}"
    assert URGENT_CONTACT[locale] in reply.speech, f"unsure twice on cancer history should be urgent: {reply}"


def test_fallback_twice_counts_as_one_unsure(locale):
    talk, _ = start(locale)
    first = talk.say("AMAZON.FallbackIntent")
    assert "yes or no" in first.speech and ask(locale, "bladder_bowel") in first.speech, f"no redirect: {first}"
    second = talk.say("CausesIntent")
    assert strip_ssml(texts(locale)("q.bladder_bowel.why")) in second.speech, f"2nd stray not unsure: {second}"


def test_why_explains_without_counting_as_an_answer(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "radiating")
    reply = talk.say("WhyAskIntent")
    assert strip_ssml(texts(locale)("q.radiating.why")) in reply.speech, f"why not explained: {reply}"
    assert reply.speech.endswith(ask(locale, "radiating")), f"question not asked again after why: {reply}"
    assert talk.no().reprompt == ask(locale, "one_leg_numbness"), "why changed the check's progress"


def test_repeat_repeats_the_question(locale):
    talk, first = start(locale)
    again = talk.say("AMAZON.RepeatIntent")
    assert again.speech == first.speech and again.reprompt == first.reprompt, f"repeat differs: {again}"


def test_start_over_restarts_the_check(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "fever")
    reply = talk.say("AMAZON.StartOverIntent")
    assert reply.reprompt == ask(locale, "bladder_bowel"), f"start over did not restart: {reply}"


def test_help_during_the_check_is_specific_and_keeps_the_question(locale):
    talk, _ = start(locale)
    talk.no()
    reply = talk.say("AMAZON.HelpIntent")
    assert "yes or no" in reply.speech and reply.speech.endswith(ask(locale, "saddle_numbness")), reply
    assert talk.no().reprompt == ask(locale, "leg_weakness"), "help changed the check's progress"


@pytest.mark.parametrize("intent", ["AMAZON.StopIntent", "AMAZON.CancelIntent"])
def test_stop_during_the_check_ends_politely_without_reassuring(locale, intent):
    talk, _ = start(locale)
    reply = talk.say(intent)
    assert reply.ends_session is True, f"{intent} did not end the session"
    assert SPOKEN_EMERGENCY[locale] in reply.speech, f"stopping the check should name the number: {reply}"
    assert "warning signs" not in reply.speech.lower().replace("any warning signs", ""), reply


def test_unrelated_intent_during_the_check_brings_the_user_back(locale):
    talk, _ = start(locale)
    reply = talk.say("SelfCareTipsIntent", {"topic": {"value": "posture", "id": "posture"}})
    assert "yes or no" in reply.speech and reply.attributes.get("mode") == "check", f"left the check: {reply}"


@pytest.mark.parametrize("qid", EMERGENCY_IDS)
def test_volunteered_emergency_symptom_outside_the_check_is_an_emergency(locale, qid):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "something", "id": qid}})
    assert SPOKEN_EMERGENCY[locale] in reply.speech and reply.ends_session is True, f"{qid}: {reply}"


def test_volunteered_fever_asks_the_emergency_questions_first(locale):
    talk = Conversation(locale=locale)
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "I've got a fever", "id": "fever"}})
    asked = []
    while reply.attributes.get("mode") == "check":
        asked.append(reply.reprompt)
        reply = talk.no()
    assert asked == [ask(locale, q) for q in EMERGENCY_IDS], f"asked {asked}"
    assert URGENT_CONTACT[locale] in reply.speech, f"volunteered fever then all-no: {reply}"


def test_volunteered_symptom_during_the_check_counts_as_yes(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "duration")
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "my leg is numb", "id": "one_leg_numbness"}})
    assert "next few days" in reply.speech, f"a volunteered see-doctor symptom after the serious ones: {reply}"


def test_unmatched_complaint_offers_the_check(locale):
    talk = Conversation(locale=locale)
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "my back hurts", "no_match": True}})
    assert reply.attributes.get("offer") == "check" and reply.ends_session is False, f"no check offered: {reply}"
    assert ask(locale, "bladder_bowel") in talk.yes().speech, "yes to the offer did not start the check"


def test_warning_signs_name_the_emergency_number(locale):
    reply = Conversation(locale=locale).say("WarningSignsIntent")
    assert SPOKEN_EMERGENCY[locale] in reply.speech and "bladder" in reply.speech, f"warning signs: {reply}"


def test_111_is_said_only_in_great_britain(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "fever")
    spoken = [r.ssml + r.reprompt + str(r.card) for r in [*talk.history, talk.yes()]]
    if locale == "en-GB":
        assert "111" in spoken[-1], "the UK urgent outcome should name NHS 111"
    else:
        assert not any("111" in s for s in spoken), "111 said outside en-GB"


def test_first_time_user_volunteering_a_symptom_hears_the_disclaimer(locale):
    reply = Conversation(locale=locale).say("ReportSymptomIntent", {"symptom": {"value": "a fever", "id": "fever"}})
    assert "not medical advice" in reply.speech, f"one-shot symptom without the disclaimer: {reply}"
    assert reply.speech.endswith(ask(locale, "bladder_bowel")), f"the emergency questions should follow: {reply}"


def test_volunteered_emergency_one_shot_puts_nothing_before_the_advice(locale):
    reply = Conversation(locale=locale).say("ReportSymptomIntent", {"symptom": {"value": "x", "id": "chest_pain"}})
    assert reply.speech.startswith("This could be serious"), f"something came before emergency advice: {reply}"


def test_leaving_the_check_for_home_does_not_sound_like_an_all_clear(locale):
    talk, _ = start(locale)
    reply = talk.say("AMAZON.NavigateHomeIntent")
    assert "stopped the check" in reply.speech and SPOKEN_EMERGENCY[locale] in reply.speech, f"home: {reply}"
    assert reply.attributes.get("mode") != "check", "navigate home should leave the check"
