"""A bare matrix-nio echo bot: the yardstick for scorebot's reply time. Usage: echo_bot.py URL USER TOKEN DEVICE"""

import asyncio
import sys

from nio import AsyncClient, RoomMessageText


async def main(url: str, user: str, token: str, device: str) -> None:
    client = AsyncClient(url, user)
    client.restore_login(user, device, token)
    first = await client.sync(timeout=0)
    for room_id in first.rooms.invite:
        await client.join(room_id)

    async def echo(room, event: RoomMessageText) -> None:
        if event.sender != user and event.body.startswith("!echo"):
            await client.room_send(room.room_id, "m.room.message", {
                "msgtype": "m.notice", "body": event.body,
                "m.relates_to": {"m.in_reply_to": {"event_id": event.event_id}}})

    client.add_event_callback(echo, RoomMessageText)
    print("echo bot ready", flush=True)
    await client.sync_forever(timeout=30000, since=first.next_batch)


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
