{#-
    Golden records are rebuilt for the customers whose records changed, not for every customer.

    int_customer_golden_record_changes compares each linked record's state (its attributes, its
    customer, whether it is live, and its contact points with whether another customer uses them
    too) with the state kept when the golden records were last built
    (int_customer_golden_record_states). A
    customer is affected when a record it holds, or held then, changed, came or went. The golden
    models of the chain replace every row of the affected customers (strategy replace_customers)
    and keep the others' rows. The kept state advances last, in the same dbt invocation.

    What keeps a day's rows equal to a rebuild's when a run does not go as planned:
    - before the first model writes, the kept state of every changed record is marked spent
      (golden_state_guard): a step that fails midway finds those records changed next time,
      even if they have changed back meanwhile;
    - a golden model built without the whole chain (a subset in the Dagster UI, a partial
      --full-refresh) builds every customer and drops the kept state: the next run of the
      whole chain rebuilds every customer;
    - the erasure sweep deletes golden rows by value, some of other customers' (a shared
      email), and marks the kept state of every customer who lost one spent, as the guard does
      (customer_truth/privacy/warehouse_erasure.py, privacy/sql/forget_golden_state.sql);
    - a change of a rule upstream (a seed such as the authority registry, the SQL of a table
      model the chain reads) changes the chain's incremental fingerprint, and the step is a full
      refresh (dagster_project/transform/incremental_state.py).
    Whether a contact point is shared is in the record state: a change of who uses it changes
    the state of every record stating it.
-#}

{#- The kept state, as built at the start of this invocation (none on a first build or a full
    refresh: then every customer is affected). Read without ref(): it is built after the models
    that read it, from what they were built for. -#}
{% macro golden_kept_state() -%}
    {%- if flags.FULL_REFRESH -%}
        {{ return(none) }}
    {%- endif -%}
    {{ return(golden_state_relation()) }}
{%- endmacro %}

{#- The kept state's relation, if it exists (looked up where its model is built: the models
    reading it are in other schemas too). -#}
{% macro golden_state_relation() -%}
    {%- if not execute or this is none -%}
        {{ return(none) }}
    {%- endif -%}
    {%- set kept = graph.nodes['model.' ~ project_name ~ '.int_customer_golden_record_states'] -%}
    {{ return(adapter.get_relation(
        database=kept.database, schema=kept.schema, identifier=kept.alias
    )) }}
{%- endmacro %}

{#- The golden chain: the models that take their customers from the changes and those they
    read. The state advances only when they are all built in this invocation, so that building
    one alone (a subset in the Dagster UI) cannot leave another behind the state. -#}
{% macro golden_chain_selected() -%}
    {%- set chain = [
        'int_customer_contact_points',
        'int_customer_golden_record_changes',
        'int_customer_attribute_candidates',
        'int_customer_attributes_survived',
        'fct_customer_attribute_conflicts',
        'int_customer_consent_resolved',
        'int_households_grouped',
        'dim_customer_profile',
        'int_customer_golden_record_states',
    ] -%}
    {%- for name in chain -%}
        {%- if 'model.' ~ project_name ~ '.' ~ name not in selected_resources -%}
            {{ return(false) }}
        {%- endif -%}
    {%- endfor -%}
    {{ return(true) }}
{%- endmacro %}

{#- A predicate on `column` (a customer id): the customers a golden model builds in this run.
    Every customer on a first build, a full refresh, or when the whole chain is not built in this
    invocation (its changes may be stale); the affected ones otherwise. A model using it names
    `-- depends_on: {{ ref('int_customer_golden_record_changes') }}` (the ref below is read only
    on an incremental run, after dbt has parsed the model). -#}
{% macro golden_customers_to_build(column) -%}
    {%- if is_incremental() and golden_chain_selected() and golden_kept_state() is not none -%}
    {{ column }} in (
        select customer_id from {{ ref('int_customer_golden_record_changes') }}
        where customer_id is not null
        union
        select previous_customer_id from {{ ref('int_customer_golden_record_changes') }}
        where previous_customer_id is not null
    )
    {%- else -%}
    true
    {%- endif -%}
{%- endmacro %}

{#- incremental_strategy='replace_customers': every held row of a customer built in this run
    goes (a customer whose records all went elsewhere has no new row; a model may build more
    customers than the changes name, the profile those whose household changed), then the new
    rows come in. -#}
{% macro get_incremental_replace_customers_sql(arg_dict) -%}
    {%- set target = arg_dict['target_relation'] -%}
    {%- set columns = get_quoted_csv(arg_dict['dest_columns'] | map(attribute='name')) -%}
    delete from {{ target }} as held
    where {{ golden_customers_to_build('held.customer_id') }}
        or held.customer_id in (select built.customer_id from {{ arg_dict['temp_relation'] }} as built);
    insert into {{ target }} ({{ columns }})
    select {{ columns }} from {{ arg_dict['temp_relation'] }}
{%- endmacro %}

{#- The pre-hook of every model that writes golden rows. Within the whole chain, the first
    writer (the candidates) marks the kept state of every changed record spent (0 is no hash we
    keep), so that the records count as changed until the state advances at the end. Without the
    whole chain, the model builds every customer and the kept state is dropped. -#}
{% macro golden_state_guard(first_writer=false) -%}
    {%- set kept = golden_state_relation() -%}
    {%- if kept is none -%}
        select 1
    {%- elif not golden_chain_selected() -%}
        drop table if exists {{ kept }}
    {%- elif first_writer and is_incremental() and not flags.FULL_REFRESH -%}
        update {{ kept }} set record_state = 0
        where record_uid in (select record_uid from {{ ref('int_customer_golden_record_changes') }})
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}
