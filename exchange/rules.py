"""Who may do what with cities and programs. Views declare these; selectors scope by them."""

import rules

from accounts.rules import coordinator_city_ids, is_coordinator
from exchange.models import Program


def program_city_ids(program: Program) -> frozenset[int]:
    cached = getattr(program, "_city_ids", None)
    if cached is None:
        cached = frozenset(pc.city_id for pc in program.program_cities.all())
        program._city_ids = cached
    return cached


@rules.predicate
def coordinates_program(user, program: Program | None) -> bool:
    if program is None:
        return False
    return bool(coordinator_city_ids(user) & program_city_ids(program))


@rules.predicate
def program_is_public(user, program: Program | None) -> bool:
    return program is not None and program.status != Program.Status.DRAFT


rules.add_perm("exchange.add_program", is_coordinator)
rules.add_perm("exchange.change_program", coordinates_program)
rules.add_perm("exchange.view_program", program_is_public | coordinates_program)
