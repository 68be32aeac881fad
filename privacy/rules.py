"""Who may do what with a person's data rights.

Every signed-in, active person may download their own data and ask for its deletion (a
guardian does it for a child under 14 through a signed link: accounts.rules.
guardian_represents). A deletion is decided by a coordinator of the student's city, never
by another city's, and never on their own request.
"""

import rules

from accounts.rules import coordinator_city_ids, is_active_person, is_coordinator


@rules.predicate
def coordinates_request_city(user, deletion_request) -> bool:
    return (
        deletion_request is not None
        and deletion_request.student_id != user.pk
        and deletion_request.city_id in coordinator_city_ids(user)
    )


rules.add_perm("privacy.use_data_rights", is_active_person)
rules.add_perm("privacy.view_deletion_queue", is_coordinator)
rules.add_perm("privacy.decide_deletion", is_active_person & coordinates_request_city)
