"""Who may do what in chat beyond being in a room (`messaging.selectors.room_role`).

Combined from the exchange predicates, so a coordinator acts for their own cities' programs
and participants only:
- the moderation page of a program (its reports, rooms, mutes and log) is for the
  coordinators of the cities taking part, who are members of every room of it; nobody else
  sees the log;
- coordinators of every participating city schedule a program's live sessions and see its
  attendance; only the participant's own city corrects their attendance.
"""

import rules

from exchange.rules import coordinates_applicant_city, coordinates_program

rules.add_perm("messaging.moderate_program", coordinates_program)
rules.add_perm("messaging.schedule_sessions", coordinates_program)
rules.add_perm("messaging.correct_attendance", coordinates_applicant_city)
