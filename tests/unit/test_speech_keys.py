"""Speech keys can be followed both ways: every key in the locale data is written literally
exactly once in the runtime's code, and no key is built at run time."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

from backcare.content import GENERIC, texts
from support import ROOT

RUNTIME = ROOT / "lambda" / "backcare"
KEY_SHAPE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


def key_problems(code_dir: Path, keys: set[str]) -> list[str]:
    """What breaks the rule, in words; empty when every key is written once and used."""
    prefixes = {key.split(".")[0] for key in keys}
    literals: Counter[str] = Counter()
    problems = []
    for path in sorted(code_dir.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                literals[node.value] += 1
            elif isinstance(node, ast.JoinedStr):
                head = node.values[0] if node.values else None
                if isinstance(head, ast.Constant) and isinstance(head.value, str) \
                        and head.value.split(".")[0] in prefixes and "." in head.value:
                    problems.append(f"{path.relative_to(code_dir)}:{node.lineno}: a key built at run time "
                                    f"(f\"{head.value}...\")")
    for key in sorted(keys):
        if literals[key] == 0:
            problems.append(f"{key}: defined but never used")
        elif literals[key] > 1:
            problems.append(f"{key}: written {literals[key]} times (name it once, use the name)")
    for literal in sorted(literals):
        if KEY_SHAPE.fullmatch(literal) and literal.split(".")[0] in prefixes and literal not in keys:
            problems.append(f"{literal}: used but not defined")
    return problems


def test_every_speech_key_is_written_once_and_none_is_built_at_run_time():
    problems = key_problems(RUNTIME, set(texts(GENERIC).texts))
    assert not problems, "speech keys that cannot be followed:\n" + "\n".join(problems)


def test_the_key_rule_catches_each_way_of_breaking_it(tmp_path):
    (tmp_path / "area.py").write_text(
        'A = "tips.movement"\nB = "tips.movement"\nC = f"outcome.{name}.speech"\nD = "tips.missing"\n',
        encoding="utf-8")
    problems = "\n".join(key_problems(tmp_path, {"tips.movement", "tips.unused", "outcome.emergency.speech"}))
    for expected in ("tips.movement: written 2 times", "tips.unused: defined but never used",
                     "a key built at run time", "tips.missing: used but not defined"):
        assert expected in problems, f"the rule missed: {expected}\n{problems}"
