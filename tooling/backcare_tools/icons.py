"""`backcare icons`: render the skill icons from the one source drawing, skill/icon.svg.

    backcare icons            write skill/icons/icon-108.png and icon-512.png
    backcare icons --check    exit 1 if the committed PNGs differ from a fresh render

The Alexa skill store shows a small icon of 108 x 108 and a large one of 512 x 512 pixels (PNG).
`backcare package` puts both into the skill package (assets/images/), where ask-cli uploads them.
The renderer is resvg (the resvg-py wheel, pinned in the dev extra): no system library needed,
and the same version renders the same bytes.
"""

from __future__ import annotations

import argparse
import struct
import sys
from pathlib import Path

from backcare_tools.paths import ProjectNotFound, project_dir

SIZES = {"small": 108, "large": 512}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def source(repo: Path) -> Path:
    return repo / "skill" / "icon.svg"


def icon_path(repo: Path, size: int) -> Path:
    return repo / "skill" / "icons" / f"icon-{size}.png"


def render(svg: Path, size: int) -> bytes:
    import resvg_py  # here: only this command needs the renderer

    return bytes(resvg_py.svg_to_bytes(svg_path=str(svg), width=size, height=size))


def png_size(data: bytes) -> tuple[int, int]:
    """(width, height) of PNG data; ValueError if it is not a PNG."""
    if data[:8] != PNG_SIGNATURE or data[12:16] != b"IHDR":
        raise ValueError("not a PNG file")
    return struct.unpack(">II", data[16:24])


def write_icons(repo: Path) -> list[Path]:
    written = []
    for size in SIZES.values():
        target = icon_path(repo, size)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(render(source(repo), size))
        written.append(target)
    return written


def stale_icons(repo: Path) -> list[str]:
    """The icons that are missing or differ from a fresh render of the source drawing."""
    stale = []
    for size in SIZES.values():
        target = icon_path(repo, size)
        if not target.exists() or target.read_bytes() != render(source(repo), size):
            stale.append(str(target))
    return stale


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="backcare icons", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="only check that the PNGs match the drawing")
    args = parser.parse_args(argv)
    try:
        repo = project_dir()
        if args.check:
            stale = stale_icons(repo)
            for path in stale:
                print(f"backcare icons: {path} is missing or out of date: run `backcare icons`", file=sys.stderr)
            return 1 if stale else 0
        for path in write_icons(repo):
            width, height = png_size(path.read_bytes())
            print(f"wrote {path} ({width}x{height})")
    except (OSError, ValueError, ProjectNotFound) as error:
        print(f"backcare icons: {error}", file=sys.stderr)
        return 1
    return 0
