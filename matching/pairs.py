"""Buddy pairs for mutual-visit programs.

Each student of a pair hosts the other during their own city's leg of the visit, so every
household constraint is checked in both directions.

Hard constraints (a pair breaking one is never proposed), by name as used in reasons:

- ``gender``: with ``rules.same_gender``, both genders are given and equal.
- ``age_gap``: the ages differ by at most ``rules.max_age_gap``.
- ``pet_allergy``: a visitor with a pet allergy never stays in a household with pets.
- ``dietary_needs``: the visitor's dietary needs are a subset of the host's diets offered.
- ``shared_language``: one language both speak at ``rules.min_shared_level`` or better.
- ``can_host``: the host household can take a visitor (both, for a normal pair).
- ``guest_beds``: a triad's host has two or more beds for guests for the second visitor.

``pair_rule_violations`` returns the codes of those a pair or triad breaks, with
``city_balance`` first when it does not join one person from each city.

Score, in [0, 1], rounded to three decimals (each part is in [0, 1]):

    score = (wi * interests + wl * practice + wa * age) / (wi + wl + wa)

- interests = |shared interests| / |interests of either| (Jaccard; 0 when neither has any);
- practice = half a point for each direction in which one wants to practise a language the
  other speaks at level 3 (advanced) or better;
- age = 1 - |age gap| / (max_age_gap + 1).

The pairing is a maximum-weight bipartite matching (``scipy.optimize.linear_sum_assignment``)
that first maximises the number of feasible pairs and then the total score; see
docs/matching.md for why.

Reason codes on a pair or triad (``detail`` keys in brackets):

- ``shared_language`` (languages): spoken by both at the minimum level or better (absent
  only from a fixed or hand-made pair that has none);
- ``language_practice`` (learner, languages): what `learner` can practise with the other;
- ``shared_interests`` (interests);
- ``age_gap`` (years);
- ``same_gender`` (gender): when the rules ask for it and the genders are equal;
- ``household_ok`` (host, visitor, dietary_needs, pet_allergy): the host's household meets the
  visitor's needs; one per hosting direction;
- ``second_visitor`` (host, visitor): a triad's extra visitor, who does not host in return;
- ``fixed``: locked by the coordinators and kept as it was;
- ``violation`` (constraint, host, visitor): a hard constraint broken; only on fixed pairs
  and from ``pair_violations``/``explain_pair``, never on a proposed pair.

Reason codes on a leftover:

- ``city_surplus`` (city, size, partners): this side has more people than the other side can
  take (``partners`` counts the places on the other side);
- ``blocked`` (constraint, candidates): nobody on the other side is compatible; one reason
  per constraint, with how many candidates that constraint rules out (a candidate may be
  ruled out by several), most first;
- ``all_compatible_taken`` (candidates): there were compatible partners, but giving them
  to others placed more people or scored higher overall;
- ``no_candidates``: the other side is empty.
- ``cannot_host`` (household, city, until): this person's household can't host, with the
  portal's code for why (``Participant.hosting``); given before the other reasons.

A ``violation`` of ``can_host`` also carries ``household``, ``city`` and ``until`` when the host's
``hosting`` is given, so a hand edit is refused with the same words as a leftover.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from scipy.optimize import linear_sum_assignment

from matching._vectors import (
    Side,
    Vocabularies,
    intersects,
    overlap_count,
    round_scores,
    subset_of,
    union_count,
)
from matching.model import (
    ADVANCED,
    Leftover,
    Pair,
    PairResult,
    PairRules,
    Participant,
    Reason,
    Triad,
)

CONSTRAINTS = (
    "gender",
    "age_gap",
    "pet_allergy",
    "dietary_needs",
    "shared_language",
    "can_host",
    "guest_beds",
)


# --- one pair at a time: readable rules for coordinators' manual moves (and for the tests) ---


def _hosting_violations(
    host: Participant, visitor: Participant, rules: PairRules, *, second: bool = False
) -> set[str]:
    """Constraints broken when `host`'s household takes `visitor` (as its second guest, with
    `second`). The one hosting check: the engine's matrices (`_checks`) mirror it."""
    broken = set()
    if rules.same_gender and not (host.gender and host.gender == visitor.gender):
        broken.add("gender")
    if abs(host.age - visitor.age) > rules.max_age_gap:
        broken.add("age_gap")
    if visitor.pet_allergy and host.household_pets:
        broken.add("pet_allergy")
    if not visitor.dietary_needs <= host.diets_offered:
        broken.add("dietary_needs")
    if not _shared_languages(host, visitor, rules):
        broken.add("shared_language")
    if not host.can_host:
        broken.add("can_host")
    if second and host.guest_beds < 2:
        broken.add("guest_beds")
    return broken


