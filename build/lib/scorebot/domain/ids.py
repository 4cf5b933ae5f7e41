"""The shapes of Matrix identifiers, as the bot accepts them from people and config."""

import re

USER_ID = re.compile(r"^@[a-z0-9._=\-/+]+:[A-Za-z0-9.\-]+(:\d+)?$")
# Room IDs from room version 12 on carry no server part; older ones do.
ROOM_ID = re.compile(r"^![A-Za-z0-9._~+/=\-]+(:[A-Za-z0-9.\-]+(:\d+)?)?$")
ROOM_ALIAS = re.compile(r"^#[^:\s]+:[A-Za-z0-9.\-]+(:\d+)?$")
