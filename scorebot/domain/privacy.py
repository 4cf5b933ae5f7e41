"""What the bot says when it keeps a private word private: the words of one family, in one place."""

from __future__ import annotations

from scorebot.domain.text import Text, pill, plain

MOVED_HERE = "I removed your message from the room so it stays private; let's continue here."
MOVED_REASON = "moved to a private chat"  # the redaction reason; it names no one

NO_LONGER_PRIVATE = ("Someone else is in this chat now, so it is no longer private. I'm leaving it; I'll write "
                     "to you in a new one-to-one chat.")

NOT_A_GROUP_BOT = ("Hi! I only take part in the group's own rooms and in one-to-one chats, so I'll leave this "
                   "room. To talk with me privately, start a direct chat with me.")


def no_longer_private() -> Text:
    return plain(NO_LONGER_PRIVATE)

UNVERIFIED_SESSION = ("That came from a session of yours that isn't verified, so I can't act on it: moderators' "
                      "and grievance officers' actions count only from verified sessions. In Element, open "
                      "Settings, then Sessions, and verify this one (with another session or your recovery "
                      "key). Then try again.")


def key_withheld(code: str) -> Text:
    """Told in a direct chat when the member's app would not let the bot read their message."""
    why = {"m.unverified": "it doesn't trust my session yet",
           "m.blacklisted": "my session is blocked in it",
           "m.unauthorised": "it decided I may not read it",
           "timeout": "the key to it never reached me"}.get(code, "of its security settings")
    return plain(f"I couldn't read your last message: your app didn't share it with me, because {why}. "
                 "Nothing was lost on your side. If it happens again, tell your group's admin, and "
                 "in the meantime you can write to a moderator or a grievance officer directly.")


def unverified_session_elsewhere(user_id: str, name: str | None = None) -> Text:
    """Said in a room every session can read, when the refusal itself went where theirs cannot."""
    return (pill(user_id, name) + plain(", I couldn't act on what you just did: it came from a session of yours "
                                        "that isn't verified, and my answer went where that session can't read "
                                        "it. In Element, open Settings, then Sessions, and verify this "
                                        "one (with another session or your recovery key). Then try again."))
