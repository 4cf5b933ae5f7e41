"""Ouch/oops matching: by reply, by reaction, by plain text with and without a meeting."""

from scorebot.domain.culture import (
    AskWhichMessage,
    Ouch,
    OuchTarget,
    acknowledged_by,
    is_oops,
    is_ouch,
    ouch_target,
    quote,
    term_key,
)

PIN = Ouch(1, "!r:x", "$hurtful", "@ben:x", "a careless remark", at=1_000, notice_event_id="$notice")


def test_ouch_and_oops_words():
    for text in ("ouch", "Ouch!", "OUCH that hurt", "  ouch."):
        assert is_ouch(text), text
    for text in ("touch", "ouchy", "no ouch", ""):
        assert not is_ouch(text), text
    assert is_oops("Oops, sorry") and is_oops("oops") and not is_oops("whoops")


def test_ouch_pins_the_reply_target_or_the_speakers_last_message():
    assert ouch_target("$reply", "$speaker") == OuchTarget("$reply")
    assert ouch_target(None, "$speaker") == OuchTarget("$speaker")  # plain text in a meeting
    assert ouch_target(None, None) == AskWhichMessage()  # plain text, no meeting: ask which


def test_oops_from_the_author_acknowledges_by_reply_or_in_time():
    assert acknowledged_by([PIN], "@ben:x", "$hurtful", 999_999, 60_000) == PIN
    assert acknowledged_by([PIN], "@ben:x", "$notice", 999_999, 60_000) == PIN
    assert acknowledged_by([PIN], "@ben:x", None, 30_000, 60_000) == PIN
    assert acknowledged_by([PIN], "@ben:x", None, 120_000, 60_000) is None  # too late without a reply
    assert acknowledged_by([PIN], "@ben:x", "$other", 2_000, 60_000) is None  # a reply to something else


def test_oops_from_anyone_else_acknowledges_nothing():
    assert acknowledged_by([PIN], "@ann:x", "$hurtful", 2_000, 60_000) is None
    assert acknowledged_by([PIN], "@ann:x", None, 2_000, 60_000) is None


def test_terms_and_quotes():
    assert term_key("I.G.O.") == term_key("igo") == term_key(" IGO? ")
    assert term_key("Progressive   Stack") == "progressive stack"
    assert quote("word " * 100).endswith("…") and len(quote("word " * 100)) == 140
