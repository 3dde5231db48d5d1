"""The daily run of the main job."""

from __future__ import annotations

import dagster as dg

from dagster_project.orchestration.jobs import customer_truth_job

daily_customer_truth_schedule = dg.ScheduleDefinition(
    name="daily_customer_truth",
    job=customer_truth_job,
    cron_schedule="0 2 * * *",
    execution_timezone="UTC",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Runs the whole pipeline daily at 02:00 UTC, whether or not the sensor fired.",
)
