"""Files of the project the tests read or keep up to date."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "config.example.yaml"
DOCS = ROOT / "docs" / "screenshots"
