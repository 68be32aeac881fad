"""Mixed groups for online programs.

A group has members from every participating city, per-city counts that differ by at most
one, a size within [min_size, max_size], and meets at one session time that falls inside
every member's local window.

Steps (see docs/matching.md for why each is sound):

1. Session slot: every 15 minutes from 00:00 UTC, count the participants whose local window
   [window_start, window_end) holds [slot, slot + session_minutes) once converted to UTC.
   Take the slot with every city represented and the most participants, earliest on a tie.
   When ``rules.fixed_slot`` is set (the live sessions are already scheduled), that is the
   slot, and those it doesn't suit are ``time_zone`` leftovers.
2. Structure: for F members per city per group (F >= 1) and g groups, city c places
   s_c = min(n_c, (F + 1) * g), which needs n_c >= F * g. The extras above F * g go
   round-robin over the groups, trimmed where a group would pass max_size. Of all (F, g),
   keep the one that places most people; on a tie, average size closest to the middle of
   the range; then more groups.
3. Members: each city keeps its best-connected members (those speaking the most widely
   spoken languages), sorted by profile (languages by how widely spoken, then interests)
   and cut into consecutive blocks, so group j gets alike people from every city; then a
   bounded pass of same-city swaps between a group without a common language and its
   neighbours raises the group score. Same-city swaps never change a group's city counts.
4. Languages: a group still without a language everyone speaks keeps the speakers of the
   language that leaves it largest while balanced and in range (or is dissolved if none
   does); those taken out join another group that shares a language with them and has room
   for their city, or are ``no_common_language`` leftovers. So every group the engine forms
   passes ``group_violations``.

Rules a group must keep (``group_violations`` returns the codes of those it breaks; the
engine and the portal's hand edits use the same function):

- ``city_missing``: somebody from every city;
- ``city_balance``: the numbers from each city differ by at most one;
- ``group_size``: between ``rules.min_size`` and ``rules.max_size`` members;
- ``no_common_language``: one language every member speaks at level 2 or better;
- ``session_time``: the session slot falls inside every member's local window.

Group score, in [0, 1], rounded to three decimals:

    score = (wl * languages + wi * interests) / (wl + wi)

- languages = the largest share of members who all speak one language at level 2 or better
  (1 when a common language exists);
- interests = the share of member pairs with at least one interest in common.

Reason codes on a group (``detail`` keys in brackets):

- ``cities`` (cities): ((city, members), ...), every city represented;
- ``common_languages`` (languages): spoken by every member at level 2 or better; () only on
  a fixed group;
- ``shared_interests`` (interests): ((interest, members), ...) for interests two or more
  members share, most shared first;
- ``session_slot`` (utc_start, minutes): when the group meets, minutes after 00:00 UTC;
- ``fixed``: locked by the coordinators and kept as it was.

Reason codes on a leftover:

- ``time_zone`` (utc_offset_minutes, slot_utc): the chosen session time is outside their
  window (slot_utc is None when no time suits anybody);
- ``city_missing`` (cities): no session time suits somebody from each of these cities, so
  no group can have every city;
- ``too_few`` (available, min_size): too few people, or too few per city, for one group;
- ``city_surplus`` (city, available, placed): their city has more people than the groups can
  take while staying balanced between cities;
- ``no_common_language``: no group could keep them and still have one language everyone in
  it speaks (their group had none, and no other group with room shares one with them).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations

import numpy as np

from matching._vectors import round_scores
from matching.model import (
    INTERMEDIATE,
    Group,
    GroupResult,
    GroupRules,
    Leftover,
    Participant,
    Reason,
)

DAY = 24 * 60
SLOT_STEP = 15
# The swap pass compares a group without a common language with this many groups on either
# side, and runs at most this many times over all groups: bounded work, and deterministic.
SWAP_NEIGHBOURS = 3
SWAP_PASSES = 2

#: The rules every group keeps, in the order `group_violations` reports them.
GROUP_RULES = ("city_missing", "city_balance", "group_size", "no_common_language", "session_time")


def _usable(person: Participant) -> frozenset[str]:
    return frozenset(code for code, level in person.languages.items() if level >= INTERMEDIATE)


def _fits(
    people: Sequence[Participant], rules: GroupRules, slots: np.ndarray | None = None
) -> np.ndarray:
    """people x slots: True where the session starting at that UTC slot is in their window.

    `slots` are minutes after 00:00 UTC; every SLOT_STEP minutes of the day when not given.
    """
    if slots is None:
        slots = np.arange(0, DAY, SLOT_STEP)
    offsets = np.array([p.utc_offset_minutes for p in people], dtype=np.int64)
    window_utc = (rules.window_start - offsets) % DAY
    spare = (rules.window_end - rules.window_start) % DAY - rules.session_minutes
    return ((slots[None, :] - window_utc[:, None]) % DAY) <= spare


def fits_slot(person: Participant, rules: GroupRules, slot_utc: int) -> bool:
    """True when a session starting `slot_utc` minutes after 00:00 UTC is in their window."""
    return bool(_fits([person], rules, np.array([slot_utc % DAY]))[0, 0])


def group_violations(
    members: Sequence[Participant],
    rules: GroupRules,
    *,
    cities: Iterable[str],
    slot_utc: int | None = None,
) -> tuple[str, ...]:
    """The codes of GROUP_RULES a group breaks, in that order; () when it keeps them all.

    `cities` are the cities every group needs (those with participants in the program);
    `slot_utc` the session start, if one was chosen. The balance is only judged once every
    city is there, so a group missing a city says `city_missing` and not both.
    """
    counts = Counter(p.city for p in members)
    present = [counts[c] for c in sorted(set(cities) | set(counts))]
    broken = []
    if not all(present):
        broken.append("city_missing")
    elif max(present) - min(present) > 1:
        broken.append("city_balance")
    if not rules.min_size <= len(members) <= rules.max_size:
        broken.append("group_size")
    if not members or not frozenset.intersection(*(_usable(p) for p in members)):
        broken.append("no_common_language")
    if slot_utc is not None and not all(fits_slot(p, rules, slot_utc) for p in members):
        broken.append("session_time")
    return tuple(broken)


def _choose_slot(
    people: Sequence[Participant], cities: Sequence[str], rules: GroupRules
) -> tuple[int | None, np.ndarray]:
    if rules.fixed_slot is not None:
        # The coordinators already scheduled the sessions: the groups meet then, and whoever
        # that time doesn't suit is a `time_zone` leftover rather than a group at another hour.
        return rules.fixed_slot % DAY, _fits(people, rules, np.array([rules.fixed_slot % DAY]))[
            :, 0
        ]
    fits = _fits(people, rules)
    city_of = np.array([cities.index(p.city) for p in people])
    covered = np.zeros((len(cities), fits.shape[1]), dtype=bool)
    for index in range(len(cities)):
        covered[index] = fits[city_of == index].any(axis=0)
    all_cities = covered.all(axis=0)
    counts = fits.sum(axis=0)
    if counts.max() == 0:
        return None, np.zeros(len(people), dtype=bool)
    # Earliest wins a tie because argmax returns the first maximum.
    best = int(np.argmax(all_cities.astype(np.int64) * (len(people) + 1) + counts))
    return best * SLOT_STEP, fits[:, best]


@dataclass(frozen=True)
class _Plan:
    per_city: int  # F
    groups: int  # g
    extras: dict[str, int]  # members above F * g, per city (each <= g)

    def placed(self, city: str) -> int:
        return self.per_city * self.groups + self.extras[city]


def _trim_extras(extras: dict[str, int], cap: int) -> dict[str, int]:
    """Cut the largest extras first until they sum to at most cap, so cities stay even."""
    if sum(extras.values()) <= cap:
        return extras
    # The highest level at which capping every city's extras still fits under cap.
    low, high = 0, max(extras.values())
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(e, middle) for e in extras.values()) <= cap:
            low = middle
        else:
            high = middle - 1
    trimmed = {c: min(e, low) for c, e in extras.items()}
    spare = cap - sum(trimmed.values())
    for city in sorted(extras):
        if spare and extras[city] > low:
            trimmed[city] += 1
            spare -= 1
    return trimmed


def _plan(counts: dict[str, int], rules: GroupRules) -> _Plan | None:
    cities = len(counts)
    fewest = min(counts.values())
    middle = Fraction(rules.min_size + rules.max_size, 2)
    best_key, best = None, None
    per_city = 1
    while per_city * cities <= rules.max_size and per_city <= fewest:
        for groups in range(1, fewest // per_city + 1):
            extras = {
                c: min(n, (per_city + 1) * groups) - per_city * groups for c, n in counts.items()
            }
            extras = _trim_extras(extras, groups * (rules.max_size - per_city * cities))
            total_extras = sum(extras.values())
            if per_city * cities + total_extras // groups < rules.min_size:
                continue
            placed = per_city * cities * groups + total_extras
            key = (placed, -abs(Fraction(placed, groups) - middle), groups)
            if best_key is None or key > best_key:
                best_key, best = key, _Plan(per_city, groups, extras)
        per_city += 1
    return best


def _group_score(
    usable: Sequence[frozenset[str]], interests: Sequence[int], rules: GroupRules
) -> float:
    size = len(usable)
    spoken = Counter(code for languages in usable for code in languages)
    languages = max(spoken.values(), default=0) / size if size else 0.0
    pairs = size * (size - 1) // 2
    sharing = sum(1 for x, y in combinations(interests, 2) if x & y)
    interest = sharing / pairs if pairs else 0.0
    weights = rules.weight_languages + rules.weight_interests
    if weights <= 0:
        return 0.0
    return (rules.weight_languages * languages + rules.weight_interests * interest) / weights


def _interest_masks(people: Sequence[Participant]) -> dict[int, int]:
    vocab = {w: i for i, w in enumerate(sorted({w for p in people for w in p.interests}))}
    return {p.id: sum(1 << vocab[w] for w in p.interests) for p in people}


def explain_group(
    members: Sequence[Participant], rules: GroupRules, *, slot_utc: int | None, fixed: bool = False
) -> Group:
    members = sorted(members, key=lambda p: p.id)
    masks = _interest_masks(members)
    usable = [_usable(p) for p in members]
    score = _group_score(usable, [masks[p.id] for p in members], rules)
    common = frozenset.intersection(*usable) if usable else frozenset()
    interest_counts = Counter(w for p in members for w in p.interests)
    reasons = [Reason("fixed")] if fixed else []
    reasons += [
        Reason("cities", {"cities": tuple(sorted(Counter(p.city for p in members).items()))}),
        Reason("common_languages", {"languages": tuple(sorted(common))}),
        Reason(
            "shared_interests",
            {
                "interests": tuple(
                    sorted(
                        ((w, n) for w, n in interest_counts.items() if n >= 2),
                        key=lambda item: (-item[1], item[0]),
                    )
                )
            },
        ),
    ]
    if slot_utc is not None:
        reasons.append(
            Reason("session_slot", {"utc_start": slot_utc, "minutes": rules.session_minutes})
        )
    return Group(
        members=tuple(p.id for p in members),
        score=float(round_scores(score)),
        reasons=tuple(reasons),
        fixed=fixed,
    )


def _deal(
    people_by_city: dict[str, list[Participant]], plan: _Plan
) -> list[dict[str, list[Participant]]]:
    """Cut each city's sorted members into consecutive blocks, F or F + 1 per group.

    Every city is sorted the same way (most widely spoken languages first), so group j gets
    similar people from every city: the people who share a lingua franca end up together,
    and those who don't are concentrated in a few groups instead of spoiling all of them.
    Dealing similar people round-robin would do the opposite: measured on the benchmark
    instance, only 39% of groups then had a common language.
    """
    groups: list[dict[str, list[Participant]]] = [{} for _ in range(plan.groups)]
    pointer = 0
    for city in sorted(people_by_city):
        quota = [plan.per_city] * plan.groups
        for _ in range(plan.extras[city]):
            quota[pointer % plan.groups] += 1
            pointer += 1
        members = people_by_city[city]
        start = 0
        for g, size in enumerate(quota):
            groups[g][city] = members[start : start + size]
            start += size
    return groups


def _improve(
    groups: list[dict[str, list[Participant]]], rules: GroupRules, masks: dict[int, int]
) -> None:
    """Same-city swaps between a group with no common language and its neighbours, kept
    when the two groups' total score rises. Groups that already share a language are only
    touched as swap partners, which bounds the work by the number of problem groups."""
    usable = {p.id: _usable(p) for g in groups for members in g.values() for p in members}

    def evaluate(group: dict[str, list[Participant]]) -> tuple[float, bool]:
        people = [p for members in group.values() for p in members]
        common = frozenset.intersection(*(usable[p.id] for p in people))
        score = _group_score([usable[p.id] for p in people], [masks[p.id] for p in people], rules)
        return score, bool(common)

    state = [evaluate(g) for g in groups]
    count = len(groups)
    for _ in range(SWAP_PASSES):
        improved = False
        for j in range(count):
            if state[j][1]:
                continue
            for step in range(-SWAP_NEIGHBOURS, SWAP_NEIGHBOURS + 1):
                k = j + step
                if step == 0 or not 0 <= k < count:
                    continue
                for city, mine in groups[j].items():
                    theirs = groups[k][city]
                    for x in range(len(mine)):
                        for y in range(len(theirs)):
                            mine[x], theirs[y] = theirs[y], mine[x]
                            new_j, new_k = evaluate(groups[j]), evaluate(groups[k])
                            # A strict gain only, so the pass cannot cycle.
                            if new_j[0] + new_k[0] > state[j][0] + state[k][0] + 1e-9:
                                state[j], state[k] = new_j, new_k
                                improved = True
                            else:
                                mine[x], theirs[y] = theirs[y], mine[x]
        if not improved:
            break


def form_groups(
    participants: Iterable[Participant],
    rules: GroupRules = GroupRules(),  # noqa: B008 - frozen, so one shared default is safe
    fixed: Iterable[tuple[int, ...]] = (),
) -> GroupResult:
    """Mixed groups for an online program; see the module docstring.

    `fixed` holds groups (tuples of ids) the coordinators locked: they are kept as they are
    and their members are left out of the pool. Never raises on infeasible input. Raises
    ValueError for unknown or repeated ids.
    """
    people = sorted(participants, key=lambda p: p.id)
    by_id = {p.id: p for p in people}
    if len(by_id) != len(people):
        raise ValueError("participant ids must be unique")
    locked: set[int] = set()
    fixed_members: list[list[Participant]] = []
    for group in fixed:
        if (
            any(i not in by_id for i in group)
            or locked & set(group)
            or len(set(group)) != len(group)
        ):
            raise ValueError(f"fixed group {group!r} names an unknown or already locked id")
        locked |= set(group)
        fixed_members.append([by_id[i] for i in group])
    pool = [p for p in people if p.id not in locked]

    leftovers: dict[int, list[Reason]] = {}
    groups: list[Group] = []
    slot: int | None = None
    if pool:
        # Every city with participants, locked ones included: a city whose people are all in
        # locked groups leaves the rest `city_missing` rather than in groups without it.
        cities = sorted({p.city for p in people})
        slot, fits = _choose_slot(pool, cities, rules)
        present = [p for p, ok in zip(pool, fits.tolist(), strict=True) if ok]
        for p, ok in zip(pool, fits.tolist(), strict=True):
            if not ok:
                leftovers[p.id] = [
                    Reason(
                        "time_zone", {"utc_offset_minutes": p.utc_offset_minutes, "slot_utc": slot}
                    )
                ]
        groups = _form(present, cities, rules, slot, leftovers)

    groups = [explain_group(m, rules, slot_utc=None, fixed=True) for m in fixed_members] + groups
    return GroupResult(
        groups=tuple(sorted(groups, key=lambda g: g.members)),
        leftovers=tuple(Leftover(id=i, reasons=tuple(leftovers[i])) for i in sorted(leftovers)),
        slot_utc=slot,
    )


def _form(
    present: list[Participant],
    cities: list[str],
    rules: GroupRules,
    slot: int | None,
    leftovers: dict[int, list[Reason]],
) -> list[Group]:
    by_city: dict[str, list[Participant]] = {c: [] for c in cities}
    for p in present:
        by_city[p.city].append(p)
    missing = tuple(c for c in cities if not by_city[c])
    if missing:
        for p in present:
            leftovers[p.id] = [Reason("city_missing", {"cities": missing})]
        return []
    plan = _plan({c: len(m) for c, m in by_city.items()}, rules)
    if plan is None:
        for p in present:
            leftovers[p.id] = [
                Reason("too_few", {"available": len(present), "min_size": rules.min_size})
            ]
        return []

    # Widely spoken languages make a common group language likely, so the people who speak
    # them are kept first when a city has more people than places.
    spoken = Counter(code for p in present for code in _usable(p))

    def reach(p: Participant) -> int:
        return max((spoken[code] for code in _usable(p)), default=0)

    rank = {code: index for index, code in enumerate(sorted(spoken, key=lambda c: (-spoken[c], c)))}

    def profile(p: Participant) -> tuple:
        # Ranks, not codes, so the most widely spoken language sorts first in every city.
        return (tuple(sorted(rank[c] for c in _usable(p))), tuple(sorted(p.interests)), p.id)

    chosen: dict[str, list[Participant]] = {}
    for city, members in by_city.items():
        ranked = sorted(members, key=lambda p: (-reach(p), p.id))
        keep = plan.placed(city)
        chosen[city] = sorted(ranked[:keep], key=profile)
        for p in ranked[keep:]:
            leftovers[p.id] = [
                Reason("city_surplus", {"city": city, "available": len(members), "placed": keep})
            ]

    dealt = _deal(chosen, plan)
    _improve(dealt, rules, _interest_masks(present))
    dealt = _settle_languages(dealt, rules, leftovers)
    return [
        explain_group([p for members in g.values() for p in members], rules, slot_utc=slot)
        for g in dealt
    ]


def _regroup_by_language(
    people: list[Participant],
    cities: list[str],
    usable: dict[int, frozenset[str]],
    rules: GroupRules,
) -> list[dict[str, list[Participant]]]:
    """New groups among the people taken out: for each language, most widely spoken first
    (then by code), the best plan over its speakers still left, cut in id order."""
    left = sorted(people, key=lambda p: p.id)
    groups: list[dict[str, list[Participant]]] = []
    spoken = Counter(code for p in left for code in usable[p.id])
    for code in sorted(spoken, key=lambda c: (-spoken[c], c)):
        by_city: dict[str, list[Participant]] = {c: [] for c in cities}
        for p in left:
            if code in usable[p.id]:
                by_city[p.city].append(p)
        if not all(by_city.values()):
            continue
        plan = _plan({c: len(m) for c, m in by_city.items()}, rules)
        if plan is None:
            continue
        new = _deal({c: m[: plan.placed(c)] for c, m in by_city.items()}, plan)
        groups += new
        taken = {p.id for g in new for members in g.values() for p in members}
        left = [p for p in left if p.id not in taken]
    return groups


def _settle_languages(
    groups: list[dict[str, list[Participant]]],
    rules: GroupRules,
    leftovers: dict[int, list[Reason]],
) -> list[dict[str, list[Participant]]]:
    """Give every group a language all its members speak, keeping it balanced and in range.

    A group without one keeps the speakers of the language that leaves it largest (every
    city at F or F + 1, where F is the fewest speakers a city has; size at least min_size),
    the first such language by code on a tie, or is dissolved when no language does. Each
    person taken out then joins the first group, in order, that has room, takes their city
    without unbalancing (their city is among its smallest) and still shares a language with
    them; the others are `no_common_language` leftovers. Before that, the people taken out
    form new groups among themselves where enough of them share a language. Taking members
    out, planning groups of one language's speakers and adding one
    who shares a group's language never breaks a rule that held before.
    """
    usable = {p.id: _usable(p) for g in groups for members in g.values() for p in members}
    settled: list[dict[str, list[Participant]]] = []
    out: list[Participant] = []
    for group in groups:
        people = [p for members in group.values() for p in members]
        if frozenset.intersection(*(usable[p.id] for p in people)):
            settled.append(group)
            continue
        best_size, best = 0, None
        for code in sorted({c for p in people for c in usable[p.id]}):
            speakers = {
                city: [p for p in members if code in usable[p.id]]
                for city, members in group.items()
            }
            fewest = min(len(s) for s in speakers.values())
            kept = {city: s[: fewest + 1] for city, s in speakers.items()}
            size = sum(len(s) for s in kept.values())
            if fewest and size >= rules.min_size and size > best_size:
                best_size, best = size, kept
        if best is None:
            out += people
            continue
        settled.append(best)
        staying = {p.id for members in best.values() for p in members}
        out += [p for p in people if p.id not in staying]

    settled += _regroup_by_language(out, list(groups[0]) if groups else [], usable, rules)
    placed = {p.id for g in settled for members in g.values() for p in members}
    out = [p for p in out if p.id not in placed]

    common = [
        frozenset.intersection(*(usable[p.id] for members in g.values() for p in members))
        for g in settled
    ]
    sizes = [sum(len(members) for members in g.values()) for g in settled]
    fewest = [min(len(members) for members in g.values()) for g in settled]
    # Groups by the languages all their members speak, so a person is only compared with
    # groups they could share a language with.
    by_language: dict[str, list[int]] = {}
    for j, languages in enumerate(common):
        for code in languages:
            by_language.setdefault(code, []).append(j)
    for person in sorted(out, key=lambda p: p.id):
        home = None
        for code in sorted(usable[person.id]):
            for j in by_language.get(code, ()):
                if home is not None and j >= home:
                    break
                if (
                    sizes[j] < rules.max_size
                    and code in common[j]
                    and len(settled[j][person.city]) == fewest[j]
                ):
                    home = j
                    break
        if home is None:
            leftovers[person.id] = [Reason("no_common_language")]
            continue
        group = settled[home]
        group[person.city].append(person)
        sizes[home] += 1
        common[home] &= usable[person.id]
        fewest[home] = min(len(members) for members in group.values())
    return settled
