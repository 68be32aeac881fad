"""Who may see and change the outcomes: surveys, learning outcomes, working groups and their
plans, dashboards and reports. The one place these are decided.

Coordinators of a city act for it (build its programs' surveys, edit the plans of its
partnerships, ask for reports). Observers of a city (accounts.ObserverMembership) read its
dashboards, plans and reports, which show figures and never a person. A participant answers
their own surveys and decides what of theirs is printed or quoted.
"""

import rules

from accounts.rules import coordinator_city_ids, is_coordinator, is_observer, outcome_city_ids
from exchange.rules import coordinates_city, coordinates_program, program_city_ids


def partnership_city_ids(partnership) -> frozenset[int]:
    return frozenset({partnership.city_a_id, partnership.city_b_id})


@rules.predicate
def coordinates_partnership(user, partnership) -> bool:
    return partnership is not None and bool(
        coordinator_city_ids(user) & partnership_city_ids(partnership)
    )


@rules.predicate
def follows_partnership(user, partnership) -> bool:
    """A coordinator or an observer of one of the partnership's cities."""
    return partnership is not None and bool(
        outcome_city_ids(user) & partnership_city_ids(partnership)
    )


@rules.predicate
def follows_program(user, program) -> bool:
    return program is not None and bool(outcome_city_ids(user) & program_city_ids(program))


@rules.predicate
def follows_city(user, city) -> bool:
    return city is not None and city.pk in outcome_city_ids(user)


@rules.predicate
def plans_in_group(user, group) -> bool:
    """A member of the working group who coordinates one of the partnership's cities: the
    one who edits its plan (an observer member only follows it)."""
    return (
        group is not None
        and coordinates_partnership(user, group.partnership)
        and group.memberships.filter(user_id=user.pk).exists()
    )


@rules.predicate
def group_partnership_follower(user, group) -> bool:
    return group is not None and follows_partnership(user, group.partnership)


@rules.predicate
def group_partnership_coordinator(user, group) -> bool:
    return group is not None and coordinates_partnership(user, group.partnership)


@rules.predicate
def owns_survey_request(user, request) -> bool:
    return (
        request is not None and user.is_authenticated and request.application.student_id == user.pk
    )


@rules.predicate
def owns_learning_outcome(user, application) -> bool:
    """`application` is the participant's own (their learning outcome is theirs to write)."""
    return application is not None and user.is_authenticated and application.student_id == user.pk


@rules.predicate
def coordinates_participant_city(user, application) -> bool:
    return application is not None and application.city_id in coordinator_city_ids(user)


@rules.predicate
def report_partnership_follower(user, report) -> bool:
    return report is not None and follows_partnership(user, report.partnership)


# Surveys: the program's coordinators (either city) build them, send and resend them, and
# read the results (figures; written answers without names).
rules.add_perm("outcomes.change_survey", coordinates_program)
rules.add_perm("outcomes.view_survey_results", coordinates_program)
rules.add_perm("outcomes.answer_survey", owns_survey_request)
# Learning outcomes: the participant writes theirs and decides whether it is printed; a
# coordinator of the participant's own city confirms it.
rules.add_perm("outcomes.change_learning_outcome", owns_learning_outcome)
rules.add_perm("outcomes.confirm_learning_outcome", coordinates_participant_city)
# Figures: coordinators and observers of the cities concerned.
rules.add_perm("outcomes.view_outcomes", is_coordinator | is_observer)
rules.add_perm("outcomes.view_program_dashboard", follows_program)
rules.add_perm("outcomes.view_partnership", follows_partnership)
rules.add_perm("outcomes.view_city_network", follows_city)
# Working groups: the partnership's coordinators set them up and name their members; the
# coordinator members edit the plan; every follower of the partnership reads it.
rules.add_perm("outcomes.change_working_groups", coordinates_partnership)
rules.add_perm("outcomes.change_plan", plans_in_group)
rules.add_perm("outcomes.view_plan", group_partnership_follower)
# Annual reports: the partnership's coordinators ask for one; its followers read it.
rules.add_perm("outcomes.request_report", coordinates_partnership)
rules.add_perm("outcomes.view_report", report_partnership_follower)
# Observers of a city are named by its coordinators.
rules.add_perm("outcomes.manage_observers", coordinates_city)
