"""The names of remembered messages: each kind is read back as itself, never as another."""

from scorebot.domain import keys


def test_each_key_gives_back_its_number_and_only_for_its_kind():
    assert keys.number_in(keys.proposal(7), "proposal") == 7
    assert keys.number_in(keys.report_note(3, "$answer"), "report-dm") == 3
    assert keys.number_in(keys.revision_vote(12), "revision-vote") == 12
    assert keys.number_in(keys.report(3), "report-dm") is None  # a report's thread is not a note to its reporter
    assert keys.number_in(keys.case(3), "proposal") is None
    assert keys.number_in(None, "proposal") is None
    assert keys.ouch("!r:x", "$e") != keys.ouch("!r:x", "$f")
