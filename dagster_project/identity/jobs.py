"""Retraining the versioned Splink model from the current warehouse.

The model JSON lives in the repo (``customer_truth/identity/models/``) so every run is
reproducible; this job rewrites it from the warehouse's records, and the change is reviewed and
committed like code.
"""

import dagster as dg

from customer_truth.identity.training import retrain
from dagster_project.resources import WarehouseResource


@dg.op(tags={"warehouse": "read"})
def retrain_identity_model(context: dg.OpExecutionContext, warehouse: WarehouseResource) -> str:
    settings = warehouse.settings
    with warehouse.hold_lock():
        path = retrain(settings.warehouse)
    context.log.info(f"wrote the retrained model to {path}: review and commit it")
    return str(path)


@dg.job(
    description="Retrain the identity model (Splink) on the current warehouse and write its "
    "versioned JSON into the repo.",
    executor_def=dg.in_process_executor,
)
def identity_model_training_job() -> None:
    retrain_identity_model()
