"""The interaction log: what AI agents did for a customer, append-only, and its ingestion.

Agents record an interaction through ``POST /v1/customers/{id}/interactions`` or the MCP tool
``record_interaction`` (``customer_truth/api/``); both call ``record_interaction`` here, which
appends one JSON line to ``$CUSTOMER_TRUTH_HOME/interactions/<UTC day>.jsonl`` (the access
log's append: one ``write`` under ``flock``, lines never interleave). A line holds the
interaction id, the customer id, the consumer of the key that recorded it, the action taken or
offered, the guardrail rules consulted (ids of ``policies/guardrails.yml``), the release the
agent read and a summary, redacted like transcripts (``privacy/redaction.py``) before it is
written, so the log never holds a card, email, phone or address in clear.

The next run loads the lines it has not loaded yet into ``raw.ai_agent__interactions`` (the
raw layer's columns; ``record_key`` is the interaction id), one set-wise DuckDB statement, and
dbt carries them as the source ``ai_agent`` into the timeline and the context
(``stg_ai_agent__interactions`` -> ``int_journeys__agent_interactions`` ->
``fct_customer_timeline``). This is the project's own log, not a landing system: it has no
batches or ``_SUCCESS``; ``pending.py`` counts a log written after the latest publication
attempt as new work.

Together with the access log (what an agent read) it answers "what did the AI see, and what did
it do".
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from customer_truth import warehouse
from customer_truth.privacy.policies import guardrail_rules
from customer_truth.privacy.redaction import redact_text
from customer_truth.retrieval.access_log import ERASED, append_line, rewrite_lines
from customer_truth.statements import statement

INTERACTIONS = "interactions"
# the log is a source of its own, beside the seven landing systems: its raw asset's group too
SOURCE = "ai_agent"
RAW_TABLE = f"raw.{SOURCE}__interactions"
MAX_ACTION = 200
MAX_SUMMARY = 4000
SQL = "sql/interaction_log"  # customer_truth.statements


class InteractionError(ValueError):
    """An interaction that cannot be recorded (the message names the field, never its value)."""


def interaction_log_dir(home: Path) -> Path:
    return Path(home) / INTERACTIONS


def _printable(text: str) -> bool:
    return all(ch.isprintable() or ch in "\n\t" for ch in text)


def record_interaction(
    home: Path,
    *,
    customer_id: str,
    consumer: str,
    action: str,
    guardrails_consulted: list[str],
    publication_id: str,
    summary: str,
    when: datetime | None = None,
) -> dict[str, Any]:
    """Append one interaction; returns the line written (its summary redacted)."""
    action = action.strip()
    if not action or len(action) > MAX_ACTION or not _printable(action) or "\n" in action:
        raise InteractionError(f"action must be one printable line of 1 to {MAX_ACTION} chars")
    if len(summary) > MAX_SUMMARY or not _printable(summary):
        raise InteractionError(f"summary must be printable text of at most {MAX_SUMMARY} chars")
    known = guardrail_rules()
    unknown = [rule for rule in guardrails_consulted if rule not in known]
    if unknown:
        raise InteractionError(
            f"guardrails_consulted names {len(unknown)} unknown rule(s); known: {sorted(known)}"
        )
    when = (when or datetime.now(UTC)).astimezone(UTC)
    record = {
        "interaction_id": f"int_{uuid.uuid4().hex}",
        "customer_id": customer_id,
        "recorded_at": when.isoformat(),
        "consumer": consumer,
        "action": redact_text(action),
        "guardrails_consulted": sorted(set(guardrails_consulted)),
        "publication_id": publication_id,
        "summary": redact_text(summary.strip()),
    }
    append_line(interaction_log_dir(home), record, when)
    return record


def forget_customers(home: Path, customer_ids: set[str]) -> int:
    """Erasure: an erased customer's interactions keep their place, time, consumer, action and
    guardrails (what the AI did), but lose the customer id (``erased``) and the summary."""

    def erase(entry: dict[str, Any]) -> dict[str, Any] | None:
        if entry.get("customer_id") not in customer_ids:
            return None
        return {**entry, "customer_id": ERASED, "summary": None}

    return rewrite_lines(interaction_log_dir(home), erase) if customer_ids else 0


def last_written(home: Path) -> datetime | None:
    """When the log was last appended to (the newest file's mtime); None without a log."""
    stamps = [p.stat().st_mtime for p in interaction_log_dir(home).glob("*.jsonl")]
    return datetime.fromtimestamp(max(stamps), UTC) if stamps else None


def ensure_raw_table(con: duckdb.DuckDBPyConnection) -> None:
    """The raw table of the log, with the raw layer's columns; the dbt macro
    ``ensure_agent_interactions`` creates the same table for a dbt build on a fresh warehouse."""
    warehouse.ensure_raw_table(con, RAW_TABLE)


def load_interactions(con: duckdb.DuckDBPyConnection, home: Path) -> int:
    """Load every logged interaction not loaded yet into ``raw.ai_agent__interactions``;
    returns how many. The batch id is the log's day file (``ai_agent/2026-12-06``); the line
    number is the line's rank in its file by time (the log is appended in time order)."""
    ensure_raw_table(con)
    files = sorted(str(p) for p in interaction_log_dir(home).glob("*.jsonl"))
    if not files:
        return 0
    loaded = con.execute(statement(f"{SQL}/new_interactions", table=RAW_TABLE), [files])
    return int(loaded.fetchall()[0][0])  # an insert returns the rows it inserted
