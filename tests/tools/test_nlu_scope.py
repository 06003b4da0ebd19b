"""What the words around a symptom do to it (SPEC §3, "what counts as an answer"), tested on
phrasings written for these tests, one group per kind of failure the red team found (issue 12):
a denial at the start never hides a symptom said after it; a symptom inside a denial's scope is
denied; small amounts and double negatives are yeses; "now" is no emergency; one side named is
the one-leg sign. Never the red team's own sentences: the NLU must generalise to words it has
not seen, so each group says the same thing in other words."""

from __future__ import annotations

import json

import pytest

from backcare_tools.nlu import load_nlu, normalise
from backcare_tools.nlu.levels import Level, level
from backcare_tools.nlu.scope import (
    Polarity,
    comparison,
    definition_question,
    double_negative,
    minimising,
    polarity,
    split_clauses,
)
from support.nlu import LOCALES, load_model

REPORT, NO, YES, UNSURE = "ReportSymptomIntent", "AMAZON.NoIntent", "AMAZON.YesIntent", "UnsureIntent"
EMERGENCY = "EmergencyIntent"


def resolved(locale: str, utterance: str) -> tuple[str, dict[str, str]]:
    result = load_nlu(locale).resolve(utterance).to_json()
    return result["intent"], result["slots"]


def gives_emergency(intent: str, slots: dict[str, str]) -> bool:
    return intent == EMERGENCY or (intent == REPORT and level(slots.get("symptom", "")) == Level.EMERGENCY)


# --- a denial or hedge at the start, a symptom after it: the symptom -------------------------------

DENIAL_THEN_SYMPTOM = [
    ("en-GB", "no, it's not that, it's that I can't feel my backside", "saddle_numbness"),
    ("en-US", "nope, but I did have breast cancer ten years ago", "cancer_history"),
    ("en-AU", "nah, though I'm wetting myself a bit", "bladder"),
    ("en-CA", "no, except my feet both tingle all the time", "both_legs"),
    ("en-GB", "not really, but my willy is numb", "saddle_numbness"),
    ("en-IN", "no, I haven't been able to wee all day", "bladder"),
    ("en-US", "no I don't feel anything when I wipe", "saddle_numbness"),
    ("en-AU", "no, well, I've been losing weight", "weight_loss"),
    ("en-GB", "no my arms are fine, my legs are both numb", "both_legs"),
    ("en-CA", "well, no, except I had a fall off the roof", "major_trauma"),
    ("en-GB", "no my legs are fine it's my groin that's gone tingly", "saddle_numbness"),
    ("en-US", "nah I've got leukaemia", "cancer_history"),
    ("en-IN", "no sir, only thing is I am on steroid tablets", "bone_risk"),
]


@pytest.mark.parametrize(("locale", "utterance", "symptom"), DENIAL_THEN_SYMPTOM)
def test_a_denial_at_the_start_never_hides_the_symptom_said_after_it(locale, utterance, symptom):
    assert resolved(locale, utterance) == (REPORT, {"symptom": symptom}), f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-GB", "no, well, on and off"), ("en-US", "no, except first thing"), ("en-AU", "nah, only after a long walk"),
    ("en-IN", "no, only in the evenings"), ("en-CA", "not usually, but now and again yes"),
    ("en-GB", "no, apart from the fact I can barely walk"), ("en-US", "well no, except I struggle to stand up"),
])
def test_an_exception_to_a_denial_is_an_admission(locale, utterance):
    assert resolved(locale, utterance) == (YES, {}), f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance", "intent"), [
    ("en-GB", "no, just my back", NO), ("en-US", "no, but it's my back that hurts", NO),
    ("en-AU", "no, but thanks", NO), ("en-CA", "no, but can you give me some tips", "SelfCareTipsIntent"),
])
def test_what_follows_a_denial_that_admits_nothing_keeps_the_denial(locale, utterance, intent):
    assert resolved(locale, utterance)[0] == intent, f"{locale} {utterance!r}"


# --- retention and altered sensation ----------------------------------------------------------------

