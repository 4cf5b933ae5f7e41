"""Invitations, recent joins, waves of joins and flood bursts in the organizing rooms."""

from __future__ import annotations

import json

from scorebot.domain.brigading import Join, Wave
from scorebot.store import models as m


def _wave(row: m.JoinWave) -> Wave:
    return Wave(row.id, row.room_id, tuple(Join(user, at, inviter) for user, at, inviter in json.loads(row.joins)))


def _dump(joins) -> str:
    return json.dumps([[j.user_id, j.at, j.inviter] for j in joins])


class Brigading:
    def invited(self, room_id: str, user_id: str, inviter: str, at: int) -> None:
        m.upsert(m.RoomInvite, room_id=room_id, user_id=user_id, inviter=inviter, at=at)

    def joined(self, room_id: str, user_id: str, at: int) -> Join:
        """Record a join (with whoever invited them, if known) and return it."""
        invite = m.RoomInvite.get_or_none((m.RoomInvite.room_id == room_id) & (m.RoomInvite.user_id == user_id))
        join = Join(user_id, at, invite.inviter if invite else None)
        m.RoomJoin.create(room_id=room_id, user_id=user_id, inviter=join.inviter, at=at)
        return join

    def joins_since(self, room_id: str, since: int) -> list[Join]:
        rows = m.RoomJoin.select().where((m.RoomJoin.room_id == room_id) & (m.RoomJoin.at >= since)).order_by(
            m.RoomJoin.at, m.RoomJoin.id)
        return [Join(r.user_id, r.at, r.inviter) for r in rows]

    def last_joined(self, user_id: str, room_ids) -> int | None:
        """When `user_id` last joined one of the rooms, as far as the bot saw it."""
        return (m.RoomJoin.select(m.RoomJoin.at).where((m.RoomJoin.user_id == user_id)
                                                       & m.RoomJoin.room_id.in_(list(room_ids)))
                .order_by(m.RoomJoin.at.desc()).scalar())

    def latest_wave(self, room_id: str) -> Wave | None:
        row = m.JoinWave.select().where(m.JoinWave.room_id == room_id).order_by(m.JoinWave.id.desc()).first()
        return _wave(row) if row else None

    def new_wave(self, room_id: str, joins) -> Wave:
        row = m.JoinWave.create(room_id=room_id, joins=_dump(joins), last_join_at=max(j.at for j in joins))
        return _wave(row)

    def grow_wave(self, wave_id: int, joins) -> Wave:
        m.JoinWave.update(joins=_dump(joins), last_join_at=max(j.at for j in joins)).where(
            m.JoinWave.id == wave_id).execute()
        return _wave(m.JoinWave.get_by_id(wave_id))

    def locked(self, wave_id: int, previous_invite_level: int, previous_join_rule: str) -> None:
        m.JoinWave.update(locked=True, previous_invite_level=previous_invite_level,
                          previous_join_rule=previous_join_rule).where(m.JoinWave.id == wave_id).execute()

    def lock_of(self, room_id: str) -> tuple[int, int, str] | None:
        """The room's lock still in force: (wave, invite level before it, join rule before it)."""
        row = (m.JoinWave.select().where((m.JoinWave.room_id == room_id) & m.JoinWave.locked
                                         & m.JoinWave.unlocked_at.is_null()).order_by(m.JoinWave.id).first())
        return (row.id, row.previous_invite_level, row.previous_join_rule) if row else None

    def unlocked(self, room_id: str, at: int) -> None:
        m.JoinWave.update(unlocked_at=at).where((m.JoinWave.room_id == room_id) & m.JoinWave.locked
                                                & m.JoinWave.unlocked_at.is_null()).execute()

    def last_flood(self, room_id: str, user_id: str) -> int | None:
        row = m.FloodBurst.get_or_none((m.FloodBurst.room_id == room_id) & (m.FloodBurst.user_id == user_id))
        return row.last_flood_at if row else None

    def flooding(self, room_id: str, user_id: str, at: int) -> None:
        m.upsert(m.FloodBurst, room_id=room_id, user_id=user_id, last_flood_at=at)

    def forget_before(self, invites_at: int, joins_at: int) -> None:
        """Old invitations tell nothing about a wave any more; joins are kept longer, for the
        membership age a ballot may ask for."""
        m.RoomInvite.delete().where(m.RoomInvite.at < invites_at).execute()
        m.RoomJoin.delete().where(m.RoomJoin.at < joins_at).execute()


brigading = Brigading()
