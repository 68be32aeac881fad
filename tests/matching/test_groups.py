from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import Group, GroupResult, GroupRules, Leftover, Reason, explain_group, form_groups
from matching.groups import _fits
from tests.matching.people import cities, person

RULES = GroupRules()


def _cities(group: Group, people: dict) -> Counter:
    return Counter(people[i].city for i in group.members)


@settings(max_examples=40, deadline=None)
@given(people=cities(), sizes=st.sampled_from(((4, 8), (3, 5), (2, 4), (6, 6))))
def test_form_groups_balanced_in_range_and_everyone_once(people, sizes):
    rules = GroupRules(min_size=sizes[0], max_size=sizes[1])
    by_id = {p.id: p for p in people}

    result = form_groups(people, rules)

    placed = [i for g in result.groups for i in g.members] + [x.id for x in result.leftovers]
    assert sorted(placed) == sorted(by_id)
    all_cities = {p.city for p in people}
    for group in result.groups:
        counts = _cities(group, by_id)
        assert set(counts) == all_cities
        assert max(counts.values()) - min(counts.values()) <= 1
        assert rules.min_size <= len(group.members) <= rules.max_size
    if result.groups:
        members = [by_id[i] for g in result.groups for i in g.members]
        slot = result.slot_utc // 15
        assert _fits(members, rules)[:, slot].all()
    assert all(x.reasons for x in result.leftovers)


@settings(max_examples=30, deadline=None)
@given(people=cities(), data=st.data())
def test_form_groups_fixed_group_kept_and_nobody_placed_twice(people, data):
    if not people:
        return
    locked = tuple(data.draw(st.lists(st.sampled_from(people), unique=True, max_size=5)))
    ids = tuple(p.id for p in locked)

    result = form_groups(people, RULES, fixed=[ids] if ids else [])

    assert [g.members for g in result.groups if g.fixed] == ([tuple(sorted(ids))] if ids else [])
    placed = [i for g in result.groups for i in g.members] + [x.id for x in result.leftovers]
    assert sorted(placed) == sorted(p.id for p in people)


@settings(max_examples=30, deadline=None)
@given(people=cities(), data=st.data())
def test_form_groups_same_input_in_any_order_gives_same_result(people, data):
    shuffled = data.draw(st.permutations(people))

    first, again = form_groups(shuffled, RULES), form_groups(people, RULES)
    assert first == again
    assert hash(first) == hash(again)


def test_form_groups_ten_and_hundred_places_twenty_five_in_five_groups():
    people = [person(i, "A") for i in range(1, 11)]
    people += [person(i, "B", utc_offset_minutes=60) for i in range(101, 201)]

    result = form_groups(people, RULES)

    assert result.slot_utc == 16 * 60
    assert [len(g.members) for g in result.groups] == [5, 5, 5, 5, 5]
    assert [_cities(g, {p.id: p for p in people}) for g in result.groups] == [
        Counter({"A": 2, "B": 3}) for _ in range(5)
    ]
    surplus = (Reason("city_surplus", {"city": "B", "available": 100, "placed": 15}),)
    assert [x.reasons for x in result.leftovers] == [surplus] * 85


def test_form_groups_person_outside_the_window_is_a_time_zone_leftover():
    people = [person(i, "A") for i in range(1, 5)] + [person(i, "B") for i in range(101, 105)]
    people.append(person(105, "B", utc_offset_minutes=720))

    result = form_groups(people, RULES)

    assert result.slot_utc == 16 * 60
    # One group of 8 and two of 4 are equally far from the middle (6): more groups win.
    assert [g.members for g in result.groups] == [(1, 2, 101, 102), (3, 4, 103, 104)]
    assert result.leftovers == (
        Leftover(105, (Reason("time_zone", {"utc_offset_minutes": 720, "slot_utc": 960}),)),
    )


def test_form_groups_with_sessions_scheduled_meets_at_their_time():
    """Gwangju (UTC+9) and Zibo (UTC+8), sessions at 19:00 Gwangju = 10:00 UTC: the groups meet
    then, not at the earliest slot that suits both (08:00 UTC, 17:00 in Gwangju)."""
    people = [person(i, "A", utc_offset_minutes=540) for i in range(1, 5)]
    people += [person(i, "B", utc_offset_minutes=480) for i in range(101, 105)]

    free, fixed = form_groups(people, RULES), form_groups(people, GroupRules(fixed_slot=600))

    assert free.slot_utc == 8 * 60
    assert fixed.slot_utc == 10 * 60
    assert [g.members for g in fixed.groups] == [(1, 2, 101, 102), (3, 4, 103, 104)]
    assert {r for g in fixed.groups for r in g.reasons if r.code == "session_slot"} == {
        Reason("session_slot", {"utc_start": 600, "minutes": 60})
    }


def test_form_groups_scheduled_time_outside_a_window_leaves_them_over():
    """A session at 20:30 Gwangju (11:30 UTC) ends after 21:00 in Gwangju: nobody there fits,
    though 20:30 would be 19:30 in Zibo; the time is not moved to suit them."""
    people = [person(i, "A", utc_offset_minutes=540) for i in range(1, 3)]
    people += [person(i, "B", utc_offset_minutes=480) for i in range(101, 103)]

    result = form_groups(people, GroupRules(fixed_slot=11 * 60 + 30, min_size=2))

    assert result.slot_utc == 690
    assert result.groups == ()
    assert [x.id for x in result.leftovers if x.reasons[0].code == "time_zone"] == [1, 2]


