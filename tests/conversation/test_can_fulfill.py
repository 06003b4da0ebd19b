"""CanFulfillIntentRequest: a truthful answer for every intent, with no side effects."""

from __future__ import annotations

import json
import os

import pytest

from backcare.handlers.can_fulfill import SERVED
from backcare_tools import envelopes as env
from backcare_tools.invoke import load_lambda_handler
from support import ROOT

MODEL_INTENTS = sorted(i["name"] for i in json.loads((ROOT / "interaction_models" / "en-US.json").read_text())
                       ["interactionModel"]["languageModel"]["intents"])


def can_fulfill(intent: str, slots: dict | None = None) -> dict:
    device = env.Device(api_endpoint="http://127.0.0.1:9")  # nothing listens: any API call would fail
    request = {"type": "CanFulfillIntentRequest",
               "intent": {"name": intent, "slots": {n: env.slot(n, s) for n, s in (slots or {}).items()}}}
    response = load_lambda_handler()(env.event_envelope(device, request), None)["response"]
    assert "outputSpeech" not in response, f"CanFulfill must not speak: {response}"
    return response["canFulfillIntent"]


@pytest.mark.parametrize("intent", MODEL_INTENTS)
def test_every_intent_gets_a_truthful_answer_without_touching_the_store(intent, tmp_path, monkeypatch):
    state = tmp_path / "state"
    monkeypatch.setenv("BACKCARE_STATE_DIR", str(state))
    answer = can_fulfill(intent)
    expected = "YES" if intent in SERVED else "NO"
    assert answer["canFulfill"] == expected, f"{intent}: {answer}"
    assert not state.exists() or not os.listdir(state), "CanFulfill wrote to the store"


def test_a_symptom_the_skill_knows_is_understood_and_one_it_does_not_is_a_maybe():
    known = can_fulfill("ReportSymptomIntent", {"symptom": {"value": "I can't pee", "id": "bladder"}})
    assert known["canFulfill"] == "YES" and known["slots"]["symptom"]["canUnderstand"] == "YES", f"{known}"
    unknown = can_fulfill("ReportSymptomIntent", {"symptom": {"value": "my elbow", "no_match": True}})
    assert unknown["canFulfill"] == "MAYBE" and unknown["slots"]["symptom"]["canUnderstand"] == "MAYBE", f"{unknown}"


def test_another_skills_request_is_declined():
    assert can_fulfill("AMAZON.SearchAction<object@WeatherForecast>")["canFulfill"] == "NO"
