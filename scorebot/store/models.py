"""The live tables. Their shape must match what the migrations build; a test checks it."""

from peewee import BigIntegerField, BooleanField, CharField, IntegerField, Model, TextField


class Mark(Model):
    """A mark the bot keeps for itself: the sync position, a room it is creating, how far it read."""

    name = CharField(primary_key=True)
    value = TextField()


class HandledEvent(Model):
    event_id = CharField(primary_key=True)
    room_id = CharField()
    handled_at = BigIntegerField(index=True)


class Outbox(Model):
    kind = CharField()
    payload = TextField()
    source_event_id = CharField(null=True)
    created_at = BigIntegerField()
    state = CharField(default="pending", index=True)
    result_event_id = CharField(null=True)
    error = TextField(null=True)
    attempts = IntegerField(default=0)
    next_try_at = BigIntegerField(default=0)  # a parked action waits until then


class RememberedMessage(Model):
    key = CharField(primary_key=True)
    room_id = CharField()
    event_id = CharField(index=True)


class Room(Model):
    room_id = CharField(primary_key=True)
    joined_at = BigIntegerField()
    left_at = BigIntegerField(null=True)


class DirectChat(Model):
    user_id = CharField(primary_key=True)
    room_id = CharField(unique=True)


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
    board_token = CharField(null=True, unique=True)  # the projector page's secret, for this meeting only


class AgendaItem(Model):
    """One item of a meeting's agenda: open from `opened_at` to `closed_at`, timeboxed in seconds."""

    meeting_id = IntegerField(index=True)
    title = TextField()
    timebox = IntegerField(null=True)
    opened_at = BigIntegerField(null=True)
    closed_at = BigIntegerField(null=True)
    overtime_told = BooleanField(default=False)


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
    fixed_position = IntegerField(null=True)  # a facilitator's move: the place among the new points
    source_event_id = CharField(null=True, index=True)
    asked_at = BigIntegerField()
    left_at = BigIntegerField(null=True)
    left_how = CharField(null=True)
    target_event_id = CharField(null=True, index=True)  # what a hand reaction was on (a call membership)
    kind = CharField(default="point")  # a new point, a direct response or a point of process


class Turn(Model):
    meeting_id = IntegerField(index=True)
    person_key = CharField()
    name = TextField()
    started_at = BigIntegerField()
    ended_at = BigIntegerField(null=True)
    wrapup_asked = BooleanField(default=False)
    clarification = BooleanField(default=False)  # a brief point of clarification: not a full turn


class PriorityDeclaration(Model):
    """A member's standing wish for priority, said in a direct chat. Deleted on 'priority off'."""

    user_id = CharField(primary_key=True)
    declared_at = BigIntegerField()


class MeetingPriority(Model):
    """Priority a facilitator set for one meeting, at the member's spoken request."""

    meeting_id = IntegerField(index=True)
    person_key = CharField()


class MeetingNote(Model):
    """What goes into the minutes besides the turns: overrides and notes (never priority)."""

    meeting_id = IntegerField(index=True)
    at = BigIntegerField()
    text = TextField()


class RecentMessage(Model):
    """Organizing-room messages of the last days, so an ouch or evidence can quote them."""

    event_id = CharField(primary_key=True)
    room_id = CharField(index=True)
    sender = CharField()
    body = TextField()
    at = BigIntegerField(index=True)


class OuchMoment(Model):
    """An "ouch": the moment it pins (the message, its author and words), and whether "oops" came."""

    room_id = CharField()
    meeting_id = IntegerField(null=True, index=True)
    event_id = CharField()
    author = CharField()
    quote = TextField()
    at = BigIntegerField()
    notice_key = CharField(null=True)
    acknowledged_at = BigIntegerField(null=True)

    class Meta:
        table_name = "ouch"
        legacy_table_names = False  # its index is named after the table (ouch_meeting_id), not the class


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
    event_id = CharField(null=True, index=True)  # the ✅ reaction; taken back, the approval goes


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


class RoomInvite(Model):
    """Who invited whom into an organizing room, so a wave's alert can name them."""

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
    joins = TextField()  # JSON: [[user, at, inviter], ...]
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


class SentCommand(Model):
    """A command a member sent, so an edit of it runs at most once. Never its text: a digest."""

    event_id = CharField(primary_key=True)
    room_id = CharField()
    sender = CharField()
    digest = CharField()
    ran = BooleanField()
    at = BigIntegerField(index=True)


