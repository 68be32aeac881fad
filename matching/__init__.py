"""The matching engine: buddy pairs for mutual visits, mixed groups for online programs.

Pure Python plus numpy/scipy; it never imports Django, so it can be tested and benchmarked on
its own. The Django side turns model rows into `Participant`s and stores the results.
"""

from matching.groups import explain_group, form_groups
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
    explain_pair,
    explain_triad,
    match_pairs,
    pair_score,
    pair_violations,
    triad_violations,
)

__all__ = [
    "CONSTRAINTS",
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
    "form_groups",
    "match_pairs",
    "pair_score",
    "pair_violations",
    "triad_violations",
]
