"""The run summary `customer-truth run` prints."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from customer_truth import reporting
from customer_truth.orchestration import RunOutcome
from customer_truth.settings import Settings
from customer_truth.warehouse import ensure_raw_schema, open_warehouse


def test_the_summary_lists_loaded_systems_beside_a_batch_quarantined_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run that loads one system's batch and quarantines another's for its extraction time
    prints both (a name shared by the two lists once made it crash instead)."""
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    started = datetime(2026, 3, 8, 2, tzinfo=UTC)
    with open_warehouse(settings) as con:
        ensure_raw_schema(con)
        con.execute(
            "insert into ingest.file_loads values ('billing', '20260308T020000Z', "
            "'charges.jsonl', 'charges', 3, 3, 2, 1, true, null, ?)",
            [started],
        )
        con.execute(
            "insert into ingest.batch_loads (system, batch_id, loaded_at, quarantine_reason) "
            "values ('crm', '20990101T000000Z', ?, 'extraction time in the future')",
            [started],
        )
    monkeypatch.setattr(reporting, "print_gate_and_publication", lambda settings, outcome: None)
    reporting.print_run_report(settings, RunOutcome(True, "run-1", started, [], []))
    out = capsys.readouterr().out
    assert re.search(r"billing\s+1 new batch\(es\)\s+2 rows loaded\s+1 quarantined", out)
    assert "QUARANTINED batch: crm/20990101T000000Z: extraction time in the future" in out
