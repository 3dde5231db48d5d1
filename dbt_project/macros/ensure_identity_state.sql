{#-
    ensure_identity_state(): create the `identity` schema's persisted state tables when they do
    not exist yet, empty. Their one definition: dbt runs it by `on-run-start` (dbt_project.yml),
    once per invocation, so that `dbt build` works on a fresh warehouse before the identity
    steps ever ran (the marts are then empty); the stable-id step
    (`customer_truth.identity.stable_ids.ensure_state_tables`), which owns and fills these
    tables, renders this same macro. Plain SQL, no dbt context. Never drops or alters anything.
-#}
{% macro ensure_identity_state() %}
create schema if not exists identity;
create table if not exists identity.customers (
    customer_id varchar not null,
    founding_record_uid varchar not null,
    status varchar not null,
    superseded_by varchar,
    created_at timestamptz not null,
    updated_at timestamptz not null
);
create table if not exists identity.customer_ids (
    record_uid varchar not null,
    customer_id varchar not null,
    first_assigned_at timestamptz not null,
    first_seen_at timestamptz not null,
    last_seen_at timestamptz not null
);
create table if not exists identity.customer_id_history (
    event_id bigint not null,
    event_type varchar not null,
    customer_id varchar not null,
    from_customer_id varchar,
    into_customer_id varchar,
    reason varchar not null,
    record_count bigint not null,
    record_uids varchar[],
    occurred_at timestamptz not null
);
create table if not exists identity.record_customer_ids (
    record_uid varchar not null,
    customer_id varchar not null,
    match_rule varchar,
    match_score double,
    linked_at timestamptz not null
);
create table if not exists identity.customer_id_runs (
    run_at timestamptz not null,
    records bigint not null,
    customers bigint not null,
    kept bigint not null,
    created bigint not null,
    merged bigint not null,
    split bigint not null,
    retired bigint not null
)
{% endmacro %}