@pytest.mark.parametrize(("locale", "utterance", "symptom"), [
    ("en-GB", "I've not had a pee since breakfast", "bladder"),
    ("en-US", "I just don't get the feeling I need a wee", "bladder"),
    ("en-AU", "it comes out in dribbles", "bladder"),
    ("en-CA", "I have to really push to get the wee started", "bladder"),
    ("en-US", "I don't realise I've wet myself until I look", "bladder"),
    ("en-IN", "urine comes only in drops", "bladder"),
    ("en-GB", "I didn't feel it when I had a poo", "bowel"),
    ("en-US", "I keep needing to go but nothing happens", "bladder"),
    ("en-AU", "I need a wee but can't", "bladder"),
    ("en-GB", "my bladder feels like it never empties", "bladder"),
])
def test_retention_and_not_feeling_it_are_the_bladder_and_bowel_signs(locale, utterance, symptom):
    assert resolved(locale, utterance) == (REPORT, {"symptom": symptom}), f"{locale} {utterance!r}"


# --- small amounts, double negatives, "no more than usual" -------------------------------------------

@pytest.mark.parametrize("utterance", ["not a great amount", "nothing that bad", "barely any", "not loads",
                                       "hardly ever", "nothing too dramatic"])
def test_a_small_amount_is_a_hedged_yes(utterance):
    assert resolved("en-GB", utterance) == (YES, {}), utterance


@pytest.mark.parametrize("utterance", ["I wouldn't say I don't", "it's not as if I never get it",
                                       "I couldn't say it never happens", "it isn't nothing"])
def test_a_double_negative_is_a_yes(utterance):
    assert resolved("en-US", utterance) == (YES, {}), utterance


@pytest.mark.parametrize("utterance", ["no more than it usually is", "not any worse than normal",
                                       "no more than it ever does"])
def test_no_more_than_usual_is_unsure_never_stop(utterance):
    assert resolved("en-AU", utterance) == (UNSURE, {}), utterance


# --- self-harm, overdose, fainting: the emergency number at once ------------------------------------

@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-US", "I'm going to take all my pills"), ("en-GB", "life isn't worth living"),
    ("en-AU", "I've taken an overdose of my tablets"), ("en-CA", "I keep thinking I'd be better off gone"),
    ("en-IN", "I just want to die"), ("en-GB", "I fainted this morning"), ("en-US", "I passed out in the shower"),
    ("en-AU", "I keep blacking out"), ("en-GB", "I need to get to casualty"), ("en-IN", "I'm heading to A&E"),
])
def test_self_harm_an_overdose_or_fainting_is_an_emergency(locale, utterance):
    assert resolved(locale, utterance)[0] == EMERGENCY, f"{locale} {utterance!r}"


# --- a symptom inside a question; a question about a word -------------------------------------------

@pytest.mark.parametrize(("utterance", "symptom"), [
    ("why does my back hurt and why can't I feel my bum", "saddle_numbness"),
    ("what causes a backache with both feet numb", "both_legs"),
    ("what's the reason my back aches and I keep leaking", "bladder"),
])
def test_a_symptom_named_inside_a_question_is_reported(utterance, symptom):
    assert resolved("en-GB", utterance) == (REPORT, {"symptom": symptom}), utterance


@pytest.mark.parametrize("utterance", ["what do you mean by altered feeling", "what does bladder control mean",
                                       "what is the saddle area exactly", "what is a weakened immune system",
                                       "what does my bowel have to do with back pain"])
def test_asking_what_a_word_of_the_question_means_is_why_ask(utterance):
    assert resolved("en-US", utterance) == ("WhyAskIntent", {}), utterance


