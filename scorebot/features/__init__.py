"""The bot's parts, one module each. Each declares its commands and reacts to signals."""

from __future__ import annotations

from scorebot.config import BoardConfig, Config, StackConfig
from scorebot.feature import Feature
from scorebot.features.agenda import Agenda
from scorebot.features.ask_to_stop import AskToStop
from scorebot.features.ballot import Ballot
from scorebot.features.board_link import BoardLink
from scorebot.features.brigading import Brigading
from scorebot.features.casebook import CaseBook
from scorebot.features.cases import Cases
from scorebot.features.culture import Culture
from scorebot.features.decisions import Decisions
from scorebot.features.departures import Departures
from scorebot.features.escalation import Escalation
from scorebot.features.help import Help
from scorebot.features.meetings import Meetings
from scorebot.features.officers_rooms import OfficersRooms
from scorebot.features.private_stack import PrivateStack
from scorebot.features.removal import Removal
from scorebot.features.report_threads import ReportThreads
from scorebot.features.reports import Reports
from scorebot.features.requests import Requests
from scorebot.features.revision import Revision
from scorebot.features.stack import Stack, StackService
from scorebot.features.stack_controls import StackControls
from scorebot.features.threads import IgoThreads
from scorebot.features.turns import Turns
from scorebot.features.upkeep import Upkeep


def all_features(config: Config | None = None) -> list[Feature]:
    """Every part of the bot, set up from the config (defaults when there is none, as in tests)."""
    if config is None:
        ballot = Ballot()
        return [Help(), Upkeep(), *stack_features(), Culture(), Decisions(), *enforcement_features(), Reports(),
                ReportThreads(), OfficersRooms(), IgoThreads(), Brigading(), ballot, Revision(ballot)]
    ballot = Ballot(config.voting)
    return [Help(), Upkeep(), *stack_features(config.stack, config.timezone, config.board),
            Culture(config.culture, config.glossary_seed_path, config.timezone), Decisions(),
            *enforcement_features(config.enforcement, config.roles.moderator_level), Reports(),
            ReportThreads(config.reports), OfficersRooms(), IgoThreads(),
            Brigading(config.brigading, config.roles.moderator_level, config.timezone), ballot,
            Revision(ballot, config.roles.steering)]


def stack_features(stack: StackConfig | None = None, timezone: str = "UTC",
                   board: BoardConfig | None = None) -> list[Feature]:
    """Meetings, the stack, turns, typed requests, the agenda, the projector's link and who leaves
    them, sharing one set of rules."""
    service = StackService(stack, timezone)
    return [Meetings(service), Stack(service), PrivateStack(service), StackControls(service), Turns(service),
            Requests(service), Agenda(service), BoardLink(board), Departures(service)]


def enforcement_features(config=None, moderator_level: int = 50) -> list[Feature]:
    """The enforcement ladder, one feature per step, and the cases, sharing one case book."""
    book = CaseBook(config, moderator_level)
    return [AskToStop(book), Removal(book), Escalation(book), Cases(book)]
