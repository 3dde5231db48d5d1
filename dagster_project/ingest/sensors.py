"""Start a run when new complete batches land (a new ``_SUCCESS`` anywhere in the landing zone)."""

import dagster as dg

from customer_truth.landing import landing_fingerprint
from customer_truth.pending import pending_work
from customer_truth.settings import load_settings
from dagster_project.orchestration.jobs import customer_truth_job


@dg.sensor(
    job=customer_truth_job,
    minimum_interval_seconds=60,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Requests a run of the main job when a complete landing batch appears that no "
    "publication attempt has seen yet. It reads only the landing folder and the publication "
    "log, never the warehouse file (which a running job may hold).",
)
def new_landing_batches_sensor(
    context: dg.SensorEvaluationContext,
) -> dg.SensorResult | dg.SkipReason:
    settings = load_settings()
    fingerprint = landing_fingerprint(settings.landing)
    if not fingerprint:
        return dg.SkipReason(f"no complete batch in {settings.landing}")
    if fingerprint == context.cursor:
        return dg.SkipReason("no new complete batches")
    # the cursor starts empty (a new UI, a reset sensor): batches the last release or block
    # already covers are not news, so the cursor moves to them without a run
    pending = pending_work(settings)
    if not pending.new_batches:
        return dg.SensorResult(skip_reason=pending.reason(), cursor=fingerprint)
    # the run key makes the request idempotent; ingestion skips batches loaded before anyway
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=f"landing-{fingerprint}")],
        cursor=fingerprint,
    )
