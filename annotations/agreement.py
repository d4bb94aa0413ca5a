"""PURE: Krippendorff's alpha, ordinal, over units rated by two or more raters.

The dashboard's agreement figure (selectors.insights). Written out rather than taken from
the `krippendorff` package, whose licence (GPL-3.0-or-later) the project does not ship:
the package is a test-only dependency, and tests/services/test_insights.py compares the two
on fixture ratings and on generated ones.

The computation follows Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability":
a coincidence matrix over the pairable values (a unit with fewer than two values has no
pair and counts for nothing), the ordinal metric from the values' marginal totals, and
alpha = 1 - (n - 1) * sum(o_ck * d_ck) / sum(n_c * n_k * d_ck).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import permutations

# Why alpha has no value, as a stable code (the API's `reason`).
NO_PAIRS = "no_pairs"  # no unit has two values: one rater, or nothing rated twice yet
NO_VARIATION = "no_variation"  # every pairable value is the same: expected disagreement is 0


@dataclass(frozen=True)
class Alpha:
    """Alpha (None when undefined, with `reason`), and the units with two or more values
    behind it (`items`)."""

    value: float | None
    items: int
    reason: str | None = None


def ordinal_alpha(
    units: Iterable[Sequence[int | None]],
    domain: Sequence[int],
    *,
    weights: Sequence[int] | None = None,
) -> Alpha:
    """Krippendorff's alpha, ordinal, for `units` (each the values its raters gave, None
    for a missing one) on the ordered scale `domain`; `weights`, if given, says how many
    units each one stands for (the dashboard counts identical units in SQL). A value
    outside `domain` is an error (ValueError)."""
    rank = {value: index for index, value in enumerate(domain)}
    size = len(domain)
    coincidences = [[0.0] * size for _ in range(size)]
    items = 0
    units = list(units)
    counts = weights if weights is not None else [1] * len(units)
    for unit, count in zip(units, counts, strict=True):
        values = [rank[v] if v in rank else _outside(v) for v in unit if v is not None]
        if len(values) < 2:
            continue
        items += count
        weight = count / (len(values) - 1)
        for c, k in permutations(values, 2):
            coincidences[c][k] += weight
    if not items:
        return Alpha(None, 0, NO_PAIRS)
    totals = [sum(row) for row in coincidences]
    n = sum(totals)
    # The ordinal metric: the squared sum of the marginals from c to k, less half of each
    # end's (Krippendorff 2011, p. 6).
    cumulative = [0.0]
    for total in totals:
        cumulative.append(cumulative[-1] + total)

    def distance(c: int, k: int) -> float:
        low, high = min(c, k), max(c, k)
        return (cumulative[high + 1] - cumulative[low] - (totals[c] + totals[k]) / 2) ** 2

    observed = expected = 0.0
    for c in range(size):
        for k in range(size):
            if c == k:
                continue
            d = distance(c, k)
            observed += coincidences[c][k] * d
            expected += totals[c] * totals[k] * d
    if expected == 0:
        return Alpha(None, items, NO_VARIATION)
    return Alpha(1.0 - (n - 1) * observed / expected, items)


def _outside(value: object) -> int:
    raise ValueError(f"{value!r} is not on the scale")