def _shared_languages(a: Participant, b: Participant, rules: PairRules) -> tuple[str, ...]:
    return tuple(
        sorted(
            code
            for code, level in a.languages.items()
            if level >= rules.min_shared_level
            and b.languages.get(code, 0) >= rules.min_shared_level
        )
    )


def _violation_reasons(host: Participant, visitor: Participant, broken: set[str]) -> list[Reason]:
    reasons = []
    for c in CONSTRAINTS:
        if c not in broken:
            continue
        detail = {"constraint": c, "host": host.id, "visitor": visitor.id}
        if c == "can_host" and host.hosting:
            detail |= {"household": host.hosting, "city": host.city, "until": host.hosting_until}
        reasons.append(Reason("violation", detail))
    return reasons


def pair_violations(a: Participant, b: Participant, rules: PairRules) -> tuple[Reason, ...]:
    """Hard constraints a buddy pair breaks, each hosting direction separately; () if none."""
    return tuple(
        _violation_reasons(a, b, _hosting_violations(a, b, rules))
        + _violation_reasons(b, a, _hosting_violations(b, a, rules))
    )


def triad_violations(
    host: Participant, visitor: Participant, second_visitor: Participant, rules: PairRules
) -> tuple[Reason, ...]:
    """Like pair_violations for host and visitor, plus the host taking the second visitor."""
    return pair_violations(host, visitor, rules) + tuple(
        _violation_reasons(
            host, second_visitor, _hosting_violations(host, second_visitor, rules, second=True)
        )
    )


#: The rules a buddy pair or triad keeps, in the order `pair_rule_violations` reports them:
#: one person from each city (a triad: a host from one, two visitors from the other), then
#: the hard constraints in both hosting directions.
PAIR_RULES = ("city_balance", *CONSTRAINTS)


def pair_rule_violations(members: Sequence[Participant], rules: PairRules) -> tuple[str, ...]:
    """The codes of PAIR_RULES a pair (a, b) or triad (host, visitor, second visitor)
    breaks, each once, in that order; () when it keeps them all. The engine never proposes
    one that breaks any; the portal refuses a hand edit that would."""
    if len(members) == 2:
        a, b = members
        split = a.city != b.city
        broken = _hosting_violations(a, b, rules) | _hosting_violations(b, a, rules)
    elif len(members) == 3:
        host, visitor, second = members
        split = host.city != visitor.city == second.city
        broken = (
            _hosting_violations(host, visitor, rules)
            | _hosting_violations(visitor, host, rules)
            | _hosting_violations(host, second, rules, second=True)
        )
    else:
        raise ValueError("a buddy pair has two members and a triad three")
    if not split:
        broken.add("city_balance")
    return tuple(code for code in PAIR_RULES if code in broken)


def pair_score(a: Participant, b: Participant, rules: PairRules) -> float:
    """The soft score of the module docstring, for one pair."""
    vocab = Vocabularies.of([a, b])
    rows = Side.of([a], vocab, min_level=rules.min_shared_level)
    cols = Side.of([b], vocab, min_level=rules.min_shared_level)
    return float(_score_matrix(rows, cols, rules)[0, 0])


