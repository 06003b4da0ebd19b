"""Helpers shared by the test folders (importable as `support.*`; see pyproject's pythonpath)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
