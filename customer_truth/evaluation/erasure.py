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

CHECKED_TABLES = (
    "identifier_lookup",
    "customer_profile",
    "customer_context",
    "customer_timeline",
    "identity_crosswalk",
)
# what separates tokens in a row's JSON text: anything but what emails, E.164 phones and ids hold
TOKEN_SEPARATORS = r"[^0-9a-z_@.+\-]+"

_IDENTIFIERS_SQL = """
create temp table erased_identifiers as
with erasures as (
    select * from read_json($erasures, format = 'newline_delimited',
        columns = {person_id: 'VARCHAR', reachable_records: 'VARCHAR[][]',
                   reachable_values: 'VARCHAR[]'})
),
-- what each request can reach in the landed data (the truth's `erasure_reach`)
reachable as (
    select person_id, if(contains(value, '@'), 'email', 'phone') as kind,
        lower(trim(value)) as value,
    from (select person_id, unnest(reachable_values) as value, from erasures)
    union all
    select person_id, record[1] || '/' || record[2], lower(record[3]),
    from (select person_id, unnest(reachable_records) as record, from erasures)
),
persons as (
    select * from read_json($persons, format = 'newline_delimited',
        columns = {person_id: 'VARCHAR', emails: 'STRUCT(address VARCHAR)[]',
                   phones: 'STRUCT(e164 VARCHAR)[]', former: 'STRUCT(phones VARCHAR[])'})
),
emails as (select person_id, unnest(emails) as email, from persons),
phones as (select person_id, unnest(phones) as phone, from persons),
-- every identifier of every person, to leave out what a person not erased holds too
person_values as (
    select person_id, lower(trim(email.address)) as value, from emails
    union all
    select person_id, phone.e164, from phones
    union all
    select person_id, unnest(former.phones), from persons
    union all
    select person_id, lower(record_id),
    from read_json($records, format = 'newline_delimited',
        columns = {system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR',
                   person_id: 'VARCHAR'})
),
others as (
    select distinct value, from person_values
    where person_id not in (select person_id from erasures)
)
select distinct reachable.person_id, reachable.kind, reachable.value,
from reachable
where coalesce(reachable.value, '') <> ''
    and reachable.value not in (select value from others)
"""

# `{table}` is one of CHECKED_TABLES (code, never data); the separators are bound
_TOKENS_SQL = """
insert into readable
select distinct erased_identifiers.person_id, $table_name, erased_identifiers.kind,
from (
    select unnest(string_split_regex(lower(cast(to_json(t) as varchar)), $separators)) as token,
    from {table} as t
) as tokens
inner join erased_identifiers on rtrim(tokens.token, '.') = erased_identifiers.value
"""


def evaluate_erasures(home: Settings | Path | str, truth_dir: Path) -> dict[str, Any]:
    """Erased persons, and which of them still have an identifier readable in the current
    release (and in which tables, by which kinds of identifier)."""
    con = duckdb.connect()
    try:
        con.execute(
            _IDENTIFIERS_SQL,
            {
                "erasures": str(truth_dir / "erasures.jsonl"),
                "persons": str(truth_dir / "persons.jsonl"),
                "records": str(truth_dir / "identity_records.jsonl"),
            },
        )
        erased = con.execute(
            "select count(distinct person_id) from read_json($erasures, format = "
            "'newline_delimited', columns = {person_id: 'VARCHAR'})",
            {"erasures": str(truth_dir / "erasures.jsonl")},
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
            con.execute(
                _TOKENS_SQL.format(table=name),
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
