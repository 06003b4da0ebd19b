"""`backcare audio build|check|publish|render|report`."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from backcare_tools.audio.tools import ToolMissing

DEFAULT_ASSETS = Path("build/audio")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="backcare audio", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="synthesise the cues and export Alexa-compliant MP3s")
    build.add_argument("--out", type=Path, default=DEFAULT_ASSETS, help="output folder (default build/audio)")

    check = sub.add_parser("check", help="check MP3 files against Alexa's audio rules")
    check.add_argument("files", nargs="+", type=Path)

    pub = sub.add_parser("publish", help="upload the built assets to S3 and print AUDIO_BASE_URL")
    pub.add_argument("--bucket", help="S3 bucket (default: the stack's AudioBucketName output)")
    pub.add_argument("--prefix", default="audio", help="key prefix (default audio)")
    pub.add_argument("--assets", type=Path, default=DEFAULT_ASSETS, help="built assets (default build/audio)")
    pub.add_argument("--endpoint-url", help="AWS-compatible endpoint, e.g. a local moto server (S3 and the stack)")
    pub.add_argument("--region", help="AWS region (default: the AWS configuration)")
    pub.add_argument("--base-url", help="public HTTPS base, e.g. https://d123.cloudfront.net")
    pub.add_argument("--stack", help="read the bucket and CloudFront domain from this stack's outputs")

    render = sub.add_parser("render", help="hear a response: SSML to a sound file, played if possible")
    source = render.add_mutually_exclusive_group(required=True)
    source.add_argument("--ssml", help='e.g. "<speak>Hello <break time=\\"1s\\"/> there</speak>"')
    source.add_argument("--envelope", type=Path, help="a skill response envelope (JSON file)")
    render.add_argument("--locale", default="en-US")
    render.add_argument("--out", type=Path, help="output file, .wav or .mp3 (default build/audio/render/last.wav)")
    render.add_argument("--assets", type=Path, default=DEFAULT_ASSETS, help="where <audio> assets are found")
    render.add_argument("--no-play", action="store_true", help="only write the file")

    report = sub.add_parser("report", help="spoken length of every prompt, longest first")
    report.add_argument("--locale", default="all", help="a locale such as en-GB, or all (default)")
    report.add_argument("--csv", type=Path, help="also write the rows as CSV")
    report.add_argument("--limit", type=int, default=0, help="print only the N longest rows (CSV has all)")
    report.add_argument("--fail-on-flags", action="store_true",
                        help="exit 1 when a prompt, a response or the all-no check is over a limit")
    report.add_argument("--no-journeys", action="store_true",
                        help="skip the scripted conversations through the skill (whole responses)")
    return parser


def _build(args: argparse.Namespace) -> int:
    from backcare_tools.audio.assets import build_assets

    for asset in build_assets(args.out):
        print(f"{asset.check}; peak {asset.peak_dbfs} dBFS, loudness {asset.rms_dbfs} dBFS RMS")
    print(f"manifest: {args.out / 'manifest.json'}")
    return 0


def _check(args: argparse.Namespace) -> int:
    from backcare_tools.audio.mp3check import check_file, ffprobe_disagreements

    failed = 0
    for path in args.files:
        result = check_file(path)
        extra = ffprobe_disagreements(result)
        print(result.summary() + ("; " + "; ".join(extra) if extra else ""))
        failed += bool(result.problems or extra)
    return 1 if failed else 0


def _publish(args: argparse.Namespace) -> int:
    from backcare_tools.audio.publish import explain, publish, resolve_from_stack

    bucket, base_url = args.bucket, args.base_url
    if args.stack:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            stack_bucket, stack_base = resolve_from_stack(args.stack, endpoint_url=args.endpoint_url,
                                                          region=args.region)
        except (BotoCoreError, ClientError) as exc:
            print(f"backcare audio publish: cannot read stack {args.stack}: {exc}", file=sys.stderr)
            return 1
        bucket, base_url = bucket or stack_bucket, base_url or stack_base
    if not bucket:
        print("backcare audio publish: give --bucket (or --stack with an AudioBucketName output)", file=sys.stderr)
        return 2
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        published = publish(args.assets, bucket, prefix=args.prefix, endpoint_url=args.endpoint_url,
                            region=args.region, base_url=base_url)
    except (BotoCoreError, ClientError) as exc:
        print(f"backcare audio publish: S3 refused or could not be reached: {exc}", file=sys.stderr)
        return 1
    print(explain(published))
    return 0


def _render(args: argparse.Namespace) -> int:
    from backcare_tools.audio.render import speak, speak_response

    options = {"out": args.out, "play_it": not args.no_play, "assets_dir": args.assets}
    if args.envelope:
        spoken = speak_response(json.loads(args.envelope.read_text()), args.locale, **options)
    else:
        spoken = speak(args.ssml, args.locale, **options)
    print(spoken.message())
    return 0 if spoken.path else 1


def _report(args: argparse.Namespace) -> int:
    from backcare_tools.audio.report import (
        build_report,
        format_summary,
        format_table,
        real_catalog,
        summarize,
        write_csv,
    )

    catalog, locales = real_catalog()
    wanted = locales if args.locale == "all" else (args.locale,)
    unknown = [locale for locale in wanted if locale not in locales]
    if unknown:
        print(f"backcare audio report: unknown locale {unknown[0]}; known: {', '.join(locales)}", file=sys.stderr)
        return 2
    rows = build_report(wanted, catalog)
    summaries = [summarize(rows, locale) for locale in wanted]
    print(format_table(rows, args.limit))
    print(format_summary(summaries))
    flagged = any(row.flags for row in rows) or any(summary.all_no_over for summary in summaries)
    if not args.no_journeys:
        flagged |= _journeys(list(wanted))
    if args.csv:
        print(f"CSV: {write_csv(rows, args.csv)}")
    return 1 if args.fail_on_flags and flagged else 0


def _journeys(locales: list[str]) -> bool:
    """Print whole responses as heard; True when one is over a limit."""
    import tempfile

    from backcare_tools.audio.journeys import format_journeys, run_journeys

    with tempfile.TemporaryDirectory(prefix="backcare-journeys-") as state_dir:
        try:
            results = run_journeys(locales, state_dir)
        except Exception as exc:  # the skill itself failed to load: report it, keep the prompt report
            print(f"\nresponses as heard: the skill could not be loaded ({exc!r})")
            return False
    print(format_journeys(results))
    from backcare_tools.audio.exercises import exercise_turns, format_exercises

    with tempfile.TemporaryDirectory(prefix="backcare-exercises-") as state_dir:
        exercise = exercise_turns(locales, state_dir)
    print(format_exercises(exercise))
    return any(turn.flags for result in results for turn in result.turns) or any(t.over for t in exercise)


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    handler = {"build": _build, "check": _check, "publish": _publish, "render": _render, "report": _report}
    try:
        return handler[args.command](args)
    except ToolMissing as exc:
        print(f"backcare audio {args.command}: {exc}", file=sys.stderr)
        return 3
    except (RuntimeError, ValueError, FileNotFoundError) as exc:
        print(f"backcare audio {args.command}: {exc}", file=sys.stderr)
        return 1
