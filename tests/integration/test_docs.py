"""`customer-truth docs --no-serve` on a built home: both sites land under the home, the dbt docs
hold the project overview and the models with the warehouse's columns, and the GX Data Docs
index lists every gate suite's validation and loads nothing from the network."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from customer_truth.cli import main
from customer_truth.settings import REPO_ROOT
from data_quality import SUITES
from tests.integration.conftest import World, copy_world


def test_docs_builds_both_sites_into_the_home_offline(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    settings = copy_world(world.root, tmp_path / "world")  # docs writes into its home
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
    monkeypatch.setenv("CUSTOMER_TRUTH_LANDING", str(settings.landing))
    logs_before = (REPO_ROOT / "dbt_project" / "logs").exists()

    assert main(["docs", "--no-serve"]) == 0

    target = settings.home / "docs" / "dbt_target"
    page = (settings.home / "docs" / "dbt" / "index.html").read_text()
    # --static: the manifest and catalog are inline, so the page needs neither server nor network
    assert "Customer Truth" in page and "model.customer_truth.dim_customer_profile" in page
    assert not re.search(r"""<(script|link|img)\b[^>]*\b(src|href)=["']https?://""", page)
    manifest = json.loads((target / "manifest.json").read_text())
    overview = manifest["docs"]["doc.customer_truth.__overview__"]["block_contents"]
    assert "Customer Truth" in overview  # the project's overview page, not dbt's default
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False  # no tracker loads
    catalog = json.loads((target / "catalog.json").read_text())  # read from the warehouse
    columns = catalog["nodes"]["model.customer_truth.dim_customer_profile"]["columns"]
    assert "customer_id" in {c.lower() for c in columns}

    site = settings.home / "quality" / "gx" / "uncommitted" / "data_docs" / "local_site"
    index = (site / "index.html").read_text()
    assert not re.search(r"""(src|href)=["']https?://[^"']*\.(js|css)|url\(['"]?https?:""", index)
    assert "static/vendor/bootstrap-table-1.19.1/bootstrap-table.min.js" in index
    for suite in SUITES:
        assert f"validations/{suite.name}/" in index, suite.name
    # dbt's logs stay in the home, not in the checkout
    assert (REPO_ROOT / "dbt_project" / "logs").exists() == logs_before
