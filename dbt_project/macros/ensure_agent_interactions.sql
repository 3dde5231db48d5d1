{#-
    ensure_agent_interactions(): create `raw.ai_agent__interactions` when it does not exist yet,
    empty, so that `dbt build` works on a warehouse the interaction log was never loaded into
    (it is filled by the Dagster asset raw/ai_agent__interactions). The same DDL as
    `customer_truth.interaction_log.ensure_raw_table`; never drops or alters anything.
-#}
{% macro ensure_agent_interactions() %}
create schema if not exists raw;
create table if not exists raw.ai_agent__interactions (
    record_key varchar not null,
    payload json not null,
    batch_id varchar not null,
    batch_mode varchar,
    extracted_at timestamptz,
    source_file varchar not null,
    line_number bigint not null,
    loaded_at timestamptz not null
);
{% endmacro %}
