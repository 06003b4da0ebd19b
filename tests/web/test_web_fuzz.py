"""Fuzzing the web service's reading of requests: whatever the body, the answer is 200 (the skill
answered a readable envelope) or 400 with a reason, never 500, and a refused request never
reaches the skill. The app runs without signature checks so the mutated envelopes get as far as
they can; the recording skill answers anything that reaches it."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backcare.config import Config
from backcare.web import Refused, create_app, parse_envelope
from support.web import envelope_body, http, recording_skill, serving

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
BASE = json.loads(envelope_body())
PATHS = [("request",), ("request", "type"), ("request", "timestamp"), ("request", "locale"), ("context",),
         ("context", "System"), ("context", "System", "application"), ("session",), ("session", "attributes"),
         ("version",), ("request", "intent"), ("context", "System", "device")]


def _mutated(path: tuple[str, ...], value: object) -> bytes:
    envelope = json.loads(json.dumps(BASE))
    holder = envelope
    for key in path[:-1]:
        if not isinstance(holder.get(key), dict):
            holder[key] = {}
        holder = holder[key]
    holder[path[-1]] = value
    return json.dumps(envelope).encode()


@given(body=st.binary(max_size=300))
@settings(max_examples=300, deadline=None)
def test_parse_envelope_refuses_or_reads_any_bytes(body):
    try:
        envelope = parse_envelope(body)
    except Refused:
        return
    assert isinstance(envelope, dict) and isinstance(envelope["request"], dict), f"read {body!r} as {envelope!r}"


@pytest.fixture(scope="module")
def fuzz_app():
    skill, reached = recording_skill()
    with serving(create_app(Config(persistence="none"), verify=False, skill=skill)) as base:
        yield base, reached


@given(path=st.sampled_from(PATHS), value=JSON_VALUES)
@settings(max_examples=150, deadline=None)
def test_mutated_envelopes_get_200_or_400_never_500(fuzz_app, path, value):
    base, reached = fuzz_app
    before = len(reached)
    reply = http("POST", base + "/", _mutated(path, value), {"Content-Type": "application/json"})
    assert reply.status in (200, 400), f"{path}={value!r}: got {reply.status}: {reply.body[:300]!r}"
    if reply.status == 400:
        assert len(reached) == before, f"{path}={value!r} was refused but reached the skill"
        assert reply.json()["description"], f"{path}={value!r}: a 400 without a reason"
