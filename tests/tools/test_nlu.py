"""The local NLU resolves what people say to the intents and slot values Alexa would send."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backcare_tools.nlu import LAUNCH, load_nlu, normalise
from backcare_tools.spoken_values import UNITS, find_durations, find_times
from support.nlu import LOCALES, REPO, load_model, run_backcare

EVERYDAY_SYMPTOMS = [
    ("I've wet myself", "bladder_bowel"),
    ("I can't control my bladder", "bladder_bowel"),
    ("I can't feel my bottom", "saddle_numbness"),
    ("my legs have gone weak", "leg_weakness"),
    ("I fell off a ladder", "major_trauma"),
    ("I was in a car crash", "major_trauma"),
    ("I've got chest pain too", "chest_pain"),
    ("I've got a fever", "fever"),
    ("I've been losing weight without trying", "weight_loss"),
    ("I had cancer", "cancer_history"),
    ("I've had it for weeks", "duration"),
    ("it's getting worse", "worsening"),
    ("I've got pain shooting down my leg", "radiating"),
    ("my foot is numb", "one_leg_numbness"),
    ("I have osteoporosis", "osteoporosis"),
    ("it keeps me awake at night", "sleep_daily"),
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("utterance", "symptom"), EVERYDAY_SYMPTOMS)
def test_volunteered_symptoms_resolve_to_their_triage_question(locale, utterance, symptom):
    result = load_nlu(locale).resolve(utterance)
    assert result.intent == "ReportSymptomIntent", f"{locale} {utterance!r} -> {result.intent}"
    assert result.slots["symptom"].id == symptom, f"{locale} {utterance!r} -> {result.slots['symptom']}"


@pytest.mark.parametrize("locale", ["en-GB", "en-AU", "en-IN", "en-CA"])
def test_bum_is_understood_where_people_say_it(locale):
    result = load_nlu(locale).resolve("I can't feel my bum")
    assert result.to_json()["slots"] == {"symptom": "saddle_numbness"}, f"{locale}: {result.to_json()}"


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize(("utterance", "intent", "slots"), [
    ("my back is killing me is it serious", "CheckSymptomsIntent", {}),
    ("is my back pain serious", "CheckSymptomsIntent", {}),
    ("I don't really know", "UnsureIntent", {}),
    ("stop reminding me about posture", "CancelRemindersIntent", {"kind": "posture"}),
    ("cancel all my reminders", "CancelRemindersIntent", {"kind": "all"}),
    ("give me tips about posture", "SelfCareTipsIntent", {"topic": "posture"}),
    ("should I use heat or ice", "SelfCareTipsIntent", {"topic": "heat_ice"}),
    ("why do you ask", "WhyAskIntent", {}),
    ("what causes back pain", "CausesIntent", {}),
    ("when should I see a doctor", "WhenToSeeDoctorIntent", {}),
    ("what are the warning signs", "WarningSignsIntent", {}),
    ("guide me through stretches", "StartStretchesIntent", {}),
    ("what reminders do I have", "ListRemindersIntent", {}),
    ("delete my data", "DeleteMyDataIntent", {}),
    ("my back hurts", "ReportSymptomIntent", {}),
])
def test_spec_examples_resolve_to_the_spec_intents(locale, utterance, intent, slots):
    result = load_nlu(locale).resolve(utterance).to_json()
    assert (result["intent"], result["slots"]) == (intent, slots), f"{locale} {utterance!r} -> {result}"


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
    result = load_nlu("en-US").resolve(utterance).to_json()
    assert result["intent"] == "SetPostureReminderIntent", f"{utterance!r} -> {result}"
    assert result["slots"] == slots, f"{utterance!r} -> {result['slots']}"


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
    result = load_nlu("en-US").resolve(utterance).to_json()
    assert result == {**result, "intent": "SetStretchReminderIntent", "slots": {"time": time}}, (
        f"{utterance!r} -> {result}")


@pytest.mark.parametrize(("utterance", "intent"), [
    ("yes", "AMAZON.YesIntent"), ("yeah I have", "AMAZON.YesIntent"), ("no", "AMAZON.NoIntent"),
    ("nope not at all", "AMAZON.NoIntent"), ("help", "AMAZON.HelpIntent"), ("stop", "AMAZON.StopIntent"),
    ("cancel", "AMAZON.CancelIntent"), ("say that again", "AMAZON.RepeatIntent"),
    ("start over", "AMAZON.StartOverIntent"), ("next", "AMAZON.NextIntent"),
    ("give me another tip", "AMAZON.NextIntent"), ("pause", "AMAZON.PauseIntent"),
    ("resume", "AMAZON.ResumeIntent"), ("go home", "AMAZON.NavigateHomeIntent"),
])
def test_built_in_intents_resolve_from_their_usual_phrasings(utterance, intent):
    result = load_nlu("en-GB").resolve(utterance)
    assert result.intent == intent, f"{utterance!r} -> {result.intent}"


@pytest.mark.parametrize("utterance", ["what's the weather like", "play some jazz", "order a pizza",
                                       "who is the president of france"])
def test_unrelated_requests_fall_back(utterance):
    result = load_nlu("en-US").resolve(utterance)
    assert result.intent == "AMAZON.FallbackIntent", f"{utterance!r} -> {result.to_json()}"
    assert result.confidence < load_nlu("en-US").threshold, "fallback must mean low confidence"


def test_opening_the_skill_is_a_launch_and_a_one_shot_keeps_its_request():
    nlu = load_nlu("en-US")
    for utterance in ("open back care coach", "Alexa, open Back Care Coach", "start back care coach"):
        assert nlu.resolve(utterance).intent == LAUNCH, f"{utterance!r} should launch the skill"
    one_shot = nlu.resolve("ask back care coach to give me tips about posture")
    assert one_shot.invoked and one_shot.to_json()["intent"] == "SelfCareTipsIntent", one_shot.to_json()
    assert one_shot.to_json()["slots"] == {"topic": "posture"}, one_shot.to_json()
    question = nlu.resolve("ask back care coach what causes back pain")
    assert question.intent == "CausesIntent", f"question word must survive: {question.to_json()}"


def test_custom_slots_carry_an_entity_resolution_id_for_the_envelope():
    result = load_nlu("en-US").resolve("I can't feel my bottom")
    spec = result.slots["symptom"].envelope_spec()
    assert spec["id"] == "saddle_numbness" and spec["value"], f"envelope slot spec is {spec}"


def test_builtin_phrases_never_repeat_a_custom_sample():
    nlu = load_nlu("en-US")
    custom = {t.text: t.intent for t in nlu.templates if not t.intent.startswith("AMAZON.")}
    clashes = [(t.original, t.intent, custom[t.text]) for t in nlu.templates
               if t.intent.startswith("AMAZON.") and t.text in custom]
    assert not clashes, f"built-in phrases that are also custom samples: {clashes}"


def test_normalise_spells_out_contractions_acronyms_and_small_numbers():
    assert normalise("I can't see my GP, it's 3 weeks!") == "i cannot see my g p it is three weeks", (
        normalise("I can't see my GP, it's 3 weeks!"))


def test_nlu_command_prints_one_json_object():
    done = run_backcare("nlu", "remind me to stretch at three pm", "--locale", "en-AU")
    assert done.returncode == 0, done.stderr
    output = json.loads(done.stdout)
    assert output["intent"] == "SetStretchReminderIntent", output
    assert output["slots"] == {"time": "15:00"}, output
    assert 0.0 <= output["confidence"] <= 1.0, output


@pytest.mark.parametrize("locale", LOCALES)
def test_manifest_example_phrases_resolve_to_real_intents(locale):
    manifest = json.loads((REPO / "skill" / "skill.json").read_text(encoding="utf-8"))["manifest"]
    phrases = manifest["publishingInformation"]["locales"][locale]["examplePhrases"]
    model_intents = {i["name"] for i in load_model(locale)["interactionModel"]["languageModel"]["intents"]}
    assert phrases[0].lower().startswith("alexa, open back care coach"), "first phrase must open the skill"
    for phrase in phrases:
        result = load_nlu(locale).resolve(phrase)
        # "Alexa, ..." names the skill; a phrase without the wake word is said once it is open.
        if phrase.lower().startswith("alexa"):
            assert result.invoked, f"{phrase!r} does not name the skill"
        assert result.intent == LAUNCH or result.intent in model_intents, f"{phrase!r} -> {result.intent}"
        assert result.intent != "AMAZON.FallbackIntent", f"{phrase!r} does not match the model"


def test_the_lambda_never_imports_the_nlu():
    code = (
        "import sys; sys.path.insert(0, 'lambda'); import lambda_function; "
        "bad = [m for m in sys.modules if m.startswith(('backcare_tools.nlu', 'rapidfuzz'))]; print(bad)"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]", f"the Lambda imported local-only modules: {done.stdout}"


@pytest.mark.parametrize(("utterance", "intent"), [
    ("I don't have a fever", "AMAZON.NoIntent"),
    ("no I haven't lost any weight", "AMAZON.NoIntent"),
    ("never had cancer", "AMAZON.NoIntent"),
    ("I'm not sure if I have a fever", "UnsureIntent"),
])
def test_a_denied_symptom_is_an_answer_not_a_report(utterance, intent):
    result = load_nlu("en-US").resolve(utterance)
    assert result.intent == intent, f"{utterance!r} must not count as reporting the symptom: {result.to_json()}"


def test_a_negation_inside_the_symptom_phrase_is_still_a_report():
    result = load_nlu("en-US").resolve("it's not getting better")
    assert result.to_json()["slots"] == {"symptom": "duration"}, result.to_json()


@pytest.mark.parametrize(("utterance", "symptom"), [
    ("my legs are really weak", "leg_weakness"),
    ("both my legs are numb", "leg_weakness"),
    ("my left leg is numb", "one_leg_numbness"),
    ("I've got tingling in my bum", "saddle_numbness"),
    ("I went over on the ice and landed hard on my back", "major_trauma"),
])
def test_symptoms_said_in_other_words_still_resolve(utterance, symptom):
    result = load_nlu("en-GB").resolve(utterance).to_json()
    assert result["slots"] == {"symptom": symptom}, f"{utterance!r} -> {result}"


def test_a_question_about_a_symptom_is_not_a_report():
    result = load_nlu("en-US").resolve("could it be sciatica")
    assert result.intent == "CausesIntent", result.to_json()


@pytest.mark.parametrize(("utterance", "intent"), [
    ("Alexa, ask back care coach if my back pain is serious", "CheckSymptomsIntent"),
    ("tell back care coach I fell off a ladder", "ReportSymptomIntent"),
    ("ask back care coach why my back hurts", "CausesIntent"),
    ("ask back care coach when I should see a doctor", "WhenToSeeDoctorIntent"),
    ("use back care coach to set a posture reminder", "SetPostureReminderIntent"),
    ("check my back with back care coach", "CheckSymptomsIntent"),
])
def test_one_shot_phrasings_keep_the_request(utterance, intent):
    result = load_nlu("en-US").resolve(utterance)
    assert result.invoked and result.intent == intent, f"{utterance!r} -> {result.to_json()}"


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
