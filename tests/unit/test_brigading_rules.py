"""Brigading and floods as pure rules: when the moderators hear of it, once."""

import re

from scorebot.domain.brigading import (
    Join,
    Rules,
    Watch,
    Wave,
    WaveStep,
    hold_answer,
    is_flood,
    is_mass_mention,
    on_join,
    starts_a_burst,
)

RULES = Rules(wave_joins=5, wave_ms=600_000, flood_messages=6, flood_ms=10_000, max_mentions=10,
              ignore=(re.compile(r"@bridge_.*:x"),))


def test_joins_one_by_one_over_time_make_no_wave():
    joins = [Join(f"@n{i}:x", i * 700_000, "@alice:x") for i in range(8)]
    for n, join in enumerate(joins):
        assert on_join(RULES, join, joins[: n + 1], None)[0] is WaveStep.NOTHING


def test_a_wave_is_alerted_once_then_grows():
    joins = [Join(f"@n{i}:x", 1_000 + i * 1_000, "@mallory:x") for i in range(7)]
    steps = []
    wave = None
    for n, join in enumerate(joins):
        step, listed = on_join(RULES, join, joins[: n + 1], wave)
        steps.append(step)
        if step is not WaveStep.NOTHING:
            wave = Wave(1, "!r:x", listed)
    assert steps == [WaveStep.NOTHING] * 4 + [WaveStep.NEW, WaveStep.GROWS, WaveStep.GROWS]
    assert [j.user_id for j in wave.joins] == [j.user_id for j in joins]
    # A join long after the wave has calmed down starts nothing new by itself.
    late = Join("@late:x", joins[-1].at + 700_000)
    assert on_join(RULES, late, [*joins, late], wave)[0] is WaveStep.NOTHING


def test_bridge_users_never_count():
    joins = [Join(f"@bridge_{i}:x", 1_000 + i, "@bridgebot:x") for i in range(20)]
    assert all(on_join(RULES, j, joins[: n + 1], None)[0] is WaveStep.NOTHING for n, j in enumerate(joins))


def test_a_flood_is_one_burst_while_it_goes_on():
    times = [1_000 + i * 200 for i in range(12)]
    flooding = [is_flood(RULES, times[: n + 1], at) for n, at in enumerate(times)]
    assert flooding == [False] * 6 + [True] * 6
    assert starts_a_burst(RULES, times[6], None)
    assert not starts_a_burst(RULES, times[7], times[6])
    assert starts_a_burst(RULES, times[6] + 20_000, times[11])


def test_a_mass_mention_counts_people_once_each():
    assert not is_mass_mention(RULES, tuple(f"@p{i}:x" for i in range(10)))
    assert is_mass_mention(RULES, tuple(f"@p{i}:x" for i in range(11)))
    assert not is_mass_mention(RULES, ("@p:x",) * 30)


def test_a_flooding_member_is_answered_once_per_window_and_an_unknown_command_once():
    watching, flooding = Watch(False, 10_000), Watch(True, 10_000)
    assert not hold_answer(flooding, 5_000, None, "help", unknown=False)  # the first answer goes out
    assert hold_answer(flooding, 5_000, (1_000, "help"), "other", unknown=False)
    assert not hold_answer(flooding, 12_000, (1_000, "help"), "other", unknown=False)  # a new window
    assert hold_answer(watching, 5_000, (1_000, "dunno look"), "dunno look", unknown=True)
    assert not hold_answer(watching, 5_000, (1_000, "help"), "help", unknown=False)  # !help twice is fine
