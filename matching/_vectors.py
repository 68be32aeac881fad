"""Participants as numpy arrays, so constraints and scores are computed for all pairs at once.

Sets of strings (languages, interests, diets) become bitmasks over a sorted vocabulary: one
uint64 word per 64 distinct values, so any vocabulary size works. Intersections are `&`,
sizes are `np.bitwise_count`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from matching.model import ADVANCED, Participant

# How many decimals a score keeps; the optimiser works on the rounded scores, so the total it
# maximises is exactly the sum of the scores it reports.
SCORE_DECIMALS = 3


def round_scores(values: np.ndarray | float) -> np.ndarray:
    return np.round(values, SCORE_DECIMALS)


def vocabulary(groups: Iterable[Iterable[str]]) -> dict[str, int]:
    return {word: index for index, word in enumerate(sorted({w for g in groups for w in g}))}


def bitmasks(sets: Sequence[Iterable[str]], vocab: dict[str, int]) -> np.ndarray:
    words = max(1, (len(vocab) + 63) // 64)
    masks = np.zeros((len(sets), words), dtype=np.uint64)
    for row, values in enumerate(sets):
        for value in values:
            index = vocab[value]
            masks[row, index // 64] |= np.uint64(1) << np.uint64(index % 64)
    return masks


def overlap_count(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """|row_i & col_j| for every i, j."""
    total = np.zeros((rows.shape[0], cols.shape[0]), dtype=np.int32)
    for word in range(rows.shape[1]):
        total += np.bitwise_count(rows[:, word][:, None] & cols[:, word][None, :])
    return total


def union_count(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    total = np.zeros((rows.shape[0], cols.shape[0]), dtype=np.int32)
    for word in range(rows.shape[1]):
        total += np.bitwise_count(rows[:, word][:, None] | cols[:, word][None, :])
    return total


def intersects(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return overlap_count(rows, cols) > 0


def subset_of(rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """row_i is a subset of col_j, for every i, j."""
    result = np.ones((rows.shape[0], cols.shape[0]), dtype=bool)
    for word in range(rows.shape[1]):
        result &= (rows[:, word][:, None] & ~cols[:, word][None, :]) == 0
    return result


@dataclass(frozen=True)
class Vocabularies:
    languages: dict[str, int]
    interests: dict[str, int]
    diets: dict[str, int]
    genders: dict[str, int]

    @classmethod
    def of(cls, people: Iterable[Participant]) -> Vocabularies:
        people = list(people)
        return cls(
            languages=vocabulary(
                [p.languages.keys() for p in people] + [p.learning for p in people]
            ),
            interests=vocabulary(p.interests for p in people),
            diets=vocabulary([p.dietary_needs for p in people] + [p.diets_offered for p in people]),
            genders=vocabulary([p.gender] for p in people if p.gender),
        )


@dataclass(frozen=True)
class Side:
    """One side's participants, column by column."""

    people: tuple[Participant, ...]
    ids: np.ndarray
    gender: np.ndarray  # index into the gender vocabulary, -1 when not given
    age: np.ndarray
    can_host: np.ndarray
    beds: np.ndarray
    pets: np.ndarray
    allergy: np.ndarray
    needs: np.ndarray
    offers: np.ndarray
    usable: np.ndarray  # languages at level >= the rules' min_shared_level
    strong: np.ndarray  # languages at level >= ADVANCED, worth practising with
    learning: np.ndarray
    interests: np.ndarray

    @classmethod
    def of(cls, people: Sequence[Participant], vocab: Vocabularies, *, min_level: int) -> Side:
        def levels_at_least(level: int) -> list[list[str]]:
            return [[code for code, lv in p.languages.items() if lv >= level] for p in people]

        return cls(
            people=tuple(people),
            ids=np.array([p.id for p in people], dtype=np.int64),
            gender=np.array([vocab.genders.get(p.gender, -1) for p in people], dtype=np.int32),
            age=np.array([p.age for p in people], dtype=np.int32),
            can_host=np.array([p.can_host for p in people], dtype=bool),
            beds=np.array([p.guest_beds for p in people], dtype=np.int32),
            pets=np.array([p.household_pets for p in people], dtype=bool),
            allergy=np.array([p.pet_allergy for p in people], dtype=bool),
            needs=bitmasks([p.dietary_needs for p in people], vocab.diets),
            offers=bitmasks([p.diets_offered for p in people], vocab.diets),
            usable=bitmasks(levels_at_least(min_level), vocab.languages),
            strong=bitmasks(levels_at_least(ADVANCED), vocab.languages),
            learning=bitmasks([p.learning for p in people], vocab.languages),
            interests=bitmasks([p.interests for p in people], vocab.interests),
        )

    def __len__(self) -> int:
        return len(self.people)
