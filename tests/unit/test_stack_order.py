"""The Modified Progressive Stack's order, as the code of conduct describes it."""

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from scorebot.domain.stack import (
    Contribution,
    Entry,
    Person,
    StackRules,
    in_front_tier,
    is_hand,
    moved,
    order,
    position,
    without,
)

ANN, BEN, CAL, DEE = (Person(f"@{n}:x", n.title()) for n in ("ann", "ben", "cal", "dee"))


def names(entries):
    return [e.person.name for e in entries]


def test_first_time_speaker_who_asks_after_two_repeat_speakers_is_called_first():
    spoke = {ANN.key: Contribution(1, 30), BEN.key: Contribution(1, 40)}
    entries = [Entry(ANN, 1), Entry(BEN, 2), Entry(CAL, 3)]
    assert names(order(entries, spoke, set())) == ["Cal", "Ann", "Ben"]


def test_priority_member_with_two_turns_stands_behind_a_first_timer():
    spoke = {ANN.key: Contribution(2, 60), BEN.key: Contribution(1, 20)}
    entries = [Entry(ANN, 1), Entry(BEN, 2), Entry(CAL, 3)]
    # Ann declared priority but has contributed significantly (2 turns): back tier, by asking time.
    assert names(order(entries, spoke, {ANN.key})) == ["Cal", "Ann", "Ben"]
    # With one turn, her priority still holds: front tier, and she asked before Cal.
    assert names(order(entries, {ANN.key: Contribution(1, 60), BEN.key: Contribution(1, 20)}, {ANN.key})) == \
        ["Ann", "Cal", "Ben"]


def test_speaking_time_counts_as_significant_too():
    rules = StackRules(significant_turns=2, significant_seconds=300)
    spoke = {ANN.key: Contribution(1, 301)}
    assert names(order([Entry(ANN, 1), Entry(BEN, 2)], spoke, {ANN.key}, rules)) == ["Ben", "Ann"]


def test_within_a_tier_first_asked_is_first_called():
    assert names(order([Entry(CAL, 3), Entry(ANN, 1), Entry(BEN, 2)], {}, set())) == ["Ann", "Ben", "Cal"]


def test_a_point_of_clarification_goes_ahead_of_all():
    entries = [Entry(ANN, 1), Entry(BEN, 2, fixed_position=1), Entry(DEE, 4, clarification=True, term="IGO")]
    assert names(order(entries, {}, set())) == ["Dee", "Ben", "Ann"]


def test_a_facilitators_move_sticks_as_newcomers_arrive():
    spoke = {BEN.key: Contribution(3, 500)}
    entries = [Entry(ANN, 1), Entry(BEN, 2, fixed_position=1)]
    assert names(order(entries, spoke, set())) == ["Ben", "Ann"]
    entries.append(Entry(CAL, 3))  # a first-timer arrives after the move
    assert names(order(entries, spoke, set())) == ["Ben", "Ann", "Cal"]


def test_pins_move_up_when_someone_ahead_is_called():
    entries = [Entry(ANN, 1), Entry(BEN, 2), Entry(CAL, 3, fixed_position=3)]
    ordered = order(entries, {}, set())
    assert names(ordered) == ["Ann", "Ben", "Cal"]
    rest = without(entries, ordered[0], ordered)
    assert [e.fixed_position for e in rest if e.person == CAL] == [2]
    rest.append(Entry(DEE, 4))
    assert names(order(rest, {}, set())) == ["Ben", "Cal", "Dee"]
    assert position(order(rest, {}, set()), CAL.key) == 2


def test_a_move_makes_room_among_the_pins_already_standing():
    entries = [Entry(ANN, 1), Entry(BEN, 2, fixed_position=1), Entry(CAL, 3), Entry(DEE, 4, clarification=True)]
    ordered = order(entries, {}, set())
    fixed = moved(ordered, entries[2], 1)  # Cal to the front: Ben's fixed position moves one place back
    assert fixed == {3: 1, 2: 2}
    after = [replace(e, fixed_position=fixed.get(e.seq, e.fixed_position)) for e in entries]
    assert names(order(after, {}, set())) == ["Dee", "Cal", "Ben", "Ann"]


def test_people_without_an_account_are_people_too():
    pat = Person.named("Pat")
    assert pat.user_id is None and pat.key == Person.named("PAT").key
    assert names(order([Entry(pat, 1)], {}, set())) == ["Pat"]


def test_hand_signals_in_their_many_forms():
    for text in ("✋", "✋🏽", "🖐", "🖐️", "🤚🏿", "🙋", "🙋‍♀️", "🙋🏻‍♂️", "✋ I'd like to add something", " 🙋‍♂ "):
        assert is_hand(text), text
    for text in ("stack", "👋", "hello ✋", "", "👍"):
        assert not is_hand(text), text


people = st.sampled_from([ANN, BEN, CAL, DEE, Person.named("Pat"), Person.named("Sam")])
entry_lists = st.lists(
    st.builds(Entry, person=people, seq=st.integers(0, 50), clarification=st.booleans(),
              fixed_position=st.none() | st.integers(1, 8)),
    max_size=8,
    unique_by=lambda e: e.person.key,
)
contributions = st.dictionaries(st.sampled_from([ANN.key, BEN.key, CAL.key, DEE.key]),
                                st.builds(Contribution, st.integers(0, 4), st.floats(0, 900)))
priorities = st.sets(st.sampled_from([ANN.key, BEN.key, CAL.key, DEE.key]))


@given(entry_lists, contributions, priorities, st.randoms())
def test_order_is_a_deterministic_permutation(entries, spoken, priority, rnd):
    ordered = order(entries, spoken, priority)
    assert sorted(ordered, key=repr) == sorted(entries, key=repr)
    shuffled = list(entries)
    rnd.shuffle(shuffled)
    assert order(shuffled, spoken, priority) == ordered


@given(entry_lists, contributions, priorities)
def test_clarifications_lead_and_tiers_without_fixed_positions_hold(entries, spoken, priority):
    ordered = order(entries, spoken, priority)
    flags = [e.clarification for e in ordered]
    assert flags == sorted(flags, reverse=True)
    free = [e for e in ordered if not e.clarification and e.fixed_position is None]
    tiers = [not in_front_tier(e.person, spoken, priority, StackRules()) for e in free]
    assert tiers == sorted(tiers)
