"""Identity resolution, end to end: which identity records are one person.

`resolve_identities(con)` reads the dbt models `intermediate.int_identity__records`,
`int_identity__deterministic_links` and `int_identity__identifier_usage` from the warehouse and
writes, in schema `identity`:

- `record_clusters`: one row per resolved record: its `cluster_key` (one per person in this run;
  stable ids are made downstream), the rule or model that attached it, its score;
- `match_evidence`: every deterministic link and every model-scored pair above the score floor,
  with the decision (`linked`, `cut_by_guard`, `below_threshold`) and the guard that cut it;
- `review_queue`: pairs near the threshold and likely matches a guard refused, for a human.

Layers: (1) deterministic links from strong identifiers, (2) the versioned Splink model on
everything the blocking rules propose, (3) pair guards (a pair whose only common ground is a
shared identifier or a household address, with no personal evidence, never links), (4)
constrained clustering (`clustering`). Merged-away CRM contacts follow their master; deleted
records attach to the customer of their strongest link, and are absent when they have none.

Set work runs in DuckDB: Splink and the guards on an in-memory connection, frames moved as
arrow; the warehouse connection only reads the inputs and writes the three tables.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pyarrow as pa

from customer_truth.identity import clustering, matching, training
from customer_truth.identity.clustering import Thresholds
from customer_truth.warehouse import connect

# Order in which deterministic rules are applied (most trustworthy first); others follow.
_RULE_PRIORITY = [
    "crm_contact_id:zendesk_external_id",
    "crm_contact_id:stripe_metadata",
    "commerce_customer_id:segment_user_id",
    "commerce_customer_id:stripe_metadata",
    "anonymous_id:segment_identify",
    "anonymous_id:segment_alias",
    "anonymous_id:order_note_attribute",
    "anonymous_id:segment_signed_in_message",
    "email:personal",
]
# Systems that hold one email per person: two of their records with different verified
# emails are two people (a Zendesk end-user is identified by the address tickets answer to).
ONE_EMAIL_PER_PERSON_SYSTEMS = ("support",)
# Data without any strong identifier and at least this many records gets a model of its own.
MIN_RECORDS_TO_TRAIN_ON_RUN = 1000


@dataclass(frozen=True)
class ResolutionSummary:
    records: int
    live_records: int
    resolved_records: int
    clusters: int
    deterministic_links: int
    scored_pairs: int
    model_links: int
    cut_by_guard: int
    review_pairs: int
    model_version: str
    seconds: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# Pair guards on model-scored pairs. `person_evidence`: something only one person has in
# common with themself (compatible given names, the same birth date, a personal email or
# phone). `household_context`: the pair shares something several people of this data share
# (a shared email or phone, a household address).
_PAIR_GUARDS_SQL = """
create or replace temp table guarded_pairs as
with compared as (
    select
        p.unique_id_l,
        p.unique_id_r,
        p.match_probability,
        p.match_weight,
        (
            l.given_name is not null and r.given_name is not null and (
                {compatible}
                or {swapped}
            )
        )
        or l.birth_date = r.birth_date
        or (l.email = r.email and not l.email_is_shared)
        or list_has_any(l.phones_personal, r.phones_personal) as person_evidence,
        (l.email = r.email and l.email_is_shared)
        or list_has_any(l.phones_shared, r.phones_shared)
        or (l.address_key = r.address_key and l.address_is_shared) as household_context,
        l.given_name is not null and r.given_name is not null as both_named,
        l.birth_date is not null and r.birth_date is not null
            and l.birth_date <> r.birth_date as birth_dates_differ,
        (l.email = r.email and not l.email_is_shared)
            or list_has_any(l.phones_personal, r.phones_personal) as shares_personal_identifier,
    from predictions as p
    inner join features as l on p.unique_id_l = l.unique_id
    inner join features as r on p.unique_id_r = r.unique_id
)
select
    unique_id_l,
    unique_id_r,
    match_probability,
    match_weight,
    case
        when coalesce(household_context, false) and not coalesce(person_evidence, false)
            then case when both_named then 'given_names_conflict' else 'shared_identifier_only' end
    end as guard_reason,
    coalesce(birth_dates_differ, false) as birth_dates_differ,
    coalesce(shares_personal_identifier, false) as shares_personal_identifier,
