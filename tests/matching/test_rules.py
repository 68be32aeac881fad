"""The rules a pair or group keeps, as the engine and the portal's hand edits both check them:
`pair_rule_violations` and `group_violations` name each broken rule by its code, and the
engine never proposes anything either of them objects to."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    GROUP_RULES,
    PAIR_RULES,
    GroupRules,
    Leftover,
    PairRules,
    Reason,
    fits_slot,
    form_groups,
    group_violations,
    match_pairs,
    pair_rule_violations,
)
from tests.matching.people import cities, person, side

RULES = GroupRules(min_size=4, max_size=6)
CITIES = ("A", "B")


def group(*cities_and_languages) -> list:
    return [
        person(100 * n + n, city, languages=languages)
        for n, (city, languages) in enumerate(cities_and_languages, start=1)
    ]


EN = {"en": 3}


def test_group_violations_of_a_group_that_keeps_every_rule_is_empty():
    members = group(("A", EN), ("A", EN), ("B", EN), ("B", EN))

    assert group_violations(members, RULES, cities=CITIES, slot_utc=16 * 60) == ()


def test_group_violations_names_a_missing_city_and_not_also_the_balance():
    members = group(("A", EN), ("A", EN), ("A", EN), ("A", EN))

    assert group_violations(members, RULES, cities=CITIES) == ("city_missing",)


def test_group_violations_names_an_unbalanced_group():
    members = group(("A", EN), ("A", EN), ("A", EN), ("B", EN))

    assert group_violations(members, RULES, cities=CITIES) == ("city_balance",)


@pytest.mark.parametrize("size", [2, 8])
def test_group_violations_names_a_group_outside_the_size_range(size):
    members = group(*[("AB"[n % 2], EN) for n in range(size)])

    assert group_violations(members, RULES, cities=CITIES) == ("group_size",)


def test_group_violations_names_a_group_without_a_common_language():
    # Levels 1 don't count: a language must be spoken at level 2 or better.
    members = group(("A", {"ko": 4, "en": 1}), ("A", EN), ("B", {"zh": 4, "en": 2}), ("B", EN))

    assert group_violations(members, RULES, cities=CITIES) == ("no_common_language",)


def test_group_violations_names_a_member_who_cannot_attend_the_session():
    members = group(("A", EN), ("A", EN), ("B", EN), ("B", EN))
    far = person(9, "B", utc_offset_minutes=9 * 60)
    members[-1] = far

    # 16:00 UTC is 01:00 the next day at UTC+9, outside the 16:00-21:00 window.
    assert fits_slot(far, RULES, 16 * 60) is False
    assert fits_slot(far, RULES, 7 * 60) is True
    assert group_violations(members, RULES, cities=CITIES, slot_utc=16 * 60) == ("session_time",)
    assert group_violations(members, RULES, cities=CITIES, slot_utc=None) == ()


def test_group_violations_reports_every_broken_rule_in_the_documented_order():
    members = group(("A", {"ko": 4}), ("A", {"ko": 4}), ("A", {"ko": 4}))

    assert group_violations(members, RULES, cities=("A", "B", "C")) == (
        "city_missing",
        "group_size",
    )
    members = group(("A", {"ko": 4}), ("B", {"zh": 4}), ("B", {"zh": 4}), ("B", {"zh": 4}))
    assert group_violations(members, GroupRules(min_size=5, max_size=6), cities=CITIES) == (
        "city_balance",
        "group_size",
        "no_common_language",
    )
    assert GROUP_RULES == (
        "city_missing",
        "city_balance",
        "group_size",
        "no_common_language",
        "session_time",
    )


def test_pair_rule_violations_of_a_good_pair_and_a_good_triad_are_empty():
    assert pair_rule_violations([person(1, "A"), person(2, "B")], PairRules()) == ()
    assert pair_rule_violations([person(1, "A"), person(2, "B"), person(3, "B")], PairRules()) == ()


def test_pair_rule_violations_names_a_pair_from_one_city():
    assert pair_rule_violations([person(1, "A"), person(2, "A")], PairRules()) == ("city_balance",)
    # A triad is one host and two visitors from the other city.
    assert pair_rule_violations([person(1, "A"), person(2, "B"), person(3, "A")], PairRules()) == (
        "city_balance",
    )


def test_pair_rule_violations_names_each_hard_constraint_once_in_order():
    host = person(1, "A", gender="m", age=14, household_pets=True, can_host=False)
    visitor = person(
        2,
        "B",
        age=18,
        languages={"zh": 4},
        pet_allergy=True,
        dietary_needs=frozenset({"halal"}),
    )

    assert pair_rule_violations([host, visitor], PairRules()) == (
        "gender",
        "age_gap",
        "pet_allergy",
        "dietary_needs",
        "shared_language",
        "can_host",
    )
    assert PAIR_RULES[0] == "city_balance"


def test_pair_rule_violations_checks_a_triads_second_visitor():
    allergic = person(3, "B", pet_allergy=True)
    host = person(1, "A", household_pets=True)
    visitor = person(2, "B")

    assert pair_rule_violations([host, visitor, allergic], PairRules()) == ("pet_allergy",)


def test_pair_rule_violations_refuses_one_or_four_people():
    with pytest.raises(ValueError, match="two members"):
        pair_rule_violations([person(1, "A")], PairRules())
    with pytest.raises(ValueError, match="two members"):
        pair_rule_violations([person(i, "AB"[i % 2]) for i in range(4)], PairRules())


def test_form_groups_regroups_speakers_of_another_language_instead_of_leaving_them_out():
    # Two groups of four by profile; the Japanese speakers end up with strangers at first.
    english = [person(i, c, languages={"en": 3}) for i, c in ((1, "A"), (2, "A"), (101, "B"))]
    english.append(person(102, "B", languages={"en": 3}))
    japanese = [person(i, c, languages={"ja": 3}) for i, c in ((3, "A"), (4, "A"))]
    japanese += [person(i, "B", languages={"ja": 3}) for i in (103, 104)]

    result = form_groups(english + japanese, GroupRules(min_size=4, max_size=4))

    assert [(g.members, g.reasons[1].detail["languages"]) for g in result.groups] == [
        ((1, 2, 101, 102), ("en",)),
        ((3, 4, 103, 104), ("ja",)),
    ]
    assert result.leftovers == ()


def test_form_groups_takes_out_the_one_who_shares_no_language_and_keeps_the_group():
    members = [person(i, "A", languages={"en": 3}) for i in (1, 2, 3)]
    members += [person(i, "B", languages={"en": 3}) for i in (101, 102)]
    members.append(person(103, "B", languages={"zh": 4}))

    result = form_groups(members, GroupRules(min_size=4, max_size=6))

    assert [g.members for g in result.groups] == [(1, 2, 3, 101, 102)]
    assert result.leftovers == (Leftover(id=103, reasons=(Reason("no_common_language"),)),)


def test_form_groups_city_whose_people_are_all_locked_leaves_the_rest_city_missing():
    people = [person(i, "A") for i in (1, 2, 3, 4)] + [person(101, "B")]

    result = form_groups(people, GroupRules(min_size=2, max_size=4), fixed=[(1, 101)])

    assert [g.members for g in result.groups] == [(1, 101)]
    assert result.leftovers == tuple(
        Leftover(id=i, reasons=(Reason("city_missing", {"cities": ("B",)}),)) for i in (2, 3, 4)
    )


@settings(max_examples=60, deadline=None)
@given(people=cities(), sizes=st.sampled_from(((4, 8), (3, 5), (2, 4), (6, 6))))
def test_form_groups_every_group_passes_group_violations(people, sizes):
    rules = GroupRules(min_size=sizes[0], max_size=sizes[1])
    by_id = {p.id: p for p in people}
    everywhere = sorted({p.city for p in people})

    result = form_groups(people, rules)

    assert [
        group_violations(
            [by_id[i] for i in g.members], rules, cities=everywhere, slot_utc=result.slot_utc
        )
        for g in result.groups
    ] == [()] * len(result.groups)
    placed = [i for g in result.groups for i in g.members] + [x.id for x in result.leftovers]
    assert sorted(placed) == sorted(by_id)


@settings(max_examples=60, deadline=None)
@given(
    side_a=side(city="A", first_id=1, max_size=7),
    side_b=side(city="B", first_id=100, max_size=7),
    two=st.booleans(),
)
def test_match_pairs_every_pair_and_triad_passes_pair_rule_violations(side_a, side_b, two):
    rules = PairRules(allow_two_visitors=two)
    by_id = {p.id: p for p in side_a + side_b}

    result = match_pairs(side_a, side_b, rules)

    checked = [pair_rule_violations([by_id[p.a], by_id[p.b]], rules) for p in result.pairs]
    checked += [
        pair_rule_violations([by_id[t.host], by_id[t.visitor], by_id[t.second_visitor]], rules)
        for t in result.triads
    ]
    assert checked == [()] * (len(result.pairs) + len(result.triads))
