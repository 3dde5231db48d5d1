"""Golden-attribute accuracy: how often a customer's golden record says what is true.

Each customer is mapped to the truth person holding the majority of its records (the truth's
``identity_records.jsonl`` names the person behind every identity-bearing record; ties go to the
smallest person id). For every golden attribute, accuracy is the share of mapped customers whose
truth value is not null and whose golden value equals it after normalisation (a missing golden
value counts as wrong). Emails and phones are scored twice: against the person's primary one
(``email``, ``phone``) and against any of the person's own (``email_any``, ``phone_any``).
``precision`` is the share right among customers whose golden record answers at all: it scores
survivorship apart from resolution's coverage (a fragment of a person with no name lowers
accuracy, not precision). ``person_accuracy`` scores each truth person once, through the customer
holding most of the person's records (the one an agent looking the person up would see).

Normalisation compares what the contract says must be comparable, nothing looser: names and
cities lower-cased, trimmed and without accents; street lines also without punctuation and with
the common street-type words abbreviated (Street -> st); postal codes upper-case without
spaces; regions and countries upper-case.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import duckdb

PROFILE_TABLE = "marts.dim_customer_profile"
CROSSWALK_TABLE = "marts.bdg_identity_crosswalk"

_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "boulevard": "blvd",
    "court": "ct",
    "place": "pl",
    "terrace": "ter",
    "parkway": "pkwy",
    "highway": "hwy",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}


def _street_macro() -> str:
    """Lower-case, unaccented, punctuation-free street line with street words abbreviated.

    The chain of replacements is built from the constant word list above, never from data.
    """
    expression = "regexp_replace(lower(strip_accents(value)), '[^a-z0-9 ]', ' ', 'g')"
    for word, short in _STREET_WORDS.items():
        expression = f"regexp_replace({expression}, '\\b{word}\\b', '{short}', 'g')"
    return (
        "create or replace temp macro _norm_street(value) as "
        f"nullif(trim(regexp_replace({expression}, '\\s+', ' ', 'g')), '')"
    )


_MACROS = (
    """
    create or replace temp macro _norm_text(value) as
        nullif(lower(trim(regexp_replace(strip_accents(value), '\\s+', ' ', 'g'))), '')
    """,
    """
    create or replace temp macro _norm_code(value) as
        nullif(upper(regexp_replace(value, '[\\s-]', '', 'g')), '')
    """,
    _street_macro(),
)

_LOAD_TRUTH_SQL = """
create or replace temp table _persons as
select * from read_json($persons, format = 'newline_delimited', union_by_name = true)
"""

_LOAD_RECORDS_SQL = """
create or replace temp table _truth_records as
select system || ':' || entity || ':' || record_id as record_uid, person_id,
from read_json($records, format = 'newline_delimited', union_by_name = true,
    columns = {system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR', person_id: 'VARCHAR'})
"""

_SCORE_SQL = """
create or replace temp table _scored as
with

overlap as (
    -- how many records of each truth person each customer holds
    select
        crosswalk.customer_id,
        truth.person_id,
        count(*) as n_records,
    from _crosswalk as crosswalk
    inner join _truth_records as truth
        on crosswalk.source_system || ':' || crosswalk.source_entity || ':'
            || crosswalk.source_record_id = truth.record_uid
    group by crosswalk.customer_id, truth.person_id
),

mapping as (
    -- a customer is the person holding most of its records
    select customer_id, person_id,
    from overlap
    qualify row_number() over (
        partition by customer_id order by n_records desc, person_id
    ) = 1
),

person_primary as (
    -- a person's main customer: the one holding most of the person's records
    select customer_id, person_id, true as is_person_primary,
    from overlap
    qualify row_number() over (
        partition by person_id order by n_records desc, customer_id
    ) = 1
),

truth as (
    select
        person_id,
        given_name,
        family_name,
        cast(birth_date as varchar) as birth_date,
        address_line1,
        city,
        region,
        postal_code,
        country,
        cast(email_opt_in as boolean) as email_opt_in,
        cast(do_not_call as boolean) as do_not_call,
        list_transform(
            list_filter(emails, lambda e: coalesce(e.is_primary, false)),
            lambda e: lower(trim(e.address))
        )[1] as primary_email,
        list_transform(emails, lambda e: lower(trim(e.address))) as all_emails,
        list_transform(
            list_filter(phones, lambda p: coalesce(p.is_primary, false)), lambda p: p.e164
        )[1] as primary_phone,
        list_transform(phones, lambda p: p.e164) as all_phones,
    from _persons
),

golden as (
    select
        customer_id,
        cast(given_name as varchar) as given_name,
        cast(family_name as varchar) as family_name,
        lower(trim(cast(email as varchar))) as email,
        cast(phone as varchar) as phone,
        cast(cast(birth_date as date) as varchar) as birth_date,
        cast(address_line1 as varchar) as address_line1,
        cast(city as varchar) as city,
        cast(region as varchar) as region,
        cast(postal_code as varchar) as postal_code,
        cast(country as varchar) as country,
        cast(email_opt_in as boolean) as email_opt_in,
        cast(do_not_call as boolean) as do_not_call,
    from _profile
)

select
    golden.customer_id,
    mapping.person_id,
    coalesce(person_primary.is_person_primary, false) as is_person_primary,
    {columns}
from golden
left join mapping using (customer_id)
left join person_primary using (customer_id, person_id)
left join truth using (person_id)
"""


# attribute -> (truth expression, golden expression, comparison); expressions are constants here
_COMPARISONS: dict[str, tuple[str, str, str]] = {
    "given_name": ("_norm_text(truth.given_name)", "_norm_text(golden.given_name)", "eq"),
    "family_name": ("_norm_text(truth.family_name)", "_norm_text(golden.family_name)", "eq"),
    "email": ("truth.primary_email", "golden.email", "eq"),
    "email_any": ("truth.all_emails", "golden.email", "in"),
    "phone": ("truth.primary_phone", "golden.phone", "eq"),
    "phone_any": ("truth.all_phones", "golden.phone", "in"),
    "birth_date": ("truth.birth_date", "golden.birth_date", "eq"),
    "address_line1": (
        "_norm_street(truth.address_line1)",
        "_norm_street(golden.address_line1)",
        "eq",
    ),
    "city": ("_norm_text(truth.city)", "_norm_text(golden.city)", "eq"),
    "region": ("_norm_code(truth.region)", "_norm_code(golden.region)", "eq"),
    "postal_code": ("_norm_code(truth.postal_code)", "_norm_code(golden.postal_code)", "eq"),
    "country": ("_norm_code(truth.country)", "_norm_code(golden.country)", "eq"),
    "email_opt_in": ("truth.email_opt_in", "golden.email_opt_in", "eq"),
    "do_not_call": ("truth.do_not_call", "golden.do_not_call", "eq"),
}


def _score_sql() -> str:
    """The scoring query: per attribute, whether truth knows it, golden answers, and they agree."""
    columns = []
    for attribute, (truth, golden, comparison) in _COMPARISONS.items():
        if comparison == "in":
            known = f"coalesce(len({truth}), 0) > 0"
            correct = f"coalesce(list_contains({truth}, {golden}), false)"
        else:
            known = f"{truth} is not null"
            correct = f"coalesce({golden} = {truth}, false)"
        columns.append(
            f"{known} as {attribute}_known,\n"
            f"    {golden} is not null as {attribute}_answered,\n"
            f"    {correct} as {attribute}_correct,"
        )
    return _SCORE_SQL.replace("{columns}", "\n    ".join(columns))


def _register_inputs(con: duckdb.DuckDBPyConnection, source: Any) -> None:
    """Make ``_profile`` and ``_crosswalk`` views from a warehouse or from frames."""
    if isinstance(source, duckdb.DuckDBPyConnection):
        profile = source.sql(f"select * from {PROFILE_TABLE}").to_arrow_table()  # noqa: S608 (constant)
        crosswalk = source.sql(
            f"select source_system, source_entity, source_record_id, customer_id "  # noqa: S608
            f"from {CROSSWALK_TABLE}"
        ).to_arrow_table()
    elif isinstance(source, Mapping):
        profile = source["customer_profile"]
        crosswalk = source["identity_crosswalk"]
    else:
        raise TypeError("expected a DuckDB connection or a mapping of frames")
    con.register("_profile", profile)
    con.register("_crosswalk", crosswalk)


def evaluate_golden(con_or_frames: Any, truth_dir: Path) -> dict[str, Any]:
    """Golden-attribute accuracy per attribute against ``truth_dir``'s persons.

    ``con_or_frames`` is a connection to the warehouse (reads ``marts.dim_customer_profile`` and
    ``marts.bdg_identity_crosswalk``) or a mapping with ``customer_profile`` and
    ``identity_crosswalk`` frames (pandas, polars or arrow), as published.
    """
    con = duckdb.connect(":memory:")
    try:
        con.execute("set TimeZone = 'UTC'")
        _register_inputs(con, con_or_frames)
        for statement in _MACROS:
            con.execute(statement)
        con.execute(_LOAD_TRUTH_SQL, {"persons": str(Path(truth_dir) / "persons.jsonl")})
        con.execute(_LOAD_RECORDS_SQL, {"records": str(Path(truth_dir) / "identity_records.jsonl")})
        con.execute(_score_sql())
        totals = con.execute(
            "select count(*), count(person_id), count(distinct person_id) from _scored"
        ).fetchone()
        assert totals is not None
        per_attribute: dict[str, dict[str, float | int]] = {}
        for attribute in _COMPARISONS:
            # column names come from _COMPARISONS in code, never from data
            row = con.execute(
                f"""
                select
                    count(*) filter (where person_id is not null and {attribute}_known),
                    count(*) filter (
                        where person_id is not null and {attribute}_known and {attribute}_correct
                    ),
                    count(*) filter (
                        where person_id is not null and {attribute}_known and {attribute}_answered
                    ),
                    count(*) filter (where is_person_primary and {attribute}_known),
                    count(*) filter (
                        where is_person_primary and {attribute}_known and {attribute}_correct
                    ),
                from _scored
                """  # noqa: S608
            ).fetchone()
            assert row is not None
            evaluated, correct, answered, persons, person_correct = (int(v) for v in row)
            per_attribute[attribute] = {
                "evaluated": evaluated,
                "answered": answered,
                "correct": correct,
                "accuracy": round(correct / evaluated, 4) if evaluated else float("nan"),
                # right when it answers at all: survivorship apart from resolution's coverage
                "precision": round(correct / answered, 4) if answered else float("nan"),
                # per person: the person's main customer (what an agent looking them up sees)
                "persons": persons,
                "person_accuracy": (
                    round(person_correct / persons, 4) if persons else float("nan")
                ),
            }
        scored = [
            value["accuracy"]
            for name, value in per_attribute.items()
            if value["evaluated"] and not name.endswith("_any")
        ]
        return {
            "customers": int(totals[0]),
            "mapped_customers": int(totals[1]),
            "persons_covered": int(totals[2]),
            "attributes": per_attribute,
            "mean_accuracy": round(sum(scored) / len(scored), 4) if scored else float("nan"),
        }
    finally:
        con.close()


def format_golden_report(result: dict[str, Any]) -> str:
    """A few lines for the terminal: one per attribute."""
    lines = [
        f"golden attributes: {result['customers']} customers, "
        f"{result['persons_covered']} persons; mean accuracy {result['mean_accuracy']:.3f}",
        f"  {'attribute':<14} {'accuracy':>8} {'precision':>9} {'per person':>10} {'scored':>7}",
    ]
    for name, scores in result["attributes"].items():
        lines.append(
            f"  {name:<14} {scores['accuracy']:>8.3f} {scores['precision']:>9.3f} "
            f"{scores['person_accuracy']:>10.3f} {scores['evaluated']:>7}"
        )
    return "\n".join(lines)
