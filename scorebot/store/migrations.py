"""Numbered, described schema migrations, each applied in its own transaction.

Each migration declares the tables as they were at that version (not the live models), so an old
database always upgrades through the same steps. A database newer than this code is refused: the
code would not know what the newer tables mean.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    Database,
    IntegerField,
    Model,
    TextField,
)


class SchemaTooNew(Exception):
    pass


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    apply: Callable[[Database], None]


MIGRATIONS: list[Migration] = []


def migration(version: int, description: str):
    def declare(apply: Callable[[Database], None]):
        if MIGRATIONS and MIGRATIONS[-1].version != version - 1:
            raise ValueError(f"migration {version} does not follow {MIGRATIONS[-1].version}")
        MIGRATIONS.append(Migration(version, description, apply))
        return apply

    return declare


def _tables(db: Database, *models: type[Model]) -> None:
    for model in models:
        model._meta.set_database(db)
    db.create_tables(models, safe=False)


@migration(1, "runtime: settings, sync position, handled events, outbox, remembered messages")
def _runtime(db: Database) -> None:
    class Setting(Model):
        key = CharField(primary_key=True)
        value = TextField()

    class HandledEvent(Model):
        event_id = CharField(primary_key=True)
        room_id = CharField()
        handled_at = BigIntegerField()

    class Outbox(Model):
        kind = CharField()
        payload = TextField()
        source_event_id = CharField(null=True)
        created_at = BigIntegerField()
        state = CharField(default="pending", index=True)
        result_event_id = CharField(null=True)
        error = TextField(null=True)

    class RememberedMessage(Model):
        key = CharField(primary_key=True)
        room_id = CharField()
        event_id = CharField()

    _tables(db, Setting, HandledEvent, Outbox, RememberedMessage)


@migration(2, "rooms the bot joined, and its direct chats with members")
def _rooms(db: Database) -> None:
    class Room(Model):
        room_id = CharField(primary_key=True)
        joined_at = BigIntegerField()
        left_at = BigIntegerField(null=True)

    class DirectChat(Model):
        user_id = CharField(primary_key=True)
        room_id = CharField(unique=True)

    _tables(db, Room, DirectChat)


@migration(3, "meetings: facilitators, the stack, turns, priority declarations and minutes notes")
def _meetings(db: Database) -> None:
    class Meeting(Model):
        room_id = CharField(index=True)
        title = TextField()
        started_by = CharField()
        started_at = BigIntegerField()
        ended_at = BigIntegerField(null=True)
        closed = BooleanField(default=False)
        board_key = CharField(null=True)
        board_serial = IntegerField(default=0)
        minutes_text = TextField(null=True)
        minutes_html = TextField(null=True)

    class MeetingFacilitator(Model):
        meeting_id = IntegerField(index=True)
        user_id = CharField()
        since = BigIntegerField()
        until = BigIntegerField(null=True)

    class StackEntry(Model):
        meeting_id = IntegerField(index=True)
        person_key = CharField()
        name = TextField()
        via = CharField()
        clarification = BooleanField(default=False)
        term = TextField(null=True)
        pinned = IntegerField(null=True)
        source_event_id = CharField(null=True, index=True)
        asked_at = BigIntegerField()
        left_at = BigIntegerField(null=True)
        left_how = CharField(null=True)

    class Turn(Model):
        meeting_id = IntegerField(index=True)
        person_key = CharField()
        name = TextField()
        started_at = BigIntegerField()
        ended_at = BigIntegerField(null=True)
        wrapup_asked = BooleanField(default=False)

    class PriorityDeclaration(Model):
        user_id = CharField(primary_key=True)
        declared_at = BigIntegerField()

    class MeetingPriority(Model):
        meeting_id = IntegerField(index=True)
        person_key = CharField()

    class MeetingNote(Model):
        meeting_id = IntegerField(index=True)
        at = BigIntegerField()
        text = TextField()

    _tables(db, Meeting, MeetingFacilitator, StackEntry, Turn, PriorityDeclaration, MeetingPriority, MeetingNote)


@migration(4, "meeting culture: recent messages, ouch pins, follow-ups, the glossary and terms explained")
def _culture(db: Database) -> None:
    class RecentMessage(Model):
        event_id = CharField(primary_key=True)
        room_id = CharField(index=True)
        sender = CharField()
        body = TextField()
        at = BigIntegerField(index=True)

    class Pin(Model):
        room_id = CharField()
        meeting_id = IntegerField(null=True, index=True)
        event_id = CharField()
        author = CharField()
        quote = TextField()
        at = BigIntegerField()
        notice_key = CharField(null=True)
        acknowledged_at = BigIntegerField(null=True)

    class FollowUp(Model):
        meeting_id = IntegerField(index=True)
        text = TextField()
        at = BigIntegerField()
        done_at = BigIntegerField(null=True)

    class GlossaryTerm(Model):
        key = CharField(primary_key=True)
        term = TextField()
        explanation = TextField()
        added_by = CharField()
        added_at = BigIntegerField()

    class MeetingTerm(Model):
        meeting_id = IntegerField(index=True)
        term = TextField()
        at = BigIntegerField()

    _tables(db, RecentMessage, Pin, FollowUp, GlossaryTerm, MeetingTerm)


@migration(5, "enforcement: cases and their steps, removal proposals and approvals, timed bans, the audit log")
def _enforcement(db: Database) -> None:
    class Case(Model):
        subject = CharField(unique=True)
        opened_at = BigIntegerField()
        escalated_at = BigIntegerField(null=True)
        resolved_at = BigIntegerField(null=True)
        outcome = TextField(null=True)

    class CaseStep(Model):
        case_id = IntegerField(index=True)
        kind = CharField()
        at = BigIntegerField()
        by = CharField()
        room_id = CharField(null=True)
        reason = TextField(null=True)
        category = CharField(null=True)
        evidence_event = CharField(null=True)
        evidence_text = TextField(null=True)

    class Proposal(Model):
        case_id = IntegerField(index=True)
        subject = CharField()
        room_id = CharField(null=True)
        proposer = CharField()
        needed = IntegerField()
        expires_at = BigIntegerField()
        state = CharField(default="open", index=True)
        decided_by = CharField(null=True)
        reason = TextField(null=True)
        category = CharField(null=True)
        redact_event = CharField(null=True)
        message_key = CharField(null=True, index=True)

    class ProposalApproval(Model):
        proposal_id = IntegerField(index=True)
        voter = CharField()
        at = BigIntegerField()

    class TimedBan(Model):
        room_id = CharField()
        user_id = CharField()
        until = BigIntegerField(index=True)
        lifted_at = BigIntegerField(null=True)

    class AuditEntry(Model):
        at = BigIntegerField()
        actor = CharField()
        action = CharField()
        subject = CharField(null=True)
        room_id = CharField(null=True)
        detail = TextField(null=True)

    _tables(db, Case, CaseStep, Proposal, ProposalApproval, TimedBan, AuditEntry)


@migration(6, "confidential reports: reports, who assists with each, and their timelines")
def _reports(db: Database) -> None:
    class Report(Model):
        reporter = CharField(index=True)
        subject = CharField(null=True, index=True)
        subject_name = TextField(null=True)
        anonymous = BooleanField(default=False)
        wants_answers = BooleanField(default=True)
        via = CharField()
        room_id = CharField(null=True)
        evidence_event = CharField(null=True)
        evidence_text = TextField(null=True)
        words = TextField()
        state = CharField(default="open")
        created_at = BigIntegerField()
        reminded_at = BigIntegerField(null=True)
        native_id = IntegerField(null=True, unique=True)

    class ReportAssignee(Model):
        report_id = IntegerField(index=True)
        user_id = CharField()

    class ReportEntry(Model):
        report_id = IntegerField(index=True)
        at = BigIntegerField()
        by = CharField()
        kind = CharField()
        text = TextField()

    _tables(db, Report, ReportAssignee, ReportEntry)


@migration(7, "votes remember their reaction, so a ✅ taken back no longer counts; remembered messages "
              "are found by event")
def _vote_events(db: Database) -> None:
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("proposalapproval", "event_id", CharField(null=True, index=True)),
            migrator.add_index("rememberedmessage", ("event_id",), False))


@migration(8, "the outbox parks an action that cannot go yet: its attempts and when to try it next; "
              "handled-event marks are found by age, to be forgotten")
def _parked_actions(db: Database) -> None:
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("outbox", "attempts", IntegerField(default=0)),
            migrator.add_column("outbox", "next_try_at", BigIntegerField(default=0)),
            migrator.add_index("handledevent", ("handled_at",), False))


@migration(9, "brigading: who invited whom, recent joins, waves of joins and their locks, flood bursts")
def _brigading(db: Database) -> None:
    class RoomInvite(Model):
        room_id = CharField()
        user_id = CharField()
        inviter = CharField()
        at = BigIntegerField(index=True)

        class Meta:
            indexes = ((("room_id", "user_id"), True),)

    class RoomJoin(Model):
        room_id = CharField(index=True)
        user_id = CharField()
        inviter = CharField(null=True)
        at = BigIntegerField(index=True)

    class JoinWave(Model):
        room_id = CharField(index=True)
        joins = TextField()
        last_join_at = BigIntegerField()
        locked = BooleanField(default=False)
        previous_invite_level = IntegerField(null=True)
        previous_join_rule = CharField(null=True)
        unlocked_at = BigIntegerField(null=True)

    class FloodBurst(Model):
        room_id = CharField()
        user_id = CharField()
        last_flood_at = BigIntegerField()

        class Meta:
            indexes = ((("room_id", "user_id"), True),)

    _tables(db, RoomInvite, RoomJoin, JoinWave, FloodBurst)


@migration(10, "the revision process: proposals, attendance, votes in meetings, secret ballots")
def _revisions(db: Database) -> None:
    class RevisionProposal(Model):
        proposer = CharField()
        text = TextField()
        submitted_at = BigIntegerField()
        state = CharField(default="submitted")
        vote_meeting_id = IntegerField(null=True)
        meeting_yes = IntegerField(null=True)
        meeting_no = IntegerField(null=True)
        present = IntegerField(null=True)
        ballot_opened_at = BigIntegerField(null=True)
        ballot_closes_at = BigIntegerField(null=True, index=True)
        reminded = BooleanField(default=False)
        yes = IntegerField(null=True)
        no = IntegerField(null=True)
        voters = IntegerField(null=True)
        eligible = IntegerField(null=True)
        ratified_at = BigIntegerField(null=True)
        ratified_by = CharField(null=True)


    class MeetingAttendance(Model):
        meeting_id = IntegerField()
        user_id = CharField()
        at = BigIntegerField()

        class Meta:
            indexes = ((("meeting_id", "user_id"), True),)


    class MeetingVote(Model):
        """A show of hands in a meeting: public by nature (reactions on the bot's message)."""

        proposal_id = IntegerField()
        user_id = CharField()
        choice = CharField()
        event_id = CharField(index=True)

        class Meta:
            indexes = ((("proposal_id", "user_id"), True),)


    class BallotVoter(Model):
        """Who may vote on a ballot, and whether they did: never what they chose."""

        proposal_id = IntegerField()
        user_id = CharField()
        voted = BooleanField(default=False)

        class Meta:
            indexes = ((("proposal_id", "user_id"), True),)


    class BallotChoice(Model):
        """A voter's current choice, kept only while the ballot is open (it may change), deleted at
        the close, when only the counts remain."""

        proposal_id = IntegerField()
        user_id = CharField()
        choice = CharField()

        class Meta:
            indexes = ((("proposal_id", "user_id"), True),)

    _tables(db, RevisionProposal, MeetingAttendance, MeetingVote, BallotVoter, BallotChoice)


@migration(11, "a hand raised by reaction remembers what it was on, so a call's hand follows the call")
def _hand_targets(db: Database) -> None:
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("stackentry", "target_event_id", CharField(null=True, index=True)))


