"""The help, the board, the minutes and a removal proposal as Element would show them, in headless
Chromium: nothing overflows the timeline, every list item is laid out, the words are there.

The pictures are kept in docs/screenshots/ (linked from the README and the guides). To refresh them
after changing the words: SCOREBOT_UPDATE_SCREENSHOTS=1 .venv/bin/python -m pytest tests/integration/test_screenshots.py
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scorebot.domain.actions import Edit, Send
from scorebot.features import all_features
from tests.support.browser import WIDTH, page, png_size, render
from tests.support.harness import MODS, ORG, Harness
from tests.support.paths import DOCS


def messages(tmp_path: Path) -> dict[str, str]:
    """The HTML the bot sends for each, from one small meeting and one removal."""
    group = Harness(f"sqlite:///{tmp_path / 'db.sqlite'}", all_features(), [ORG, MODS])

    def sent(sender: str, body: str, room=ORG, kind=Send | Edit) -> list:
        return [a.text.html for a in group.say(sender, body, room) if isinstance(a, kind) and a.text]

    shown = {"help": sent("@maya:x", "!help")[0]}
    sent("@maya:x", "!meeting start Budget 2027")
    sent("@milo:x", "✋")
    sent("@eve:x", "stack")
    sent("@maya:x", "!next")
    shown["board"] = sent("@maya:x", "!clarify quorum", kind=Edit)[-1]
    sent("@maya:x", "!decision We rent the hall for March")
    sent("@maya:x", "!action @milo:x book the hall")
    shown["minutes"] = sent("@maya:x", "!meeting end", kind=Send)[-1]
    sent("@maya:x", "!warn @eve:x insults")
    shown["removal-proposal"] = sent("@maya:x", "!remove @eve:x insults again after being asked", kind=Send)[0]
    group.close()
    return shown


EXPECTED = {
    "help": ["In a meeting", "If something hurts", "Moderating", "!warn @sam insults"],
    "board": ["Stack · Budget 2027", "Speaking: Milo", "point of clarification: quorum", "To join"],
    "minutes": ["Minutes: Budget 2027", "Decisions", "We rent the hall for March", "Action items"],
    "removal-proposal": ["Removal proposal #1", "Eve", "react ✅ to approve"],
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    folder = tmp_path_factory.mktemp("screenshots")
    results = {}
    for name, message_html in messages(folder).items():
        document = folder / f"{name}.html"
        document.write_text(page("scorebot", message_html))
        picture = folder / f"{name}.png"
        results[name] = (render(document, picture), picture)
        if os.environ.get("SCOREBOT_UPDATE_SCREENSHOTS"):
            DOCS.mkdir(parents=True, exist_ok=True)
            shutil.copy(picture, DOCS / f"{name}.png")
    return results


@pytest.mark.parametrize("name", list(EXPECTED))
def test_a_message_renders_well_in_an_element_like_timeline(rendered, name):
    layout, picture = rendered[name]
    assert not layout.overflow, f"{name} is wider than the timeline"
    for words in EXPECTED[name]:
        assert words in layout.text, (name, words)
    assert all(0 < height <= 3 * 22 for height in layout.items), (name, layout.items)  # no item collapsed or spilled
    assert png_size(picture) == (WIDTH, layout.height)
    kept = DOCS / f"{name}.png"
    assert kept.exists(), f"{kept} is missing: run with SCOREBOT_UPDATE_SCREENSHOTS=1"
    assert png_size(kept)[0] == WIDTH
