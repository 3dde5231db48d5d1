"""Build the two doc sites of a home, both readable offline.

- dbt docs: ``dbt docs generate --static`` for this project against the home's warehouse (the
  profile derives its path from ``CUSTOMER_TRUTH_HOME``, as for the job's dbt steps), under the
  warehouse lock so that it never reads the file while a step writes it. ``--static`` gives one
  self-contained page (manifest and catalog inline, dbt's JS and CSS inline since dbt-core ships
  them so): it is copied to ``$CUSTOMER_TRUTH_HOME/docs/dbt/index.html``; dbt's target folder and
  logs stay in ``docs/dbt_target/``, never in the checkout.
- Great Expectations Data Docs: rebuilt from the home's stored suites and validation results,
  in place (``quality/gx/uncommitted/data_docs/local_site/``), then pointed at local copies of
  their assets (``customer_truth/quality/data_docs.py``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from customer_truth.settings import DBT_PROJECT_DIR, Settings
from customer_truth.warehouse import warehouse_lock


class DocsError(RuntimeError):
    """The docs cannot be built (no warehouse yet, or dbt failed)."""


@dataclass(frozen=True)
class DocSites:
    dbt: Path  # folder holding the dbt docs' index.html
    data_docs: Path  # folder holding the GX Data Docs' index.html


def docs_dir(settings: Settings) -> Path:
    return settings.home / "docs"


def dbt_site(settings: Settings) -> Path:
    return docs_dir(settings) / "dbt"


def dbt_target(settings: Settings) -> Path:
    return docs_dir(settings) / "dbt_target"


def data_docs_site(settings: Settings) -> Path:
    from customer_truth.quality.gate import data_docs_index

    return data_docs_index(settings).parent


def build_dbt_docs(settings: Settings) -> Path:
    """``dbt docs generate`` against the home's warehouse; returns the site's folder."""
    if not settings.warehouse.exists():
        raise DocsError(
            f"no warehouse at {settings.warehouse}: run `customer-truth run` first (the docs "
            "describe a built home)"
        )
    target = dbt_target(settings)
    beside = Path(sys.executable).parent / "dbt"  # installed beside this interpreter
    command = [
        str(beside) if beside.exists() else "dbt", "docs", "generate", "--static",
        "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(target), "--log-path", str(target / "logs"),
    ]  # fmt: skip
    environment = {**os.environ, **settings.dbt_environment(), "DO_NOT_TRACK": "1"}
    with warehouse_lock(settings):
        completed = subprocess.run(command, env=environment, capture_output=True, text=True)
    if completed.returncode != 0:
        raise DocsError(f"dbt docs generate failed:\n{completed.stdout[-4000:]}")
    site = dbt_site(settings)
    site.mkdir(parents=True, exist_ok=True)
    temporary = site / ".index.html.tmp"
    shutil.copyfile(target / "static_index.html", temporary)
    temporary.replace(site / "index.html")
    return site


def build_data_docs(settings: Settings) -> Path:
    """The GX Data Docs rebuilt from the stored results, with local assets; the site's folder."""
    from customer_truth.quality.data_docs import make_offline
    from customer_truth.quality.gate import gx_context

    gx_context(settings).build_data_docs()
    site = data_docs_site(settings)
    make_offline(site)
    return site


def build_docs(settings: Settings) -> DocSites:
    print("dbt docs: dbt docs generate against the home's warehouse ...", flush=True)
    dbt = build_dbt_docs(settings)
    print(f"dbt docs: {dbt / 'index.html'}", flush=True)
    print("Data Docs: rebuilding from the stored validation results ...", flush=True)
    data_docs = build_data_docs(settings)
    print(f"Data Docs: {data_docs / 'index.html'}", flush=True)
    return DocSites(dbt=dbt, data_docs=data_docs)
