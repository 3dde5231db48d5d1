-- every customer's whole record: the profile as JSON, the context and its brief, the
-- identifiers as JSON. `schema` ("release" or "main") comes from code, never data.
with identifiers as (
    select
        customer_id,
        to_json(list(struct_pack(
            identifier_type := identifier_type, identifier_value := identifier_value
        ))) as identifiers,
    from lookup group by customer_id
)

select
    profile.customer_id,
    to_json(profile) as profile,
    context.context,
    context.context_text,
    identifiers.identifiers,
from customer_profile as profile
left join {{ schema }}.customer_context as context using (customer_id)
left join identifiers using (customer_id)
