-- One row per source system: the latest extraction the warehouse holds from it
-- (`extracted_through`, the per-source freshness an agent is told), and `as_of`, the latest
-- extraction of any system: the context's "now". Guardrail windows count from it, never from the
-- wall clock, so a rebuild on the same data decides the same way.
{%- set tables = [
    ('crm', 'crm__contacts'),
    ('contact_center', 'contact_center__contact_records'),
    ('digital', 'digital__events'),
    ('commerce', 'commerce__orders'),
    ('billing', 'billing__invoices'),
    ('support', 'support__tickets'),
    ('logistics', 'logistics__tracking_events'),
] %}

with

extractions as (
    {%- for system, table in tables %}
    select '{{ system }}' as source_system, max(extracted_at) as extracted_through,
    from {{ source('raw', table) }}
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
