"""Erasure scored against a generated world's truth: is anything of an erased person still
readable in the current published release?

An erasure request names one identifier; a pipeline can only follow the person from there
through what the landed data holds. The truth's `erasures.jsonl` says, for each request, what
it can reach (`customer_truth.generate.truth.erasure_reach`): the person's identity records
that carry the requested identifier, then every record of theirs sharing an email, phone or
CRM, Shopify, Stripe or Zendesk id with one reached, transitively (orders, charges and accounts
carry identifiers for a record). Those records' ids (CRM contact, Shopify and Stripe customer,
Zendesk user, Segment anonymousId and userId) and the emails and phones they carry are the
identifiers checked. An identifier another person who was not erased also has (a household
landline or family email, a company switchboard, a number recycled to someone else) is that
person's too, so it proves nothing and is left out.

The current release's identity tables (`CHECKED_TABLES`, PUBLISHED.md) are read whole, every
row turned into its JSON text and split into tokens (emails, E.164 phones and ids stay whole;
values are normalised in published data: emails lower-case and trimmed, phones E.164), and the
tokens are joined to the erased identifiers, set-wise in DuckDB. A person is still readable when
any of their identifiers is a token of any row of any checked table.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from customer_truth.publication.reader import current_release, table_dataset
from customer_truth.settings import Settings
from customer_truth.statements import statement

SQL = "evaluation/sql/erasure"  # one statement per file: evaluation/sql/erasure/<name>.sql

CHECKED_TABLES = (
    "identifier_lookup",
    "customer_profile",
    "customer_context",
    "customer_timeline",
    "identity_crosswalk",
)
# what separates tokens in a row's JSON text: anything but what emails, E.164 phones and ids hold
TOKEN_SEPARATORS = r"[^0-9a-z_@.+\-]+"


def evaluate_erasures(home: Settings | Path | str, truth_dir: Path) -> dict[str, Any]:
    """Erased persons, and which of them still have an identifier readable in the current
    release (and in which tables, by which kinds of identifier)."""
    con = duckdb.connect()
    try:
        con.execute(
            statement(f"{SQL}/erased_identifiers"),
            {
                "erasures": str(truth_dir / "erasures.jsonl"),
                "persons": str(truth_dir / "persons.jsonl"),
                "records": str(truth_dir / "identity_records.jsonl"),
            },
        )
        erased = con.execute(
            statement(f"{SQL}/erased_persons"), {"erasures": str(truth_dir / "erasures.jsonl")}
        ).fetchall()
        result: dict[str, Any] = {
            "erased_persons": int(erased[0][0]),
            "identifiers": int(con.sql("select count(*) from erased_identifiers").fetchall()[0][0]),
        }
        release = current_release(home)
        if release is None:
            return {**result, "release": None}
        con.execute("create temp table readable (person_id varchar, tbl varchar, kind varchar)")
        for name in CHECKED_TABLES:
            if name not in release.table_versions:
                continue
            con.register(name, table_dataset(home, name, release))
            # the table's name is one of CHECKED_TABLES (code, never data)
            con.execute(
                statement(f"{SQL}/readable_tokens", table=name),
                {"table_name": name, "separators": TOKEN_SEPARATORS},
            )
        persons = con.sql("select count(distinct person_id) from readable").fetchall()
        by_table = con.sql(
            "select tbl, count(distinct person_id) from readable group by all order by tbl"
        ).fetchall()
        by_kind = con.sql(
            "select kind, count(distinct person_id) from readable group by all order by kind"
        ).fetchall()
        return {
            **result,
            "release": release.publication_id,
            "tables_checked": [n for n in CHECKED_TABLES if n in release.table_versions],
            "persons_still_readable": int(persons[0][0]),
            "by_table": {t: int(n) for t, n in by_table},
            "by_identifier_kind": {k: int(n) for k, n in by_kind},
        }
    finally:
        con.close()


def format_erasure_report(result: dict[str, Any]) -> str:
    head = (
        f"erased persons in the truth: {result['erased_persons']} "
        f"({result['identifiers']} identifiers of theirs no other person shares)"
    )
    if result.get("release") is None:
        return head + "\nno release published: nothing to check"
    return "\n".join(
        [
            head,
            f"still readable in the current release ({result['release']}): "
            f"{result['persons_still_readable']} persons; by table {result['by_table']}; "
            f"by identifier {result['by_identifier_kind']}",
        ]
    )
