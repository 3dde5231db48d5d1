"""``customer-truth evaluate``: score the warehouse's resolved customers against a world's truth."""

from __future__ import annotations

from pathlib import Path

from customer_truth.evaluation.crosswalk import ATTRIBUTES_SQL, evaluate_crosswalk, format_report
from customer_truth.evaluation.erasure import evaluate_erasures, format_erasure_report
from customer_truth.evaluation.golden import evaluate_golden, format_golden_report
from customer_truth.evaluation.journeys import (
    evaluate_journeys,
    format_journeys_report,
    load_pipeline_tables,
)
from customer_truth.settings import Settings
from customer_truth.warehouse import open_warehouse

CROSSWALK_SQL = (
    "select source_system, source_entity, source_record_id, customer_id "
    "from marts.bdg_identity_crosswalk"
)


def evaluate_warehouse(settings: Settings, truth_dir: Path) -> str:
    """The crosswalk's pairwise quality, the golden records' accuracy, the timeline's attribution
    (contact center apart), the proactive signals and what of the erased persons the current
    release still shows, as terminal lines."""
    with open_warehouse(settings) as con:
        crosswalk = con.sql(CROSSWALK_SQL).pl()
        attributes = con.sql(ATTRIBUTES_SQL).pl()
        golden = evaluate_golden(con, truth_dir)
        journey_tables = load_pipeline_tables(con)
    return "\n".join(
        [
            "identity crosswalk vs truth",
            format_report(evaluate_crosswalk(crosswalk, truth_dir, attributes)),
            "",
            "golden records vs truth",
            format_golden_report(golden),
            "",
            "timeline attribution and proactive signals vs truth",
            format_journeys_report(evaluate_journeys(journey_tables, truth_dir)),
            "",
            "erased persons vs the current published release",
            format_erasure_report(evaluate_erasures(settings, truth_dir)),
        ]
    )
