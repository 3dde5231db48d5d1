-- signal -> incident of its kind, of one of its customer's persons, whose reference its
-- evidence names
create temp table signal_matches as
with parsed as (
    select
        signal_id, customer_id, signal_type,
        evidence ->> '$.order_name' as order_name,
        evidence ->> '$.tracking_code' as tracking_code,
        evidence ->> '$.invoice_id' as invoice_id,
        evidence ->> '$.ticket_id' as ticket_id,
        coalesce(cast(evidence -> '$.contact_ids' as varchar[]), []) as contact_ids,
    from signals
)

select
    parsed.signal_id, incidents.incident_id, incidents.kind,
    incidents.state = 'active' as incident_active,
    -- an incident in flux, or one no path in the landed data ties to its person: a signal on it
    -- is neither right nor wrong
    incidents.state in ('in_flux', 'unidentified') as incident_undecided,
from parsed
inner join person_customers on parsed.customer_id = person_customers.customer_id
inner join incidents
    on
        incidents.person_id = person_customers.person_id
        and incidents.kind = parsed.signal_type
        and (
            (
                incidents.kind = 'delivery_delayed'
                and (
                    parsed.order_name = incidents.order_name
                    or parsed.tracking_code = upper(replace(incidents.tracking_code, ' ', ''))
                )
            )
            or (incidents.kind = 'payment_failed' and parsed.invoice_id = incidents.invoice_id)
            or (incidents.kind = 'bad_csat_open' and parsed.ticket_id = incidents.ticket_id)
            or (
                incidents.kind = 'repeat_contact'
                and len(list_intersect(parsed.contact_ids, incidents.contact_ids)) > 0
            )
        )
