"""dbt-duckdb plugin: the standardisation functions of `standardize` as DuckDB SQL functions.

Registered in `dbt_project/profiles.yml` under `plugins:` (module
`customer_truth.identity.dbt_plugin`), so every connection dbt opens, unit tests included, can
call them. `register_functions(con)` does the same for any other connection (tests, benchmarks).

They are vectorised (arrow) UDFs: DuckDB hands over a whole vector (2,048 values) per call, and
each distinct value in it is standardised once.

| SQL function | returns |
| --- | --- |
| `normalize_phone(raw, default_country)` | E.164 or null |
| `normalize_email_address(raw)` | trimmed, lower-cased, valid email or null |
| `email_junk_reason(email)` | why the email is a placeholder, or null |
| `normalize_name(raw)` | folded comparable name or null |
| `given_name_of(full_name)` / `family_name_of(full_name)` | a one-field name split |
| `normalize_street(raw)` / `normalize_unit(street, line2)` | comparable street / unit id |
| `normalize_postal_code(raw, country)` | comparable postal code |
| `normalize_country(raw)` | ISO 3166-1 alpha-2 |
| `standardisation_version()` | the rules' version (a memoised reading of another is redone) |
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import duckdb
import pyarrow as pa
from dbt.adapters.duckdb.plugins import BasePlugin
from duckdb import func as udf

from customer_truth.identity import standardize


def _vectorised(function: Callable[..., str | None], arity: int) -> Callable[..., pa.Array]:
    """Wrap a scalar function of text arguments into an arrow UDF (nulls handled inside).
    DuckDB reads the arity from the signature, so each arity gets its own wrapper."""

    def apply(*columns: pa.Array) -> pa.Array:
        cache: dict[tuple[Any, ...], str | None] = {}
        out = []
        for args in zip(*(column.to_pylist() for column in columns), strict=True):
            if args not in cache:
                cache[args] = function(*args)
            out.append(cache[args])
        return pa.array(out, type=pa.string())

    if arity == 1:

        def one(a: pa.Array) -> pa.Array:
            return apply(a)

        return one

    def two(a: pa.Array, b: pa.Array) -> pa.Array:
        return apply(a, b)

    return two


def _given(full_name: str | None) -> str | None:
    return standardize.split_full_name(full_name)[0]


def _family(full_name: str | None) -> str | None:
    return standardize.split_full_name(full_name)[1]


# name -> (python function, number of VARCHAR arguments)
FUNCTIONS: dict[str, tuple[Callable[..., str | None], int]] = {
    "normalize_phone": (standardize.normalize_phone, 2),
    "normalize_email_address": (standardize.normalize_email, 1),
    "email_junk_reason": (standardize.email_junk_reason, 1),
    "normalize_name": (standardize.normalize_name, 1),
    "given_name_of": (_given, 1),
    "family_name_of": (_family, 1),
    "normalize_street": (standardize.normalize_street, 1),
    "normalize_unit": (standardize.normalize_unit, 2),
    "normalize_postal_code": (standardize.normalize_postal_code, 2),
    "normalize_country": (standardize.normalize_country, 1),
}


def register_functions(con: duckdb.DuckDBPyConnection) -> None:
    """Create the standardisation functions on a DuckDB connection (idempotent)."""
    registered = {
        row[0]
        for row in con.sql(
            "select function_name from duckdb_functions() where function_type = 'scalar'"
        ).fetchall()
    }
    for name, (function, arity) in FUNCTIONS.items():
        if name in registered:
            continue
        con.create_function(
            name,
            _vectorised(function, arity),
            [duckdb.sqltypes.VARCHAR] * arity,
            duckdb.sqltypes.VARCHAR,
            type=udf.ARROW,
            null_handling=udf.SPECIAL,
            side_effects=False,
        )
    if "standardisation_version" not in registered:
        con.create_function(
            "standardisation_version",
            lambda: standardize.STANDARDISATION_VERSION,
            [],
            duckdb.sqltypes.VARCHAR,
        )


class Plugin(BasePlugin):
    """dbt-duckdb calls `configure_connection` on every connection it opens."""

    def configure_connection(self, conn: duckdb.DuckDBPyConnection) -> None:
        register_functions(conn)
