{#-
    Incremental staging: a run reads only the raw rows delivered since the model was last built,
    and merges them with the versions it already holds of the same keys, under the model's own
    rule of which version wins (its `qualify`). A full refresh reads all history, as before.
-#}

{#- The raw rows to read: on an incremental run, those loaded since the latest delivery this
    model holds (that delivery included: reading it again changes nothing). Every delivery loaded
    before it was read by an earlier build, since ingestion loads whole batches before dbt runs
    and never stamps a load before an earlier one (customer_truth/ingest.py `_load_time`).
    A delivery none of whose rows won (a full re-extract of unchanged rows) is simply read again
    next time: the set stays bounded by what was loaded since the last winning delivery. -#}
{% macro staging_new_deliveries(raw_relation) -%}
    {%- if is_incremental() %}
    where loaded_at >= (
        select coalesce(max(delivered.loaded_at), '-infinity'::timestamptz)
        from {{ raw_relation }} as delivered
        where delivered.batch_id in (select distinct held.batch_id from {{ this }} as held)
    )
    {%- endif %}
{%- endmacro %}

{#- The versions to choose from: the new ones, and on an incremental run the version this model
    holds of each key they name (a key no new row names keeps its row untouched). -#}
{% macro staging_versions_with_held(new_versions, key) -%}
    select * from {{ new_versions }}
    {%- if is_incremental() %}
    union all by name
    select held.* from {{ this }} as held
    where held.{{ key }} in (select new.{{ key }} from {{ new_versions }} as new)
    {%- endif %}
{%- endmacro %}
