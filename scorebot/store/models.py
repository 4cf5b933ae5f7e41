"""The live tables. Their shape must match what the migrations build; a test checks it."""

from peewee import BigIntegerField, CharField, Model, TextField


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


class Room(Model):
    room_id = CharField(primary_key=True)
    joined_at = BigIntegerField()
    left_at = BigIntegerField(null=True)


class DirectChat(Model):
    user_id = CharField(primary_key=True)
    room_id = CharField(unique=True)


MODELS = [Setting, HandledEvent, Outbox, RememberedMessage, Room, DirectChat]
