from scorebot.domain.commands import (
    Arg,
    ChoiceArg,
    CommandRegistry,
    Invocation,
    NumberArg,
    PersonArg,
    TextArg,
    UnknownCommand,
    UsageError,
    UserArg,
)
from scorebot.domain.rooms import Role


def registry() -> CommandRegistry:
    reg = CommandRegistry("!")
    reg.command("warn", UserArg(), TextArg("reason", optional=True), role=Role.MODERATOR)(lambda ctx: None)
    reg.command("stack", help="Show the stack")(lambda ctx: None)
    reg.command("stack add", PersonArg())(lambda ctx: None)
    reg.command("stack move", UserArg(), NumberArg("position"))(lambda ctx: None)
    reg.command("priority", ChoiceArg("state", choices=("on", "off")))(lambda ctx: None)
    reg.command("help", Arg("command", optional=True))(lambda ctx: None)
    return reg


def test_plain_chat_is_not_a_command():
    for text in ("hello", "! stack", "!", "!!", "stack", "  "):
        assert registry().parse(text) is None, text


def test_typed_arguments_are_read():
    parsed = registry().parse("!warn @bob:example.org please stop interrupting")
    assert isinstance(parsed, Invocation)
    assert parsed.args == {"user": "@bob:example.org", "reason": "please stop interrupting"}
    assert registry().parse("!warn @bob:example.org").args == {"user": "@bob:example.org", "reason": None}


def test_longest_command_name_wins_and_names_are_case_insensitive():
    assert registry().parse("!Stack").command.name == "stack"
    parsed = registry().parse('!stack add "Pat (phone)"')
    assert parsed.command.name == "stack add" and parsed.args == {"person": '"Pat (phone)"'}
    # A quoted name stays quoted: the dispatcher makes it a member of that name, if there is one.
    assert registry().parse("!stack add “Sam Lee”").args == {"person": '"Sam Lee"'}
    assert registry().parse("!stack move @a:b.c 2").args == {"user": "@a:b.c", "position": 2}


def test_bad_arguments_give_the_usage():
    # A member named as people type them is read as such; the dispatcher finds who is meant.
    assert registry().parse("!warn bob").args["user"] == "@bob"
    parsed = registry().parse("!warn " + "b" * 300)
    assert isinstance(parsed, UsageError) and "longer than I can keep" in parsed.reason
    assert parsed.command.usage("!") == "!warn @user [reason]"
    assert "missing" in registry().parse("!stack move @a:b.c").reason
    assert "whole number" in registry().parse("!stack move @a:b.c first").reason
    assert "choose one of: on, off" in registry().parse("!priority maybe").reason
    assert "not closed" in registry().parse('!stack add "Pat').reason
    assert "did not expect" in registry().parse("!stack move @a:b.c 2 3").reason


def test_unknown_command_suggests_a_close_one():
    parsed = registry().parse("!stak")
    assert parsed == UnknownCommand("stak", "stack")
    assert registry().parse("!foo") == UnknownCommand("foo", None)


def test_declaring_a_command_twice_is_an_error():
    reg = registry()
    try:
        reg.command("warn")(lambda ctx: None)
    except ValueError as error:
        assert "twice" in str(error)
    else:
        raise AssertionError("a second 'warn' was accepted")


def test_a_group_of_commands_named_alone_lists_its_members():
    from scorebot.features import all_features

    registry = CommandRegistry("!")
    for feature in all_features():
        feature.register(registry)
    parsed = registry.parse("!meeting")
    assert parsed.group == ("meeting end", "meeting start") and parsed.suggestion is None
    assert registry.parse("!meetng").suggestion == "meeting" and registry.parse("!meetng").group == ()