from compared
""".replace("{compatible}", matching.given_names_compatible_sql("l.{}", "r.{}")).replace(
    "{swapped}", matching.swapped_names_sql("l.{}", "r.{}")
)


def _fetch(con: duckdb.DuckDBPyConnection, sql: str) -> pl.DataFrame:
    return con.sql(sql).pl()


def resolve_identities(
    con: duckdb.DuckDBPyConnection,
    *,
    model_path: Path | None = None,
    thresholds: Thresholds | None = None,
) -> ResolutionSummary:
    """Resolve the warehouse's identity records into persons (see the module docstring)."""
    started = time.perf_counter()
    thresholds = thresholds or Thresholds()
    resolved_at = datetime.now(UTC)

    records = con.sql("select * from intermediate.int_identity__records").arrow().read_all()
    links = (
        con.sql("select * from intermediate.int_identity__deterministic_links").arrow().read_all()
    )
    usage = con.sql("select * from intermediate.int_identity__identifier_usage").arrow().read_all()

    work = connect(":memory:")
    try:
        work.register("records_input", records)
        work.register("links_input", links)
        work.register("usage", usage)
        tables, version = _resolve_in_memory(work, model_path, thresholds, resolved_at)
        _write_outputs(con, tables)
        return _summarise(work, tables, records.num_rows, version, started)
    finally:
        work.close()


def _choose_model(
    work: duckdb.DuckDBPyConnection, features: pa.Table, model_path: Path | None
) -> dict[str, Any]:
    """The versioned model, unless the data is nothing like the enterprise it was trained on.

    The versioned model learnt its agreement rates from an enterprise's strong-identifier links.
    Data that holds no strong identifier at all (a public record-linkage benchmark, an export of
    one file) has another population and another noise: for it the retraining job's own recipe
    (seeded, so the run is reproducible) trains a model on the data being resolved, as a new
    enterprise would before its first run. An explicit `model_path` is always used as given.
    """
    if model_path is not None:
        return matching.load_model(model_path)
    strong_links = work.sql(
        "select count(*) from links_input where guard_reason is null and rule not like 'email:%'"
    ).fetchall()[0][0]
    if strong_links == 0 and features.num_rows >= MIN_RECORDS_TO_TRAIN_ON_RUN:
        return training.train_model(
            features, version=f"{matching.MODEL_VERSION}-trained-on-this-data"
        )
    return matching.load_model(None)


