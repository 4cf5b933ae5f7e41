"""What a part of the bot (a feature) may declare and which signals it may hear.

Every hook has a default that does nothing, so a feature writes only the hooks it needs. The
dispatcher (`dispatch.py`) calls them; commands and reactions are declared with `@command` and
`@reaction` and routed by declaration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scorebot.domain.brigading import Watch
from scorebot.domain.commands import CommandRegistry
from scorebot.domain.stack import MeetingEvent

if TYPE_CHECKING:
    from scorebot.context import Context


class Feature:
    """A part of the bot. It declares its commands and may look at every signal."""

    def register(self, registry: CommandRegistry) -> None:
        """Declare commands on the registry: by default, those declared on methods with `@command`."""
        registry.declare(self)

    def on_message(self, ctx: Context) -> bool | None:
        """A message that is not a command. Return True when this feature took it (see `answer_direct`)."""

    def answer_direct(self, ctx: Context) -> bool:
        """A direct message that no feature took: answer it here and return True, or leave it."""
        return False

    def is_private_text(self, said: str) -> bool:
        """Whether this plain text (as `domain.stack.folded` gives it) belongs in a direct chat only,
        like "priority on"."""
        return False

    def watch(self, ctx: Context) -> Watch | None:
        """Every message a member sends, whatever its form (a notice, a command, an edit), before it
        is routed: count it. A `Watch` back holds the bot's answers to a member who floods."""

    def on_redaction(self, ctx: Context) -> None:
        pass

    def on_membership(self, ctx: Context) -> None:
        pass

    def on_bot_removed(self, ctx: Context) -> None:
        pass

    def on_tick(self, ctx: Context) -> None:
        """Time passed; look at timers. `ctx.signal.timestamp` is now, in milliseconds."""

    def on_native_report(self, ctx: Context) -> None:
        """Someone used their client's "Report" button on an event in a managed room."""

    def on_call_membership(self, ctx: Context) -> None:
        """Someone's Element Call membership changed (`CallMembership`)."""

    def on_key_withheld(self, ctx: Context) -> None:
        """A member's app would not share a message's key with the bot (`KeyWithheld`)."""

    thread_kind: str | None = None  # the IGO-room threads this feature owns ("case", "report")

    def thread_note(self, ctx: Context, number: int, text: str) -> None:
        """!note in one of this feature's threads."""

    def thread_resolve(self, ctx: Context, number: int, outcome: str) -> None:
        """!resolve in one of this feature's threads."""

    def facilitators(self, ctx: Context) -> list[str]:
        """Who facilitates in `ctx.room` right now, besides its moderators."""
        return []

    def on_start(self) -> None:
        """Once, when the bot starts, in a transaction (for seeding data)."""

    def on_meeting_event(self, ctx: Context, event: MeetingEvent, meeting_id: int) -> None:
        """Another feature announced something about a meeting (see `Context.announce`)."""
