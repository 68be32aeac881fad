from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import (
    Leftover,
    Pair,
    PairResult,
    PairRules,
    Reason,
    Triad,
    explain_pair,
    match_pairs,
    pair_score,
    pair_violations,
    triad_violations,
)
from tests.matching.people import person, side

RULES = PairRules()
TWO = PairRules(allow_two_visitors=True)


def _everyone_once(result: PairResult, ids: set[int]) -> bool:
    placed = [i for p in result.pairs for i in (p.a, p.b)]
    placed += [i for t in result.triads for i in (t.host, t.visitor, t.second_visitor)]
    placed += [left.id for left in result.leftovers]
    return sorted(placed) == sorted(ids)


def _best_by_brute_force(side_a, side_b, rules) -> tuple[int, float]:
    """Every matching of feasible pairs; the most pairs, then the highest total score."""
    feasible = {
        (a.id, b.id): pair_score(a, b, rules)
        for a in side_a
        for b in side_b
        if not pair_violations(a, b, rules)
    }

    def best(index: int, used: frozenset[int]) -> tuple[int, float]:
        if index == len(side_a):
            return (0, 0.0)
        options = [best(index + 1, used)]
        a = side_a[index]
        for b in side_b:
            if b.id not in used and (a.id, b.id) in feasible:
                count, total = best(index + 1, used | {b.id})
                options.append((count + 1, total + feasible[a.id, b.id]))
        return max(options, key=lambda o: (o[0], round(o[1], 6)))

    return best(0, frozenset())


# --- properties ---


@settings(max_examples=60, deadline=None)
@given(
    side_a=side(city="A", first_id=1, max_size=6),
    side_b=side(city="B", first_id=101, max_size=9),
    two=st.booleans(),
)
def test_match_pairs_never_breaks_a_constraint_and_places_everyone_once(side_a, side_b, two):
    rules = PairRules(allow_two_visitors=two)
    people = {p.id: p for p in side_a + side_b}

    result = match_pairs(side_a, side_b, rules)

    assert [pair_violations(people[p.a], people[p.b], rules) for p in result.pairs] == [
        () for _ in result.pairs
    ]
    assert [
        triad_violations(people[t.host], people[t.visitor], people[t.second_visitor], rules)
        for t in result.triads
    ] == [() for _ in result.triads]
    assert _everyone_once(result, set(people))
    # A double host is never anyone's second visitor, and only the smaller side hosts twice.
    hosts = {t.host for t in result.triads}
    seconds = {t.second_visitor for t in result.triads}
    assert hosts & seconds == set()
    assert all(r.reasons for r in result.leftovers)


@settings(max_examples=40, deadline=None)
@given(
    side_a=side(city="A", first_id=1, max_size=6),
    side_b=side(city="B", first_id=101, max_size=6),
)
def test_match_pairs_small_instances_equal_brute_force_optimum(side_a, side_b):
    result = match_pairs(side_a, side_b, RULES)

    count, total = _best_by_brute_force(side_a, side_b, RULES)
    assert len(result.pairs) == count
    assert sum(p.score for p in result.pairs) == pytest.approx(total, abs=1e-9)


def _most_placed_with_triads(hosts, visitors, rules) -> int:
    """Brute force: each host takes nobody, a buddy, or a buddy and a second visitor."""

    def best(index: int, used: frozenset[int]) -> int:
        if index == len(hosts):
            return 0
        host = hosts[index]
        options = [best(index + 1, used)]
        for first in visitors:
            if first.id in used or pair_violations(host, first, rules):
                continue
            options.append(2 + best(index + 1, used | {first.id}))
            for second in visitors:
                if second.id in used | {first.id}:
                    continue
                if triad_violations(host, first, second, rules):
                    continue
                options.append(3 + best(index + 1, used | {first.id, second.id}))
        return max(options)

    return best(0, frozenset())


# The withdraw-and-resolve step for one-way second visitors is a repair, not a proof of
# optimality, so this runs on a fixed (derandomized) sample: a regression check that stays
# green or red for the same code, never flaky.
@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    hosts=side(city="A", first_id=1, max_size=3),
    visitors=side(city="B", first_id=101, max_size=6),
)
def test_match_pairs_two_visitors_small_instances_place_as_many_as_brute_force(hosts, visitors):
    result = match_pairs(hosts, visitors, TWO)

    placed = 2 * len(result.pairs) + 3 * len(result.triads)
    if len(hosts) < len(visitors):
        assert placed == _most_placed_with_triads(hosts, visitors, TWO)
    else:
        assert (placed, result.triads) == (2 * _best_by_brute_force(hosts, visitors, TWO)[0], ())


@settings(max_examples=30, deadline=None)
@given(
    side_a=side(city="A", first_id=1, max_size=5),
    side_b=side(city="B", first_id=101, max_size=8),
    two=st.booleans(),
    data=st.data(),
)
def test_match_pairs_same_input_in_any_order_gives_same_result(side_a, side_b, two, data):
    rules = PairRules(allow_two_visitors=two)
    shuffled_a = data.draw(st.permutations(side_a))
    shuffled_b = data.draw(st.permutations(side_b))

    first, again = match_pairs(shuffled_a, shuffled_b, rules), match_pairs(side_a, side_b, rules)
    assert first == again
    assert hash(first) == hash(again)