# --- words the models lacked ------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "utterance", "symptom"), [
    ("en-US", "I can't move either of my legs", "both_legs"),
    ("en-GB", "my legs are completely paralysed", "both_legs"),
    ("en-AU", "I stumble a lot these days", "leg_getting_weaker"),
    ("en-CA", "I've had a few falls lately", "leg_getting_weaker"),
    ("en-IN", "tingling and burning in both my legs", "both_legs"),
    ("en-IN", "burning pain in my left calf", "one_leg"),
    ("en-GB", "my weight has dropped a lot", "weight_loss"),
    ("en-IN", "I've become skinny", "weight_loss"),
    ("en-US", "I used to shoot heroin", "infection_risk"),
    ("en-CA", "I'm on Stelara injections", "infection_risk"),
    ("en-GB", "I take azathioprine", "infection_risk"),
    ("en-AU", "I'm an ex drug user", "infection_risk"),
    ("en-US", "my big toe has gone numb", "one_leg"),
])
def test_everyday_words_for_the_signs_the_models_lacked(locale, utterance, symptom):
    assert resolved(locale, utterance) == (REPORT, {"symptom": symptom}), f"{locale} {utterance!r}"


# --- one side named is the one-leg sign, never a yes to both legs -----------------------------------

@pytest.mark.parametrize("utterance", ["only the left", "just the right leg", "just on the left side",
                                       "only one of them", "just the one", "one leg, not both", "the right side only"])
def test_one_side_named_is_the_one_leg_sign(utterance):
    assert resolved("en-GB", utterance) == (REPORT, {"symptom": "one_leg"}), utterance


def test_one_legs_words_said_of_both_are_both_legs():
    assert resolved("en-GB", "the sciatica's gone into both legs now") == (REPORT, {"symptom": "both_legs"})


def test_a_short_side_answer_names_no_leg_inside_another_request():
    assert resolved("en-GB", "just the one more tip please")[0] != REPORT


# --- a clear denial of a body part is a no; when unsure, the symptom ---------------------------------

@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-GB", "my legs feel normal, it's just my back that aches"),
    ("en-US", "there's no problem with my waterworks, only the pain"),
    ("en-AU", "my chest feels fine, it's my back"),
    ("en-CA", "no numbness at all, just the pain in my back"),
    ("en-IN", "I haven't had any trouble with my bowels"),
    ("en-GB", "I can feel everything down below"),
    ("en-US", "I've got full control of my bladder"),
    ("en-AU", "I haven't lost control of my bladder"),
    ("en-GB", "no, both my legs are fine"),
])
def test_a_symptom_inside_a_denials_scope_is_denied(locale, utterance):
    assert resolved(locale, utterance) == (NO, {}), f"{locale} {utterance!r}"


def test_the_same_symptom_admitted_and_denied_is_sent():
    intent, slots = resolved("en-GB", "it's been three weeks and it's no better")
    assert (intent, slots) == (REPORT, {"symptom": "duration_worsening"})


# --- "now" alone is no emergency; urgent care is a check --------------------------------------------

@pytest.mark.parametrize("utterance", ["go on now", "I'm ready to start now", "stop now please", "I'm on my mat now",
                                       "I can't get down on the floor easily", "I'm lying on the floor", "OK now what",
                                       "carry on now"])
def test_now_is_no_emergency(utterance):
    assert not gives_emergency(*resolved("en-GB", utterance)), utterance


@pytest.mark.parametrize("utterance", ["do I need urgent care for this", "I think I should go to a walk-in clinic",
                                       "maybe I need urgent care"])
def test_asking_about_urgent_care_is_a_check_not_an_emergency(utterance):
    assert resolved("en-US", utterance)[0] == "CheckSymptomsIntent", utterance


@pytest.mark.parametrize(("utterance", "intent"), [
    ("can somebody help", "AMAZON.HelpIntent"), ("could someone help me out", "AMAZON.HelpIntent"),
    ("someone help me quick", EMERGENCY), ("get help fast please", EMERGENCY),
])
def test_help_is_an_emergency_only_with_urgency(utterance, intent):
    assert resolved("en-GB", utterance)[0] == intent, utterance


# --- regional yes and no ---------------------------------------------------------------------------

@pytest.mark.parametrize(("locale", "utterance", "intent"), [
    ("en-AU", "yeah nah, not really", UNSURE), ("en-AU", "nah yeah, a bit", YES), ("en-IN", "nope, nahi", NO),
    ("en-IN", "haan ji thoda", YES), ("en-IN", "ya a bit", YES), ("en-AU", "nup", NO), ("en-GB", "nah nah", NO),
    ("en-US", "mm mm no", NO), ("en-GB", "naw, none", NO), ("en-IN", "bilkul, thoda sa", YES),
    ("en-AU", "yeah nah nah", NO), ("en-US", "uh huh, sometimes", YES),
])
def test_regional_noes_are_noes_and_regional_yeses_yeses(locale, utterance, intent):
    assert resolved(locale, utterance) == (intent, {}), f"{locale} {utterance!r}"


