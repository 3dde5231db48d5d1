"""The daily run of the main job, when there is something to do."""

from __future__ import annotations

import dagster as dg

from customer_truth.pending import pending_work
from customer_truth.settings import load_settings
from dagster_project.orchestration.jobs import customer_truth_job


@dg.schedule(
    name="daily_customer_truth",
    job=customer_truth_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs the whole pipeline daily at 02:00 UTC when a batch landed that no "
    "publication attempt has seen, or the code changed since the last one; otherwise the tick "
    "is skipped and says why.",
)
def daily_customer_truth_schedule(
    context: dg.ScheduleEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    pending = pending_work(load_settings())
    if not pending.anything:
        return dg.SkipReason(pending.reason())
    return dg.RunRequest(tags={"customer_truth/reason": pending.reason()[:200]})