def _resolve_in_memory(
    work: duckdb.DuckDBPyConnection,
    model_path: Path | None,
    thresholds: Thresholds,
    resolved_at: datetime,
) -> tuple[dict[str, pl.DataFrame], str]:
    work.execute("create or replace temp table all_records as select * from records_input")
    # merged-away contacts follow their master, through chains of merges
    work.execute(
        """
        create or replace temp table survivors as
        with recursive chain(record_uid, survivor_uid, depth) as (
            select record_uid, survivor_record_uid, 1
            from all_records where survivor_record_uid is not null
            union all
            select chain.record_uid, all_records.survivor_record_uid, chain.depth + 1
            from chain
            inner join all_records on chain.survivor_uid = all_records.record_uid
            where all_records.survivor_record_uid is not null and chain.depth < 20
        )
        select record_uid, arg_max(survivor_uid, depth) as survivor_uid
        from chain
        group by record_uid
        """
    )
    # records that take part in matching: every record that is not merged into another
    work.execute(
        """
        create or replace temp table matchable as
        select all_records.*
        from all_records
        left join survivors using (record_uid)
        where survivors.record_uid is null
        """
    )
    # matching.FEATURES_SQL reads `records` and `usage`
    work.execute("create or replace temp view records as select * from matchable")
    features = matching.build_features(work)
    work.register("features", features)
    settings = _choose_model(work, features, model_path)
    version = matching.model_version(settings)

    predictions = matching.score_pairs(features, settings)
    work.register("predictions", predictions)
    work.execute(_PAIR_GUARDS_SQL)

    # deterministic links, endpoints moved to their survivors
    work.execute(
        """
        create or replace temp table deterministic as
        select
            links.record_uid_l,
            links.record_uid_r,
            links.rule,
            links.identifier_value,
            links.guard_reason,
            coalesce(sl.survivor_uid, links.record_uid_l) as node_l,
            coalesce(sr.survivor_uid, links.record_uid_r) as node_r,
            coalesce(list_position($priority, links.rule), len($priority) + 1) as priority,
        from links_input as links
        left join survivors as sl on links.record_uid_l = sl.record_uid
        left join survivors as sr on links.record_uid_r = sr.record_uid
        """,
        parameters={"priority": _RULE_PRIORITY},
    )
    work.execute(
        """
        create or replace temp table edges as
        select
            row_number() over (order by node_l, node_r, rule) as edge_id,
            node_l as record_uid_l,
            node_r as record_uid_r,
            true as is_deterministic,
            priority,
            cast(null as double) as match_probability,
            'deterministic:' || rule as rule,
            guard_reason as pair_guard,
            true as shares_personal_identifier,
        from deterministic
        where node_l <> node_r
        union all
        select
            1000000000 + row_number() over (order by unique_id_l, unique_id_r),
            unique_id_l,
            unique_id_r,
            false,
            null,
            match_probability,
            'splink:' || $version,
            guard_reason,
            shares_personal_identifier,
        from guarded_pairs
        """,
        parameters={"version": version},
    )
    # live records are the graph's nodes, numbered densely for union-find
    work.execute(
        """
        create or replace temp table nodes as
        select
            row_number() over (order by matchable.record_uid) - 1 as node,
            matchable.record_uid,
            strftime(matchable.birth_date, '%Y-%m-%d') as birth_date,
            case when list_contains($systems, matchable.source_system) and matchable.email_verified
                 and matchable.email is not null then matchable.source_system end
                as verified_email_system,
            matchable.email as verified_email,
            case when features.email is not null and not features.email_is_shared
                then [features.email] else [] end as personal_emails,
            features.phones_personal as personal_phones,
        from matchable
        inner join features on matchable.record_uid = features.unique_id
        where matchable.is_live
        """,
        parameters={"systems": list(ONE_EMAIL_PER_PERSON_SYSTEMS)},
    )
    live_nodes = _fetch(work, "select * exclude (node, record_uid) from nodes order by node")
    # candidate links strongest first: deterministic (by rule priority), then by probability
    live_edges = work.sql(
        """
        select edges.edge_id, l.node as node_l, r.node as node_r,
               edges.is_deterministic, edges.match_probability
        from edges
        inner join nodes as l on edges.record_uid_l = l.record_uid
        inner join nodes as r on edges.record_uid_r = r.record_uid
        where edges.pair_guard is null
          and (edges.is_deterministic or edges.match_probability >= $link)
        order by edges.is_deterministic desc, edges.priority,
                 edges.shares_personal_identifier desc, edges.match_probability desc, edges.edge_id
        """,
        params={"link": thresholds.link},
    ).pl()
    roots, decisions = clustering.cluster(live_nodes, live_edges, thresholds)
    work.register(
        "roots", pl.DataFrame({"root": roots}, schema={"root": pl.Int64}).with_row_index("node")
    )
    work.execute(
        """
        create or replace temp table assignments as
        select nodes.record_uid, roots.root as cluster_key
        from nodes
        inner join roots on nodes.node = roots.node
        """
    )
    work.register("decisions", decisions)
    _attach_and_label(work, thresholds)
    return _output_tables(work, thresholds, resolved_at), version


