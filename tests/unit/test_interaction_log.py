"""The AI agents' interaction log: appended redacted, loaded into raw once per line, and the raw
table the dbt macro creates is the one ingestion creates."""

from __future__ import annotations

from pathlib import Path

import duckdb
import jinja2
import pytest

from customer_truth.interaction_log import (
    InteractionError,
    ensure_raw_table,
    load_interactions,
    record_interaction,
)
from customer_truth.settings import DBT_PROJECT_DIR


def _record(home: Path, summary: str = "Refund offered.") -> dict:
    return record_interaction(
        home,
        customer_id="ct_0000000000000001",
        consumer="support_agent_ai",
        action="offered_refund",
        guardrails_consulted=["refund_window"],
        publication_id="pub-1",
        summary=summary,
    )


def test_each_logged_interaction_is_loaded_into_raw_once(tmp_path: Path) -> None:
    con = duckdb.connect()
    first = _record(tmp_path, "Mail to ann@example.org, card 4111 1111 1111 1111.")
    assert first["summary"] == "Mail to [EMAIL], card [CARD]."
    assert load_interactions(con, tmp_path) == 1
    assert load_interactions(con, tmp_path) == 0  # nothing new: nothing loaded again
    second = _record(tmp_path)
    assert load_interactions(con, tmp_path) == 1
    rows = con.execute(
        "select record_key, payload ->> 'summary', batch_id, line_number "
        "from raw.ai_agent__interactions order by line_number"
    ).fetchall()
    assert [r[0] for r in rows] == [first["interaction_id"], second["interaction_id"]]
    assert rows[0][1] == "Mail to [EMAIL], card [CARD]." and rows[0][2].startswith("ai_agent/")
    assert [r[3] for r in rows] == [1, 2]


def test_an_interaction_naming_an_unknown_guardrail_or_a_bad_action_is_refused(
    tmp_path: Path,
) -> None:
    with pytest.raises(InteractionError, match="unknown rule"):
        record_interaction(
            tmp_path,
            customer_id="ct_0000000000000001",
            consumer="analyst",
            action="x",
            guardrails_consulted=["refund_anything"],
            publication_id="p",
            summary="",
        )
    with pytest.raises(InteractionError, match="action"):
        record_interaction(
            tmp_path,
            customer_id="ct_0000000000000001",
            consumer="analyst",
            action="a\nb",
            guardrails_consulted=[],
            publication_id="p",
            summary="",
        )
    assert not list(tmp_path.glob("interactions/*.jsonl"))


def test_the_dbt_macro_creates_the_raw_table_ingestion_creates() -> None:
    macro_file = DBT_PROJECT_DIR / "macros" / "ensure_agent_interactions.sql"
    module = jinja2.Environment().from_string(macro_file.read_text()).module
    from_dbt, from_python = duckdb.connect(), duckdb.connect()
    from_dbt.execute(str(module.ensure_agent_interactions()))  # type: ignore[attr-defined]
    ensure_raw_table(from_python)
    query = "describe raw.ai_agent__interactions"
    assert from_dbt.execute(query).fetchall() == from_python.execute(query).fetchall()


def test_an_erased_customers_interactions_keep_what_the_agent_did_but_not_whom_or_the_summary(
    tmp_path: Path,
) -> None:
    from customer_truth.interaction_log import forget_customers, interaction_log_dir

    erased = _record(tmp_path, "Promised a callback.")
    other = record_interaction(
        tmp_path,
        customer_id="ct_0000000000000002",
        consumer="support_agent_ai",
        action="offered_refund",
        guardrails_consulted=["refund_window"],
        publication_id="pub-1",
        summary="Kept.",
    )
    assert forget_customers(tmp_path, {"ct_0000000000000001"}) == 1
    con = duckdb.connect()
    load_interactions(con, tmp_path)
    rows = dict(
        con.execute(
            "select record_key, payload from raw.ai_agent__interactions order by record_key"
        ).fetchall()
    )
    assert '"customer_id":"erased"' in rows[erased["interaction_id"]].replace(" ", "")
    assert "callback" not in rows[erased["interaction_id"]]
    assert "Kept." in rows[other["interaction_id"]]
    text = "".join(p.read_text() for p in interaction_log_dir(tmp_path).glob("*.jsonl"))
    assert "ct_0000000000000001" not in text and "offered_refund" in text