def _positive_reasons(a: Participant, b: Participant, rules: PairRules) -> list[Reason]:
    """What the two have going for them; only what is true, so a fixed pair that breaks a
    constraint can carry these beside its violations."""
    reasons = []
    languages = _shared_languages(a, b, rules)
    if languages:
        reasons.append(Reason("shared_language", {"languages": languages}))
    for learner, other in ((a, b), (b, a)):
        practised = sorted(
            code for code in learner.learning if other.languages.get(code, 0) >= ADVANCED
        )
        if practised:
            reasons.append(
                Reason("language_practice", {"learner": learner.id, "languages": tuple(practised)})
            )
    shared = tuple(sorted(a.interests & b.interests))
    if shared:
        reasons.append(Reason("shared_interests", {"interests": shared}))
    reasons.append(Reason("age_gap", {"years": abs(a.age - b.age)}))
    if rules.same_gender and a.gender and a.gender == b.gender:
        reasons.append(Reason("same_gender", {"gender": a.gender}))
    return reasons


def _household_reason(host: Participant, visitor: Participant) -> Reason:
    return Reason(
        "household_ok",
        {
            "host": host.id,
            "visitor": visitor.id,
            "dietary_needs": tuple(sorted(visitor.dietary_needs)),
            "pet_allergy": visitor.pet_allergy,
        },
    )


def explain_pair(a: Participant, b: Participant, rules: PairRules, *, fixed: bool = False) -> Pair:
    """Score and reasons for any pair, including one a coordinator put together by hand.

    Broken constraints appear as ``violation`` reasons instead of ``household_ok``.
    """
    return _explain_pair(a, b, rules, score=pair_score(a, b, rules), fixed=fixed)


def _explain_pair(
    a: Participant, b: Participant, rules: PairRules, *, score: float, fixed: bool = False
) -> Pair:
    violations = pair_violations(a, b, rules)
    reasons = [Reason("fixed")] if fixed else []
    reasons += _positive_reasons(a, b, rules)
    if violations:
        reasons += violations
    else:
        reasons += [_household_reason(a, b), _household_reason(b, a)]
    return Pair(a=a.id, b=b.id, score=score, reasons=tuple(reasons), fixed=fixed)


def explain_triad(
    host: Participant,
    visitor: Participant,
    second_visitor: Participant,
    rules: PairRules,
    *,
    fixed: bool = False,
) -> Triad:
    """A triad's score is the mean of its two hosting pairs' scores."""
    return _explain_triad(
        host,
        visitor,
        second_visitor,
        rules,
        scores=(pair_score(host, visitor, rules), pair_score(host, second_visitor, rules)),
        fixed=fixed,
    )


def _explain_triad(
    host: Participant,
    visitor: Participant,
    second_visitor: Participant,
    rules: PairRules,
    *,
    scores: tuple[float, float],
    fixed: bool = False,
) -> Triad:
    first = _explain_pair(host, visitor, rules, score=scores[0])
    second_broken = _hosting_violations(host, second_visitor, rules, second=True)
    reasons = [Reason("fixed")] if fixed else []
    reasons += [r for r in first.reasons if r.code != "fixed"]
    reasons.append(Reason("second_visitor", {"host": host.id, "visitor": second_visitor.id}))
    if second_broken:
        reasons += _violation_reasons(host, second_visitor, second_broken)
    else:
        reasons.append(_household_reason(host, second_visitor))
    score = (scores[0] + scores[1]) / 2
    return Triad(
        host=host.id,
        visitor=visitor.id,
        second_visitor=second_visitor.id,
        score=float(round_scores(score)),
        reasons=tuple(reasons),
        fixed=fixed,
    )


# --- all pairs at once ---


