"""`backcare content check|rehash|show`: keep the locale overrides honest, and read a text as
every locale says it.

A locale override (`<locale>.json`, `<locale>.<area>.json`) stores a hash of the base text it
replaces. When the base text changes, the override is *stale*: someone must read the new base
text, bring the override's words in line, and then record that review with `rehash`:

    backcare content check                      # stale overrides (exit 1 if any)
    backcare content rehash outcome.emergency.speech --locale en-GB
    backcare content rehash --all               # every stale override, after reviewing them all
    backcare content show tips.pain_relief      # the text in every locale, as said and on a card
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from backcare import content
from backcare.content import GENERIC, LOCALES, base_hash, texts


def content_dir() -> Path:
    return Path(os.path.dirname(os.path.abspath(content.__file__)))


@dataclass(frozen=True)
class Override:
    path: Path
    locale: str
    key: str
    text: str
    base: str | None  # the hash recorded in the file


def overrides(folder: Path | None = None) -> list[Override]:
    """Every text override of every served locale, with the file it is in."""
    folder = folder or content_dir()
    found = []
    for locale in LOCALES:
        for path in sorted(folder.glob(f"{locale}*.json")):
            if path.name != f"{locale}.json" and not path.name.startswith(f"{locale}."):
                continue
            data = json.loads(path.read_text(encoding="utf-8"))
            for key, value in data.get("texts", {}).items():
                text, base = (value.get("text"), value.get("base")) if isinstance(value, dict) else (value, None)
                found.append(Override(path, locale, key, text, base))
    return found


def base_texts() -> dict[str, str]:
    return texts(GENERIC).texts


def problems(folder: Path | None = None) -> list[str]:
    """Overrides that no longer match their base text, in words (empty when all are current)."""
    base = base_texts()
    out = []
    for item in overrides(folder):
        if item.key not in base:
            out.append(f"{item.locale} {item.key}: overrides a text the base no longer has ({item.path.name})")
        elif item.base is None:
            out.append(f"{item.locale} {item.key}: no base hash recorded ({item.path.name})")
        elif item.base != base_hash(base[item.key]):
            out.append(f"{item.locale} {item.key}: the base text changed since this override was written "
                       f"({item.path.name}); review it, then `backcare content rehash {item.key} "
                       f"--locale {item.locale}`")
    return out


def rehash(keys: set[str] | None, locale: str | None, folder: Path | None = None) -> list[str]:
    """Record the current base hash on the chosen overrides; returns what changed."""
    base = base_texts()
    changed = []
    by_path: dict[Path, list[Override]] = {}
    for item in overrides(folder):
        chosen = (keys is None or item.key in keys) and (locale is None or item.locale == locale)
        if chosen and item.key in base and item.base != base_hash(base[item.key]):
            by_path.setdefault(item.path, []).append(item)
    for path, items in by_path.items():
        data = json.loads(path.read_text(encoding="utf-8"))
        for item in items:
            data["texts"][item.key] = {"text": item.text, "base": base_hash(base[item.key])}
            changed.append(f"{item.locale} {item.key} ({path.name})")
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return changed


def show(key: str) -> str:
    lines = []
    for locale in (*LOCALES, GENERIC):
        t = texts(locale)
        if not t.has(key):
            lines.append(f"{locale:6} (none)")
            continue
        try:
            said, card = t.say(key), t.plain(key)
        except KeyError as exc:  # a field only a handler knows
            said = card = f"{t.raw(key)}  [{exc.args[0]}]"
        lines.append(f"{locale:6} said: {said}")
        if card != said:
            lines.append(f"{'':6} card: {card}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare content", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("check", help="list overrides whose base text changed (exit 1 if any)")
    re_ = sub.add_parser("rehash", help="record that overrides were reviewed against the current base text")
    re_.add_argument("keys", nargs="*", help="text keys (with --all: every stale override)")
    re_.add_argument("--locale", choices=LOCALES)
    re_.add_argument("--all", action="store_true")
    sh = sub.add_parser("show", help="a text as every locale says it and shows it on a card")
    sh.add_argument("key")
    args = parser.parse_args(argv)

    if args.command == "check":
        found = problems()
        print("\n".join(found) if found else f"{len(overrides())} overrides, all current")
        return 1 if found else 0
    if args.command == "rehash":
        if not args.keys and not args.all:
            print("backcare content rehash: name the keys you reviewed, or --all", file=sys.stderr)
            return 2
        changed = rehash(None if args.all else set(args.keys), args.locale)
        print("\n".join(f"rehashed {line}" for line in changed) if changed else "nothing to rehash")
        content.texts.cache_clear()
        return 0
    print(show(args.key))
    return 0