@settings(max_examples=30, deadline=None)
@given(
    side_a=side(city="A", first_id=1, max_size=5),
    side_b=side(city="B", first_id=101, max_size=5),
    data=st.data(),
)
def test_match_pairs_fixed_pair_kept_whatever_it_breaks_and_the_rest_stays_valid(
    side_a, side_b, data
):
    if not side_a or not side_b:
        return
    a = data.draw(st.sampled_from(side_a))
    b = data.draw(st.sampled_from(side_b))
    people = {p.id: p for p in side_a + side_b}

    result = match_pairs(side_a, side_b, RULES, fixed=[(b.id, a.id)])

    assert [p for p in result.pairs if p.fixed] == [explain_pair(a, b, RULES, fixed=True)]
    assert [
        pair_violations(people[p.a], people[p.b], RULES) for p in result.pairs if not p.fixed
    ] == [() for p in result.pairs if not p.fixed]
    assert _everyone_once(result, set(people))


# --- adversarial examples ---


def test_match_pairs_nothing_feasible_every_leftover_names_its_constraints():
    girls = [person(1, "A", age=14), person(2, "A", age=14)]
    boys = [person(101, "B", gender="m", age=18), person(102, "B", gender="m", age=18)]

    result = match_pairs(girls, boys, RULES)

    blocked = (
        Reason("blocked", {"constraint": "gender", "candidates": 2}),
        Reason("blocked", {"constraint": "age_gap", "candidates": 2}),
    )
    assert result == PairResult(
        pairs=(),
        triads=(),
        leftovers=tuple(Leftover(id=i, reasons=blocked) for i in (1, 2, 101, 102)),
    )


def test_match_pairs_everyone_allergic_in_pet_households_all_blocked_by_pet_allergy():
    a = [person(i, "A", pet_allergy=True, household_pets=True) for i in (1, 2, 3)]
    b = [person(i, "B", pet_allergy=True, household_pets=True) for i in (101, 102)]

    result = match_pairs(a, b, RULES)

    assert result.pairs == ()
    surplus = Reason("city_surplus", {"city": "A", "size": 3, "partners": 2})
    assert result.leftovers == (
        Leftover(1, (surplus, Reason("blocked", {"constraint": "pet_allergy", "candidates": 2}))),
        Leftover(2, (surplus, Reason("blocked", {"constraint": "pet_allergy", "candidates": 2}))),
        Leftover(3, (surplus, Reason("blocked", {"constraint": "pet_allergy", "candidates": 2}))),
        Leftover(101, (Reason("blocked", {"constraint": "pet_allergy", "candidates": 3}),)),
        Leftover(102, (Reason("blocked", {"constraint": "pet_allergy", "candidates": 3}),)),
    )


def test_match_pairs_one_side_empty_everyone_left_without_candidates():
    result = match_pairs([person(1), person(2)], [], RULES)

    assert result == PairResult(
        pairs=(),
        triads=(),
        leftovers=(
            Leftover(1, (Reason("no_candidates"),)),
            Leftover(2, (Reason("no_candidates"),)),
        ),
    )


def _three_and_twenty() -> tuple[list, list]:
    themes = ("music", "ceramics", "coding")
    small = [person(i + 1, "A", interests=frozenset({t})) for i, t in enumerate(themes)]
    large = [person(101 + i, "B", interests=frozenset({t})) for i, t in enumerate(themes)]
    # Interests 1, age 1, no language practice: 0.667 for each matching theme.
    # Second best for each host: same interest, but they cannot host, so never a normal pair.
    large += [
        person(104 + i, "B", interests=frozenset({t}), can_host=False) for i, t in enumerate(themes)
    ]
    large += [person(i, "B", interests=frozenset({"football"})) for i in range(107, 121)]
    return small, large


def test_match_pairs_three_and_twenty_pairs_best_three_and_explains_the_rest():
    small, large = _three_and_twenty()

    result = match_pairs(large, small, RULES)

    assert [(p.a, p.b, p.score) for p in result.pairs] == [
        (101, 1, 0.667),
        (102, 2, 0.667),
        (103, 3, 0.667),
    ]
    surplus = Reason("city_surplus", {"city": "B", "size": 20, "partners": 3})
    assert result.leftovers == tuple(
        [
            Leftover(i, (surplus, Reason("blocked", {"constraint": "can_host", "candidates": 3})))
            for i in (104, 105, 106)
        ]
        + [
            Leftover(i, (surplus, Reason("all_compatible_taken", {"candidates": 3})))
            for i in range(107, 121)
        ]
    )


