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

{#- Child staging models hold one row per item nested in a parent's record (an order's line
    items, fulfillments and refunds; a tracking event's checkpoints). They are incremental by
    parent: a run unnests the parents whose current version came in a delivery loaded since the
    child was last built (the watermark of staging_new_deliveries, read from the parent's raw
    table: a parent whose items are all gone leaves no batch of its own in the child), and
    replaces every child row of those parents (strategy replace_parents below). Reading a
    parent again that did not change rewrites the same rows, so the watermark may err early,
    never late. The parent, its key and its raw table are the model's `reread_parents` config. -#}
{% macro staging_reread_parent_keys() -%}
    {%- set parent = config.require('reread_parents') -%}
    {%- set raw_relation = source('raw', parent['raw']) -%}
    select held_parent.{{ parent['key'] }}
    from {{ ref(parent['model']) }} as held_parent
    where held_parent.batch_id in (
        select distinct batch_id from {{ raw_relation }}
        {{ staging_new_deliveries(raw_relation) }}
    )
{%- endmacro %}

{#- The parents a child model reads: all of them on a full build, the re-read ones otherwise. -#}
{% macro staging_reread_parents_filter() -%}
    {%- if is_incremental() %}
    where {{ config.require('reread_parents')['key'] }} in ({{ staging_reread_parent_keys() }})
    {%- endif %}
{%- endmacro %}

{#- incremental_strategy='replace_parents': every held row of a re-read parent goes (whether or
    not its new version still holds the item), and every row of a parent the parent model no
    longer holds (the erasure sweep removes rows of staging, and a full build would have no
    items of them); then the new rows come in. -#}
{% macro get_incremental_replace_parents_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    {%- set parent = config.require('reread_parents') -%}
    delete from {{ target }} as held
    where held.{{ parent['key'] }} in ({{ staging_reread_parent_keys() }})
        or not exists (
            select 1 from {{ ref(parent['model']) }} as current_parent
            where current_parent.{{ parent['key'] }} = held.{{ parent['key'] }}
        );
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}
