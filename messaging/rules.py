"""Who may do what with chat: live sessions and their attendance. Combined from the exchange
predicates, so a coordinator acts for their own cities' programs and participants only."""

import rules

from exchange.rules import coordinates_applicant_city, coordinates_program

# Coordinators of every participating city schedule a program's sessions and see its
# attendance; only the participant's own city corrects their attendance.
rules.add_perm("messaging.schedule_sessions", coordinates_program)
rules.add_perm("messaging.correct_attendance", coordinates_applicant_city)
