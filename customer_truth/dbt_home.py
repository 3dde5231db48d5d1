"""dbt-duckdb plugin: dbt opens the home's warehouse and spills into the home's folder, both
derived by ``customer_truth.settings`` from ``CUSTOMER_TRUTH_HOME``, the one rule every Python
step follows.

The profile (``dbt_project/profiles.yml``) names a fixed placeholder path, and this plugin sets
the real one when dbt opens its connection. dbt keys partial parsing on the profile's connection
values, so a path that held the home made every new home (a test's copy, a benchmark's fresh
home) parse the whole project again, 8-10 s each; with the placeholder, one parse serves every
home of a checkout. A relative ``CUSTOMER_TRUTH_HOME`` is read from the checkout's root, where
``customer-truth`` runs (dbt itself runs from ``dbt_project/``).
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

from dbt.adapters.duckdb.credentials import DuckDBCredentials
from dbt.adapters.duckdb.plugins import BasePlugin

from customer_truth.settings import REPO_ROOT, Settings, load_settings

# what the profile names: a file name, so dbt derives the catalog name `warehouse` from it
PLACEHOLDER = "warehouse.duckdb"


def home_settings() -> Settings:
    """The settings of the home dbt works in (``CUSTOMER_TRUTH_HOME``, relative to the checkout)."""
    settings = load_settings()
    home = os.environ.get("CUSTOMER_TRUTH_HOME")
    if home and not os.path.isabs(home):
        settings = replace(settings, home=(REPO_ROOT / home).resolve())
    return settings


class Plugin(BasePlugin):
    """dbt-duckdb calls ``update_connection_config`` before it opens the database."""

    def update_connection_config(self, creds: DuckDBCredentials, config: dict[str, Any]) -> None:
        settings = home_settings()
        # dbt opens a connection per thread with the same credentials: set once, then kept
        if creds.path not in (PLACEHOLDER, str(settings.warehouse)):
            raise ValueError(
                f"dbt_project/profiles.yml names {creds.path!r}; the warehouse path comes from "
                f"CUSTOMER_TRUTH_HOME (customer_truth/dbt_home.py), keep the profile's "
                f"{PLACEHOLDER!r}"
            )
        settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
        settings.duckdb_temp.mkdir(parents=True, exist_ok=True)
        creds.path = str(settings.warehouse)
        config["temp_directory"] = str(settings.duckdb_temp)
