"""nio events in, neutral signals out. With `state_events.py` (the room state the shell keeps), the
only module that reads Matrix's event format.

What it does not understand it skips, with a debug line; what is malformed it logs and skips. It
never logs a message's text: that may be a confidential report or a priority declaration.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from html import unescape
from html.parser import HTMLParser

from nio import (
    BadEvent,
    Event,
    InviteMemberEvent,
    ReactionEvent,
    RedactionEvent,
    RoomMemberEvent,
    RoomMessage,
    StickerEvent,
    UnknownBadEvent,
    UnknownEvent,
)

from scorebot.domain import signals
from scorebot.domain.reactions import bare

log = logging.getLogger(__name__)

_MATRIX_TO_USER = re.compile(r"^https://matrix\.to/#/(@[^/?#]+)")
ABUSE_REPORT = "org.matrix.msc3215.abuse.report"
CALL_MEMBER_TYPES = ("org.matrix.msc3401.call.member", "m.call.member")
_PILL = re.compile(r'href="https://matrix\.to/#/(@[^"/?#]+)')
_WORDS = ("m.text", "m.notice", "m.emote")
_REPLY_FALLBACK = re.compile(r"^(> [^\n]*\n)+\n", re.MULTILINE)


class _CommandText(HTMLParser):
    """Flattens formatted_body to text, writing each user pill as its Matrix ID."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0  # inside <mx-reply>, the quoted message a reply carries
        self._pill: str | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "mx-reply":
            self._skip += 1
        elif tag == "a" and not self._skip:
            match = _MATRIX_TO_USER.match(dict(attrs).get("href") or "")
            if match:
                self._pill = unescape(match.group(1))
                self.parts.append(self._pill)
        elif tag in ("br", "p", "div", "li") and not self._skip:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag == "mx-reply":
            self._skip = max(0, self._skip - 1)
        elif tag == "a":
            self._pill = None

    def handle_data(self, data):
        if not self._skip and self._pill is None:
            self.parts.append(data)


def command_text(body: str, formatted_body: str | None) -> str:
    if formatted_body:
        parser = _CommandText()
        try:
            parser.feed(formatted_body)
            parser.close()
            return "".join(parser.parts).strip()
        except Exception:  # a malformed body falls back to the plain one
            log.debug("Could not read an HTML body; using the plain one")
    return strip_reply_fallback(body)


def strip_reply_fallback(body: str) -> str:
    return _REPLY_FALLBACK.sub("", body, count=1).strip() if body.startswith("> ") else body.strip()


def _mentions(content: dict, formatted: str | None) -> tuple[str, ...]:
    """Who a message mentions: its `m.mentions` and the pills in its HTML."""
    listed = (content.get("m.mentions") or {}).get("user_ids")
    people = [str(user) for user in listed] if isinstance(listed, list) else []
    people += [unescape(found) for found in _PILL.findall(formatted or "")]
    return tuple(dict.fromkeys(people))


def _relation(event: Event) -> dict:
    content = event.source.get("content") or {}
    relation = content.get("m.relates_to")
    return relation if isinstance(relation, dict) else {}


def to_signal(event: Event, room_id: str, bot_user_id: str) -> signals.Signal | None:
    """The signal for `event`, or None for what the bot does not act on."""
    try:
        return _convert(event, room_id, bot_user_id)
    except (AttributeError, KeyError, TypeError, ValueError) as error:
        log.warning("Skipping a malformed %s event %s in %s: %s", type(event).__name__,
                    getattr(event, "event_id", "?"), room_id, type(error).__name__)
        return None


def withheld_signal(event, now_ms: int) -> signals.KeyWithheld | None:
    """An `m.room_key.withheld` to-device event: a member's app kept a room key from the bot."""
    if getattr(event, "type", None) != "m.room_key.withheld":
        return None
    content = (event.source or {}).get("content") or {}
    room_id, session = content.get("room_id"), content.get("session_id")
    if not isinstance(room_id, str) or not isinstance(session, str):
        return None
    return signals.KeyWithheld(room_id, f"withheld:{room_id}:{session}", event.sender, now_ms,
                               code=str(content.get("code") or ""), reason=str(content.get("reason") or ""))


def _abuse_report(event: UnknownEvent, base: dict) -> signals.NativeReport | None:
    """A report to the room's moderation bot (MSC3215), from a client that still sends one (Element
    removed its "report to moderators" in 2026): the reporter must be the sender."""
    content = event.source.get("content") or {}
    room, reported, reporter = content.get("room_id"), content.get("event_id"), content.get("reporter")
    if not (isinstance(room, str) and isinstance(reported, str)) or reporter not in (None, event.sender):
        log.warning("Skipping an abuse report %s that does not hold together", event.event_id)
        return None
    nature = str(content.get("nature") or "").rsplit(".", 1)[-1]
    comment = str(content.get("comment") or "").strip()
    reason = f"{comment} ({nature})" if comment and nature else comment or nature
    return signals.NativeReport(**base, native_id=None, reported_event_id=reported, reported_sender=None, reason=reason,
                                reported_room_id=room, via="their app's report to moderators")


