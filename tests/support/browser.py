"""The bot's messages as Element shows them: the HTML it sends, in Element-like styles, in headless
Chromium (Debian's, installed by tests/setup), measured and photographed."""

from __future__ import annotations

import html
import json
import re
import shutil
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path

WIDTH = 720  # about the width of Element's timeline on a laptop

# Close to Element's light theme: Inter-like sans, 15px text, grey notices, pills and code as Element draws them.
STYLE = """
body { margin: 0; background: #fff; font-family: Inter, "Noto Sans", "DejaVu Sans", sans-serif; font-size: 15px;
       line-height: 22px; color: #17191c; }
.tile { display: flex; gap: 12px; padding: 12px 16px; }
.avatar { width: 32px; height: 32px; border-radius: 50%; background: #0dbd8b; color: #fff; flex: none;
          display: flex; align-items: center; justify-content: center; font-weight: 600; }
.sender { color: #0dbd8b; font-weight: 600; font-size: 14px; }
.body { color: #5c6470; overflow-wrap: anywhere; min-width: 0; }  /* m.notice: Element greys it */
.body a[href^="https://matrix.to/#/@"] { background: #e3e8f0; color: #17191c; border-radius: 12px; padding: 1px 8px;
                                          text-decoration: none; font-weight: 600; font-size: 14px; }
.body a { color: #0086e6; }
.body code { background: #f4f6fa; border: 1px solid #e3e8f0; border-radius: 4px; padding: 0 3px;
             font-family: "Fira Code", "DejaVu Sans Mono", monospace; font-size: 13px; color: #17191c; }
.body ul, .body ol { margin: 4px 0 8px; padding-left: 24px; }
.body h3, .body h4 { margin: 10px 0 4px; color: #17191c; }
.body small { font-size: 12px; }
"""

# After load: how the message sits on the page, for the checks (written into the DOM for --dump-dom).
MEASURE = """
<script>
addEventListener("load", () => {
  const body = document.querySelector(".body");
  const items = [...body.querySelectorAll("li")].map(li => li.getBoundingClientRect().height);
  const page = document.documentElement;
  const result = {height: Math.ceil(document.querySelector(".tile").getBoundingClientRect().bottom),
                  overflow: page.scrollWidth > page.clientWidth, text: body.innerText, items: items};
  const out = document.createElement("pre");
  out.id = "measured"; out.textContent = JSON.stringify(result); out.style.display = "none";
  document.body.appendChild(out);
});
</script>
"""


@dataclass(frozen=True)
class Rendered:
    height: int
    overflow: bool
    text: str
    items: list[float]


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise AssertionError("Chromium is not installed: tests/setup installs Debian's chromium")
    return found


def page(sender: str, message_html: str) -> str:
    return (f"<!doctype html><html><head><meta charset='utf-8'><style>{STYLE}</style>{MEASURE}</head><body>"
            f"<div class='tile'><div class='avatar'>{html.escape(sender[:1].upper())}</div><div>"
            f"<div class='sender'>{html.escape(sender)}</div><div class='body'>{message_html}</div></div></div>"
            "</body></html>")


def _run(*args: str) -> str:
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--hide-scrollbars", "--force-device-scale-factor=1"]
    done = subprocess.run([chromium(), *flags, *args], capture_output=True, text=True, timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"chromium failed: {done.stderr[-2000:]}")
    return done.stdout


def render(document: Path, picture: Path) -> Rendered:
    """Lay the page out (measured), then photograph it at its full height."""
    dom = _run(f"--window-size={WIDTH},2000", "--dump-dom", document.as_uri())
    measured = json.loads(html.unescape(re.search(r'<pre id="measured"[^>]*>(.*?)</pre>', dom, re.S).group(1)))
    _run(f"--window-size={WIDTH},{measured['height']}", f"--screenshot={picture}", document.as_uri())
    return Rendered(measured["height"], measured["overflow"], measured["text"], measured["items"])


def png_size(picture: Path) -> tuple[int, int]:
    """Width and height from the PNG's header."""
    head = picture.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    return struct.unpack(">II", head[16:24])
