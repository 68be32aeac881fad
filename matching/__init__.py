"""The matching engine: buddy pairs for mutual visits, mixed groups for online programs.

Pure Python plus numpy/scipy; it never imports Django, so it can be tested and benchmarked on
its own. The Django side turns model rows into `Participant`s and stores the results.
"""

from matching.groups import GROUP_RULES, explain_group, fits_slot, form_groups, group_violations
from matching.model import (
    Group,
    GroupResult,
    GroupRules,
    Leftover,
    Pair,
    PairResult,
    PairRules,
    Participant,
    Reason,
    Triad,
)
from matching.pairs import (
    CONSTRAINTS,
    PAIR_RULES,
    explain_pair,
    explain_triad,
    match_pairs,
    pair_rule_violations,
    pair_score,
    pair_violations,
    triad_violations,
)

__all__ = [
    "CONSTRAINTS",
    "GROUP_RULES",
    "PAIR_RULES",
    "Group",
    "GroupResult",
    "GroupRules",
    "Leftover",
    "Pair",
    "PairResult",
    "PairRules",
    "Participant",
    "Reason",
    "Triad",
    "explain_group",
    "explain_pair",
    "explain_triad",
    "fits_slot",
    "form_groups",
    "group_violations",
    "match_pairs",
    "pair_rule_violations",
    "pair_score",
    "pair_violations",
    "triad_violations",
]