def _attach_and_label(work: duckdb.DuckDBPyConnection, thresholds: Thresholds) -> None:
    """Deleted records join the customer of their strongest acceptable link to a live record;
    merged-away records join their survivor's. Every record gets the rule that attached it."""
    work.execute(
        """
        create or replace temp table edge_decisions as
        select
            edges.*,
            case
                when edges.pair_guard is not null then 'cut_by_guard'
                when decisions.decision is not null then decisions.decision
                when not edges.is_deterministic and edges.match_probability < $link
                    then 'below_threshold'
            end as decision,
            coalesce(edges.pair_guard, decisions.guard_reason) as guard_reason,
        from edges
        left join decisions using (edge_id)
        """,
        parameters={"link": thresholds.link},
    )
    work.execute(
        """
        create or replace temp table deleted_attachments as
        with candidates as (
            select l.record_uid as orphan, e.record_uid_r as anchor, e.*
            from edge_decisions as e
            inner join matchable as l on e.record_uid_l = l.record_uid and not l.is_live
            inner join matchable as r on e.record_uid_r = r.record_uid and r.is_live
            union all
            select r.record_uid, e.record_uid_l, e.*
            from edge_decisions as e
            inner join matchable as r on e.record_uid_r = r.record_uid and not r.is_live
            inner join matchable as l on e.record_uid_l = l.record_uid and l.is_live
        )
        select
            orphan as record_uid,
            arg_max(anchor, (is_deterministic, coalesce(match_probability, 1))) as anchor_uid,
            arg_max(rule, (is_deterministic, coalesce(match_probability, 1))) as rule,
            max(match_probability) filter (where not is_deterministic) as score,
        from candidates
        where pair_guard is null and (is_deterministic or match_probability >= $link)
        group by orphan
        """,
        parameters={"link": thresholds.link},
    )
    # the live clusters, keyed by their smallest record_uid (same clustering, same key)
    work.execute(
        """
        create or replace temp table live_clusters as
        select
            record_uid,
            min(record_uid) over (partition by cluster_key) as cluster_key,
            count(*) over (partition by cluster_key) as cluster_size,
        from assignments
        """
    )
    work.execute(
        """
        create or replace temp table best_link as
        with incident as (
            select record_uid_l as record_uid, rule, is_deterministic, priority, match_probability
            from edge_decisions where decision = 'linked'
            union all
            select record_uid_r, rule, is_deterministic, priority, match_probability
            from edge_decisions where decision = 'linked'
        )
        select
            record_uid,
            arg_max(
                rule, (is_deterministic, -coalesce(priority, 0), coalesce(match_probability, 1))
            ) as rule,
            arg_max(match_probability, (is_deterministic, coalesce(match_probability, 1)))
                as score,
        from incident
        group by record_uid
        """
    )
    work.execute(
        """
        create or replace temp table clustered as
        select
            live.record_uid,
            live.cluster_key,
            case when live.cluster_size = 1 then 'singleton' else best.rule end as match_rule,
            case when live.cluster_size > 1 and best.rule like 'splink:%' then best.score end
                as match_score,
        from live_clusters as live
        left join best_link as best using (record_uid)
        union all
        select
            attached.record_uid,
            live.cluster_key,
            attached.rule,
            attached.score,
        from deleted_attachments as attached
        inner join live_clusters as live on attached.anchor_uid = live.record_uid
        """
    )
    # merged-away records take their survivor's customer (the survivor may itself be deleted)
    work.execute(
        """
        insert into clustered
        select
            survivors.record_uid,
            clustered.cluster_key,
            'deterministic:crm_master_record_id',
            null,
        from survivors
        inner join clustered on survivors.survivor_uid = clustered.record_uid
        """
    )