def _message(event: Event, base: dict) -> signals.Message:
    """A message of any kind; an edit (`m.replace`) says what its `m.new_content` says, and names
    the message it replaces."""
    relation = _relation(event)
    content = event.source.get("content") or {}
    replaces = None
    if relation.get("rel_type") == "m.replace" and isinstance(content.get("m.new_content"), dict):
        replaces, content, relation = str(relation["event_id"]), content["m.new_content"], {}
    reply = relation.get("m.in_reply_to") or {}
    thread_root = relation.get("event_id") if relation.get("rel_type") == "m.thread" else None
    reply_to = reply.get("event_id") if isinstance(reply, dict) else None
    if thread_root and relation.get("is_falling_back"):
        reply_to = None
    body = content.get("body") if isinstance(content.get("body"), str) else ""
    formatted = content.get("formatted_body") if content.get("format") else None
    formatted = formatted if isinstance(formatted, str) else None
    # Only words are commands: a file named "!report.pdf", or a sticker, is not one.
    said = command_text(body, formatted) if content.get("msgtype") in _WORDS else ""
    return signals.Message(**base, body=strip_reply_fallback(body), command_body=said,
                           is_notice=content.get("msgtype") == "m.notice", reply_to=reply_to,
                           thread_root=thread_root, mentions=_mentions(content, formatted), replaces=replaces)


def _convert(event: Event, room_id: str, bot_user_id: str) -> signals.Signal | None:
    if isinstance(event, BadEvent | UnknownBadEvent):
        log.warning("Skipping a malformed %s event %s in %s", event.type, event.event_id, room_id)
        return None
    base = dict(room_id=room_id, event_id=event.event_id, sender=event.sender,
                timestamp=int(event.server_timestamp))
    if isinstance(event, RoomMessage | StickerEvent):  # every msgtype: an image counts in a flood too
        msgtype = str((event.source.get("content") or {}).get("msgtype") or "")
        return None if msgtype.startswith("m.key.") else _message(event, base)  # a verification request is no message
    if isinstance(event, ReactionEvent):
        return signals.Reaction(**base, emoji=bare(event.key), target_event_id=event.reacts_to)
    if isinstance(event, UnknownEvent) and event.type == "m.reaction":
        relation = _relation(event)  # a reaction nio could not parse (e.g. on a state event)
        if relation.get("rel_type") != "m.annotation":
            return None
        return signals.Reaction(**base, emoji=bare(str(relation["key"])), target_event_id=str(relation["event_id"]))
    if isinstance(event, RedactionEvent):
        return signals.Redaction(**base, redacts=event.redacts)
    if isinstance(event, RoomMemberEvent):
        if event.state_key == bot_user_id and event.membership in ("leave", "ban"):
            reason = (event.content or {}).get("reason")
            return signals.BotRemoved(**base, membership=event.membership, reason=reason)
        return signals.Membership(**base, user_id=event.state_key, membership=event.membership,
                                  previous=event.prev_membership)
    if isinstance(event, UnknownEvent) and event.type == ABUSE_REPORT:
        return _abuse_report(event, base)
    if isinstance(event, UnknownEvent) and event.type in CALL_MEMBER_TYPES and "state_key" in event.source:
        replaces = (event.source.get("unsigned") or {}).get("replaces_state")
        return signals.CallMembership(**base, replaces=replaces if isinstance(replaces, str) else None,
                                      ended=not (event.source.get("content") or {}))
    return None


def event_report_signal(report: dict) -> signals.NativeReport | None:
    """A report on a message from Synapse's admin API (`event_reports`)."""
    if not isinstance(report.get("id"), int) or not report.get("room_id"):
        return None
    return signals.NativeReport(str(report["room_id"]), f"native-report:{report['id']}", str(report.get("user_id", "")),
                                int(report.get("received_ts", 0)), native_id=report["id"],
                                reported_event_id=str(report.get("event_id", "")), reported_sender=report.get("sender"),
                                reason=str(report.get("reason") or ""))


def user_report_signal(report: dict, where_is: Callable[[str], str | None]) -> signals.NativeReport | None:
    """A report on a person from Synapse's admin API (`user_reports`), seen from an organizing room
    they are in (`where_is` finds it); None when they are in none."""
    if not isinstance(report.get("id"), int) or not report.get("target_user_id"):
        return None
    room_id = where_is(str(report["target_user_id"]))
    if room_id is None:
        return None
    return signals.NativeReport(room_id, f"native-user-report:{report['id']}", str(report.get("user_id", "")),
                                int(report.get("received_ts", 0)), native_id=None, reported_event_id="",
                                reported_sender=str(report["target_user_id"]), reason=str(report.get("reason") or ""),
                                via="the homeserver's Report user")


def invite_signal(room_id: str, invite_state: list, bot_user_id: str) -> signals.Invite | None:
    """The bot's own invite among a room's invite state, if it is there."""
    invite = next((e for e in invite_state if isinstance(e, InviteMemberEvent)
                   and e.state_key == bot_user_id and e.membership == "invite"), None)
    if invite is None:
        return None
    return signals.Invite(room_id, invite.sender, bool((invite.content or {}).get("is_direct")))
