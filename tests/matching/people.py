"""Participants for the matching tests: one readable builder and hypothesis strategies."""

from __future__ import annotations

from hypothesis import strategies as st

from matching import Participant


def person(id: int, city: str = "A", **overrides) -> Participant:
    """A 16-year-old girl who speaks Korean and English well, can host, no pets, no needs."""
    fields = {
        "age": 16,
        "gender": "f",
        "languages": {"ko": 4, "en": 3},
        "learning": frozenset(),
        "interests": frozenset(),
        "can_host": True,
        "household_pets": False,
        "pet_allergy": False,
        "dietary_needs": frozenset(),
        "diets_offered": frozenset(),
        "guest_beds": 2,
    }
    fields.update(overrides)
    return Participant(id=id, city=city, **fields)


LANGUAGES = ("en", "ko", "zh")
INTERESTS = ("music", "ceramics", "football", "coding")
DIETS = ("vegetarian", "halal")


def _subset(values: tuple[str, ...]) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from(values))


@st.composite
def participants(draw, *, id: int, city: str, offset: int | None = None) -> Participant:
    return Participant(
        id=id,
        city=city,
        age=draw(st.integers(14, 18)),
        gender=draw(st.sampled_from(("f", "m", "f", "m", ""))),
        languages=draw(st.dictionaries(st.sampled_from(LANGUAGES), st.integers(1, 4), max_size=3)),
        learning=draw(_subset(LANGUAGES)),
        interests=draw(_subset(INTERESTS)),
        can_host=draw(st.sampled_from((True, True, True, False))),
        household_pets=draw(st.booleans()),
        pet_allergy=draw(st.sampled_from((False, False, False, True))),
        dietary_needs=draw(st.sampled_from((frozenset(), frozenset(), frozenset({"vegetarian"})))),
        diets_offered=draw(_subset(DIETS)),
        utc_offset_minutes=draw(st.sampled_from((0, 60, 540))) if offset is None else offset,
        guest_beds=draw(st.sampled_from((1, 2, 2))),
    )


@st.composite
def side(draw, *, city: str, first_id: int, max_size: int) -> list[Participant]:
    size = draw(st.integers(0, max_size))
    return [draw(participants(id=first_id + i, city=city)) for i in range(size)]


@st.composite
def cities(draw) -> list:
    """2 to 4 cities; most people share their city's offset, a few live elsewhere."""
    people = []
    city_count = draw(st.integers(2, 4))
    for c in range(city_count):
        city = "ABCD"[c]
        offset = draw(st.sampled_from((0, 60, 480, 540)))
        for i in range(draw(st.integers(0, 14))):
            odd_one = draw(st.sampled_from((False, False, False, False, True)))
            people.append(
                draw(participants(id=100 * c + i, city=city, offset=None if odd_one else offset))
            )
    return people
