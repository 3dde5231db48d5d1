-- Candidate of the published `customer_profile`: the golden record of every customer who was not
-- erased, with provenance and consent (marts.dim_customer_profile). An email or phone of an
-- erased person that another customer shares (a family mailbox, a household landline) is blanked
-- here too: erasure wins over completeness. publication_id is stamped by the publisher.
{%- set blanked = ['email', 'phone'] %}
select
    * exclude (
        {{ blanked | join(', ') }},
        {%- for c in blanked %}
        {{ c }}_source_system, {{ c }}_source_record_id, {{ c }}_observed_at{{ ',' if not loop.last }}
        {%- endfor %}
    ),
    {%- for c in blanked %}
    case when not {{ is_suppressed_value(c, 'profile.' ~ c) }} then profile.{{ c }} end as {{ c }},
    case when not {{ is_suppressed_value(c, 'profile.' ~ c) }} then profile.{{ c }}_source_system end
        as {{ c }}_source_system,
    case when not {{ is_suppressed_value(c, 'profile.' ~ c) }} then profile.{{ c }}_source_record_id end
        as {{ c }}_source_record_id,
    case when not {{ is_suppressed_value(c, 'profile.' ~ c) }} then profile.{{ c }}_observed_at end
        as {{ c }}_observed_at,
    {%- endfor %}
    cast(null as varchar) as publication_id,
from {{ ref('dim_customer_profile') }} as profile
where profile.customer_id not in {{ erased_customer_ids() }}
