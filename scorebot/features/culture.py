"""Meeting culture: Oops/Ouch pinned and acknowledged, follow-ups, and a shared glossary.

The tone is the code of conduct's: an ouch names a moment, never a verdict, and asks the author
to acknowledge it kindly. It is not an enforcement step. Who said "ouch" is not repeated by the
bot or in the minutes: the moment matters, not the person who felt it.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

import yaml

from scorebot.config import CultureConfig
from scorebot.context import Context
from scorebot.domain import culture_words as words
from scorebot.domain import keys, limits
from scorebot.domain.actions import Edit, Send
from scorebot.domain.commands import NumberArg, TextArg, command
from scorebot.domain.culture import (
    HURT_EMOJI,
    AskWhichMessage,
    acknowledged_by,
    is_oops,
    is_ouch,
    ouch_target,
    quote,
)
from scorebot.domain.minutes import clock
from scorebot.domain.reactions import reaction
from scorebot.domain.rooms import ANYWHERE, ORGANIZING, Role, RoomKind
from scorebot.domain.signals import Message, Reaction
from scorebot.domain.stack import MeetingEvent
from scorebot.domain.text import Text, join, pill
from scorebot.feature import Feature
from scorebot.features.needs import MEETING
from scorebot.store.culture import culture
from scorebot.store.meetings import MeetingRecord, meetings
from scorebot.store.remembered import remembered

log = logging.getLogger(__name__)

MEMORY_MS = 7 * 24 * 3600 * 1000  # how long recent messages are kept for quoting


class Culture(Feature):
    def __init__(self, config: CultureConfig | None = None, seed: Path | None = None, timezone: str = "UTC"):
        config = config or CultureConfig()
        self.oops_window_ms = int(config.oops_window * 1000)
        self.seed = seed
        self.timezone = timezone
        self._last_prune = 0

    def on_start(self) -> None:
        if self.seed is None:
            return
        try:
            terms = yaml.safe_load(self.seed.read_text()) or {}
        except (OSError, yaml.YAMLError) as error:
            log.warning("Seed glossary %s not loaded: %s", self.seed, error)
            return
        loaded = culture.seed_glossary({str(k): str(v) for k, v in terms.items()}, int(time.time() * 1000))
        if loaded:
            log.info("Loaded %d terms into the empty glossary from %s", loaded, self.seed)

    # -- ouch and oops -------------------------------------------------------------------------

    def on_message(self, ctx: Context) -> None:
        message: Message = ctx.signal
        if ctx.room.kind is not RoomKind.ORGANIZING:
            return
        if is_ouch(message.body):
            self._ouch(ctx, message.reply_to)
        elif is_oops(message.body):
            self._oops(ctx, message.reply_to)

    @reaction(*HURT_EMOJI, rooms=ORGANIZING)
    def hurt(self, ctx: Context) -> None:
        hurt: Reaction = ctx.signal
        self._ouch(ctx, hurt.target_event_id, by_reaction=True)

    def _ouch(self, ctx: Context, reply_to: str | None, by_reaction: bool = False) -> None:
        meeting = meetings.running(ctx.room.room_id)
        speakers_last = None
        if meeting and not reply_to:
            turn = meetings.current_turn(meeting.id)
            last = culture.last_message_of(ctx.room.room_id, turn.person.key, turn.started_at) if turn else None
            speakers_last = last.event_id if last else None
        target = ouch_target(reply_to, speakers_last)
        if isinstance(target, AskWhichMessage):
            ctx.reply(words.WHICH_MESSAGE)
            return
        hurtful = culture.message(target.event_id)
        if hurtful is None and remembered.sent_by_the_bot(target.event_id):
            ctx.reply(words.ONE_OF_MINE)
            return
        if hurtful is None:
            ctx.reply(words.TOO_OLD)
            return
        key = keys.ouch(ctx.room.room_id, target.event_id)
        ouch = culture.keep_ouch(ctx.room.room_id, meeting.id if meeting else None, target.event_id,
                                 hurtful.sender, quote(hurtful.body), ctx.signal.timestamp, key)
        if ouch is None:
            if not by_reaction:
                ctx.reply(words.ALREADY_AN_OUCH)
            return
        ctx.do(Send(ctx.room.room_id, self._ouch_notice(ctx, ouch.author, ouch.quote), reply_to=target.event_id,
                    remember=key))
        if meeting:
            when = clock(ouch.at, self.timezone)
            culture.follow_up(meeting.id, words.follow_up_about_harm(ctx.name_of(ouch.author), when, ouch.quote),
                              ctx.signal.timestamp)

    def _ouch_notice(self, ctx: Context, author: str, moment: str, acknowledged: bool = False) -> Text:
        return words.ouch_notice(pill(author, ctx.name_of(author)), moment, acknowledged)

    def _oops(self, ctx: Context, reply_to: str | None) -> None:
        ouch = acknowledged_by(culture.open_ouches(ctx.room.room_id), ctx.sender, reply_to, ctx.signal.timestamp,
                              self.oops_window_ms)
        if ouch is None:
            return  # an oops for no ouch of the sender's: ordinary chat
        culture.acknowledge(ouch.id, ctx.signal.timestamp)
        ctx.confirm()
        ctx.do(Edit(ctx.room.room_id, keys.ouch(ctx.room.room_id, ouch.event_id),
                    self._ouch_notice(ctx, ouch.author, ouch.quote, acknowledged=True)))

    # -- follow-ups ----------------------------------------------------------------------------

    @command("followups", rooms=ORGANIZING, needs=(MEETING,),
             help="List the meeting's open follow-ups, such as harms to discuss.")
    def followups(self, ctx: Context, meeting: MeetingRecord) -> None:
        open_ones = culture.follow_ups(meeting.id)
        ctx.reply(words.follow_ups([text for _, text, _ in open_ones]) if open_ones else words.NO_FOLLOW_UPS)

    @command("followup done", NumberArg("number"), role=Role.FACILITATOR, rooms=ORGANIZING, needs=(MEETING,),
             help="Mark a follow-up (its number in !followups) as done.")
    def followup_done(self, ctx: Context, number: int, meeting: MeetingRecord) -> None:
        if culture.close_follow_up(meeting.id, number, ctx.signal.timestamp):
            ctx.confirm()
        else:
            ctx.reply(words.no_such_follow_up(number))

    def on_meeting_event(self, ctx: Context, event: MeetingEvent, meeting_id: int) -> None:
        """Remind the facilitators once: after the discussion a follow-up was added in, and at the end.

        The reminder counts them and points to !followups; it never repeats the hurtful words."""
        open_ones = culture.follow_ups(meeting_id)
        if event is MeetingEvent.TURN_ENDED:
            turns = meetings.turns(meeting_id)
            since = turns[-2].ended_at if len(turns) > 1 and turns[-2].ended_at else 0
            if not any(at > since for _, _, _, at in culture.follow_ups(meeting_id, with_time=True)):
                return
        if not open_ones:
            return
        meeting = meetings.get(meeting_id)
        facilitators = meetings.facilitators(meeting_id)
        names = join([pill(user, ctx.name_of(user)) for user in facilitators], ", ")
        ctx.do(Send(meeting.room_id, words.follow_up_reminder(names, len(open_ones),
                                                              closing=event is MeetingEvent.MEETING_ENDING)))

    # -- the glossary ----------------------------------------------------------------------------

    @command("define", TextArg("term", max_length=limits.TERM), rooms=ANYWHERE,
             help="Explain a term or acronym from the group's glossary.")
    def define(self, ctx: Context, term: str) -> None:
        known = culture.define(term)
        if known is None:
            ctx.reply(words.unknown_term(term))
            return
        meeting = meetings.running(ctx.room.room_id)
        if meeting:
            culture.term_explained(meeting.id, known.term, ctx.signal.timestamp)
        ctx.reply(words.definition(known.term, known.explanation))

    @command("glossary", rooms=ANYWHERE, help="List the terms in the group's glossary.")
    def glossary(self, ctx: Context) -> None:
        ctx.reply(words.glossary([t.term for t in culture.terms()]))

    @command("glossary add", TextArg("entry", label="TERM: explanation", max_length=1000), rooms=ANYWHERE,
             help="Add a term to the glossary, or improve its explanation: !glossary add IGO: Internal ...")
    def glossary_add(self, ctx: Context, entry: str) -> None:
        term, colon, explanation = entry.partition(":")
        if not colon or not term.strip() or not explanation.strip():
            ctx.reply(words.HOW_TO_ADD_A_TERM)
            return
        culture.add_term(term, explanation, ctx.sender, ctx.signal.timestamp)
        ctx.confirm()

    @command("glossary remove", TextArg("term", max_length=limits.TERM), role=Role.MODERATOR, rooms=ANYWHERE,
             help="Remove a term from the glossary.")
    def glossary_remove(self, ctx: Context, term: str) -> None:
        if culture.remove_term(term):
            ctx.confirm()
        else:
            ctx.reply(words.not_in_glossary(term))

    def on_tick(self, ctx: Context) -> None:
        now = ctx.signal.timestamp
        if now - self._last_prune > 3600 * 1000:
            self._last_prune = now
            culture.forget_messages_before(now - MEMORY_MS)
