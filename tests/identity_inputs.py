"""A generated world's identity inputs, built by dbt into a warehouse of the test's own."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from customer_truth.contracts import SYSTEMS
from customer_truth.generate import generate_world
from customer_truth.ingest import load_new_batches
from customer_truth.settings import DBT_PROJECT_DIR
from customer_truth.warehouse import connect


def build_identity_inputs(root: Path, persons: int, seed: int) -> Path:
    """Generate a world in ``root/world``, load every system, and build the identity models
    (``intermediate/identity`` and what they read) in ``root/warehouse.duckdb``."""
    generate_world(persons, seed, root / "world")
    warehouse = root / "warehouse.duckdb"
    con = connect(warehouse)
    try:
        for system in SYSTEMS:
            load_new_batches(con, root / "world" / "landing", system)
    finally:
        con.close()
    command = [
        str(Path(sys.executable).parent / "dbt"), "build", "--quiet",
        "--select", "+path:models/intermediate/identity", "path:seeds/identity",
        "--exclude", "resource_type:test", "resource_type:unit_test",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(root / "target"), "--log-path", str(root / "logs"),
    ]  # fmt: skip
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(root), "DO_NOT_TRACK": "1"}
    completed = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout[-3000:]
    return warehouse