def _checks(rows: Side, cols: Side, rules: PairRules, *, both_host: bool) -> dict[str, np.ndarray]:
    """For each constraint, a rows x cols matrix that is True where it holds.

    With both_host, each hosts the other (a buddy pair); otherwise the row hosts the column
    (a triad's second visitor).
    """
    shape = (len(rows), len(cols))
    if rules.same_gender:
        gender = (rows.gender[:, None] == cols.gender[None, :]) & (rows.gender[:, None] >= 0)
    else:
        gender = np.ones(shape, dtype=bool)
    age = np.abs(rows.age[:, None] - cols.age[None, :]) <= rules.max_age_gap
    pets = ~(rows.pets[:, None] & cols.allergy[None, :])
    diets = subset_of(cols.needs, rows.offers).T
    hosts = np.broadcast_to(rows.can_host[:, None], shape)
    checks = {}
    if both_host:
        pets = pets & ~(rows.allergy[:, None] & cols.pets[None, :])
        diets = diets & subset_of(rows.needs, cols.offers)
        hosts = hosts & cols.can_host[None, :]
    else:
        checks["guest_beds"] = np.broadcast_to((rows.beds >= 2)[:, None], shape)
    return {
        "gender": gender,
        "age_gap": age,
        "pet_allergy": pets,
        "dietary_needs": diets,
        "shared_language": intersects(rows.usable, cols.usable),
        "can_host": hosts,
        **checks,
    }


def _score_matrix(rows: Side, cols: Side, rules: PairRules) -> np.ndarray:
    shared = overlap_count(rows.interests, cols.interests)
    either = union_count(rows.interests, cols.interests)
    interests = np.divide(shared, either, out=np.zeros(shared.shape), where=either > 0)
    practice = (
        intersects(rows.learning, cols.strong).astype(float)
        + intersects(cols.learning, rows.strong).T.astype(float)
    ) / 2
    gap = np.abs(rows.age[:, None] - cols.age[None, :])
    age = np.clip(1 - gap / (rules.max_age_gap + 1), 0, 1)
    weights = rules.weight_interests + rules.weight_language_practice + rules.weight_age
    if weights <= 0:
        return np.zeros(shared.shape)
    score = (
        rules.weight_interests * interests
        + rules.weight_language_practice * practice
        + rules.weight_age * age
    ) / weights
    return round_scores(score)


def _blocked_reasons(blocked_counts: dict[str, int]) -> list[Reason]:
    ranked = sorted(
        ((count, name) for name, count in blocked_counts.items() if count),
        key=lambda item: (-item[0], CONSTRAINTS.index(item[1])),
    )
    return [Reason("blocked", {"constraint": name, "candidates": count}) for count, name in ranked]


def _assign(
    feasible: np.ndarray,
    score: np.ndarray,
    second_hosts: np.ndarray,
    second_feasible: np.ndarray,
) -> tuple[dict[int, int], dict[int, int]]:
    """Optimal assignment; returns first visitors and second visitors as row -> column.

    Lexicographic objective in one weight: the number of feasible places first, then (with
    second places) the number of first-visitor places, then the total score. Each tier's
    bonus exceeds the most the lower tiers can add up to, so no trade between tiers pays.
    """
    rows, cols = feasible.shape
    most = min(rows + len(second_hosts), cols)
    pair_bonus = float(most + 1) if len(second_hosts) else 0.0
    place_bonus = (most + 1) * (pair_bonus + 1)
    value = np.where(feasible, place_bonus + pair_bonus + score, 0.0)
    if len(second_hosts):
        second_value = np.where(second_feasible, place_bonus + score[second_hosts], 0.0)
        value = np.vstack([value, second_value])
    row_index, col_index = linear_sum_assignment(value, maximize=True)

    primary: dict[int, int] = {}
    second: dict[int, int] = {}
    for r, c in zip(row_index.tolist(), col_index.tolist(), strict=True):
        if r < rows:
            if feasible[r, c]:
                primary[r] = c
        elif second_feasible[r - rows, c]:
            second[int(second_hosts[r - rows])] = c
    return primary, second


