"""Every command example in the guides (docs/*.md) and in !help, run as written in the demo's world
(`scorebot demo`'s people, rooms and config): none may be answered as unknown, malformed, or about
something that is not there (a term, a person, a proposal, a report, a meeting)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from nio import AsyncClient, LoginResponse

from scorebot.demo import prepare
from scorebot.domain.commands import CommandRegistry, Invocation, UsageError
from scorebot.domain.help import TOPICS
from scorebot.features import all_features
from scorebot.homeserver import RegisteredUser, free_port
from tests.support.bot import BotProcess
from tests.support.members import Member

DOCS = Path(__file__).resolve().parents[2] / "docs"

# What the bot says when a command is unknown, malformed, or names something that is not there.
REFUSALS = [
    r"^I don't know !", r"needs one more word", r"says more\.$",  # unknown / malformed (the usage answer)
    r"I don't know anyone called", r"could be several people", r"is not in this room",
    r"is not in the glossary", r"There is no (proposal|report|ballot|open follow-up)", r"No meeting is running",
    r"Nobody has the floor right now", r"not on the stack", r" works in ", r"^Sorry, only",
]


def registry() -> CommandRegistry:
    commands = CommandRegistry()
    for feature in all_features():
        feature.register(commands)
    return commands


def examples() -> set[str]:
    """Each `!command ...` in the guides and each example of !help; a bare command name that needs
    arguments is the command named in a sentence, and `…` marks a placeholder: neither is an example."""
    commands = registry()
    found = {example.example for topic in TOPICS for example in topic.examples}
    for guide in DOCS.glob("*.md"):
        found |= set(re.findall(r"`(![^`]+)`", guide.read_text()))
    kept = set()
    for text in found:
        parsed = commands.parse(text)
        named = isinstance(parsed, UsageError) and text.strip() == f"!{parsed.command.name}"
        if "…" not in text and not named:
            kept.add(text)
    return kept


@dataclass
class Step:
    who: str  # alice, bob, carol, ida or sam
    where: str  # organizing, moderators, igo, direct, report-thread, case-thread
    text: str


def step(who: str, where: str, *texts: str) -> list[Step]:
    return [Step(who, where, text) for text in texts]


# A meeting and the rest of a group's week, in an order where each example finds what it speaks of.
SCENARIO = [
    *step("alice", "organizing", "!help", "!help warn"),
    *step("bob", "organizing", "!define consensus", "!glossary",
          "!glossary add Picket: a line of people standing together"),
    *step("alice", "organizing", "!glossary remove picket"),
    *step("bob", "direct", "!priority on", "!revision propose Add a section on quiet hours",
          "!report @sam keeps messaging me after I asked them to stop"),
    *step("carol", "direct", "!report @sam keeps messaging me after I asked them to stop"),
    *step("alice", "direct", "!report @sam keeps messaging me after I asked them to stop"),
    *step("alice", "organizing", "!meeting start Budget", "!agenda add Budget 10m", "!agenda", "!board link"),
    *step("bob", "organizing", "!stack"), *step("sam", "organizing", "!stack"), *step("carol", "organizing", "!stack"),
    *step("sam", "organizing", "!stack step-back"),
    *step("alice", "organizing", "!next"),
    *step("sam", "organizing", "!respond"), *step("carol", "organizing", "!process we are over time"),
    *step("ida", "organizing", "!clarify", "!clarify quorum"),
    *step("alice", "organizing", "!wrapup"), *step("bob", "organizing", "!done"),
    *step("alice", "organizing", "!stack add @sam", "!stack move @sam 1", "!stack priority @sam", "!stack remove @sam",
          '!stack add "Sam on the phone"', "!stack close", "!stack open", "!stack clear"),
    *step("bob", "organizing", "!stack", "!unstack"),
    *step("alice", "organizing", "!decision We meet every other Tuesday", "!action @sam book the hall"),
    *[s for who in ("alice", "bob", "carol", "ida", "sam") for s in step(who, "organizing", "!here")],
    Step("sam", "ouch", "That idea is silly."),  # bob answers "ouch": the meeting has a follow-up to come back to
    *step("sam", "organizing", "!followups"), *step("alice", "organizing", "!followup done 1"),
    *step("alice", "organizing", "!revision list", "!revision show 1", "!revision history", "!revision vote 1"),
    Step("everyone", "vote", "✅"),
    *step("alice", "organizing", "!revision count 1"),
    *step("bob", "direct", "!vote 1 yes"),
    *step("ida", "igo", "!revision ratify 1"),
    *step("alice", "organizing", "!agenda next", "!agenda next keep", "!facilitator @sam", "!meeting end"),
    *step("alice", "organizing", "!meeting start Spring", "!meeting end"),
    *step("carol", "organizing", "!warn @sam insults", "!remove @sam insults again after being asked",
          "!escalate @sam keeps going in other rooms"),
    *step("carol", "moderators", "!case @sam", "!cases"),
    *step("alice", "organizing", "!unlock"),
    *step("ida", "report-thread", "!assign", "!assign @ida", "!reply Thank you for telling us. We are looking into it.",
          "!note Spoke with both of them", "!resolve Apology accepted, no further steps", "!reopen"),
    *step("ida", "igo", "!room-for 3"),
    *step("ida", "case-thread", "!remove-everywhere repeated threats"),
]


def test_the_scenario_runs_every_example():
    """A new example in a guide or in !help must be added to the scenario, where it can work."""
    run = {s.text for s in SCENARIO}
    assert examples() - run == set()
    assert {parsed.command.name for parsed in map(registry().parse, examples())
            if isinstance(parsed, Invocation)} >= {"agenda next", "respond", "process", "board link"}


async def log_in(url: str, user_id: str, password: str, folder: Path) -> Member:
    client = AsyncClient(url, user_id)
    answer = await client.login(password)
    await client.close()
    assert isinstance(answer, LoginResponse), answer
    return await Member(url, RegisteredUser(user_id, password, answer.access_token, answer.device_id),
                        folder / user_id[1:].split(":")[0]).start()


def refusals(member: Member, room: str, bot: str, event_id: str) -> list[str]:
    answers = [s.body for s in member.notices(room, bot) if s.reply_to == event_id]
    return [body for body in answers if any(re.search(pattern, body) for pattern in REFUSALS)]


async def test_every_example_in_the_guides_and_the_help_works_in_the_demo(tmp_path):
    server, config_path, people = prepare(tmp_path / "demo", free_port())
    # The script types two commands a second, faster than any person: in the demo's own config that
    # is a flood, whose answers are rightly held back. Here the flood limit is out of the script's way.
    config = yaml.safe_load(config_path.read_text())
    config_path.write_text(yaml.safe_dump({**config, "brigading": {"flood_messages": 10_000}}))
    members: list[Member] = []
    bot = BotProcess(config_path)
    try:
        await bot.start_ready()
        for user, password in people.logins.items():
            members.append(await log_in(people.homeserver_url, user, password, tmp_path))
        who = {m.user_id[1:].split(":")[0]: m for m in members}
        await who["alice"].member_joined(people.rooms["organizing"], people.bot)
        directs = {name: await who[name].open_direct_chat(people.bot) for name in ("alice", "bob", "carol")}
        roots: dict[str, str] = {}
        vote, defined = None, []
        failures = []
        for number, item in enumerate(SCENARIO):
            if item.where == "vote":
                for member in members:
                    await member.react(people.rooms["organizing"], vote, item.text)
                continue
            if item.where == "ouch":
                said = await who[item.who].send(people.rooms["organizing"], item.text)
                await who["bob"].send(people.rooms["organizing"], "ouch", reply_to=said)
                continue
            member = who[item.who]
            room = directs[item.who] if item.where == "direct" else people.rooms.get(item.where, people.rooms["igo"])
            extra = None
            if item.where.endswith("-thread"):
                root = roots.get(item.where) or await thread_root(member, room, people.bot, item.where)
                roots[item.where] = root
                extra = {"m.relates_to": {"rel_type": "m.thread", "event_id": root, "is_falling_back": True,
                                          "m.in_reply_to": {"event_id": root}}}
            sent = await member.send(room, item.text, extra=extra)
            # The bot handles a room's events in order, and sends in order: once it has answered the
            # next command, it has said all it will say to this one.
            marker = await member.send(room, "!help next", extra=extra and {**extra, "m.relates_to": {
                **extra["m.relates_to"], "m.in_reply_to": {"event_id": sent}}})
            await member.reply_to(room, marker, people.bot, timeout=30)
            if item.text == "!revision vote 1":
                vote = next(s.event_id for s in member.notices(room, people.bot)
                            if "Vote in this meeting on revision #1" in s.body)
            failures += [(number, item.who, item.text, body) for body in refusals(member, room, people.bot, sent)]
            if item.text == "!define consensus":
                defined = [s.body for s in member.notices(room, people.bot) if s.reply_to == sent]
        assert failures == [], "\n".join(map(str, failures))
        assert any("A decision everyone can live with" in body for body in defined), defined  # answers are seen
    finally:
        for member in members:
            await member.stop()
        bot.stop()
        server.stop()


async def thread_root(member: Member, room: str, bot: str, kind: str) -> str:
    start = "Report #1 " if kind == "report-thread" else "📁 Case #1 "
    found = await member.wait_for(lambda s: s.room_id == room and s.sender == bot and s.body.startswith(start),
                                  timeout=30, what=f"the {kind}'s first message")
    return found.event_id