class LastAnswer(Model):
    """The bot's last answer to a member in a room (a digest), so a flood is not fed."""

    room_id = CharField()
    user_id = CharField()
    digest = CharField()
    at = BigIntegerField()

    class Meta:
        indexes = ((("room_id", "user_id"), True),)


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
    """Who is counted present in a meeting: marked !here, asked to speak, spoke, facilitated or
    voted. `left_at` is set when they left the room; they count again only when they take part anew."""

    meeting_id = IntegerField()
    user_id = CharField()
    at = BigIntegerField()
    left_at = BigIntegerField(null=True)
    name = CharField(null=True)  # as the room showed them then: the minutes name them so after they left

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


class WaitingEvent(Model):
    """An encrypted event whose room key has not arrived yet: only its ciphertext, kept until the key
    comes (and it is handled) or the wait is given up."""

    event_id = CharField(primary_key=True)
    room_id = CharField()
    sender = CharField()
    source = TextField()  # the encrypted event as received
    received_at = BigIntegerField()


class MeetingItem(Model):
    """A decision or an action item recorded in a meeting, for its minutes."""

    meeting_id = IntegerField(index=True)
    kind = CharField()  # "decision" or "action"
    text = TextField()
    who = CharField(null=True)  # who takes the action on
    by = CharField()
    at = BigIntegerField()


MODELS = [Mark, HandledEvent, Outbox, RememberedMessage, Room, DirectChat,
          Meeting, MeetingFacilitator, StackEntry, Turn, PriorityDeclaration, MeetingPriority, MeetingNote,
          RecentMessage, OuchMoment, FollowUp, GlossaryTerm, MeetingTerm,
          Case, CaseStep, Proposal, ProposalApproval, TimedBan, AuditEntry, Report, ReportAssignee, ReportEntry,
          RoomInvite, RoomJoin, JoinWave, FloodBurst, SentCommand, LastAnswer,
          RevisionProposal, MeetingAttendance, MeetingVote, BallotVoter, BallotChoice, WaitingEvent,
          MeetingItem, AgendaItem]


def upsert(model: type[Model], **values) -> None:
    """Insert a row, or update the one with the same key: SQLite's REPLACE is not PostgreSQL's.

    The key is the model's unique index when it has one, else its primary key."""
    unique = [fields for fields, is_unique in model._meta.indexes if is_unique]
    key = list(unique[0]) if unique else [model._meta.primary_key.name]
    fields = model._meta.fields
    update = {fields[name]: value for name, value in values.items() if name not in key}
    query = model.insert(**values)
    if update:
        query = query.on_conflict(conflict_target=[fields[name] for name in key], update=update)
    else:
        query = query.on_conflict_ignore()
    query.execute()


_INSERTS: dict[tuple, str] = {}


def insert_row(model: type[Model], *, ignore_existing: bool = False, **values) -> int | None:
    """Insert one row and return its ID (None with `ignore_existing`, whose callers need none).

    For the few rows written for every message the bot reads: peewee builds the same SQL again for
    each row, which was most of the work of handling a message. Here the SQL is made once per model
    and set of columns. Fields left out take the model's defaults, as they do with peewee."""
    for name, field in model._meta.fields.items():
        if name not in values and field.default is not None:
            values[name] = field.default() if callable(field.default) else field.default
    database = model._meta.database
    returning = database.returning_clause and not ignore_existing  # PostgreSQL; SQLite gives lastrowid
    key = (model, tuple(values), ignore_existing, database.param, returning)  # param: "?" or "%s"
    fields = [model._meta.fields[name] for name in values]
    sql = _INSERTS.get(key)
    if sql is None:
        columns = ", ".join(f'"{field.column_name}"' for field in fields)
        marks = ", ".join([database.param] * len(fields))
        conflict = " ON CONFLICT DO NOTHING" if ignore_existing else ""
        back = f' RETURNING "{model._meta.primary_key.column_name}"' if returning else ""
        sql = _INSERTS[key] = f'INSERT INTO "{model._meta.table_name}" ({columns}) VALUES ({marks}){conflict}{back}'
    cursor = database.execute_sql(sql, [field.db_value(value) for field, value in zip(fields, values.values(),
                                                                                           strict=True)])
    if ignore_existing:
        return None
    return cursor.fetchone()[0] if returning else cursor.lastrowid
