"""Locale overrides name the base text they replace by its hash: when the base text changes,
the override must be looked at again (`backcare content check` / `rehash`)."""

from __future__ import annotations

import json

import pytest

from backcare.content import LOCALES, base_hash
from backcare_tools import content as tool


def test_every_override_matches_its_current_base_text():
    problems = tool.problems()
    assert not problems, "stale locale overrides (review, then `backcare content rehash`):\n" + "\n".join(problems)


def test_the_check_command_passes_on_the_repository(capsys):
    assert tool.main(["check"]) == 0, capsys.readouterr().out


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A content folder with one locale file, over a base the test controls."""
    base = {"tips.heat": "Heat helps.", "tips.cold": "Cold may help.", "tips.walk": "Walk daily."}
    monkeypatch.setattr(tool, "base_texts", lambda: base)
    (tmp_path / "en-GB.json").write_text(json.dumps({"facts": {}, "texts": {
        "tips.heat": {"text": "Heat helps, mate.", "base": base_hash("Heat helps.")},
        "tips.cold": {"text": "Cold may help, love.", "base": base_hash("Ice may help.")},
        "tips.gone": {"text": "Gone.", "base": base_hash("Gone.")},
    }}), encoding="utf-8")
    (tmp_path / "en-AU.walking.json").write_text(json.dumps({"texts": {"tips.walk": "Walk every day."}}),
                                                 encoding="utf-8")
    return tmp_path


def test_stale_missing_and_unhashed_overrides_are_each_reported(folder):
    problems = "\n".join(tool.problems(folder))
    assert "en-GB tips.cold: the base text changed" in problems, problems
    assert "en-GB tips.gone: overrides a text the base no longer has" in problems, problems
    assert "en-AU tips.walk: no base hash recorded (en-AU.walking.json)" in problems, problems
    assert "tips.heat" not in problems, "a current override was reported"


def test_rehash_records_the_review_of_the_named_override_only(folder):
    changed = tool.rehash({"tips.cold"}, "en-GB", folder)
    assert changed == ["en-GB tips.cold (en-GB.json)"], changed
    data = json.loads((folder / "en-GB.json").read_text(encoding="utf-8"))
    assert data["texts"]["tips.cold"] == {"text": "Cold may help, love.", "base": base_hash("Cold may help.")}
    assert data["texts"]["tips.heat"]["text"] == "Heat helps, mate.", "another override was touched"
    assert not [p for p in tool.problems(folder) if "tips.cold" in p]


def test_rehash_all_fixes_every_stale_override_but_not_a_removed_base_text(folder):
    tool.rehash(None, None, folder)
    remaining = tool.problems(folder)
    assert remaining == ["en-GB tips.gone: overrides a text the base no longer has (en-GB.json)"], remaining


def test_show_prints_every_locale():
    shown = tool.show("outcome.emergency.speech")
    for locale in LOCALES:
        assert f"\n{locale}" in f"\n{shown}", shown
    assert "triple zero" in shown and "card: Call 000 now" in shown, shown
