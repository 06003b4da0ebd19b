"""The red-flag check (SPEC §3 v2) as a user meets it: through lambda_handler, in every locale."""

from __future__ import annotations

import pytest

from backcare.content import LOCALES, strip_ssml, texts
from backcare.handlers.check import QUESTION_TEXTS
from backcare.triage import QUESTIONS, Disposition
from support.skill import Conversation

# SPEC §3, written out independently of the content files.
SPOKEN_EMERGENCY = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "triple zero", "en-IN": "112"}
CARD_EMERGENCY = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "000", "en-IN": "112"}
URGENT_CONTACT = {
    "en-US": "urgent care", "en-CA": "walk-in clinic", "en-GB": "NHS 111", "en-AU": "healthdirect",
    "en-IN": "a doctor today",
}
LEVEL = {q.id: q.level for q in QUESTIONS}
IDS_AT = {level: [q.id for q in QUESTIONS if q.level is level] for level in Disposition}

pytestmark = pytest.mark.parametrize("locale", LOCALES)


def ask(locale: str, qid: str) -> str:
    return strip_ssml(texts(locale)(QUESTION_TEXTS[qid].ask))


def start(locale: str) -> tuple[Conversation, object]:
    talk = Conversation(locale=locale)
    return talk, talk.say("CheckSymptomsIntent")


def answer_no_until(talk: Conversation, locale: str, qid: str):
    reply = talk.history[-1]
    while ask(locale, qid) not in reply.speech:
        assert not reply.ends_session, f"check ended before reaching {qid}: {reply}"
        reply = talk.no()
    return reply


def assert_emergency(reply, locale: str) -> None:
    spoken = reply.speech
    assert spoken.count(SPOKEN_EMERGENCY[locale]) >= 2, f"the emergency number must be said twice: {reply}"
    assert reply.ends_session is True, f"an emergency must end the session, with no offers: {reply}"
    assert reply.card and CARD_EMERGENCY[locale] in reply.card["title"] + reply.card["content"], \
        f"the emergency card must carry the number: {reply.card}"


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
    assert ask(locale, "bladder") in reply.speech, f"yes at launch did not start the check: {reply}"
    assert reply.reprompt == ask(locale, "bladder"), "the reprompt should repeat the question"


def test_all_no_reaches_self_care_worded_as_what_the_user_said(locale):
    talk, reply = start(locale)
    asked = []
    while reply.attributes.get("mode") == "check":
        asked.append(reply.reprompt)
        reply = talk.no()
    assert asked == [ask(locale, q.id) for q in QUESTIONS], "the questions were not asked in SPEC order"
    said = reply.speech.lower()
    assert "you didn't mention any of the warning signs i asked about" in said, f"{reply}"
    assert "don't have any" not in said and "no warning signs" not in (reply.card or {}).get("title", "").lower(), \
        f"self-care must not sound like a diagnosis: {reply}"
    assert any(words in said for words in ("peeing", "weeing", "passing urine")), \
        f"self-care must name trouble peeing as an emergency sign: {reply}"
    assert "numbness between your legs" in said, f"self-care must name numbness between the legs: {reply}"
    assert SPOKEN_EMERGENCY[locale] in reply.speech and "two weeks" in said, f"what to do if things change: {reply}"
    assert reply.card and reply.card["type"] == "Simple", f"self-care outcome without a card: {reply}"
    assert reply.ends_session is False and reply.reprompt, f"self-care must go on to an offer: {reply}"


@pytest.mark.parametrize("qid", IDS_AT[Disposition.EMERGENCY])
def test_yes_to_each_emergency_question_gives_emergency_now(locale, qid):
    talk, _ = start(locale)
    answer_no_until(talk, locale, qid)
    assert_emergency(talk.yes(), locale)


@pytest.mark.parametrize("qid", IDS_AT[Disposition.URGENT])
def test_yes_to_each_urgent_question_gives_advice_for_today(locale, qid):
    talk, _ = start(locale)
    answer_no_until(talk, locale, qid)
    reply = talk.yes()
    assert URGENT_CONTACT[locale] in reply.speech, f"urgent outcome lacks the local contact: {reply}"
    assert SPOKEN_EMERGENCY[locale] in reply.speech, f"urgent outcome lacks the emergency number: {reply}"
    assert reply.ends_session is True and reply.card, f"urgent advice must end with a card, no offers: {reply}"


@pytest.mark.parametrize("qid", IDS_AT[Disposition.SEE_DOCTOR])
def test_yes_to_each_see_doctor_question_books_a_doctor_then_offers_a_check_in(locale, qid):
    talk, _ = start(locale)
    answer_no_until(talk, locale, qid)
    reply = talk.yes()
    assert "appointment" in reply.speech.lower(), f"see-doctor outcome must say book an appointment: {reply}"
    assert "scans" in reply.speech.lower() and reply.card, f"see-doctor outcome facts or card missing: {reply}"
    assert reply.ends_session is False, f"see-doctor should go on to an offer: {reply}"