def _output_tables(
    work: duckdb.DuckDBPyConnection, thresholds: Thresholds, resolved_at: datetime
) -> dict[str, pl.DataFrame]:
    record_clusters = _fetch(
        work,
        "select record_uid, cluster_key, match_rule, match_score from clustered order by 1",
    ).with_columns(pl.lit(resolved_at).alias("resolved_at"))
    evidence = work.sql(
        """
        select
            e.record_uid_l,
            e.record_uid_r,
            e.rule,
            e.match_probability,
            p.match_weight,
            case when not e.is_deterministic then to_json(struct_pack(
                name := p.gamma_name,
                birth_date := p.gamma_birth_date,
                email := p.gamma_email,
                phone := p.gamma_phone,
                address := p.gamma_address,
                given_name_l := p.given_name_l,
                given_name_r := p.given_name_r,
                family_name_l := p.family_name_l,
                family_name_r := p.family_name_r,
                email_l := p.email_l,
                email_r := p.email_r
            )) else to_json(struct_pack(
                identifier_value := d.identifier_value,
                source_record_uid_l := d.record_uid_l,
                source_record_uid_r := d.record_uid_r
            )) end as comparison,
            coalesce(e.decision, 'linked') as decision,
            e.guard_reason,
        from edge_decisions as e
        left join predictions as p
            on not e.is_deterministic
            and e.record_uid_l = p.unique_id_l and e.record_uid_r = p.unique_id_r
        left join (
            select *, row_number() over (partition by node_l, node_r, rule) as n
            from deterministic
        ) as d
            on e.is_deterministic and d.n = 1
            and e.record_uid_l = d.node_l and e.record_uid_r = d.node_r
            and e.rule = 'deterministic:' || d.rule
        order by e.record_uid_l, e.record_uid_r, e.rule
        """
    ).pl()
    work.register("evidence_frame", evidence)
    review = work.sql(
        """
        select
            record_uid_l,
            record_uid_r,
            match_probability,
            case
                when decision = 'cut_by_guard'
                    then 'likely match refused by guard: ' || guard_reason
                when decision = 'linked' then 'linked below the strong threshold'
                else 'not linked, close to the threshold'
            end as reason,
        from evidence_frame
        where match_probability is not null
          and (
            (match_probability >= $low and match_probability < $strong)
            or (decision = 'cut_by_guard' and match_probability >= $link)
          )
        order by abs(match_probability - $link), record_uid_l, record_uid_r
        """,
        params={
            "low": thresholds.review_low,
            "strong": thresholds.strong,
            "link": thresholds.link,
        },
    ).pl()
    return {"record_clusters": record_clusters, "match_evidence": evidence, "review_queue": review}


def _write_outputs(con: duckdb.DuckDBPyConnection, tables: dict[str, pl.DataFrame]) -> None:
    con.execute("create schema if not exists identity")
    con.register("record_clusters_frame", tables["record_clusters"])
    con.register("match_evidence_frame", tables["match_evidence"])
    con.register("review_queue_frame", tables["review_queue"])
    try:
        con.execute("begin transaction")
        con.execute(
            """
            create or replace table identity.record_clusters (
                record_uid varchar primary key,
                cluster_key varchar not null,
                match_rule varchar not null,
                match_score double,
                resolved_at timestamptz
            )
            """
        )
        con.execute("insert into identity.record_clusters select * from record_clusters_frame")
        con.execute(
            """
            create or replace table identity.match_evidence as
            select
                record_uid_l::varchar as record_uid_l,
                record_uid_r::varchar as record_uid_r,
                rule::varchar as rule,
                match_probability::double as match_probability,
                match_weight::double as match_weight,
                comparison::json as comparison,
                decision::varchar as decision,
                guard_reason::varchar as guard_reason,
            from match_evidence_frame
            """
        )
        con.execute(
            """
            create or replace table identity.review_queue as
            select
                record_uid_l::varchar as record_uid_l,
                record_uid_r::varchar as record_uid_r,
                match_probability::double as match_probability,
                reason::varchar as reason,
            from review_queue_frame
            """
        )
        con.execute("commit")
    except Exception:
        con.execute("rollback")
        raise
    finally:
        for name in ("record_clusters_frame", "match_evidence_frame", "review_queue_frame"):
            con.unregister(name)


def _summarise(
    work: duckdb.DuckDBPyConnection,
    tables: dict[str, pl.DataFrame],
    records: int,
    version: str,
    started: float,
) -> ResolutionSummary:
    row = work.sql(
        """
        select
            (select count(*) from all_records where is_live),
            (select count(*) from clustered),
            (select count(distinct cluster_key) from clustered),
            (select count(*) from edge_decisions
             where is_deterministic and decision = 'linked'),
            (select count(*) from predictions),
            (select count(*) from edge_decisions
             where not is_deterministic and decision = 'linked'),
            (select count(*) from edge_decisions where decision = 'cut_by_guard')
        """
    ).fetchall()[0]
    assert row is not None
    return ResolutionSummary(
        records=records,
        live_records=int(row[0]),
        resolved_records=int(row[1]),
        clusters=int(row[2]),
        deterministic_links=int(row[3]),
        scored_pairs=int(row[4]),
        model_links=int(row[5]),
        cut_by_guard=int(row[6]),
        review_pairs=tables["review_queue"].height,
        model_version=version,
        seconds=time.perf_counter() - started,
    )
