"""Plain data for the matching engine: what goes in (participants, rules) and what comes out.

Everything is a frozen dataclass of plain types so the Django side can build inputs from
querysets and store or translate the results without this package knowing about Django.
Results refer to participants by id only, which keeps them small, hashable and comparable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: Language levels, as stored on SpokenLanguage.
BEGINNER, INTERMEDIATE, ADVANCED, NATIVE = 1, 2, 3, 4


@dataclass(frozen=True)
class Participant:
    id: int
    city: str
    age: int
    gender: str  # "" when not given
    languages: Mapping[str, int]  # language code -> level (1 beginner .. 4 native)
    learning: frozenset[str]  # languages they want to practise
    interests: frozenset[str]
    can_host: bool
    household_pets: bool
    pet_allergy: bool
    dietary_needs: frozenset[str]  # what a host household must be able to cater for
    diets_offered: frozenset[str]  # what this household can cater for
    utc_offset_minutes: int = 0
    # Beds for a guest in the household: a triad's host takes a second visitor only with 2+.
    guest_beds: int = 1
    # Why the household can't host when `can_host` is False, as the portal words it (a code
    # such as "missing" or "submitted"; empty: no reason given), and a date (ISO) that goes
    # with it (when an approval ran out). The engine only passes these on in its reasons.
    hosting: str = ""
    hosting_until: str = ""

    def __hash__(self) -> int:
        # `languages` is a plain dict, which would make the generated hash fail; equal
        # participants have equal ids, so the id is a sound hash.
        return hash(self.id)


@dataclass(frozen=True)
class PairRules:
    same_gender: bool = True
    max_age_gap: int = 2
    min_shared_level: int = INTERMEDIATE
    allow_two_visitors: bool = False
    weight_interests: float = 1.0
    weight_language_practice: float = 1.0
    weight_age: float = 1.0


@dataclass(frozen=True)
class GroupRules:
    min_size: int = 4
    max_size: int = 8
    # Local minutes after midnight between which a live session may take place.
    window_start: int = 16 * 60
    window_end: int = 21 * 60
    session_minutes: int = 60
    # The session start (minutes after 00:00 UTC) when the sessions are already scheduled;
    # None lets the engine choose the slot that suits the most people.
    fixed_slot: int | None = None
    weight_languages: float = 1.0
    weight_interests: float = 1.0


@dataclass(frozen=True)
class Reason:
    """A machine-readable reason; the Django side turns `code` + `detail` into a sentence.

    `detail` holds only str, int, float, bool and tuples of those, so two reasons compare
    equal exactly when they say the same thing.
    """

    code: str
    detail: Mapping[str, Any] = field(default_factory=dict)

    def __hash__(self) -> int:
        return hash((self.code, tuple(sorted(self.detail.items()))))


@dataclass(frozen=True)
class Pair:
    a: int  # id from side_a
    b: int  # id from side_b
    score: float
    reasons: tuple[Reason, ...]
    fixed: bool = False


@dataclass(frozen=True)
class Triad:
    """One host with two visitors; the host returns the visit with `visitor` only."""

    host: int
    visitor: int
    second_visitor: int
    score: float
    reasons: tuple[Reason, ...]
    fixed: bool = False


@dataclass(frozen=True)
class Leftover:
    id: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class PairResult:
    pairs: tuple[Pair, ...]
    triads: tuple[Triad, ...]
    leftovers: tuple[Leftover, ...]


@dataclass(frozen=True)
class Group:
    members: tuple[int, ...]  # sorted ids
    score: float
    reasons: tuple[Reason, ...]
    fixed: bool = False


@dataclass(frozen=True)
class GroupResult:
    groups: tuple[Group, ...]
    leftovers: tuple[Leftover, ...]
    slot_utc: int | None  # session start, minutes after 00:00 UTC; None if nobody could meet
