"""The local NLU resolves what people say to the intents and slot values Alexa would send, with
the safety-first precedence of SPEC §3 ("what counts as an answer")."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare_tools.nlu import LAUNCH, load_nlu, normalise
from backcare_tools.nlu.data import read_model
from backcare_tools.nlu.learn import cache_key, load_or_train
from backcare_tools.spoken_values import UNITS, find_durations, find_times
from support.nlu import LOCALES, REPO, load_model, run_backcare


def resolved(locale: str, utterance: str) -> tuple[str, dict[str, str]]:
    result = load_nlu(locale).resolve(utterance).to_json()
    return result["intent"], result["slots"]


# --- the contract's phrasings (the runtime handles exactly these) ----------------------------------

REPORTS = [
    ("no, but my legs have gone weak", "both_legs"),
    ("no I can't pee", "bladder"),
    ("not a fever, just the sweats at night", "fever"),
    ("what can I do for my back, I can't control my bladder", "bladder"),
    ("is it normal to wet yourself with back pain", "bladder"),
    ("heat or ice? I fell off the roof yesterday", "major_trauma"),
    ("should I worry if my foot drags", "leg_getting_weaker"),
    ("no, I'm in remission", "cancer_history"),
    ("I've lost a stone without trying", "weight_loss"),
    ("I finished chemo last year", "cancer_history"),
    ("I came off my motorbike on the weekend", "major_trauma"),
    ("I'm on steroids", "bone_risk"),
    ("I've got thin bones", "bone_risk"),
    ("I feel hot and shivery", "fever"),
    ("I can't get an erection", "sexual_function"),
    ("I've had a kidney transplant", "infection_risk"),
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("utterance", "symptom"), REPORTS)
def test_a_symptom_named_anywhere_is_a_report_of_that_symptom(locale, utterance, symptom):
    assert resolved(locale, utterance) == ("ReportSymptomIntent", {"symptom": symptom}), (
        f"{locale} {utterance!r} -> {resolved(locale, utterance)}")


@pytest.mark.parametrize(("locale", "utterance", "symptom"), [
    ("en-GB", "I couldn't get to the loo in time twice today", "bladder"),
    ("en-GB", "my bum cheeks have gone dead", "saddle_numbness"),
    ("en-AU", "I don't have any feeling in my bum", "saddle_numbness"),
    ("en-IN", "I can't pass urine properly", "bladder"),
    ("en-US", "I can't feel my butt", "saddle_numbness"),
])
def test_regional_words_name_their_symptom(locale, utterance, symptom):
    assert resolved(locale, utterance) == ("ReportSymptomIntent", {"symptom": symptom}), (
        f"{locale} {utterance!r} -> {resolved(locale, utterance)}")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("utterance", ["my back hurts", "it's killing me", "it hurts when I do that",
                                       "that made it worse"])
def test_a_complaint_naming_no_red_flag_is_a_report_without_a_symptom(locale, utterance):
    assert resolved(locale, utterance) == ("ReportSymptomIntent", {}), f"{locale} {utterance!r}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("utterance", "intent"), [
    *[(u, "AMAZON.YesIntent") for u in ("a bit", "a little", "sometimes", "kind of", "sort of", "I think so",
                                       "only when I cough", "yeah", "yep", "aye", "haan", "uh huh", "mm hmm",
                                       "yeah mate", "correct")],
    *[(u, "AMAZON.NoIntent") for u in ("no", "nope", "I don't have that", "no numbness", "my legs are fine")],
    *[(u, "UnsureIntent") for u in ("not really", "don't think so", "I don't know", "maybe", "can't tell",
                                    "hard to say")],
    *[(u, "WhyAskIntent") for u in ("why", "why do you ask", "why does that matter")],
    *[(u, "GoBackIntent") for u in ("go back", "I meant yes", "wait, actually yes", "sorry, yes to the last one",
                                    "I meant no", "can I change my answer")],
    *[(u, "EmergencyIntent") for u in ("call an ambulance", "I need an ambulance", "I think I'm having a heart attack",
                                       "I can't breathe", "I need to go to A and E", "should I ring 999",
                                       "call triple zero", "get me to the ER")],
    ("skip", "SkipIntent"), ("skip this one", "SkipIntent"),
    ("make it easier", "EasierIntent"), ("that's too hard", "EasierIntent"), ("an easier one", "EasierIntent"),
    ("next", "AMAZON.NextIntent"), ("done", "AMAZON.NextIntent"), ("I'm ready", "AMAZON.NextIntent"),
    ("let's do my exercises", "StartExercisesIntent"), ("exercise my back", "StartExercisesIntent"),
    ("guide me through stretches", "StartStretchesIntent"),
    ("remind me to check my back in two weeks", "SetCheckInReminderIntent"),
    ("set a check-in reminder", "SetCheckInReminderIntent"),
])
def test_answers_and_requests_resolve_to_the_contract_intents(locale, utterance, intent):
    got = resolved(locale, utterance)
    assert got == (intent, {}), f"{locale} {utterance!r} -> {got}"


@pytest.mark.parametrize(("utterance", "change"), [
    ("it's better", "better"), ("about the same", "same"), ("worse", "worse"), ("it's getting worse", "worse"),
    ("much better thanks", "better"), ("it's not getting better", "same"),
])
def test_check_in_answers_carry_the_change(utterance, change):
    assert resolved("en-GB", utterance) == ("HowIsMyBackIntent", {"change": change}), utterance


@pytest.mark.parametrize(("utterance", "slots"), [
    ("give me tips about posture", {"topic": "positions"}),
    ("what about sitting at my desk", {"topic": "positions"}),
    ("would pilates help", {"topic": "exercise"}),
    ("should I use heat or ice", {"topic": "heat_cold"}),
    ("would a hot water bottle help", {"topic": "heat_cold"}),
    ("can I take ibuprofen", {"topic": "pain_relief"}),
    ("how do I stop it coming back", {"topic": "prevention"}),
    ("should I stay in bed", {"topic": "movement"}),
])
def test_tip_topics_are_the_content_v2_ids(utterance, slots):
    assert resolved("en-US", utterance) == ("SelfCareTipsIntent", slots), utterance


@pytest.mark.parametrize(("utterance", "kind"), [
    ("stop reminding me about posture", "posture"), ("cancel all my reminders", "all"),
    ("turn off the stretch reminder", "stretch"), ("cancel the check in reminder", "checkin"),
])
def test_cancelling_names_the_reminder_kind(utterance, kind):
    assert resolved("en-US", utterance) == ("CancelRemindersIntent", {"kind": kind}), utterance


@pytest.mark.parametrize(("utterance", "intent"), [
    ("I don't have a fever", "AMAZON.NoIntent"),
    ("no I haven't lost any weight", "AMAZON.NoIntent"),
    ("never had cancer", "AMAZON.NoIntent"),
])
def test_a_plain_denial_of_the_question_is_a_no(utterance, intent):
    assert resolved("en-US", utterance) == (intent, {}), f"{utterance!r} is a clear denial"


@pytest.mark.parametrize(("utterance", "symptom"), [
    ("I don't have any feeling in my bum", "saddle_numbness"),
    ("no, nothing, I just can't feel my legs", "both_legs"),
    ("I'm not sure if I have a fever", "fever"),
    ("nope, but I keep wetting myself", "bladder"),
])
def test_a_negated_or_hedged_mention_that_could_be_the_symptom_is_never_a_plain_no(utterance, symptom):
    assert resolved("en-GB", utterance) == ("ReportSymptomIntent", {"symptom": symptom}), utterance


def test_an_emergency_request_beats_a_symptom_in_the_same_breath():
    assert resolved("en-US", "call an ambulance, I can't control my bladder")[0] == "EmergencyIntent", (
        "an emergency request is answered as one")


@pytest.mark.parametrize(("utterance", "slots"), [
    ("remind me to check my posture every hour", {"interval": "PT1H"}),
    ("remind me to check my posture every 30 minutes", {"interval": "PT30M"}),
    ("remind me every half hour to check my posture", {"interval": "PT30M"}),
    ("set a posture reminder every hour and a half", {"interval": "PT1H30M"}),
    ("posture reminders every two hours", {"interval": "PT2H"}),
    ("remind me to check my posture every hour from 9 am to 5 pm",
     {"interval": "PT1H", "startTime": "09:00", "endTime": "17:00"}),
    ("remind me to check my posture from nine to five", {"startTime": "09:00", "endTime": "17:00"}),
    ("posture reminders until 6 pm", {"endTime": "18:00"}),
])
def test_posture_reminder_durations_and_times_are_sent_as_alexa_sends_them(utterance, slots):
    assert resolved("en-US", utterance) == ("SetPostureReminderIntent", slots), utterance


@pytest.mark.parametrize(("utterance", "time"), [
    ("remind me to stretch at three pm", "15:00"),
    ("remind me to stretch at 3 pm", "15:00"),
    ("remind me to stretch at 3:30pm", "15:30"),
    ("remind me to stretch at half past four", "16:30"),
    ("remind me to stretch at nine in the morning", "09:00"),
    ("remind me to stretch at noon", "12:00"),
    ("set a stretch reminder for 7:45 a.m.", "07:45"),
    ("remind me to stretch in the evening", "EV"),
])
def test_stretch_reminder_times_are_hh_mm(utterance, time):
    assert resolved("en-US", utterance) == ("SetStretchReminderIntent", {"time": time}), utterance


@pytest.mark.parametrize(("utterance", "intent"), [
    ("help", "AMAZON.HelpIntent"), ("stop", "AMAZON.StopIntent"), ("cancel", "AMAZON.CancelIntent"),
    ("say that again", "AMAZON.RepeatIntent"), ("start over", "AMAZON.StartOverIntent"),
    ("give me another tip", "AMAZON.NextIntent"), ("pause", "AMAZON.PauseIntent"),
    ("resume", "AMAZON.ResumeIntent"), ("go home", "AMAZON.NavigateHomeIntent"),
    ("what causes back pain", "CausesIntent"), ("when should I see a doctor", "WhenToSeeDoctorIntent"),
    ("what are the warning signs", "WarningSignsIntent"), ("is my back pain serious", "CheckSymptomsIntent"),
    ("what reminders do I have", "ListRemindersIntent"), ("delete my data", "DeleteMyDataIntent"),
])
def test_built_in_and_information_intents_resolve_from_their_usual_phrasings(utterance, intent):
    assert resolved("en-GB", utterance) == (intent, {}), utterance


@pytest.mark.parametrize("utterance", ["what's the weather like", "play some jazz", "order a pizza",
                                       "who is the president of france"])
def test_unrelated_requests_fall_back(utterance):
    assert resolved("en-US", utterance) == ("AMAZON.FallbackIntent", {}), utterance


def test_opening_the_skill_is_a_launch_and_a_one_shot_keeps_its_request():
    nlu = load_nlu("en-US")
    for utterance in ("open back care coach", "Alexa, open Back Care Coach", "start back care coach"):
        assert nlu.resolve(utterance).intent == LAUNCH, f"{utterance!r} should launch the skill"
    one_shot = nlu.resolve("ask back care coach to give me tips about posture")
    assert one_shot.invoked, "a one-shot names the skill"
    assert one_shot.to_json()["intent"] == "SelfCareTipsIntent", one_shot.to_json()
    assert one_shot.to_json()["slots"] == {"topic": "positions"}, one_shot.to_json()
    question = nlu.resolve("ask back care coach what causes back pain")
    assert question.intent == "CausesIntent", f"question word must survive: {question.to_json()}"


@pytest.mark.parametrize(("utterance", "intent"), [
    ("Alexa, ask back care coach if my back pain is serious", "CheckSymptomsIntent"),
    ("tell back care coach I fell off a ladder", "ReportSymptomIntent"),
    ("ask back care coach why my back hurts", "CausesIntent"),
    ("use back care coach to set a posture reminder", "SetPostureReminderIntent"),
    ("check my back with back care coach", "CheckSymptomsIntent"),
])
def test_one_shot_phrasings_keep_the_request(utterance, intent):
    result = load_nlu("en-US").resolve(utterance)
    assert result.invoked, f"{utterance!r} names the skill"
    assert result.intent == intent, f"{utterance!r} -> {result.to_json()}"


def test_custom_slots_carry_an_entity_resolution_id_for_the_envelope():
    result = load_nlu("en-US").resolve("I can't feel my bottom")
    spec = result.slots["symptom"].envelope_spec()
    assert spec["id"] == "saddle_numbness", f"envelope slot spec is {spec}"
    assert spec["value"] and spec["type"] == "SYMPTOM", f"envelope slot spec is {spec}"


def test_builtin_phrases_never_repeat_a_model_sample():
    data = load_nlu("en-US").data
    model = load_model("en-US")["interactionModel"]["languageModel"]
    owner = {normalise(s): i["name"] for i in model["intents"] for s in i["samples"]}
    clashes = [(phrase, intent, owner[normalise(phrase)]) for intent, phrases in data.samples.items()
               for phrase in phrases if owner.get(normalise(phrase), intent) != intent]
    assert not clashes, f"built-in phrases that are another intent's sample: {clashes}"


def test_normalise_spells_out_contractions_acronyms_and_small_numbers():
    said = "I can't see my GP, it's 3 weeks!"
    assert normalise(said) == "i cannot see my g p it is three weeks", normalise(said)


def test_nlu_command_prints_one_json_object():
    done = run_backcare("nlu", "remind me to stretch at three pm", "--locale", "en-AU")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["intent"] == "SetStretchReminderIntent", output
    assert output == {"intent": "SetStretchReminderIntent", "slots": {"time": "15:00"}}, \
        f"exactly the contract's two keys: {output}"
    explained = json.loads(run_backcare("nlu", "remind me to stretch at three pm", "--explain").stdout)
    assert 0.0 <= explained["confidence"] <= 1.0 and explained["reason"], explained


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_example_phrases_resolve_to_real_intents(locale):
    manifest = json.loads((REPO / "skill" / "skill.json").read_text(encoding="utf-8"))["manifest"]
    phrases = manifest["publishingInformation"]["locales"][locale]["examplePhrases"]
    model_intents = {i["name"] for i in load_model(locale)["interactionModel"]["languageModel"]["intents"]}
    assert phrases[0].lower().startswith("alexa, open back care coach"), "first phrase must open the skill"
    assert load_nlu(locale).resolve(phrases[0]).intent == LAUNCH, f"{phrases[0]!r} must launch the skill"
    for phrase in phrases[1:]:  # said to the open skill, or as a one-shot naming it
        result = load_nlu(locale).resolve(phrase)
        assert result.intent in model_intents, f"{phrase!r} -> {result.intent}"
        assert result.intent != "AMAZON.FallbackIntent", f"{phrase!r} does not match the model"


def test_the_lambda_never_imports_the_nlu():
    code = (
        "import sys; sys.path.insert(0, 'lambda'); import lambda_function; "
        "bad = [m for m in sys.modules if m.startswith(('backcare_tools', 'sklearn', 'numpy', 'scipy'))]; print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"the Lambda imported local-only modules: {done.stdout}"


# --- learning and the disk cache -------------------------------------------------------------------

TINY_MODEL = {"interactionModel": {"languageModel": {"invocationName": "back care coach", "intents": [
    {"name": "ReportSymptomIntent", "slots": [{"name": "symptom", "type": "SYMPTOM"}],
     "samples": ["i have {symptom}", "{symptom}", "i've got {symptom}", "my back hurts"]},
    {"name": "AMAZON.YesIntent", "samples": ["yes", "a bit"]},
    {"name": "AMAZON.FallbackIntent", "samples": []},
], "types": [{"name": "SYMPTOM", "values": [
    {"id": "fever", "name": {"value": "a fever", "synonyms": ["a temperature", "night sweats"]}},
    {"id": "bladder", "name": {"value": "wet myself", "synonyms": ["can't pee"]}},
]}]}}, "version": "1"}


def test_the_learned_model_is_cached_on_disk_by_what_it_learned_from(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCARE_NLU_CACHE", str(tmp_path))
    data = read_model(TINY_MODEL, {"AMAZON.FallbackIntent": ["play some jazz", "what's the weather"]})
    first = load_or_train(data)
    cached = tmp_path / f"{cache_key(data)}.pickle"
    assert cached.is_file(), f"no cache entry in {sorted(tmp_path.iterdir())}"
    stamp = cached.stat().st_mtime_ns
    second = load_or_train(data)
    assert cached.stat().st_mtime_ns == stamp, "a cached model must be read, not retrained and rewritten"
    text = "i have night sweats"
    assert second.intent_scores(text) == first.intent_scores(text), "the cached model must decide the same"
    changed = read_model({**TINY_MODEL, "version": "2"}, {"AMAZON.FallbackIntent": ["play some jazz"]})
    assert cache_key(changed) != cache_key(data), "a different model must not reuse the cache entry"


def test_a_broken_cache_entry_is_retrained(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKCARE_NLU_CACHE", str(tmp_path))
    data = read_model(TINY_MODEL, {"AMAZON.FallbackIntent": ["play some jazz"]})
    (tmp_path / f"{cache_key(data)}.pickle").write_bytes(b"not a pickle")
    learned = load_or_train(data)
    scores = learned.intent_scores("i've got a temperature")
    assert max(scores, key=scores.__getitem__) == "ReportSymptomIntent", scores
    with (tmp_path / f"{cache_key(data)}.pickle").open("rb") as handle:
        assert pickle.load(handle).intents is not None, "the retrained model replaces the broken entry"


# --- spoken values --------------------------------------------------------------------------------

@pytest.mark.parametrize(("said", "value"), [
    ("at quarter to five", "16:45"), ("at five o'clock", "17:00"), ("at 17:30", "17:30"),
    ("at midnight", "00:00"), ("at ten pm", "22:00"), ("at twelve am", "00:00"), ("at seven", "07:00"),
    ("at nine at night", "21:00"), ("at six thirty in the evening", "18:30"), ("every afternoon", "AF"),
])
def test_spoken_times_become_alexa_time_values(said, value):
    found = find_times(normalise(said), [])
    assert [span.value for span in found] == [value], f"{said!r} -> {found}"


@pytest.mark.parametrize(("said", "value"), [
    ("every 45 minutes", "PT45M"), ("every hour and a half", "PT1H30M"), ("every ninety minutes", "PT90M"),
    ("every two and a half hours", "PT2H30M"), ("every quarter of an hour", "PT15M"), ("every 3 hours", "PT3H"),
])
def test_spoken_intervals_become_iso_durations(said, value):
    found = find_durations(normalise(said))
    assert [span.value for span in found] == [value], f"{said!r} -> {found}"


def test_weeks_of_pain_are_not_a_reminder_interval():
    assert find_durations(normalise("I've had the pain for two weeks")) == [], "weeks are a symptom, not a slot"


@given(hour=st.integers(1, 12), minute=st.sampled_from([0, 5, 15, 30, 45]), pm=st.booleans(),
       digits=st.booleans())
def test_any_clock_time_with_am_or_pm_round_trips(hour, minute, pm, digits):
    if digits:
        said = f"at {hour}:{minute:02d} {'pm' if pm else 'am'}" if minute else f"at {hour} {'pm' if pm else 'am'}"
    else:
        minute_words = {0: "", 5: " oh five", 15: " fifteen", 30: " thirty", 45: " forty five"}[minute]
        said = f"at {UNITS[hour]}{minute_words} {'p.m.' if pm else 'a.m.'}"
    expected = f"{(hour % 12) + (12 if pm else 0):02d}:{minute:02d}"
    found = find_times(normalise(said), [])
    assert [span.value for span in found] == [expected], f"{said!r} -> {found}"