def test_111_is_said_only_in_great_britain(locale):
    talk, _ = start(locale)
    answer_no_until(talk, locale, "fever")
    reply = talk.yes()
    spoken = reply.speech + " " + (reply.card or {}).get("content", "")
    assert ("111" in spoken) == (locale == "en-GB"), f"111 in {locale}: {spoken}"


def test_unsure_once_explains_and_reasks_simpler_and_twice_counts_as_yes(locale):
    talk, _ = start(locale)
    reply = talk.unsure()
    t = texts(locale)
    assert strip_ssml(t(QUESTION_TEXTS["bladder"].why)) in reply.speech, f"no explanation: {reply}"
    assert reply.reprompt == strip_ssml(t(QUESTION_TEXTS["bladder"].reask)), f"not asked in simpler words: {reply}"
    counted = talk.unsure()
    assert "treat that as a yes" in counted.speech, f"the user was not told the unsure counts: {counted}"
    assert_emergency(counted, locale)


def test_why_explains_without_counting_as_an_answer(locale):
    talk, _ = start(locale)
    reply = talk.say("WhyAskIntent")
    assert strip_ssml(texts(locale)(QUESTION_TEXTS["bladder"].why)) in reply.speech, f"{reply}"
    assert reply.ends_session is False and reply.reprompt == ask(locale, "bladder"), f"why moved the check: {reply}"


def test_fallback_twice_counts_as_one_unsure(locale):
    talk, _ = start(locale)
    first = talk.say("AMAZON.FallbackIntent")
    assert ask(locale, "bladder") in first.speech and "yes or no" in first.speech, f"not brought back: {first}"
    second = talk.say("SelfCareTipsIntent")
    t = texts(locale)
    assert strip_ssml(t(QUESTION_TEXTS["bladder"].reask)) in second.speech, f"two strays must be one unsure: {second}"


def test_help_during_the_check_is_specific_and_keeps_the_question(locale):
    talk, _ = start(locale)
    talk.no()
    reply = talk.say("AMAZON.HelpIntent")
    assert "yes or no" in reply.speech and ask(locale, "bowel") in reply.speech, f"{reply}"


def test_repeat_repeats_the_question(locale):
    talk, first = start(locale)
    reply = talk.say("AMAZON.RepeatIntent")
    assert reply.speech == first.speech and reply.reprompt == first.reprompt, f"repeat said something else: {reply}"


def test_start_over_restarts_the_check(locale):
    talk, _ = start(locale)
    talk.no()
    talk.no()
    reply = talk.say("AMAZON.StartOverIntent")
    assert ask(locale, "bladder") in reply.speech, f"start over did not go back to the first question: {reply}"


def test_go_back_reasks_the_last_question_and_a_yes_then_counts(locale):
    talk, _ = start(locale)
    talk.no()  # bladder
    talk.no()  # bowel
    back = talk.say("GoBackIntent")
    assert ask(locale, "bowel") in back.speech, f"go back did not re-ask the last question: {back}"
    assert_emergency(talk.yes(), locale)


def test_i_meant_yes_after_a_self_care_outcome_escalates(locale):
    talk, reply = start(locale)
    while reply.attributes.get("mode") == "check":
        reply = talk.no()
    back = talk.say("GoBackIntent")
    assert ask(locale, "sleep_daily") in back.speech, f"after the outcome, go back must reopen the check: {back}"
    escalated = talk.yes()
    assert "appointment" in escalated.speech.lower(), f"the corrected yes did not count: {escalated}"


def test_stop_mid_check_ends_politely_with_the_emergency_number(locale):
    talk, _ = start(locale)
    talk.no()
    reply = talk.say("AMAZON.StopIntent")
    assert reply.ends_session is True and SPOKEN_EMERGENCY[locale] in reply.speech, f"{reply}"
    assert "didn't mention" not in reply.speech, f"stopping must never sound like an all-clear: {reply}"


def test_a_first_time_user_never_hears_the_disclaimer_before_emergency_advice(locale):
    talk = Conversation(locale=locale)
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "I can't pee", "id": "bladder"}})
    assert reply.speech.startswith("Call"), f"something stands before the emergency advice: {reply}"
    assert_emergency(reply, locale)


def test_a_corrupt_check_restarts_from_the_top(locale):
    talk, _ = start(locale)
    talk.no()
    talk.session.attributes["triage"] = {"v": 2, "m": "n" * 16, "c": 3}
    reply = talk.yes()
    assert "lost track" in reply.speech and ask(locale, "bladder") in reply.speech, \
        f"a state that could reassure must restart the check, not be used: {reply}"


def test_help_at_the_launch_offer_says_what_the_skill_does_then_asks_again(locale):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.say("AMAZON.HelpIntent")
    assert strip_ssml(texts(locale)("help.home")) in reply.speech, f"help was not specific: {reply}"
    assert reply.ends_session is False and "check your symptoms" in reply.speech, f"{reply}"


def test_no_to_the_check_at_launch_moves_to_the_next_offer_not_goodbye(locale):
    talk = Conversation(locale=locale)
    talk.launch()
    reply = talk.no()
    assert reply.ends_session is False and "tips" in reply.speech, f"a no at launch ended the session: {reply}"
