"""What the bot says about an edited command: one line, in one place."""

from __future__ import annotations

NOT_AGAIN = ("I did that when you first sent it; an edit does not do it again. If you meant the new "
             "version, send it as a new message.")