# --- near misses are not cauda equina --------------------------------------------------------------

@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-GB", "it really stings when I go for a wee"), ("en-US", "my pee is cloudy and smelly"),
    ("en-AU", "I've been weeing loads more than normal"), ("en-GB", "there's some blood in my wee"),
    ("en-GB", "I'm bunged up, haven't been for days"), ("en-IN", "I've had diarrhoea since Sunday"),
    ("en-US", "my stools are runny"), ("en-CA", "I bumped my back playing hockey"),
    ("en-AU", "I got a knock to the back playing footy"), ("en-GB", "I'm needing the toilet every hour to pee"),
])
def test_infection_constipation_the_runs_and_a_knock_at_sport_are_complaints(locale, utterance):
    intent, slots = resolved(locale, utterance)
    assert intent == REPORT and not gives_emergency(intent, slots), f"{locale} {utterance!r} -> {slots}"


# --- the smaller things -----------------------------------------------------------------------------

@pytest.mark.parametrize(("utterance", "intent", "slots"), [
    ("not at the minute", NO, {}), ("maybe later", NO, {}), ("not right now thanks", NO, {}),
    ("cancel the posture ones", "CancelRemindersIntent", {"kind": "posture"}),
    ("switch off my stretching one", "CancelRemindersIntent", {"kind": "stretch"}),
    ("done now", "AMAZON.NextIntent", {}), ("I'm finished with that one", "AMAZON.NextIntent", {}),
    ("gotcha", YES, {}), ("ok got that", YES, {}),
    ("ow that's really sore", REPORT, {}), ("my back is totally knackered", REPORT, {}),
    ("the pain is agonising", REPORT, {}),
    ("it's worse than yesterday", "HowIsMyBackIntent", {"change": "worse"}),
    ("it's been getting worse for weeks", REPORT, {"symptom": "duration_worsening"}),
    ("it's not getting any better", "HowIsMyBackIntent", {"change": "same"}),
])
def test_deferrals_reminder_kinds_done_and_complaints(utterance, intent, slots):
    assert resolved("en-GB", utterance) == (intent, slots), utterance


@pytest.mark.parametrize(("locale", "utterance", "slots"), [
    ("en-GB", "remind me to stretch at half seven", {"time": "07:30"}),
    ("en-AU", "stretch reminder for half four", {"time": "16:30"}),
])
def test_half_an_hour_said_the_british_way(locale, utterance, slots):
    assert resolved(locale, utterance) == ("SetStretchReminderIntent", slots), f"{locale} {utterance!r}"


def test_a_couple_of_hours_is_two():
    assert resolved("en-US", "posture reminders every couple of hours") == (
        "SetPostureReminderIntent", {"interval": "PT2H"})


# --- the reading itself: clauses, polarity, answers -------------------------------------------------

def test_clauses_split_at_punctuation_connectives_and_a_leading_answer():
    clauses = split_clauses([normalise(p) for p in ("no", "my legs are fine", "it's my bum that's gone numb")])
    assert [c.text for c in clauses] == ["no", "my legs are fine", "it is my bum that is gone numb"]
    spoken = split_clauses([normalise("nope I can't pee except when I stand")])
    assert [(c.particle, c.connective) for c in spoken] == [("no", ""), ("", ""), ("", "except")]
    assert [c.text for c in split_clauses([normalise("no numbness")])] == ["no numbness"], "a determiner stays"


