"""`!help` by task: what people do, grouped the way they think of it, each with an example.

All of help's words are here, so they can be read and reviewed in one place. A test checks that
every declared command sits in one topic; a command missing here still shows, under "More".
"""

from __future__ import annotations

from dataclasses import dataclass

from scorebot.domain.rooms import RoomKind
from scorebot.domain.text import Text, bold, code, join, plain

ANYWHERE_MEMBERS_TALK = frozenset({RoomKind.ORGANIZING, RoomKind.DIRECT})
ORGANIZING = frozenset({RoomKind.ORGANIZING})


@dataclass(frozen=True)
class Doing:
    """Something done without a command (a ✋, a reaction, a word), shown in `rooms`."""

    what: str
    does: str
    rooms: frozenset[RoomKind] = ANYWHERE_MEMBERS_TALK


@dataclass(frozen=True)
class Example:
    """A command, shown as an example of its use (with "!" standing for the group's prefix)."""

    command: str
    example: str
    does: str


@dataclass(frozen=True)
class Topic:
    title: str
    doings: tuple[Doing, ...] = ()
    examples: tuple[Example, ...] = ()


TOPICS: tuple[Topic, ...] = (
    Topic("In a meeting", (
        Doing("✋ or “stack”", "ask to speak; a ✅ says you are on the stack"),
        Doing("“unstack”", "take yourself off the stack", ORGANIZING),
    ), (
        Example("meeting start", "!meeting start Budget", "start a meeting here; you facilitate it"),
        Example("stack", "!stack", "ask to speak, and show the stack again"),
        Example("unstack", "!unstack", "take yourself off the stack"),
        Example("clarify", "!clarify quorum", "a quick point of clarification: you go first"),
        Example("respond", "!respond", "answer the speaker directly: you go right after them"),
        Example("process", "!process we are over time", "a point of process: you go ahead of everyone"),
        Example("stack step-back", "!stack step-back", "let the person after you go first"),
        Example("agenda", "!agenda", "the agenda, with each item's time"),
        Example("done", "!done", "end your turn"),
        Example("here", "!here", "say you are present, for votes and the minutes"),
        Example("followups", "!followups", "what the meeting still has to come back to"),
    )),
    Topic("Going first", (
        Doing("“priority on”, in a direct chat with me",
              "say privately that you belong to a marginalized group: you go first until you have "
              "spoken a fair share", ORGANIZING),
    ), (
        Example("priority", "!priority on",
                "say privately that you belong to a marginalized group: you go first until you have "
                "spoken a fair share; “!priority off” deletes it"),
    )),
    Topic("If something hurts", (
        Doing("“ouch”, as a reply to the message", "say it hurt; it is noted kindly, for the minutes", ORGANIZING),
        Doing("🤕 on the message", "the same, as a reaction", ORGANIZING),
        Doing("“oops”", "own something you said that hurt someone", ORGANIZING),
    )),
    Topic("Reporting, confidentially", (
        Doing("🚩 on a message", "report it; I ask you what happened in a direct chat", ORGANIZING),
        Doing("“!report …”, in a direct chat with me",
              "tell the Internal Grievance Officers what happened; only they see it", ORGANIZING),
        Doing("Element's Report button", "goes to your homeserver's admins; it reaches the Internal Grievance "
              "Officers only where your group has set that up (🚩 and “!report” always do)", ORGANIZING),
    ), (
        Example("report", "!report @sam keeps messaging me after I asked them to stop",
                "tell the Internal Grievance Officers what happened; only they see it"),
    )),
    Topic("Words we use", (), (
        Example("define", "!define consensus", "explain a word or an acronym"),
        Example("glossary", "!glossary", "every word the group has explained"),
        Example("glossary add", "!glossary add Picket: a line of people standing together",
                "add a word, or explain one better"),
    )),
    Topic("Changing the code of conduct", (), (
        Example("revision propose", "!revision propose Add a section on quiet hours",
                "propose a change, in writing"),
        Example("revision list", "!revision list", "the proposals and where each one stands"),
        Example("revision show", "!revision show 1", "one proposal, whole"),
        Example("revision history", "!revision history", "every change made so far"),
        Example("vote", "!vote 1 yes", "your secret vote on a proposal"),
        Example("revision ratify", "!revision ratify 1",
                "for the grievance officers and the steering committee: ratify an approved change"),
    )),
    Topic("Facilitating", (), (
        Example("next", "!next", "give the floor to the next person, and tell who is after them"),
        Example("agenda add", "!agenda add Budget 10m", "add an item with its time (one a line for several)"),
        Example("agenda next", "!agenda next", "close the current item and open the next; “keep” carries the stack"),
        Example("wrapup", "!wrapup", "kindly ask the speaker to wrap up"),
        Example("stack add", "!stack add @sam", "put someone on the stack for them"),
        Example("stack remove", "!stack remove @sam", "take someone off the stack"),
        Example("stack move", "!stack move @sam 1", "move someone to a place on the stack"),
        Example("stack priority", "!stack priority @sam", "priority for this meeting, when someone asks for it"),
        Example("stack close", "!stack close", "take no new requests but clarifications and points of process"),
        Example("stack open", "!stack open", "take requests again"),
        Example("stack clear", "!stack clear", "empty the stack"),
        Example("decision", "!decision We meet every other Tuesday", "note a decision for the minutes"),
        Example("action", "!action @sam book the hall", "note who takes something on"),
        Example("followup done", "!followup done 1", "mark a follow-up as done"),
        Example("revision vote", "!revision vote 1", "ask the people present to vote on a proposal"),
        Example("revision count", "!revision count 1", "count that vote"),
        Example("board link", "!board link", "a link to the live board, for a projector"),
        Example("facilitator", "!facilitator @sam", "hand the meeting to someone else"),
        Example("meeting end", "!meeting end", "end the meeting and post its minutes"),
    )),
    Topic("Moderating", (), (
        Example("warn", "!warn @sam insults", "ask someone to stop (step 1); reply to their message to keep it"),
        Example("remove", "!remove @sam insults again after being asked",
                "propose removing someone (step 2); other moderators approve"),
        Example("escalate", "!escalate @sam keeps going in other rooms",
                "send someone's case to the grievance officers (step 3)"),
        Example("case", "!case @sam", "someone's case, step by step"),
        Example("cases", "!cases", "the open cases"),
        Example("unlock", "!unlock", "open invitations again after a wave of joins locked them"),
        Example("glossary remove", "!glossary remove picket", "remove a word from the glossary"),
    )),
    Topic("Grievance officers", (), (
        Example("assign", "!assign", "in a report's thread: take it on (or name who does)"),
        Example("reply", "!reply Thank you for telling us. We are looking into it.",
                "in a report's thread: write to the person who reported"),
        Example("note", "!note Spoke with both of them", "in a thread: add a note"),
        Example("resolve", "!resolve Apology accepted, no further steps",
                "in a thread: record the outcome and close it"),
        Example("reopen", "!reopen", "in a report's thread: open it again"),
        Example("room-for", "!room-for 3", "a private room for a report, with only those assisting"),
        Example("remove-everywhere", "!remove-everywhere repeated threats",
                "in a case's thread: propose removal from every room"),
    )),
    Topic("Help", (), (
        Example("help", "!help warn", "more about one command"),
    )),
)


