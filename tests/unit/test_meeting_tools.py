"""Typed requests, the step back and the agenda, as pure rules, and through the dispatcher."""


from scorebot.config import BoardConfig
from scorebot.domain.actions import Send
from scorebot.domain.agenda import Item, board_line, current, parse_item, parse_items, runs_over, time_left
from scorebot.domain.board import render_board
from scorebot.domain.minutes import by_item
from scorebot.domain.projector import snapshot
from scorebot.domain.stack import PROCESS, RESPOND, Contribution, Entry, Person, order, stepped_back

ANN, BEN, CAL, DEE, EVE = (Person(f"@{n}:x", n.title()) for n in ("ann", "ben", "cal", "dee", "eve"))


def names(entries):
    return [e.person.name for e in entries]


def test_process_then_clarification_then_response_then_hands():
    entries = [Entry(ANN, 1), Entry(BEN, 2, kind=RESPOND), Entry(CAL, 3, clarification=True),
               Entry(DEE, 4, kind=PROCESS), Entry(EVE, 5, fixed_position=1)]
    assert names(order(entries, {}, set())) == ["Dee", "Cal", "Ben", "Eve", "Ann"]


def test_the_progressive_order_holds_within_each_kind():
    spoke = {ANN.key: Contribution(2, 60)}
    entries = [Entry(ANN, 1, kind=PROCESS), Entry(BEN, 2, kind=PROCESS), Entry(ANN, 3, kind=RESPOND),
               Entry(CAL, 4, kind=RESPOND)]
    assert names(order(entries, spoke, set())) == ["Ben", "Ann", "Cal", "Ann"]


def test_a_step_back_lets_the_next_person_pass_and_never_moves_anyone_up():
    entries = [Entry(ANN, 1), Entry(BEN, 2), Entry(CAL, 3), Entry(DEE, 4, kind=PROCESS)]
    fixed = stepped_back(order(entries, {}, set()), ANN.key)
    assert fixed == {1: 2}
    after = [Entry(e.person, e.seq, e.clarification, e.term, fixed.get(e.seq, e.fixed_position), e.kind)
             for e in entries]
    assert names(order(after, {}, set())) == ["Dee", "Ben", "Ann", "Cal"]
    assert stepped_back(order(entries, {}, set()), CAL.key) is None  # last: nobody to let pass


def test_a_step_back_before_someone_at_a_fixed_position_lets_them_pass():
    entries = [Entry(ANN, 1), Entry(BEN, 2, fixed_position=2), Entry(CAL, 3, fixed_position=3)]
    fixed = stepped_back(order(entries, {}, set()), ANN.key)
    after = [Entry(e.person, e.seq, fixed_position=fixed.get(e.seq, e.fixed_position)) for e in entries]
    assert names(order(after, {}, set())) == ["Ben", "Ann", "Cal"]


def test_the_board_names_each_kind_in_words():
    board = render_board("Budget", None, [Entry(DEE, 4, kind=PROCESS, term="break"), Entry(BEN, 2, kind=RESPOND),
                                          Entry(ANN, 1)], False, "📌 Now: Budget (4 min left)")
    lines = board.plain.splitlines()
    assert lines[1] == "📌 Now: Budget (4 min left)"
    assert "1. ⚙️ Dee (point of process: break)" in lines
    assert "2. ↩️ Ben (direct response)" in lines
    assert "3. Ann" in lines


def test_agenda_lines_with_and_without_timeboxes():
    assert parse_item("Budget 10m") == ("Budget", 600)
    assert parse_item("- Spring campaign [15 min]") == ("Spring campaign", 900)
    assert parse_item("Break (1h)") == ("Break", 3600)
    assert parse_item("Room 101") == ("Room 101", None)
    assert parse_items("A 5m\n\nB\n") == [("A", 300), ("B", None)]


def test_the_time_left_and_the_one_overtime_word():
    item = Item(1, "Budget", 120, opened_at=0)
    assert board_line(item, 30_000) == "📌 Now: Budget (2 min left)"
    assert time_left(item, 100_000) == "20 s left"
    assert not runs_over(item, 119_000)
    assert runs_over(item, 120_000)
    assert not runs_over(Item(1, "Budget", 120, 0, None, overtime_told=True), 300_000)
    assert time_left(item, 300_000) == "3 min over"
    assert current([Item(1, "A", None, 0, 5), item]) == item
    assert current([Item(1, "A", None, 0, 5)]) is None


def test_minutes_rows_go_under_the_item_open_at_the_time():
    items = [("A", 60, 100, 90_100), ("B", None, 90_100, None), ("C", None, None, None)]
    parts = by_item(items, [(150, "Spoke: Ann"), (50, "before"), (90_250, "Decision: yes")], ended_at=99_000)
    assert [p.rows for p in parts] == [["Spoke: Ann"], ["Decision: yes"], []]
    assert parts[2].heading() == "C (not reached)"
    assert parts[0].heading() == "A (timebox 1 min, took 1 min 30 s)"
    assert parts[1].heading() == "B (open when the meeting ended)"


def test_a_point_of_process_is_brief_and_costs_no_place_in_front(meeting):
    meeting.say("@ann:x", "!process can we take a break")
    meeting.say("@fac:x", "!next")  # Ann's point of process
    meeting.say("@fac:x", "!done")
    meeting.say("@ben:x", "✋")
    meeting.say("@cal:x", "✋")
    meeting.say("@fac:x", "!next")  # Ben speaks: a full turn
    meeting.say("@fac:x", "!done")
    meeting.say("@ben:x", "✋")
    meeting.say("@ann:x", "✋")  # after Ben, but she has not had a full turn yet
    assert meeting.queue() == ["Cal", "Ann", "Ben"]


def test_agenda_next_with_no_agenda_says_how_to_make_one(meeting):
    actions, _ = meeting.say("@fac:x", "!agenda next")
    assert any(isinstance(a, Send) and "The agenda is empty" in a.text.plain for a in actions)


def test_the_board_listens_on_loopback_unless_told_and_links_through_the_public_address():
    assert BoardConfig().address is None  # off by default
    assert BoardConfig(listen="9105").address == ("127.0.0.1", 9105)
    assert BoardConfig(listen="0.0.0.0:9105").link("abc") == "http://0.0.0.0:9105/board/abc"
    assert BoardConfig(listen="9105", public_url="https://board.example.org/").link("abc") == \
        "https://board.example.org/board/abc"


def test_the_projector_shows_the_rooms_board_and_nothing_more():
    data = snapshot("Spring", Item(1, "Budget", 600, opened_at=0), "Ann", 5_000,
                    [Entry(BEN, 2, kind=RESPOND), Entry(CAL, 3)], False, 60_000)
    assert data["queue"] == ["↩️ Ben (direct response)", "Cal"]
    assert data["item"] == "Budget" and data["item_ends_at"] == 600_000
    assert set(data) == {"title", "item", "item_ends_at", "speaker", "speaking_since", "queue", "closed", "now"}
