"""dbt-duckdb plugin: the privacy and policy SQL functions of the `publish` models.

Registered in `dbt_project/profiles.yml` next to the identity plugin, so every connection dbt
opens (unit tests included) can call them; `register_functions(con)` does the same elsewhere.

| SQL function | returns |
| --- | --- |
| `redact_text(text)` | the text with cards, emails, addresses and phones as tags (arrow UDF) |
| `guardrail_number(rule_id, parameter)` | a numeric parameter of policies/guardrails.yml |
| `guardrail_list(rule_id, parameter)` | a list parameter of policies/guardrails.yml |
"""

from __future__ import annotations

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import func as udf

from customer_truth.privacy.policies import PolicyError, guardrail_parameter
from customer_truth.privacy.redaction import redact_text


def _redact_vector(texts: pa.Array) -> pa.Array:
    """DuckDB hands over a vector of up to 2,048 values; each distinct text is redacted once."""
    cache: dict[str | None, str | None] = {}
    out = []
    for text in texts.to_pylist():
        if text not in cache:
            cache[text] = redact_text(text)
        out.append(cache[text])
    return pa.array(out, type=pa.string())


def _number(rule_id: str, parameter: str) -> float:
    value = guardrail_parameter(rule_id, parameter)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PolicyError(f"guardrails.yml {rule_id}.{parameter} must be a number, got {value!r}")
    return float(value)


def _list(rule_id: str, parameter: str) -> list[str]:
    value = guardrail_parameter(rule_id, parameter)
    if not isinstance(value, list):
        raise PolicyError(f"guardrails.yml {rule_id}.{parameter} must be a list, got {value!r}")
    return [str(v) for v in value]


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Create the functions on a DuckDB connection (idempotent)."""
    registered = {
        row[0]
        for row in con.sql(
            "select function_name from duckdb_functions() where function_type = 'scalar'"
        ).fetchall()
    }
    varchar = duckdb.sqltypes.VARCHAR
    if "redact_text" not in registered:
        con.create_function(
            "redact_text",
            _redact_vector,
            [varchar],
            varchar,
            type=udf.ARROW,
            null_handling=udf.SPECIAL,
            side_effects=False,
        )
    if "guardrail_number" not in registered:
        con.create_function("guardrail_number", _number, [varchar, varchar], duckdb.sqltypes.DOUBLE)
    if "guardrail_list" not in registered:
        con.create_function("guardrail_list", _list, [varchar, varchar], duckdb.list_type(varchar))


class Plugin(BasePlugin):
    """dbt-duckdb calls `configure_connection` on every connection it opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_functions(conn)
