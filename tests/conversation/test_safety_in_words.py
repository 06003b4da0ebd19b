"""Red flags are never lost in people's own words (issue 12, SPEC §3 "What counts as an answer").

Each scenario is what Alexa sends for the words in its name (the interaction model maps hedged
yeses to AMAZON.YesIntent, a named symptom in any words to ReportSymptomIntent with the
question's id, an emergency request to EmergencyIntent), through the real lambda_handler, in
every locale. The property test at the end mixes everything a person might say.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backcare.content import LOCALES, strip_ssml, texts
from backcare.handlers.check import QUESTION_TEXTS
from backcare.triage import QUESTION_IDS, QUESTIONS, Disposition
from support.skill import Conversation

SPOKEN_EMERGENCY = {"en-US": "911", "en-CA": "911", "en-GB": "999", "en-AU": "triple zero", "en-IN": "112"}
URGENT_CONTACT = {"en-US": "urgent care", "en-CA": "walk-in clinic", "en-GB": "NHS 111", "en-AU": "healthdirect",
                  "en-IN": "a doctor today"}
LEVEL = {q.id: q.level for q in QUESTIONS}


def symptom(qid: str, said: str) -> dict:
    return {"symptom": {"value": said, "id": qid}}


def ask(locale: str, qid: str) -> str:
    return strip_ssml(texts(locale)(QUESTION_TEXTS[qid].ask))


def in_check_at(locale: str, qid: str) -> Conversation:
    talk = Conversation(locale=locale)
    reply = talk.say("CheckSymptomsIntent")
    while ask(locale, qid) not in reply.speech:
        reply = talk.no()
    return talk


def is_emergency(reply, locale: str) -> bool:
    return reply.speech.count(SPOKEN_EMERGENCY[locale]) >= 2 and reply.ends_session is True


def has_urgent_advice(reply, locale: str) -> bool:
    return URGENT_CONTACT[locale] in reply.speech and SPOKEN_EMERGENCY[locale] in reply.speech


# -- an answer that names a symptom counts as that symptom ---------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("asked", "named", "said"), [
    ("bladder", "bladder", "no I can't pee"),
    ("bladder", "both_legs", "no, but my legs have gone weak"),
    ("saddle_numbness", "saddle_numbness", "I don't have any feeling in my bum"),
    ("both_legs", "both_legs", "it's numb, not weak"),
    ("chest_pain", "bowel", "no, but I've wet myself twice"),
])
def test_an_answer_naming_an_emergency_sign_is_an_emergency_whatever_words_surround_it(locale, asked, named, said):
    talk = in_check_at(locale, asked)
    reply = talk.say("ReportSymptomIntent", symptom(named, said))
    assert is_emergency(reply, locale), f"{said!r} at the {asked} question: {reply}"


@pytest.mark.parametrize("locale", LOCALES)
def test_in_remission_is_a_yes_to_ever_having_had_cancer(locale):
    talk = in_check_at(locale, "cancer_history")
    reply = talk.say("ReportSymptomIntent", symptom("cancer_history", "no, not any more, I'm in remission"))
    assert has_urgent_advice(reply, locale) and reply.ends_session, f"remission was not counted: {reply}"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_less_serious_sign_named_at_a_serious_question_asks_it_again_to_be_sure(locale):
    talk = in_check_at(locale, "both_legs")
    reply = talk.say("ReportSymptomIntent", symptom("one_leg", "it's numb, just in the one leg"))
    assert "To be sure" in reply.speech and ask(locale, "both_legs") in reply.speech, f"not confirmed: {reply}"
    assert is_emergency(talk.yes(), locale), "a yes to the confirming question must count"


@pytest.mark.parametrize("locale", LOCALES)
def test_words_the_skill_cannot_place_are_confirmed_never_counted_as_no(locale):
    talk = in_check_at(locale, "saddle_numbness")
    reply = talk.say("ReportSymptomIntent", {"symptom": {"value": "my bits feel funny", "no_match": True}})
    assert "To be sure" in reply.speech and ask(locale, "saddle_numbness") in reply.speech, f"{reply}"
    assert reply.ends_session is False and "didn't mention" not in reply.speech, f"{reply}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("qid", QUESTION_IDS)
def test_a_hedged_yes_is_a_yes(locale, qid):
    """"a bit", "sometimes", "aye", "haan", "mm hmm" reach the skill as AMAZON.YesIntent."""
    talk = in_check_at(locale, qid)
    reply = talk.yes()
    assert "didn't mention" not in reply.speech, f"a yes to {qid} was not counted: {reply}"
    if LEVEL[qid] is Disposition.EMERGENCY:
        assert is_emergency(reply, locale), f"a yes to {qid}: {reply}"


# -- emergencies in every state ------------------------------------------------------------------------


def _tips(talk):
    return talk.say("SelfCareTipsIntent")


def _stretches(talk):
    return talk.say("StartStretchesIntent")


def _reminder(talk):
    return talk.say("SetStretchReminderIntent", {"time": "15:00"})


def _offer(talk):
    return talk.launch()


def _delete(talk):
    return talk.say("DeleteMyDataIntent")


def _check(talk):
    talk.say("CheckSymptomsIntent")
    return talk.no()


def _consent(talk):
    return talk.say("ReportSymptomIntent", symptom("fever", "I've got a fever"))


def _nothing(talk):
    return None


STATES = {"one-shot": _nothing, "offer at launch": _offer, "check": _check, "tips": _tips, "exercises": _stretches,
          "reminder confirmation": _reminder, "delete confirmation": _delete, "after an urgent sign": _consent}


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("state", STATES)
def test_an_emergency_request_gets_the_emergency_outcome_in_every_state(locale, state):
    talk = Conversation(locale=locale)
    STATES[state](talk)
    reply = talk.say("EmergencyIntent")
    assert is_emergency(reply, locale), f"'call an ambulance' in {state}: {reply}"
    assert "can't make calls" in reply.speech, f"the skill must say it cannot place the call: {reply}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("state", STATES)
def test_an_emergency_sign_inside_any_request_is_acted_on_in_every_state(locale, state):
    """"what can I do for my back, I can't control my bladder" reaches the skill as a symptom."""
    talk = Conversation(locale=locale)
    STATES[state](talk)
    reply = talk.say("ReportSymptomIntent", symptom("bladder", "I can't control my bladder"))
    assert is_emergency(reply, locale), f"bladder in {state}: {reply}"


# -- a volunteered urgent sign: the advice first ----------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("then", ["AMAZON.StopIntent", "AMAZON.CancelIntent", "AMAZON.NavigateHomeIntent",
                                  "AMAZON.NoIntent", "SessionEnded"])
def test_a_volunteered_fever_gives_todays_advice_at_once_whatever_follows(locale, then):
    talk = Conversation(locale=locale)
    first = talk.say("ReportSymptomIntent", symptom("fever", "I've got a fever"))
    assert has_urgent_advice(first, locale), f"the advice was held back: {first}"
    assert "quick questions" in first.speech and first.ends_session is False, f"no offer of the rest: {first}"
    if then == "SessionEnded":
        talk.end_session("EXCEEDED_MAX_REPROMPTS")  # silence: the advice was already heard
        return
    after = talk.say(then)
    assert "didn't mention" not in after.speech, f"{then} after a fever must not reassure: {after}"
    assert SPOKEN_EMERGENCY[locale] in after.speech, f"{then} after a fever must leave the number: {after}"


@pytest.mark.parametrize("locale", LOCALES)
def test_yes_after_a_volunteered_fever_asks_only_the_emergency_questions(locale):
    talk = Conversation(locale=locale)
    talk.say("ReportSymptomIntent", symptom("fever", "hot and shivery"))
    reply = talk.yes()
    asked = []
    while reply.attributes.get("mode") == "check":
        asked.append(reply.reprompt)
        reply = talk.no()
    expected = [ask(locale, q.id) for q in QUESTIONS if q.level is Disposition.EMERGENCY]
    assert asked == expected, f"after a fever only the emergency questions remain: {asked}"
    assert has_urgent_advice(reply, locale) and reply.ends_session, f"the outcome must be URGENT: {reply}"


@pytest.mark.parametrize("locale", LOCALES)
def test_an_urgent_sign_named_mid_check_gives_advice_then_asks_again_to_be_sure(locale):
    talk = in_check_at(locale, "bowel")
    reply = talk.say("ReportSymptomIntent", symptom("weight_loss", "I've lost a stone without trying"))
    assert has_urgent_advice(reply, locale), f"URGENT advice must come at once: {reply}"
    assert ask(locale, "bowel") in reply.speech and reply.ends_session is False, f"{reply}"


# -- corrections and why -----------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", LOCALES)
def test_sorry_i_meant_yes_to_the_last_one_is_heard(locale):
    talk = in_check_at(locale, "both_legs")  # answered no to bladder, bowel, saddle numbness
    back = talk.say("GoBackIntent")
    assert ask(locale, "saddle_numbness") in back.speech, f"go back did not return to the last question: {back}"
    assert is_emergency(talk.yes(), locale)


@pytest.mark.parametrize("locale", LOCALES)
def test_why_is_never_a_yes(locale):
    talk = in_check_at(locale, "saddle_numbness")
    reply = talk.say("WhyAskIntent")
    assert reply.ends_session is False and SPOKEN_EMERGENCY[locale] not in reply.speech, f"why ended it: {reply}"
    assert reply.reprompt == ask(locale, "saddle_numbness"), f"why must keep the same question: {reply}"


# -- locales ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("locale", ["en-NZ", "en-ZA", "fr-FR", None])
def test_a_locale_the_skill_does_not_serve_never_hears_a_guessed_number(locale):
    talk = Conversation(locale=locale or "")
    if locale is None:
        talk.session.device.locale = None
    reply = talk.say("EmergencyIntent")
    said = reply.speech + " " + (reply.card or {}).get("title", "") + " " + (reply.card or {}).get("content", "")
    assert "your local emergency number" in said, f"{locale}: {reply}"
    assert not re.search(r"\b(911|999|000|112|111)\b|triple zero", said), f"{locale} heard a guessed number: {said}"


# -- every sequence ------------------------------------------------------------------------------------------

SAYINGS = st.one_of(
    st.sampled_from(["yes", *["no"] * 8, "unsure", "why", "repeat", "go_back", "fallback", "help", "tips"]),
    st.tuples(st.just("symptom"), st.sampled_from(QUESTION_IDS)),
    st.just("emergency"),
)
INTENT = {"yes": "AMAZON.YesIntent", "no": "AMAZON.NoIntent", "unsure": "UnsureIntent", "why": "WhyAskIntent",
          "repeat": "AMAZON.RepeatIntent", "go_back": "GoBackIntent", "fallback": "AMAZON.FallbackIntent",
          "help": "AMAZON.HelpIntent", "tips": "SelfCareTipsIntent"}


def pending_question(reply) -> str | None:
    triage = reply.attributes.get("triage") or {}
    current = triage.get("c")
    if reply.attributes.get("mode") != "check" or current is None or triage.get("k"):
        return None
    return QUESTION_IDS[current]


def advice_heard(reply, locale: str) -> Disposition:
    if reply.speech.count(SPOKEN_EMERGENCY[locale]) >= 2 and "now" in reply.speech:
        return Disposition.EMERGENCY
    if URGENT_CONTACT[locale] in reply.speech:
        return Disposition.URGENT
    if "doctor" in reply.speech.lower() or "GP" in reply.speech:
        return Disposition.SEE_DOCTOR
    return Disposition.SELF_CARE


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(LOCALES), st.lists(SAYINGS, min_size=1, max_size=30))
def test_no_sequence_with_a_red_flag_reaches_reassurance_or_a_goodbye_without_its_advice(locale, sayings):
    """Mixed yes, no, unsure, why, repeat, corrections, fallbacks, named symptoms and emergency
    requests: whatever was flagged, the user hears that level's advice before the session ends,
    and never the all-clear."""
    talk = Conversation(locale=locale)
    reply = talk.say("CheckSymptomsIntent")
    owed, heard = Disposition.SELF_CARE, Disposition.SELF_CARE
    for saying in sayings:
        question = pending_question(reply)
        if saying == "emergency":
            reply = talk.say("EmergencyIntent")
            assert is_emergency(reply, locale), f"emergency request after {sayings}: {reply}"
            return
        if isinstance(saying, tuple):
            owed = max(owed, LEVEL[saying[1]])
            reply = talk.say("ReportSymptomIntent", symptom(saying[1], "named in the user's words"))
        else:
            if saying == "yes" and question is not None:
                owed = max(owed, LEVEL[question])
            reply = talk.say(INTENT[saying])
        heard = max(heard, advice_heard(reply, locale))
        if owed > Disposition.SELF_CARE:
            assert "didn't mention any of the warning signs" not in reply.speech, \
                f"reassured after a red flag ({owed.name}) in {sayings}: {reply}"
        if reply.ends_session:
            assert heard >= owed, f"{sayings} ended owing {owed.name} advice, heard {heard.name}: {reply}"
            if owed is Disposition.EMERGENCY:
                assert is_emergency(reply, locale), f"the emergency number must close it: {reply}"
            return
    if owed is Disposition.EMERGENCY:
        assert heard is Disposition.EMERGENCY, f"{sayings}: an emergency sign without emergency advice"


@pytest.mark.parametrize("locale", LOCALES)
def test_starting_again_after_a_named_sign_never_ends_in_the_all_clear(locale):
    talk = in_check_at(locale, "saddle_numbness")
    talk.say("ReportSymptomIntent", symptom("fever", "no but I've had a temperature"))
    reply = talk.say("AMAZON.StartOverIntent")
    while reply.attributes.get("mode") == "check":
        reply = talk.no()
    assert "didn't mention" not in reply.speech and has_urgent_advice(reply, locale), \
        f"starting again forgot the fever: {reply}"


@pytest.mark.parametrize("locale", LOCALES)
def test_a_sign_named_during_an_exercise_stops_the_exercise_first(locale):
    talk = Conversation(locale=locale)
    talk.say("StartExercisesIntent")
    talk.yes()
    reply = talk.say("ReportSymptomIntent", symptom("one_leg", "my leg's gone numb"))
    assert reply.speech.startswith("Stop that exercise now."), f"the exercise was not stopped first: {reply}"
    assert "doctor" in reply.speech.lower() or "GP" in reply.speech, f"no advice after the sign: {reply}"
