from scorebot.matrix.events import command_text, strip_reply_fallback


def test_pills_become_matrix_ids():
    html = 'warn <a href="https://matrix.to/#/@bob:example.org">Bob Smith</a> please'
    assert command_text("warn Bob Smith please", html) == "warn @bob:example.org please"


def test_reply_quotes_are_left_out():
    html = "<mx-reply><blockquote>!warn @x:y</blockquote></mx-reply>!help"
    assert command_text("> <@a:b> !warn @x:y\n\n!help", html) == "!help"
    assert strip_reply_fallback("> <@a:b> quoted\n> more\n\nouch") == "ouch"


def test_plain_body_when_there_is_no_html():
    assert command_text("  !stack  ", None) == "!stack"
