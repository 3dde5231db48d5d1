"""`customer-truth docs` without a built home: the GX Data Docs load nothing from the network (the
pages a gate run writes, and the site `docs` rebuilds), and the docs server answers on 127.0.0.1
only to the token of its start. The dbt docs on a built home: tests/integration/test_docs.py."""

from __future__ import annotations

import os
import re
import shutil
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pandas as pd
import pytest

from customer_truth.docs.build import DocsError, DocSites, build_data_docs, build_dbt_docs
from customer_truth.docs.server import HOST, docs_server
from customer_truth.quality import gate as gate_module
from customer_truth.quality.data_docs import DataDocsNotOfflineError, make_offline
from customer_truth.quality.gate import (
    GateContext,
    data_docs_index,
    refresh_data_docs_index,
    run_suite,
)
from customer_truth.settings import Settings
from data_quality.fct_customer_timeline import SUITE as MART_SUITE

# what a page loads by itself: <script src>, <link href>, <img src>, CSS url(); <a href> is a link
_LOADED = re.compile(
    r"""<(?:script|img)\b[^>]*\bsrc=["']([^"']+)|<link\b[^>]*\bhref=["']([^"']+)"""
    r"""|url\(\s*['"]?([^'")\s]+)"""
)


def _loaded(page: Path) -> set[str]:
    return {next(g for g in m if g) for m in _LOADED.findall(page.read_text())}


def _timeline_frame(reason_matches: bool = True) -> pd.DataFrame:
    when = datetime.now(UTC) - timedelta(days=1)
    return pd.DataFrame(
        {
            "event_id_rank": [1, 2],
            "customer_id": ["C1", "C2"],
            "occurred_at": [when, when],
            "event_type": ["contact", "contact"],
            "source_system": ["contact_center", "contact_center"],
            "age_days": [1, 1],
            "reason_matches_attribution": [reason_matches, reason_matches],
        }
    )


@pytest.fixture(scope="module")
def gated_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """A home whose gate ran one suite and passed: the suite wrote its pages, the release step
    the index."""
    root = tmp_path_factory.mktemp("docs")
    settings = Settings(landing=root / "landing", home=root / "home")
    assert run_suite(MART_SUITE, _timeline_frame(), settings, GateContext()).success
    assert not data_docs_index(settings).exists()  # a passing suite leaves the index alone
    refresh_data_docs_index(settings)
    return settings


def _validations_listed(index: Path) -> int:
    return index.read_text().count("validations/" + MART_SUITE.name + "/")


def test_a_failing_suite_writes_the_index_itself_so_the_block_shows_without_a_release(
    tmp_path: Path,
) -> None:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    assert not run_suite(MART_SUITE, _timeline_frame(False), settings, GateContext()).success
    assert _validations_listed(data_docs_index(settings)) == 1
    _assert_offline(data_docs_index(settings).parent)


def test_the_data_docs_list_the_latest_results_only_however_many_runs_came_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX's index reads every result it lists: unbounded, each run would cost more than the
    last. The store keeps every result; the site the latest DATA_DOCS_RESULTS."""
    monkeypatch.setattr(gate_module, "DATA_DOCS_RESULTS", 2)
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    for _ in range(4):
        assert run_suite(MART_SUITE, _timeline_frame(), settings, GateContext()).success
        refresh_data_docs_index(settings)
    assert _validations_listed(data_docs_index(settings)) == 2
    stored = gate_module.gx_context(settings).validation_results_store.list_keys()
    assert len(stored) == 4


def test_a_process_compiles_the_data_docs_templates_once_however_many_pages_it_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GX renders each suite's pages with a new Jinja environment: without the site's cached
    views (data_docs_views.py) every suite of a run compiled the same templates again."""
    import jinja2

    compiled: list[str | None] = []
    original = jinja2.Environment.compile

    def counting(self: jinja2.Environment, source: str, name: str | None = None, *args, **kw):
        compiled.append(name)
        return original(self, source, name, *args, **kw)

    monkeypatch.setattr(jinja2.Environment, "compile", counting)
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    for _ in range(2):
        compiled.clear()
        assert run_suite(MART_SUITE, _timeline_frame(), settings, GateContext()).success
        refresh_data_docs_index(settings)
    # the second suite's pages and index: every template came compiled (the first run compiled
    # them unless an earlier test of this process did)
    assert compiled == []


