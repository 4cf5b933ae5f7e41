"""Fixtures shared by the unit tests of the meeting's features."""

import pytest

from tests.support.stack_meeting import Meeting


@pytest.fixture
def meeting(database_url):
    """A meeting started by @fac:x in an organizing room, on SQLite and on PostgreSQL."""
    meeting = Meeting(database_url)
    meeting.say("@fac:x", "!meeting start Budget")
    yield meeting
    meeting.store.close()
