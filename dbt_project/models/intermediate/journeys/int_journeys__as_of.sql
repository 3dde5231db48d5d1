-- One row per source system: the latest extraction the warehouse holds from it
-- (`extracted_through`, also the per-source freshness an agent is told in its context), and
-- `as_of`, the latest extraction of any system. `as_of` is the pipeline's "now" for everything
-- that depends on time (overdue deliveries, trailing windows, open signals, guardrail windows):
-- the data's own clock, never the wall clock, so a rerun on the same data gives the same answer.
-- Read from each system's main staging model: the latest delivery's rows are the latest
-- versions there. Quarantined batches never reach staging, so they never move the clock.
-- The one as-of model: journeys and the context read it.
{%- set models = [
    ('crm', 'stg_crm__contacts'),
    ('contact_center', 'stg_contact_center__contact_records'),
    ('digital', 'stg_digital__events'),
    ('commerce', 'stg_commerce__orders'),
    ('billing', 'stg_billing__invoices'),
    ('support', 'stg_support__tickets'),
    ('logistics', 'stg_logistics__tracking_events'),
] %}

with

extractions as (
    {%- for system, model in models %}
    select '{{ system }}' as source_system, max(extracted_at) as extracted_through,
    from {{ ref(model) }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
)

select
    source_system,
    extracted_through,
    max(extracted_through) over () as as_of,
from extractions
