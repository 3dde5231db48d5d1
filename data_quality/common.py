"""Expectation pieces several suites share: formats and the row-count bounds of a release."""

from __future__ import annotations

import great_expectations.expectations as gxe

from customer_truth.quality.gate import GateContext

# E.164: "+", a country code that does not start with 0, at most 15 digits in all
E164 = r"^\+[1-9][0-9]{6,14}$"
# normalised email: one "@", no whitespace, a dot in the domain, lower case (we normalise)
EMAIL = r"^[^@\sA-Z]+@[^@\sA-Z]+\.[^@\sA-Z]+$"

# A release may shrink by at most 10% (customers are only removed by erasure, a few at a time;
# more means a source went missing or identity over-merged) and grow to at most 3x + 1,000 rows
# (a new system or a backfill; more is a duplicated delivery or a fan-out join).
SHRINK_AT_MOST = 0.10
GROW_AT_MOST = 3.0
GROW_SLACK = 1_000


def row_count_bounds(gate: GateContext, published_table: str) -> list[gxe.Expectation]:
    """Rows within bounds of the current release of ``published_table`` (none before the first)."""
    previous = gate.previous_row_counts.get(published_table)
    if previous is None:
        return [gxe.ExpectTableRowCountToBeBetween(min_value=1)]
    return [
        gxe.ExpectTableRowCountToBeBetween(
            min_value=int(previous * (1 - SHRINK_AT_MOST)),
            max_value=int(previous * GROW_AT_MOST) + GROW_SLACK,
        )
    ]