def _assert_offline(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) >= 3  # the index, the suite, its validation result
    for page in pages:
        loaded = _loaded(page)
        assert not {u for u in loaded if re.match(r"(https?:)?//", u)}, page
        # every local asset is there, relative to the page (works from disk and when served)
        missing = [u for u in loaded if not (page.parent / u.split("?")[0]).exists()]
        assert missing == [], (page, missing)
    index = (site / "index.html").read_text()
    assert "bootstrap-table.min.js" in index and MART_SUITE.name in index


def test_the_data_docs_a_gate_run_writes_load_nothing_from_the_network(
    gated_home: Settings,
) -> None:
    _assert_offline(data_docs_index(gated_home).parent)


def test_docs_rebuilds_the_data_docs_from_stored_results_with_local_assets(
    gated_home: Settings, tmp_path: Path
) -> None:
    home = tmp_path / "home"
    shutil.copytree(gated_home.home, home)  # the shared home stays as the gate left it
    settings = Settings(landing=gated_home.landing, home=home)
    index = data_docs_index(settings)
    shutil.rmtree(index.parent)  # rebuilt from the stored suite and validation result
    site = build_data_docs(settings)
    assert site == index.parent and index.exists()
    _assert_offline(site)


def test_a_page_that_names_an_asset_without_a_local_copy_fails_loudly(tmp_path: Path) -> None:
    page = tmp_path / "index.html"
    page.write_text('<html><script src="https://cdn.example.org/new-lib@2.js"></script></html>')
    with pytest.raises(DataDocsNotOfflineError, match="new-lib"):
        make_offline(tmp_path)


def test_only_pages_changed_since_the_checkpoint_are_rewritten(tmp_path: Path) -> None:
    cdn = "https://code.jquery.com/jquery-3.7.1.min.js"
    old, new = tmp_path / "old.html", tmp_path / "new.html"
    for page in (old, new):
        page.write_text(f'<script src="{cdn}"></script>')
    os.utime(old, (time.time() - 60, time.time() - 60))
    assert make_offline(tmp_path, changed_since=time.time() - 30) == [new]
    assert "static/vendor/jquery-3.7.1/jquery.min.js" in new.read_text()


def test_the_dbt_docs_need_a_built_home(tmp_path: Path) -> None:
    with pytest.raises(DocsError, match="customer-truth run"):
        build_dbt_docs(Settings(landing=tmp_path, home=tmp_path / "home"))
    assert not (tmp_path / "home" / "warehouse.duckdb").exists()  # dbt never created one


@pytest.fixture()
def server(tmp_path: Path) -> Iterator[tuple[str, str, object]]:
    dbt, data_docs = tmp_path / "dbt", tmp_path / "data_docs"
    for folder, title in ((dbt, "dbt site"), (data_docs, "gx site")):
        folder.mkdir()
        (folder / "index.html").write_text(f"<title>{title}</title>")
    token = "t0ken-of-this-start"
    running = docs_server(DocSites(dbt=dbt, data_docs=data_docs), port=0, token=token)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.05)
    host, port = running.servers[0].sockets[0].getsockname()[:2]
    yield f"http://{host}:{port}", token, host
    running.should_exit = True
    thread.join(timeout=10)


def test_the_docs_server_binds_localhost_and_refuses_a_request_without_the_token(
    server: tuple[str, str, object],
) -> None:
    url, token, host = server
    assert host == HOST == "127.0.0.1"
    with httpx.Client(base_url=url) as client:
        for path in ("/", "/dbt/", "/data-docs/index.html"):
            assert client.get(path).status_code == 401
        assert client.get("/dbt/", params={"token": "wrong"}).status_code == 401
        bearer = {"Authorization": f"Bearer {token}"}
        assert "gx site" in client.get("/data-docs/", headers=bearer).text


def test_the_token_in_the_url_becomes_a_cookie_and_leaves_the_address(
    server: tuple[str, str, object],
) -> None:
    url, token, _ = server
    with httpx.Client(base_url=url) as client:
        first = client.get("/dbt/", params={"token": token})
        assert first.status_code == 303 and first.headers["location"] == f"{url}/dbt/"
        assert "httponly" in first.headers["set-cookie"].lower()
        # the cookie now lets the page and every asset it loads through
        assert "dbt site" in client.get("/dbt/").text
        assert "gx site" in client.get("/data-docs/").text
        assert 'href="dbt/"' in client.get("/").text