@pytest.mark.parametrize(("clause", "mention", "expected"), [
    ("i cannot feel my legs", "legs", Polarity.ADMITTED),          # a negated ability is a symptom
    ("i do not have any bladder problems", "bladder problems", Polarity.DENIED),  # a negated problem
    ("i have not lost control of my bladder", "control of my bladder", Polarity.DENIED),  # two negations
    ("no trouble peeing", "peeing", Polarity.DENIED),
    ("i cannot feel any numbness", "numbness", Polarity.DENIED),
    ("my legs are fine", "legs", Polarity.DENIED),                 # a body part said to be fine
    ("my legs are not weak", "legs", Polarity.DENIED),             # negated in its own predicate
    ("my leg strength is reducing", "leg strength", Polarity.ADMITTED),  # a loss said after it
    ("i am not trying to lose weight", "lose weight", Polarity.ADMITTED),  # intent, not the symptom
    ("weight loss without trying", "weight loss", Polarity.ADMITTED),
    ("i do not think my legs are weak", "legs are weak", Polarity.UNCLEAR),  # hedged: sent
    ("it just will not go away", "go away", Polarity.ADMITTED),
    ("it barely trickles out", "trickles", Polarity.ADMITTED),     # a degree, not a denial
    ("is it normal to wet yourself", "wet yourself", Polarity.ADMITTED),
    ("i do not have cancer any more", "cancer", Polarity.ADMITTED),  # it was there
])
def test_polarity_follows_the_scope_of_negation(clause, mention, expected):
    start = clause.index(mention)
    assert polarity(clause, start, start + len(mention)) is expected, clause


def test_a_synonym_said_word_for_word_keeps_its_own_negation():
    clause = "i cannot get enough air"
    start = clause.index("cannot get enough air")
    assert polarity(clause, start, len(clause), exact=True) is Polarity.ADMITTED
    denied = "i have not lost control of my bladder"
    start = denied.index("lost control of my bladder")
    assert polarity(denied, start, len(denied), exact=True) is Polarity.DENIED


def test_answers_without_a_symptom():
    assert minimising("not a great deal") and minimising("hardly any") and not minimising("not at all")
    assert not minimising("not really")
    assert double_negative("i would not say never") and not double_negative("no i do not")
    assert not double_negative("never never") and double_negative("i do not not have it")
    assert comparison("no more than usual") and not comparison("no more reminders")
    assert definition_question("what is saddle anaesthesia") and not definition_question("what does it mean if i")


# --- after held-out round 6: each kind said in words written for these tests, never the round's -------

NEGATION_INSIDE_THE_SYMPTOM = [  # the negation is part of the event: failing to get there, nothing passing
    ("en-GB", "I had no warning before I soiled myself", "bowel"),
    ("en-US", "I strain and strain and not a drop appears", "bladder"),
    ("en-AU", "I sit on the loo and no wee will come", "bladder"),
    ("en-CA", "I keep wetting myself and not reaching the loo in time", "bladder"),
    ("en-IN", "I never reach the bathroom in time", "bladder"),
    ("en-GB", "I'm busting for a wee and it won't start", "bladder"),
    ("en-US", "I sat on the toilet for ages and no pee came", "bladder"),
    ("en-CA", "my bladder seems to have stopped", "bladder"),
    ("en-GB", "I never know when my bladder is full any more", "bladder"),
    ("en-US", "the urge hits and I don't get to the bathroom before I leak", "bladder"),
    ("en-AU", "I don't notice when I need a poo until it's out", "bowel"),
]


@pytest.mark.parametrize(("locale", "utterance", "symptom"), NEGATION_INSIDE_THE_SYMPTOM)
def test_a_negation_inside_an_incontinence_or_retention_event_is_the_symptom(locale, utterance, symptom):
    assert resolved(locale, utterance) == (REPORT, {"symptom": symptom}), f"{locale} {utterance!r}"


BLADDER_OR_BOWEL_BY_THEIR_WORDS = [
    ("en-GB", "I can't make it to the toilet before my bowels go", "bowel"),
    ("en-US", "I can't keep my motions in", "bowel"),
    ("en-AU", "stool keeps leaking out without me knowing", "bowel"),
    ("en-CA", "I had an accident, it was a number two", "bowel"),
    ("en-GB", "I lost control of my back passage", "bowel"),
    ("en-IN", "I couldn't hold on to my number two", "bowel"),
    ("en-US", "I can't hold my number one", "bladder"),
    ("en-GB", "I'm passing water without meaning to", "bladder"),
    ("en-AU", "wee comes out on its own now", "bladder"),
]


