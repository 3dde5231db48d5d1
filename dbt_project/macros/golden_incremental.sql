{#-
    Golden records are rebuilt for the customers whose records changed, not for every customer.

    int_customer_golden_record_changes compares each linked record's state (its attributes, its
    customer, whether it is live, and its contact points with whether another customer uses them
    too) with the
    state kept when the golden records were last built (int_customer_golden_record_states). A
    customer is affected when a record it holds, or held then, changed, came or went. The golden
    models of the chain replace every row of the affected customers (strategy replace_customers)
    and keep the others' rows. The kept state advances last, in the same dbt invocation: a step
    that fails midway finds the same changes again next time.

    Everything a candidate depends on outside its own customer is in the record state: whether
    a contact point is shared changes the state of every record stating it (an erasure or a new
    customer included). The authority registry is a seed the incremental fingerprint reads
    (dagster_project/transform/incremental_state.py): a change of it rebuilds from all history.
-#}

{#- The kept state, as built at the start of this invocation (none on a first build or a full
    refresh: then every customer is affected). Read without ref(): it is built after the models
    that read it, from what they were built for. -#}
{% macro golden_kept_state() -%}
    {%- if not execute or flags.FULL_REFRESH or this is none -%}
        {{ return(none) }}
    {%- endif -%}
    {#- where the project builds it (the profile's models are in other schemas) -#}
    {%- set kept = graph.nodes['model.' ~ project_name ~ '.int_customer_golden_record_states'] -%}
    {{ return(adapter.get_relation(
        database=kept.database, schema=kept.schema, identifier=kept.alias
    )) }}
{%- endmacro %}

{#- The models that take their customers from the changes. The state advances only when they
    are all built in this invocation, so that building one alone (a subset in the Dagster UI)
    cannot leave another behind the state. -#}
{% macro golden_chain_selected() -%}
    {%- set chain = [
        'int_customer_golden_record_changes',
        'int_customer_attribute_candidates',
        'int_customer_attributes_survived',
        'fct_customer_attribute_conflicts',
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
    Every customer on a first build, a full refresh, or when the changes are not built in this
    invocation (they may be stale); the affected ones otherwise. A model using it names
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