def _match_pool(
    rows_people: Sequence[Participant],
    cols_people: Sequence[Participant],
    rules: PairRules,
    *,
    two_visitors: bool,
) -> tuple[list[tuple[int, int]], list[tuple[int, int, int]], dict[int, list[Reason]], np.ndarray]:
    """Rows are the smaller side (they may host a second visitor). Returns row-col index pairs,
    (host row, col, second col) triads, leftover reasons by participant id, and the score
    matrix (rows x cols)."""
    leftovers: dict[int, list[Reason]] = {}
    if not rows_people or not cols_people:
        for p in (*rows_people, *cols_people):
            leftovers[p.id] = [Reason("no_candidates")]
        return [], [], leftovers, np.zeros((len(rows_people), len(cols_people)))

    vocab = Vocabularies.of([*rows_people, *cols_people])
    rows = Side.of(rows_people, vocab, min_level=rules.min_shared_level)
    cols = Side.of(cols_people, vocab, min_level=rules.min_shared_level)
    checks = _checks(rows, cols, rules, both_host=True)
    feasible = np.logical_and.reduce(list(checks.values()))
    score = _score_matrix(rows, cols, rules)

    second_hosts = (
        np.flatnonzero(rows.can_host & (rows.beds >= 2))
        if two_visitors
        else np.array([], dtype=int)
    )
    if len(second_hosts):
        host_side = Side.of(
            [rows_people[i] for i in second_hosts], vocab, min_level=rules.min_shared_level
        )
        second_checks = _checks(host_side, cols, rules, both_host=False)
        second_feasible = np.logical_and.reduce(list(second_checks.values()))
    else:
        second_feasible = np.zeros((0, len(cols)), dtype=bool)

    # A second visitor needs the host to have a first one, which an assignment cannot
    # express. So: offer second places only to hosts with a possible first visitor, solve,
    # and while some host got a second visitor but no first, withdraw that host's second
    # place and solve again. Each round withdraws at least one, so this ends; usually the
    # first round is already clean.
    offered = feasible[second_hosts].any(axis=1)
    while True:
        primary, second = _assign(feasible, score, second_hosts[offered], second_feasible[offered])
        one_way = [h for h in second if h not in primary]
        if not one_way:
            break
        offered &= ~np.isin(second_hosts, one_way)

    pairs = []
    triads = []
    for r, c in sorted(primary.items()):
        if r in second:
            triads.append((r, c, second[r]))
        else:
            pairs.append((r, c))
    placed_cols = {c for _, c in pairs} | {c for t in triads for c in t[1:]}
    placed_rows = {r for r, _ in pairs} | {t[0] for t in triads}

    host_places = len(rows) + len(second_hosts)
    for index, person in enumerate(rows_people):
        if index not in placed_rows:
            leftovers[person.id] = _leftover_reasons(
                person,
                compatible=int(feasible[index].sum()),
                blocked={name: int((~ok[index]).sum()) for name, ok in checks.items()},
                size=len(rows),
                places=len(cols),
            )
    # Compatible hosts, each counted once whether they could take this person first or second.
    compatible_cols = feasible.copy()
    compatible_cols[second_hosts] |= second_feasible
    for index, person in enumerate(cols_people):
        if index not in placed_cols:
            leftovers[person.id] = _leftover_reasons(
                person,
                compatible=int(compatible_cols[:, index].sum()),
                blocked={name: int((~ok[:, index]).sum()) for name, ok in checks.items()},
                size=len(cols),
                places=host_places,
            )
    return pairs, triads, leftovers, score


def _leftover_reasons(
    person: Participant, *, compatible: int, blocked: dict[str, int], size: int, places: int
) -> list[Reason]:
    reasons = []
    if not person.can_host and person.hosting:
        reasons.append(
            Reason(
                "cannot_host",
                {"household": person.hosting, "city": person.city, "until": person.hosting_until},
            )
        )
    if size > places:
        reasons.append(
            Reason("city_surplus", {"city": person.city, "size": size, "partners": places})
        )
    if compatible:
        reasons.append(Reason("all_compatible_taken", {"candidates": compatible}))
    else:
        reasons += _blocked_reasons(blocked)
    return reasons


