-- One row per linked record: its state (int_customer_golden_record_changes) as the golden
-- records were last built from it. Built after them, from the changes they were built for: a
-- changed record's state replaces the kept one, a gone record's is deleted. Advances only when
-- the whole golden chain is built in this invocation (macros/golden_incremental.sql).
{{ config(
    materialized='incremental',
    unique_key='record_uid',
    incremental_strategy='delete+insert',
    on_schema_change='fail',
    post_hook="delete from {{ this }} where record_state is null",
) }}
-- built after every model that rebuilds from the changes:
-- depends_on: {{ ref('int_customer_attributes_survived') }}
-- depends_on: {{ ref('fct_customer_attribute_conflicts') }}
-- depends_on: {{ ref('dim_customer_profile') }}

select record_uid, customer_id, record_state,
from {{ ref('int_customer_golden_record_changes') }}
{#- built without the whole chain, it keeps nothing: the next run of the chain rebuilds all -#}
{%- if not golden_chain_selected() %}
where false
{%- endif %}