@pytest.mark.parametrize(("locale", "utterance", "symptom"), BLADDER_OR_BOWEL_BY_THEIR_WORDS)
def test_bowel_words_without_urine_words_are_the_bowel_sign_and_the_other_way_round(locale, utterance, symptom):
    assert resolved(locale, utterance) == (REPORT, {"symptom": symptom}), f"{locale} {utterance!r}"


WEIGHT_GOING_DOWN = [
    ("en-GB", "the scales keep going down and I'm not dieting"),
    ("en-US", "my jeans are baggy now, I'm shrinking"),
    ("en-AU", "I've had to tighten my belt, the pounds are falling off"),
    ("en-CA", "my weight has been reducing for weeks"),
    ("en-IN", "the kilos are coming off without trying"),
]


@pytest.mark.parametrize(("locale", "utterance"), WEIGHT_GOING_DOWN)
def test_weight_or_clothes_with_a_going_down_verb_is_weight_loss(locale, utterance):
    assert resolved(locale, utterance) == (REPORT, {"symptom": "weight_loss"}), f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance", "symptom"), [
    ("en-GB", "nothing like that, but I can't get hard any more", "sexual_function"),
    ("en-US", "no issues there, but I keep running a temperature", "fever"),
    ("en-AU", "nothing like that, but things don't work in the bedroom like they did", "sexual_function"),
    ("en-IN", "none of that, though I've had cancer in the past", "cancer_history"),
])
def test_a_complaint_after_no_problem_like_that_but_is_a_report(locale, utterance, symptom):
    assert resolved(locale, utterance) == (REPORT, {"symptom": symptom}), f"{locale} {utterance!r}"


@pytest.mark.parametrize(("utterance", "intent"), [
    ("I don't reckon so", UNSURE),
    ("I wouldn't have thought so", UNSURE),
    ("I don't suppose so", UNSURE),
    ("no, I don't imagine so", UNSURE),
    ("right, I'm going now", "AMAZON.StopIntent"),
    ("I'm heading off now, thanks", "AMAZON.StopIntent"),
    ("I'll leave it there, ta", "AMAZON.StopIntent"),
    ("that's all from me, bye", "AMAZON.StopIntent"),
])
def test_a_hedged_no_is_unsure_and_leave_taking_is_stop(utterance, intent):
    for locale in LOCALES:
        assert resolved(locale, utterance)[0] == intent, f"{locale} {utterance!r}"


@pytest.mark.parametrize("utterance", [
    "no trouble going to the loo", "I can feel everything normally", "my waterworks are fine", "no accidents at all",
    "I haven't lost any weight", "no, I've had no problems peeing", "I don't have any problems with my bowels",
    "my weight isn't dropping", "nothing like that", "no, I always make it to the toilet in time",
])
def test_the_round_6_mechanisms_leave_denials_denied(utterance):
    for locale in LOCALES:
        intent, slots = resolved(locale, utterance)
        assert intent == NO, f"{locale} {utterance!r}: {intent} {slots}"


# --- the red team's own sentences are not in the models ---------------------------------------------

# --- round-7 kinds, in other words: a wish to be dead with no self-harm word, someone else in danger, a
# crash or fall told as a story, a drug by nickname or by what it does, not knowing the bladder is full ---------

NOT_ALIVE = [
    ("en-GB", "i just don't want to be around any more"), ("en-US", "some days i just want to not wake up"),
    ("en-AU", "i keep thinking about ending things"), ("en-CA", "i can't go on any more, honestly"),
    ("en-IN", "they'd be better off if i were dead"), ("en-GB", "what's the point of being alive like this"),
]


