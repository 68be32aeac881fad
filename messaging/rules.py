"""Who may do what in chat beyond being in a room (`messaging.selectors.room_role`).

The moderation page of a program (its reports, rooms, mutes and log) is for the coordinators
of the cities taking part, who are members of every room of it; nobody else sees the log.
"""

import rules

from exchange.rules import coordinates_program

rules.add_perm("messaging.moderate_program", coordinates_program)