@migration(12, "encrypted events waiting for their room key")
def _waiting_events(db: Database) -> None:
    class WaitingEvent(Model):
        """An encrypted event whose room key has not arrived yet: only its ciphertext, kept until the key
        comes (and it is handled) or the wait is given up."""

        event_id = CharField(primary_key=True)
        room_id = CharField()
        sender = CharField()
        source = TextField()  # the encrypted event as received
        received_at = BigIntegerField()

    _tables(db, WaitingEvent)


@migration(13, "decisions and action items recorded in meetings")
def _meeting_items(db: Database) -> None:
    class MeetingItem(Model):
        """A decision or an action item recorded in a meeting, for its minutes."""

        meeting_id = IntegerField(index=True)
        kind = CharField()  # "decision" or "action"
        text = TextField()
        who = CharField(null=True)  # who takes the action on
        by = CharField()
        at = BigIntegerField()

    _tables(db, MeetingItem)


@migration(14, "a turn remembers whether it was a point of clarification, which is not a full turn")
def _clarification_turns(db: Database) -> None:
    from playhouse.migrate import SchemaMigrator, migrate

    migrator = SchemaMigrator.from_database(db)
    migrate(migrator.add_column("turn", "clarification", BooleanField(default=False)))


class SchemaVersion(Model):
    version = IntegerField(primary_key=True)
    description = TextField()
    applied_at = BigIntegerField()

    class Meta:
        table_name = "schema_version"


def current_version(db: Database) -> int:
    SchemaVersion._meta.set_database(db)
    if not SchemaVersion.table_exists():
        return 0
    return SchemaVersion.select().order_by(SchemaVersion.version.desc()).scalar() or 0


def upgrade(db: Database, target: int | None = None) -> list[Migration]:
    """Bring the schema to `target` (the newest by default); return what was applied."""
    latest = MIGRATIONS[-1].version
    target = latest if target is None else target
    SchemaVersion._meta.set_database(db)
    with db.atomic():
        db.create_tables([SchemaVersion])
    found = current_version(db)
    if found > latest:
        raise SchemaTooNew(
            f"the database is at schema version {found}, newer than this scorebot knows "
            f"(up to {latest}); run a newer scorebot, or restore a backup made by this version"
        )
    applied = []
    for step in MIGRATIONS:
        if found < step.version <= target:
            with db.atomic():
                step.apply(db)
                SchemaVersion.create(
                    version=step.version, description=step.description, applied_at=int(time.time())
                )
            applied.append(step)
    return applied
