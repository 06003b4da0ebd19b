"""The speech-length report: every prompt's rendered duration, longest first, limits flagged."""

from __future__ import annotations

import csv
import io
import time

import pytest

from backcare_tools.audio import report
from backcare_tools.audio.catalog import ANSWER_KINDS
from backcare_tools.audio.cli import main as audio_main

pytestmark = pytest.mark.usefixtures("speech_cache")

LONG_QUESTION = ("Have you noticed, at any time during the last few days or weeks, any new numbness, tingling "
                 "or pins and needles around your bottom, your genitals or the insides of your thighs?")
TEN_SECONDS = '<break time="10s"/>'


LONG_TIP = ("Heat helps. " * 15) + "And that is all there is to say about heat, for now and for later."


def small_catalog(locale: str) -> list[tuple[str, str, str]]:
    return [
        ("q.fever.ask", "question", "Do you have a fever?"),
        ("q.saddle_numbness.ask", "question", LONG_QUESTION),
        ("outcome.SELF_CARE.speech", "outcome", "None of the warning signs. Keep gently moving."),
        ("tips.long", "tip", LONG_TIP),
        ("stretch.hold", "stretch", f"Hold it. {TEN_SECONDS * 4} Relax."),
        ("other.huge", "other", TEN_SECONDS * 25),
        ("other.wordy", "other", "Back. " * 1400),
    ]


@pytest.fixture(scope="module")
def small_rows(_speech_cache_dir):
    import os

    os.environ["BACKCARE_AUDIO_CACHE"] = str(_speech_cache_dir)  # module-scoped: monkeypatch is per test
    try:
        return report.build_report(["en-GB"], small_catalog)
    finally:
        del os.environ["BACKCARE_AUDIO_CACHE"]


def _row(rows, key):
    return next(row for row in rows if row.key == key)


def test_rows_are_sorted_longest_first(small_rows):
    seconds = [row.seconds for row in small_rows]
    assert seconds == sorted(seconds, reverse=True), f"not longest first: {seconds}"


def test_a_long_red_flag_question_is_flagged_and_a_short_one_is_not(small_rows):
    long_q, short_q = _row(small_rows, "q.saddle_numbness.ask"), _row(small_rows, "q.fever.ask")
    assert long_q.seconds > 6 and "red-flag question > 6 s" in long_q.flags, long_q
    assert long_q.words > 15 and "red-flag question > 15 words" in long_q.flags, long_q
    assert short_q.seconds < 3 and short_q.flags == (), short_q


def test_an_answer_over_twenty_seconds_is_flagged(small_rows):
    tip, outcome = _row(small_rows, "tips.long"), _row(small_rows, "outcome.SELF_CARE.speech")
    assert 20 < tip.seconds < 30 and tip.flags == ("answer > 20 s",), tip
    assert outcome.flags == (), outcome


def test_prompts_over_thirty_seconds_and_responses_over_alexa_limits_are_flagged(small_rows):
    hold = _row(small_rows, "stretch.hold")
    assert hold.seconds > 40 and "prompt > 30 s" in hold.flags, hold
    huge = _row(small_rows, "other.huge")
    assert huge.seconds == 250 and "response audio > 240 s" in huge.flags, huge
    wordy = _row(small_rows, "other.wordy")
    assert wordy.chars > 8000 and "response > 8000 chars" in wordy.flags, (wordy.chars, wordy.flags)
    assert wordy.words == 1400, f"word count {wordy.words}"


def test_every_flag_is_really_over_its_limit(small_rows):
    _assert_flags_are_true(small_rows)


def _assert_flags_are_true(rows):
    for row in rows:
        for flag in row.flags:
            if flag.startswith("red-flag question >") and flag.endswith("words"):
                assert row.kind in ("question", "reask") and row.words > report.QUESTION_MAX_WORDS, row
            elif flag.startswith("red-flag"):
                assert row.kind == "question" and row.seconds > report.RED_FLAG_QUESTION_MAX_S, row
            elif flag.startswith("answer >"):
                assert row.kind in ANSWER_KINDS and row.seconds > float(flag.split()[2]), row
            elif flag.startswith("prompt >"):
                assert row.seconds > report.PROMPT_MAX_S, row
            elif flag.startswith("response audio"):
                assert row.seconds > report.RESPONSE_MAX_S, row
            elif flag.startswith("response >"):
                assert row.chars > report.RESPONSE_MAX_CHARS, row
            else:
                pytest.fail(f"unknown flag {flag!r} on {row.key}")
        if not row.flags:
            assert row.seconds <= report.PROMPT_MAX_S and row.chars <= report.RESPONSE_MAX_CHARS, row
            assert row.kind != "question" or row.seconds <= report.RED_FLAG_QUESTION_MAX_S, row
            assert row.kind not in ANSWER_KINDS or row.seconds <= report.ANSWER_MAX_S, row