@dataclass(frozen=True)
class Line:
    """One line of help as shown: what to type or do, and what it does."""

    what: Text
    does: str


def overview(allowed: set[str], room: RoomKind, prefix: str, summaries: dict[str, str]) -> list[tuple[str, list[Line]]]:
    """The topics for someone who may use `allowed` commands in a `room`; empty topics are left out.

    `summaries` gives a line for any allowed command that no topic names."""
    shown: list[tuple[str, list[Line]]] = []
    named: set[str] = set()
    for topic in TOPICS:
        found = [Line(plain(d.what), d.does) for d in topic.doings if room in d.rooms]
        for example in topic.examples:
            named.add(example.command)
            if example.command in allowed:
                found.append(Line(code(_prefixed(example.example, prefix)), example.does))
        if found:
            shown.append((topic.title, found))
    more = [Line(code(f"{prefix}{name}"), summaries[name]) for name in sorted(allowed - named)]
    if more:
        shown.append(("More", more))
    return shown


def example_of(command: str, prefix: str) -> str | None:
    for topic in TOPICS:
        for example in topic.examples:
            if example.command == command:
                return _prefixed(example.example, prefix)
    return None


def render_overview(topics: list[tuple[str, list[Line]]], prefix: str) -> Text:
    """Headings with short lists: Element shows the HTML, other clients the plain text."""
    plain_parts = ["What I can do for you here:"]
    html_parts = ["<b>What I can do for you here:</b><br><br>"]
    for title, found in topics:
        plain_parts.append(f"\n{title}")
        html_parts.append(bold(title).html + "<ul>")
        for line in found:
            plain_parts.append(f"• {line.what.plain} — {line.does}")
            html_parts.append(f"<li>{line.what.html} — {plain(line.does).html}</li>")
        html_parts.append("</ul>")
    closing = join([plain("Send "), code(f"{prefix}help COMMAND"), plain(" to learn more about one.")])
    plain_parts.append("\n" + closing.plain)
    html_parts.append(closing.html)
    return Text("\n".join(plain_parts), "".join(html_parts))


def _prefixed(example: str, prefix: str) -> str:
    return prefix + example.removeprefix("!")


def usage_answer(command: str, usage: str, reason: str, prefix: str) -> Text:
    """A command typed wrong: what was wrong, then an example that works (the grammar if none)."""
    example = example_of(command, prefix)
    shown = plain(f"{reason}. For example: ") + code(example) if example else plain(f"{reason}. Usage: ") + code(usage)
    return shown + plain(" — ") + code(f"{prefix}help {command}") + plain(" says more.")


def one_command(command: str, usage: str, summary: str, prefix: str, available: bool) -> Text:
    """`!help COMMAND`: an example, what it does, and the whole form for those who want it."""
    example = example_of(command, prefix)
    parts = [code(example or usage) + plain("" if available else " (not available to you here)"), plain(summary)]
    if example:
        parts.append(plain("In full: ") + code(usage))
    return join(parts, Text("\n", "<br>"))
