"""Resources, bound in one place: the warehouse (with its one-writer lock) and dbt."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb
from dagster_dbt import DbtCliResource

from customer_truth.settings import Settings, load_settings
from customer_truth.warehouse import open_warehouse, warehouse_lock
from dagster_project.transform.project import customer_truth_project, ensure_manifest


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse and the landing zone, located by ``customer_truth.settings``.

    Paths are read from the environment when a step runs, so the same definitions serve the
    sample world, a generated world and production without code changes.
    """

    @property
    def settings(self) -> Settings:
        return load_settings()

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A connection held under the warehouse lock; closed before the next step runs."""
        with open_warehouse(self.settings) as con:
            yield con

    @contextmanager
    def hold_lock(self) -> Iterator[None]:
        """Hold the warehouse lock while another process (dbt) or library opens the file."""
        settings = self.settings
        # dbt's profile reads the warehouse path and memory budget from the environment; the
        # project is parsed again only when they differ from the last parse (another home)
        ensure_manifest(customer_truth_project, settings)
        with warehouse_lock(settings):
            yield


RESOURCES = {
    "warehouse": WarehouseResource(),
    "dbt": DbtCliResource(project_dir=customer_truth_project),
}
