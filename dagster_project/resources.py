"""Resources, bound in one place: the warehouse (with the run lock and its one-writer lock) and
dbt."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import dagster as dg
import duckdb
from dagster_dbt import DbtCliInvocation, DbtCliResource
from dbt.adapters.base import BaseAdapter
from dbt.version import __version__ as dbt_core_version
from packaging import version

from customer_truth.run_lock import run_lock
from customer_truth.settings import Settings, load_settings
from customer_truth.warehouse import open_warehouse, warehouse_lock
from dagster_project.transform.project import customer_truth_project, ensure_manifest


class WarehouseResource(dg.ConfigurableResource):
    """The DuckDB warehouse and the landing zone, located by ``customer_truth.settings``.

    Paths are read from the environment when a step runs, so the same definitions serve the
    sample world, a generated world and production without code changes.

    It also holds the home's run lock (``customer_truth.run_lock``) for the whole run: every step
    of the main job requires this resource, and the in-process executor initialises resources
    once, before the first step, and tears them down after the last. So a run launched by the
    sensor, the schedule or the UI (its run worker executes the job in process) holds the lock
    from start to end exactly as ``customer-truth run`` does, and waits for one that holds it.
    """

    @contextmanager
    def yield_for_execution(
        self, context: dg.InitResourceContext
    ) -> Generator[WarehouseResource, None, None]:
        run_id = context.dagster_run.run_id if context.dagster_run else "outside a run"
        say = context.log.info if context.log is not None else print
        with run_lock(self.settings, run_id, on_wait=say):
            yield self

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


# what a dbt step's own log file keeps (its console events go to Dagster)
DBT_LOG_LEVEL_FILE = "warn"


class DbtCoreCliResource(DbtCliResource):
    """dagster-dbt's ``dbt`` CLI resource without two start-up costs it pays at every step, and
    without dbt's debug log file.

    Before each ``dbt build`` it runs ``dbt --version`` in a subprocess (about 3 s: dbt's
    imports) and opens dbt's adapter in this process, loading the project's macros (1-2 s), for
    ``fetch_row_counts``/``fetch_column_metadata``, which no step here calls. The dbt it runs is
    the dbt-core installed with this project, so its version is read from the package; without
    an adapter dagster-dbt streams the build's events as before.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(dbt_core_version)

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> BaseAdapter:
        return None  # type: ignore[return-value]  # dagster-dbt takes None: no adapter

    def cli(self, args: Sequence[str], **kwargs: Any) -> DbtCliInvocation:
        """``dbt <args>``, its log file at warnings and errors. The step's target folder, where
        the file goes, is deleted when the step succeeds and kept for a failed step's post-mortem;
        dbt's default, every event at debug level with each statement's SQL, cost 1.5 s of a
        20 s step (measured) for a file that is deleted. Its console events reach Dagster as
        before."""
        if not any(arg.startswith("--log-level-file") for arg in args):
            args = [*args, "--log-level-file", DBT_LOG_LEVEL_FILE]
        return super().cli(args, **kwargs)


RESOURCES = {
    "warehouse": WarehouseResource(),
    # dagster-dbt's __init__ takes a DbtProject; the pydantic plugin types a subclass by its fields
    "dbt": DbtCoreCliResource(project_dir=customer_truth_project),  # type: ignore[arg-type]
}
