"""``customer-truth evaluate``: score the warehouse's resolved customers against a world's truth."""

from __future__ import annotations

from pathlib import Path

from customer_truth.evaluation.crosswalk import evaluate_crosswalk, format_report
from customer_truth.evaluation.golden import evaluate_golden, format_golden_report
from customer_truth.settings import Settings
from customer_truth.warehouse import open_warehouse

CROSSWALK_SQL = (
    "select source_system, source_entity, source_record_id, customer_id "
    "from marts.bdg_identity_crosswalk"
)


def evaluate_warehouse(settings: Settings, truth_dir: Path) -> str:
    """The crosswalk's pairwise quality and the golden records' accuracy, as terminal lines."""
    with open_warehouse(settings) as con:
        crosswalk = con.sql(CROSSWALK_SQL).pl()
        golden = evaluate_golden(con, truth_dir)
    return "\n".join(
        [
            "identity crosswalk vs truth",
            format_report(evaluate_crosswalk(crosswalk, truth_dir)),
            "",
            "golden records vs truth",
            format_golden_report(golden),
        ]
    )