def test_form_groups_no_common_time_leaves_the_city_missing():
    people = [person(i, "A") for i in range(1, 6)]
    people += [person(i, "B", utc_offset_minutes=720) for i in range(101, 105)]

    result = form_groups(people, RULES)

    # 16:00 UTC suits all of A; nobody from B (04:00 to 09:00 UTC) can join them.
    assert result.slot_utc == 16 * 60
    assert result.groups == ()
    assert result.leftovers == tuple(
        Leftover(i, (Reason("city_missing", {"cities": ("B",)}),)) for i in range(1, 6)
    ) + tuple(
        Leftover(i, (Reason("time_zone", {"utc_offset_minutes": 720, "slot_utc": 960}),))
        for i in range(101, 105)
    )


def test_form_groups_too_few_for_one_group():
    people = [person(1, "A"), person(2, "A"), person(101, "B")]

    result = form_groups(people, RULES)

    too_few = (Reason("too_few", {"available": 3, "min_size": 4}),)
    assert result == GroupResult(
        groups=(), leftovers=tuple(Leftover(i, too_few) for i in (1, 2, 101)), slot_utc=960
    )


def test_form_groups_session_longer_than_the_window_leaves_everyone_in_time_zone():
    people = [person(1, "A"), person(101, "B", utc_offset_minutes=60)]

    result = form_groups(people, GroupRules(session_minutes=6 * 60))

    assert result == GroupResult(
        groups=(),
        leftovers=(
            Leftover(1, (Reason("time_zone", {"utc_offset_minutes": 0, "slot_utc": None}),)),
            Leftover(101, (Reason("time_zone", {"utc_offset_minutes": 60, "slot_utc": None}),)),
        ),
        slot_utc=None,
    )


def test_form_groups_window_across_midnight_finds_the_slot():
    rules = GroupRules(window_start=23 * 60, window_end=1 * 60, min_size=2, max_size=2)
    people = [person(1, "A"), person(101, "B", utc_offset_minutes=-30)]

    result = form_groups(people, rules)

    # A can start 23:00-00:00 UTC, B 23:30-00:30; both at 23:30, 23:45 and 00:00, and slots
    # count from 00:00 UTC, so 00:00 is the earliest.
    assert (result.slot_utc, [g.members for g in result.groups]) == (0, [(1, 101)])


def test_form_groups_empty_input_gives_empty_result():
    assert form_groups([], RULES) == GroupResult(groups=(), leftovers=(), slot_utc=None)


def test_form_groups_fixed_group_kept_and_rest_grouped_around_it():
    people = [person(i, "A") for i in range(1, 7)] + [person(i, "B") for i in range(101, 107)]

    result = form_groups(people, RULES, fixed=[(1, 101)])

    assert result.groups[0] == explain_group(
        [people[0], people[6]], RULES, slot_utc=None, fixed=True
    )
    assert result.groups[0].reasons[0] == Reason("fixed")
    # A: 3 + 2, B: 2 + 3, cut in id order (all profiles are alike).
    assert [g.members for g in result.groups[1:]] == [(2, 3, 4, 102, 103), (5, 6, 104, 105, 106)]
    assert result.leftovers == ()


def test_form_groups_keeps_speakers_of_a_common_language_together():
    english_a = [person(i, "A", languages={"ko": 4, "en": 3}) for i in (1, 2, 3, 4)]
    korean_only = [person(i, "A", languages={"ko": 4}) for i in (5, 6, 7, 8)]
    english_b = [person(i, "B", languages={"zh": 4, "en": 3}) for i in (101, 102, 103, 104)]
    chinese_only = [person(i, "B", languages={"zh": 4}) for i in (105, 106, 107, 108)]
    people = korean_only + english_b + chinese_only + english_a

    result = form_groups(people, GroupRules(min_size=4, max_size=4))

    assert [(g.members, g.reasons[1]) for g in result.groups] == [
        ((1, 2, 101, 102), Reason("common_languages", {"languages": ("en",)})),
        ((3, 4, 103, 104), Reason("common_languages", {"languages": ("en",)})),
    ]
    # Korean-only and Chinese-only speakers share no language: never grouped together.
    assert result.leftovers == tuple(
        Leftover(id=i, reasons=(Reason("no_common_language"),))
        for i in (5, 6, 7, 8, 105, 106, 107, 108)
    )


def test_form_groups_fixed_unknown_id_raises():
    with pytest.raises(ValueError, match="unknown"):
        form_groups([person(1)], RULES, fixed=[(1, 999)])


def test_explain_group_reports_languages_interests_cities_and_slot():
    members = [
        person(1, "A", interests=frozenset({"music", "coding"})),
        person(2, "A", interests=frozenset({"music"})),
        person(101, "B", languages={"en": 2, "zh": 4}, interests=frozenset({"music", "coding"})),
        person(102, "B", languages={"en": 4}, interests=frozenset({"football"})),
    ]

    group = explain_group(members, RULES, slot_utc=960)

    # Languages: everyone speaks English (1.0); interests: 3 of 6 pairs share one (0.5).
    assert group == Group(
        members=(1, 2, 101, 102),
        score=0.75,
        reasons=(
            Reason("cities", {"cities": (("A", 2), ("B", 2))}),
            Reason("common_languages", {"languages": ("en",)}),
            Reason("shared_interests", {"interests": (("music", 3), ("coding", 2))}),
            Reason("session_slot", {"utc_start": 960, "minutes": 60}),
        ),
    )
