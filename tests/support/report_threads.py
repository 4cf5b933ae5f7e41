"""The IGO room's report threads, as an IGO sees them: each report's root and the messages under it."""

from __future__ import annotations

from tests.support.members import Member
from tests.support.organizations import Org


def thread_of(member: Member, org: Org, root_id: str) -> list[str]:
    return [s.body for s in member.seen if s.room_id == org.igo
            and (s.content.get("m.relates_to") or {}).get("event_id") == root_id]


async def root(member: Member, org: Org, number: int):
    return await member.wait_for(lambda s: s.room_id == org.igo and s.sender == org.bot_id
                                 and s.body.startswith(f"Report #{number} "), what=f"report #{number}'s thread")


async def in_thread(member: Member, org: Org, root_id: str, text: str) -> None:
    await member.wait_until(lambda: any(text in body for body in thread_of(member, org, root_id)),
                            what=f"{text!r} in the thread")