def match_pairs(
    side_a: Iterable[Participant],
    side_b: Iterable[Participant],
    rules: PairRules = PairRules(),  # noqa: B008 - frozen, so one shared default is safe
    fixed: Iterable[tuple[int, ...]] = (),
) -> PairResult:
    """Buddy pairs between two cities' participants; see the module docstring.

    `fixed` holds pairs (id, id) or triads (host, visitor, second visitor) the coordinators
    locked: they are kept as they are, with their reasons (and any violations), and everyone
    else is matched around them. Never raises on infeasible input: whoever cannot be placed is
    a leftover with reasons. Raises ValueError for unknown or repeated ids.
    """
    side_a = sorted(side_a, key=lambda p: p.id)
    side_b = sorted(side_b, key=lambda p: p.id)
    by_id = {p.id: p for p in side_a}
    in_b = {p.id: p for p in side_b}
    if len(by_id) != len(side_a) or len(in_b) != len(side_b) or by_id.keys() & in_b.keys():
        raise ValueError("participant ids must be unique across both sides")
    by_id |= in_b

    locked: set[int] = set()
    fixed_pairs: list[Pair] = []
    fixed_triads: list[Triad] = []
    for group in fixed:
        if (
            any(i not in by_id for i in group)
            or locked & set(group)
            or len(set(group)) != len(group)
        ):
            raise ValueError(f"fixed entry {group!r} names an unknown or already locked id")
        locked |= set(group)
        if len(group) == 2:
            x, y = group
            if x in in_b:
                x, y = y, x
            if (x in in_b) == (y in in_b):
                raise ValueError(f"fixed pair {group!r} must join one id from each side")
            fixed_pairs.append(explain_pair(by_id[x], by_id[y], rules, fixed=True))
        elif len(group) == 3:
            host, v1, v2 = (by_id[i] for i in group)
            if (host.id in in_b) == (v1.id in in_b) or (v1.id in in_b) != (v2.id in in_b):
                raise ValueError(f"fixed triad {group!r} must be a host and two visitors")
            fixed_triads.append(explain_triad(host, v1, v2, rules, fixed=True))
        else:
            raise ValueError(f"fixed entry {group!r} must have two or three ids")

    pool_a = [p for p in side_a if p.id not in locked]
    pool_b = [p for p in side_b if p.id not in locked]
    # The smaller side hosts second visitors; side A on a tie, so the outcome never depends
    # on anything but the input.
    flipped = len(pool_b) < len(pool_a)
    rows_people, cols_people = (pool_b, pool_a) if flipped else (pool_a, pool_b)
    two_visitors = rules.allow_two_visitors and len(rows_people) < len(cols_people)
    pairs, triads, leftovers, score = _match_pool(
        rows_people, cols_people, rules, two_visitors=two_visitors
    )

    result_pairs = list(fixed_pairs)
    for r, c in pairs:
        a, b = (cols_people[c], rows_people[r]) if flipped else (rows_people[r], cols_people[c])
        result_pairs.append(_explain_pair(a, b, rules, score=float(score[r, c])))
    result_triads = list(fixed_triads)
    for r, c1, c2 in triads:
        host, first, second = rows_people[r], cols_people[c1], cols_people[c2]
        scores = (float(score[r, c1]), float(score[r, c2]))
        result_triads.append(_explain_triad(host, first, second, rules, scores=scores))
    return PairResult(
        pairs=tuple(sorted(result_pairs, key=lambda p: (p.a, p.b))),
        triads=tuple(sorted(result_triads, key=lambda t: t.host)),
        leftovers=tuple(Leftover(id=i, reasons=tuple(leftovers[i])) for i in sorted(leftovers)),
    )
