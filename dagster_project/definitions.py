"""The Dagster entry point: it only assembles what lives next to what it defines."""

from __future__ import annotations

import dagster as dg

from dagster_project.identity.assets import IDENTITY_ASSETS
from dagster_project.identity.jobs import identity_model_training_job
from dagster_project.ingest.assets import INGEST_ASSETS
from dagster_project.ingest.sensors import new_landing_batches_sensor
from dagster_project.orchestration.jobs import customer_truth_job
from dagster_project.orchestration.schedules import daily_customer_truth_schedule
from dagster_project.publication.assets import build_publication_asset
from dagster_project.quality.checks import build_gate_checks, gate_suites
from dagster_project.resources import RESOURCES
from dagster_project.transform.assets import customer_truth_dbt_models

_assets = [*INGEST_ASSETS, customer_truth_dbt_models, *IDENTITY_ASSETS]
_asset_keys = {key for asset in _assets for key in asset.keys}
# the gate: one blocking check per suite whose model exists; publication waits for all of them
_gated = [dg.AssetKey(list(s.asset_key)) for s in gate_suites(_asset_keys)]

defs = dg.Definitions(
    assets=[*_assets, build_publication_asset(_asset_keys, _gated)],
    asset_checks=build_gate_checks(_asset_keys),
    jobs=[customer_truth_job, identity_model_training_job],
    schedules=[daily_customer_truth_schedule],
    sensors=[new_landing_batches_sensor],
    resources=RESOURCES,
)
