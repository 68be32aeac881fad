"""The engine's hosting checks read the household: a home that can't host gives its reason on
the leftover and on a hand-made pair's violation; a triad's second visitor needs a second bed."""

from matching import Leftover, PairRules, Reason, match_pairs, pair_violations, triad_violations
from tests.matching.people import person


def test_leftover_whose_home_cannot_host_says_why_before_the_other_reasons():
    waiting = person(1, "A", can_host=False, hosting="submitted")

    result = match_pairs([waiting], [person(101, "B")])

    assert result.leftovers[0] == Leftover(
        1,
        (
            Reason("cannot_host", {"household": "submitted", "city": "A", "until": ""}),
            Reason("blocked", {"constraint": "can_host", "candidates": 1}),
        ),
    )


def test_leftover_without_a_hosting_code_keeps_the_old_reasons():
    result = match_pairs([person(1, "A", can_host=False)], [person(101, "B")])

    assert result.leftovers[0] == Leftover(
        1, (Reason("blocked", {"constraint": "can_host", "candidates": 1}),)
    )


def test_pair_violation_of_can_host_carries_the_households_reason():
    expired = person(1, "A", can_host=False, hosting="expired", hosting_until="2026-01-31")

    assert pair_violations(expired, person(101, "B"), PairRules()) == (
        Reason(
            "violation",
            {
                "constraint": "can_host",
                "host": 1,
                "visitor": 101,
                "household": "expired",
                "city": "A",
                "until": "2026-01-31",
            },
        ),
    )


def test_triad_second_visitor_needs_a_second_bed():
    host = person(1, "A", guest_beds=1)

    assert triad_violations(host, person(101, "B"), person(102, "B"), PairRules()) == (
        Reason("violation", {"constraint": "guest_beds", "host": 1, "visitor": 102}),
    )


def test_match_pairs_offers_a_second_visitor_only_to_a_home_with_two_beds():
    rules = PairRules(allow_two_visitors=True)
    one_bed = match_pairs(
        [person(1, "A", guest_beds=1)], [person(101, "B"), person(102, "B")], rules
    )
    two_beds = match_pairs(
        [person(1, "A", guest_beds=2)], [person(101, "B"), person(102, "B")], rules
    )

    assert (len(one_bed.triads), len(one_bed.leftovers)) == (0, 1)
    assert ((two_beds.triads[0].host, two_beds.triads[0].second_visitor), two_beds.leftovers) == (
        (1, 102),
        (),
    )