@pytest.mark.parametrize(("locale", "utterance"), NOT_ALIVE)
def test_a_wish_not_to_be_alive_is_an_emergency(locale, utterance):
    assert resolved(locale, utterance)[0] == EMERGENCY, f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-GB", "end the session please"), ("en-US", "stop the exercises"),
    ("en-GB", "I've had enough for today"),
])
def test_ending_the_session_or_an_exercise_is_stop_not_an_emergency(locale, utterance):
    assert resolved(locale, utterance)[0] == "AMAZON.StopIntent", f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-GB", "my partner has collapsed in the kitchen"), ("en-US", "my grandpa is unresponsive"),
    ("en-AU", "my brother is having a seizure"), ("en-CA", "my kid got into my sleeping pills"),
    ("en-IN", "my father is not breathing properly"),
])
def test_someone_else_in_danger_is_an_emergency(locale, utterance):
    assert resolved(locale, utterance)[0] == EMERGENCY, f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance", "symptom"), [
    ("en-US", "a pickup t-boned me in March and my back has hurt ever since", "major_trauma"),
    ("en-AU", "came off the stepladder at home and it's been bad since", "major_trauma"),
    ("en-GB", "I got knocked down by a van last month", "major_trauma"),
    ("en-GB", "I've been taking prednisolone for my lungs", "bone_risk"),
    ("en-US", "I get infliximab infusions", "infection_risk"),
    ("en-AU", "I can't tell when I need a wee any more", "bladder"),
])
def test_a_story_a_drug_name_or_a_lost_sensation_is_the_sign(locale, utterance, symptom):
    intent, slots = resolved(locale, utterance)
    assert intent == REPORT and level(slots.get("symptom", "")) >= level(symptom), f"{locale} {utterance!r}"


@pytest.mark.parametrize(("locale", "utterance"), [
    ("en-GB", "a dull ache across the bottom of my back"), ("en-US", "my belt's gone in another notch"),
    ("en-GB", "scrap all my reminders"),
])
def test_a_lower_back_place_a_belt_notch_or_a_cancel_verb_is_no_emergency(locale, utterance):
    assert not gives_emergency(*resolved(locale, utterance)), f"{locale} {utterance!r}"


RED_TEAM = (  # issue 12's failure list, as reported: fixed by mechanisms, never added word for word
    "no my legs are fine it's my bum that's numb", "no i didn't feel myself poo", "nah i have cancer",
    "well no except i can hardly stand", "no well sometimes", "i haven't had a wee since yesterday",
    "i don't feel the urge to go", "it just dribbles out", "i have to strain to wee", "it takes ages to get going",
    "i keep dribbling", "nothing much", "nothing major", "none to speak of", "not much", "not never",
    "i don't not have it", "no more than usual", "i want to kill myself", "i want to end it all", "i want to die",
    "i took an overdose", "i've taken too many pills", "what causes back pain and numbness down there",
    "i'm paralysed", "i need to go to casualty", "i keep falling over", "i lost my footing on the stairs",
    "burning sensation in legs", "i passed out", "weight is reducing", "i have become thin", "i shoot up",
    "i'm on humira", "i'm a drug user", "only the right one", "just my left", "just one", "one of them",
    "my legs are fine it's just my lower back", "it's not my chest it's my back",
    "i don't have any bladder problems just back pain", "now please", "go now", "i'm on the floor now",
    "i can't get on the floor", "blood in my pee", "burning when i pee", "peeing a lot", "i can't poop",
    "loose motions", "what's saddle numbness", "what do you mean by saddle", "i need urgent care",
    "it's unbearable", "my back's stuffed", "not right now", "cancel the stretch one", "finished", "got it",
    "that's sore", "somebody help", "half three", "every couple of hours",
)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_red_teams_sentences_are_not_samples_or_synonyms(locale):
    language = load_model(locale)["interactionModel"]["languageModel"]
    said = {normalise(s) for i in language["intents"] for s in i["samples"]}
    said |= {normalise(w) for t in language["types"] for v in t["values"]
             for w in [v["name"]["value"], *v["name"]["synonyms"]]}
    phrases = json.loads((load_model.__globals__["REPO"] / "tooling" / "backcare_tools" / "builtin_phrases.json")
                         .read_text(encoding="utf-8"))
    said |= {normalise(p) for k, v in phrases.items() if not k.startswith("_") for p in v}
    found = sorted(s for s in RED_TEAM if normalise(s) in said)
    assert not found, f"{locale}: the red team's sentences were added word for word: {found}"
