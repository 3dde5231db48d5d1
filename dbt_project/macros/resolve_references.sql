{#-
    resolve_references(references, identifiers): the customer each subject (an event's source
    record, an order) is attributed to, through the identifiers it carries.

    `references` (a CTE name): subject_key, ref_rank, identifier_type, identifier_value; one row
    per identifier a subject carries, ranked by how specific the path is (1 = an authenticated id
    such as a CRM contact id; higher = an email, then a phone).
    `identifiers` (a CTE name): identifier_type, identifier_value, customer_id, customer_count.

    Rule: the lowest rank whose unshared identifiers (customer_count = 1) all name one customer
    wins. An identifier several customers hold (a household landline, a family mailbox) never
    decides alone: a subject that only has such identifiers is left unattributed as ambiguous,
    not given to a guess. Returns the CTEs `resolved_references` with subject_key, customer_id,
    attribution_path (`rank:identifier types`), unattributed_reason.
-#}
{% macro resolve_references(references, identifiers) -%}
reference_known_identifiers as (
    -- an unshared identifier as it is; a shared one once, without its customers: it decides
    -- nothing, and joining each of its customers to every subject naming it grew with the
    -- square of its reach (100k persons: 471,631 joined rows for 8,285 references)
    select identifier_type, identifier_value, customer_id, customer_count,
    from {{ identifiers }}
    where customer_count = 1
    union all
    select identifier_type, identifier_value, null, max(customer_count),
    from {{ identifiers }}
    where customer_count > 1
    group by identifier_type, identifier_value
),

reference_candidates as (
    select
        refs.subject_key,
        refs.ref_rank,
        refs.identifier_type,
        known.customer_id,
        known.customer_count,
    from {{ references }} as refs
    left join reference_known_identifiers as known
        on refs.identifier_type = known.identifier_type
        and refs.identifier_value = known.identifier_value
),

reference_ranks as (
    select
        subject_key,
        ref_rank,
        count(distinct customer_id) filter (where customer_count = 1) as unshared_customers,
        any_value(customer_id) filter (where customer_count = 1) as customer_id,
        string_agg(distinct identifier_type, '+' order by identifier_type)
            filter (where customer_count = 1) as identifier_types,
        bool_or(customer_count > 1) as has_shared,
    from reference_candidates
    group by subject_key, ref_rank
),

resolved_references as (
    select
        subject_key,
        arg_min(customer_id, ref_rank) filter (where unshared_customers = 1) as customer_id,
        arg_min(identifier_types, ref_rank) filter (where unshared_customers = 1)
            as attribution_path,
        case
            when count(*) filter (where unshared_customers = 1) > 0 then null
            when bool_or(unshared_customers > 1) then 'conflicting_identifiers'
            when bool_or(has_shared) then 'ambiguous_shared_identifier'
            else 'identifier_not_resolved'
        end as unattributed_reason,
    from reference_ranks
    group by subject_key
)
{%- endmacro %}