def test_csv_has_every_row_with_its_measures(small_rows):
    parsed = list(csv.DictReader(io.StringIO(report.to_csv(small_rows))))
    assert [r["key"] for r in parsed] == [row.key for row in small_rows], "CSV rows differ from the report"
    first = parsed[0]
    assert set(first) == {"locale", "key", "kind", "seconds", "words", "chars", "flags", "text"}, first.keys()
    assert float(first["seconds"]) == small_rows[0].seconds, first


def test_placeholders_are_measured_as_a_sample_word():
    assert report.speakable("Stretch {number} of {total}.") == "Stretch two of two.", "placeholder left in"


def test_the_real_report_for_one_locale(tmp_path, capsys):
    from backcare_tools.audio.catalog import prompt_catalog

    started = time.monotonic()
    code = audio_main(["report", "--locale", "en-GB", "--csv", str(tmp_path / "report.csv")])
    elapsed = time.monotonic() - started
    out = capsys.readouterr().out
    assert code == 0, f"report failed: {out}"
    rows = list(csv.DictReader((tmp_path / "report.csv").open()))
    catalog_keys = {p.key for p in prompt_catalog("en-GB")}
    assert {r["key"] for r in rows} == catalog_keys, "report does not cover every prompt of the catalog"
    assert all(r["locale"] == "en-GB" for r in rows), "rows of another locale"
    seconds = [float(r["seconds"]) for r in rows]
    assert seconds == sorted(seconds, reverse=True), "not longest first"
    silent = [r["key"] for r in rows if r["text"].strip() and float(r["seconds"]) <= 0]
    assert not silent, f"prompts with text measured as silent: {silent}"
    measured = [report.Row(r["locale"], r["key"], r["kind"], float(r["seconds"]), int(r["words"]), int(r["chars"]),
                           tuple(f for f in r["flags"].split("; ") if f), r["text"]) for r in rows]
    _assert_flags_are_true(measured)
    assert "all-no check" in out and "en-GB" in out.split("per locale:")[1], f"no per-locale summary: {out[-400:]}"
    assert elapsed < 120, f"one locale took {elapsed:.0f} s; CI budget is about 60 s"


def test_all_no_path_is_intro_sixteen_questions_with_an_ok_between_and_the_self_care_outcome():
    from backcare.handlers.check import OUTCOME_TEXTS, QUESTION_TEXTS
    from backcare.triage import QUESTION_IDS, Disposition

    keys = report.all_no_keys()
    questions = [QUESTION_TEXTS[qid].ask for qid in QUESTION_IDS]
    assert keys[0] == "check.intro" and keys[-1] == OUTCOME_TEXTS[Disposition.SELF_CARE].speech, keys
    assert [k for k in keys if k in questions] == questions, "questions missing or out of order"
    assert keys.count(report.ACK_KEY) == len(questions) - 1 and len(keys) == 2 * len(questions) + 1, keys
    assert keys[1] == questions[0] and keys[2] == report.ACK_KEY and keys[-2] == questions[-1], keys
    rows = [report.Row("en-US", key, "question", 2.0, 5, 30, (), "") for key in set(keys)]
    summary = report.summarize(rows, "en-US")
    assert summary.all_no_seconds == 2.0 * len(keys) and summary.all_no_missing == (), summary
    assert "16 questions + 15 \"OK.\"" in report.all_no_description(), report.all_no_description()


def test_the_ok_the_report_adds_is_what_the_check_says_between_questions(tmp_path):
    """The report adds the acknowledgement itself; the skill must really say it after a no."""
    from backcare.content import strip_ssml, texts
    from backcare_tools.audio.journeys import run_journeys

    (check,) = run_journeys(["en-US"], str(tmp_path), ["all-no check"])
    ok = strip_ssml(texts("en-US").say(report.ACK_KEY))
    second, last = strip_ssml(check.turns[1].ssml), strip_ssml(check.turns[-1].ssml)
    assert second.startswith(ok + " "), second
    assert not last.startswith(ok), f"no acknowledgement before the outcome: {last}"


# -- the real content, every locale, measured as the report measures it ---------------------------


@pytest.fixture(scope="module")
def all_locales(_speech_cache_dir, tmp_path_factory):
    """`backcare audio report --locale all` once: its CSV rows and its printed summary."""
    import contextlib
    import os

    os.environ["BACKCARE_AUDIO_CACHE"] = str(_speech_cache_dir)
    out, path = io.StringIO(), tmp_path_factory.mktemp("report") / "all.csv"
    try:
        with contextlib.redirect_stdout(out):
            code = audio_main(["report", "--locale", "all", "--no-journeys", "--fail-on-flags", "--csv", str(path)])
    finally:
        del os.environ["BACKCARE_AUDIO_CACHE"]
    rows = [report.Row(r["locale"], r["key"], r["kind"], float(r["seconds"]), int(r["words"]), int(r["chars"]),
                       tuple(f for f in r["flags"].split("; ") if f), r["text"])
            for r in csv.DictReader(path.open(encoding="utf-8"))]
    return code, rows, out.getvalue()