def test_match_pairs_three_and_twenty_with_two_visitors_forms_triads():
    small, large = _three_and_twenty()

    result = match_pairs(small, large, TWO)

    assert result.pairs == ()
    assert [(t.host, t.visitor, t.second_visitor, t.score) for t in result.triads] == [
        (1, 101, 104, 0.667),
        (2, 102, 105, 0.667),
        (3, 103, 106, 0.667),
    ]
    surplus = Reason("city_surplus", {"city": "B", "size": 20, "partners": 6})
    assert result.leftovers == tuple(
        Leftover(i, (surplus, Reason("all_compatible_taken", {"candidates": 3})))
        for i in range(107, 121)
    )
    assert result.triads[0].reasons[-2:] == (
        Reason("second_visitor", {"host": 1, "visitor": 104}),
        Reason(
            "household_ok", {"host": 1, "visitor": 104, "dietary_needs": (), "pet_allergy": False}
        ),
    )


def test_match_pairs_fixed_pair_kept_and_rest_matched_around_it():
    a = [person(1, interests=frozenset({"music"})), person(2)]
    b = [person(101, "B", interests=frozenset({"music"})), person(102, "B", pet_allergy=True)]

    result = match_pairs(a, b, RULES, fixed=[(1, 102)])

    assert result.pairs == (
        explain_pair(a[0], b[1], RULES, fixed=True),
        explain_pair(a[1], b[0], RULES),
    )
    assert result.pairs[0].fixed
    assert result.pairs[0].reasons[0] == Reason("fixed")
    assert result.leftovers == ()


def test_match_pairs_fixed_pair_breaking_a_constraint_is_kept_with_its_violation():
    a = [person(1, household_pets=True)]
    b = [person(101, "B", pet_allergy=True)]

    result = match_pairs(a, b, RULES, fixed=[(101, 1)])

    assert [(p.a, p.b, p.fixed) for p in result.pairs] == [(1, 101, True)]
    assert result.pairs[0].reasons == (
        Reason("fixed"),
        Reason("shared_language", {"languages": ("en", "ko")}),
        Reason("age_gap", {"years": 0}),
        Reason("same_gender", {"gender": "f"}),
        Reason("violation", {"constraint": "pet_allergy", "host": 1, "visitor": 101}),
    )


def test_match_pairs_fixed_triad_kept_and_rest_matched_around_it():
    a = [person(1), person(2)]
    b = [person(101, "B"), person(102, "B", can_host=False), person(103, "B")]

    result = match_pairs(a, b, TWO, fixed=[(1, 101, 102)])

    assert [(t.host, t.visitor, t.second_visitor, t.fixed) for t in result.triads] == [
        (1, 101, 102, True)
    ]
    assert result.triads[0].reasons[0] == Reason("fixed")
    assert [(p.a, p.b, p.fixed) for p in result.pairs] == [(2, 103, False)]
    assert result.leftovers == ()


def test_match_pairs_fixed_unknown_id_raises():
    with pytest.raises(ValueError, match="unknown"):
        match_pairs([person(1)], [person(101, "B")], RULES, fixed=[(1, 999)])


def test_pair_violations_checks_both_hosting_directions():
    vegetarian = person(1, dietary_needs=frozenset({"vegetarian"}), diets_offered=frozenset())
    omnivore = person(101, "B", can_host=False)

    assert pair_violations(vegetarian, omnivore, RULES) == (
        Reason("violation", {"constraint": "dietary_needs", "host": 101, "visitor": 1}),
        Reason("violation", {"constraint": "can_host", "host": 101, "visitor": 1}),
    )


def test_pair_score_follows_the_documented_formula():
    learner = person(1, learning=frozenset({"zh"}), interests=frozenset({"music", "coding"}))
    native = person(101, "B", age=17, languages={"zh": 4, "en": 2}, interests=frozenset({"music"}))

    # interests 1/2, practice 1/2 (only one direction), age 1 - 1/3; mean of the three.
    assert pair_score(learner, native, RULES) == round((0.5 + 0.5 + 2 / 3) / 3, 3)


def test_explain_pair_lists_what_is_shared():
    a = person(1, learning=frozenset({"zh"}), interests=frozenset({"music"}))
    b = person(101, "B", languages={"zh": 4, "en": 3}, interests=frozenset({"music"}))

    assert explain_pair(a, b, RULES) == Pair(
        a=1,
        b=101,
        score=0.833,
        reasons=(
            Reason("shared_language", {"languages": ("en",)}),
            Reason("language_practice", {"learner": 1, "languages": ("zh",)}),
            Reason("shared_interests", {"interests": ("music",)}),
            Reason("age_gap", {"years": 0}),
            Reason("same_gender", {"gender": "f"}),
            Reason(
                "household_ok",
                {"host": 1, "visitor": 101, "dietary_needs": (), "pet_allergy": False},
            ),
            Reason(
                "household_ok",
                {"host": 101, "visitor": 1, "dietary_needs": (), "pet_allergy": False},
            ),
        ),
    )


def test_triad_is_a_result_type_with_its_own_fields():
    assert Triad(1, 2, 3, 0.5, ()).second_visitor == 3
