"""The under-5 rule: no figure about a group of fewer than MIN_GROUP people is shown, on any
chart, table, export or report, so no minor can be singled out. The one place that decides.

A count of 1 to 4 is hidden ("fewer than 5"); a count of 0 singles nobody out and is shown.
A rate or a mean over fewer than MIN_GROUP people is hidden. In a breakdown whose total is
shown, a single hidden cell could be worked out from the others, so the next smallest is
hidden with it (secondary suppression).
"""

from collections.abc import Hashable, Mapping
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

MIN_GROUP = 5
HIDDEN_LABEL = _("fewer than 5")


def count(n: int) -> int | None:
    """`n` people, or None when 1 to 4 of them (shown as HIDDEN_LABEL)."""
    return None if 0 < n < MIN_GROUP else n


def rate(part: int, whole: int) -> float | None:
    """part/whole as a share (0–1), or None when `whole` counts fewer than MIN_GROUP people."""
    if whole < MIN_GROUP:
        return None
    return part / whole


def mean(value: float | int | Decimal | None, people: int) -> float | None:
    """A mean (already computed) of the answers of `people` people, or None when fewer than
    MIN_GROUP of them answered."""
    if value is None or people < MIN_GROUP:
        return None
    return float(value)


def breakdown(counts: Mapping[Hashable, int]) -> dict[Hashable, int | None]:
    """Each cell's count, hidden by the rule, with secondary suppression: when exactly one
    non-zero cell is hidden, the smallest other non-zero cell is hidden too, so the hidden one
    can't be worked out from the total."""
    shown = {key: count(n) for key, n in counts.items()}
    hidden = [key for key, value in shown.items() if value is None]
    if len(hidden) == 1:
        others = sorted((n, str(key), key) for key, n in counts.items() if n and shown[key])
        if others:
            shown[others[0][2]] = None
    return shown