def test_no_answer_in_any_locale_is_over_its_limit(all_locales):
    from backcare.content import LOCALES

    _, rows, _ = all_locales
    over = [f"{r.locale} {r.key} {r.seconds} s" for r in rows if r.kind in ANSWER_KINDS
            and r.seconds > (report.CAUSES_MAX_S if r.key == report.causes_key() else report.ANSWER_MAX_S)]
    assert not over, "answers over their limit:\n" + "\n".join(over)
    for locale in LOCALES:
        kinds = {r.kind for r in rows if r.locale == locale}
        assert set(ANSWER_KINDS) <= kinds, f"{locale}: the report measured no {set(ANSWER_KINDS) - kinds}"
    pages = {r.key for r in rows if r.kind == "tip"}
    assert "tips.pain_relief.other" in pages, "a tip page is not measured as a tip"


def test_every_question_is_at_most_fifteen_words_and_six_seconds(all_locales):
    _, rows, _ = all_locales
    questions = [r for r in rows if r.kind in ("question", "reask")]
    assert len(questions) == 5 * 2 * 16, f"{len(questions)} questions measured"
    long = [f"{r.locale} {r.key}: {r.words} words, {r.seconds} s" for r in questions
            if r.words > report.QUESTION_MAX_WORDS or (r.kind == "question" and r.seconds > 6)]
    assert not long, "\n".join(long)


def test_the_all_no_check_takes_at_most_100_seconds_in_every_locale(all_locales):
    from backcare.content import LOCALES

    _, rows, out = all_locales
    keys = report.all_no_keys()
    for locale in LOCALES:
        seconds = {r.key: r.seconds for r in rows if r.locale == locale}
        total = round(sum(seconds[key] for key in keys), 2)
        assert total <= report.ALL_NO_MAX_S, f"{locale}: the all-no check takes {total} s"
        summary = report.summarize(rows, locale)
        assert summary.all_no_seconds == total and not summary.all_no_over, summary
        line = next(line for line in out.splitlines() if line.startswith(f"{locale} ") and " | " in line)
        assert f"{total:6.2f} s" in line and "!!" not in line, line


def test_the_report_for_all_locales_passes_its_own_limits(all_locales):
    code, rows, out = all_locales
    _assert_flags_are_true(rows)
    flagged = [f"{r.locale} {r.key}: {'; '.join(r.flags)}" for r in rows if r.flags]
    assert code == 0 and not flagged, f"report flags (exit {code}):\n" + "\n".join(flagged)
    assert "all-no check (intro + 16 questions + 15" in out, out[-600:]


def test_an_all_no_check_over_100_seconds_is_flagged_in_the_summary():
    keys = report.all_no_keys()
    rows = [report.Row("en-AU", key, "other", 4.0, 5, 30, (), "") for key in set(keys)]
    summary = report.summarize(rows, "en-AU")
    assert summary.all_no_seconds == 4.0 * len(keys) > 100 and summary.all_no_over, summary
    assert "!! over 100 s" in report.format_summary([summary])


def test_report_rejects_an_unknown_locale(capsys):
    assert audio_main(["report", "--locale", "fr-FR"]) == 2, "unknown locale accepted"
    assert "unknown locale fr-FR" in capsys.readouterr().err, "message does not name the locale"


def test_journeys_measure_whole_responses_through_the_real_skill(tmp_path):
    from backcare.triage import QUESTION_IDS
    from backcare_tools.audio.journeys import format_journeys, run_journeys

    results = {r.journey: r for r in run_journeys(["en-AU"], str(tmp_path), ["all-no check", "stretch routine"])}
    check = results["all-no check"]
    assert check.error is None and len(check.turns) == 1 + len(QUESTION_IDS), f"check journey: {check}"
    first = check.turns[0].ssml
    assert any(number in first for number in ("000", "triple zero", "zero zero zero")), f"not en-AU: {first}"
    assert all(turn.seconds > 0.5 for turn in check.turns), "a turn of the check measured as silent"
    assert check.seconds == round(sum(turn.seconds for turn in check.turns), 2), "journey total is not the sum"
    stretches = results["stretch routine"]
    chimed = [turn for turn in stretches.turns if "chime.mp3" in turn.ssml]
    assert chimed, "no response of the stretch routine plays the chime though AUDIO_BASE_URL is set"
    for turn in check.turns + stretches.turns:
        over = (turn.seconds > report.RESPONSE_MAX_S or turn.chars > report.RESPONSE_MAX_CHARS
                or turn.ssml.count("<audio") > 5)
        assert bool(turn.flags) == over, f"flags {turn.flags} wrong for {turn.seconds} s, {turn.chars} chars"
    table = format_journeys(list(results.values()))
    assert "all-no check" in table and f"{check.seconds:8.2f}" in table, table
