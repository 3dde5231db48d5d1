-- the truth's incidents begun by the world's as-of, each judged active, inactive, in flux or
-- unidentified against the landed data (`cutoffs`: per kind, the extractions that could show it)
create temp table incidents as
select
    incident_id, kind, person_id,
    cast(began_at as timestamptz) as began_at,
    cast(resolved_at as timestamptz) as resolved_at,
    refs.order_name as order_name,
    refs.tracking_code as tracking_code,
    refs.invoice_id as invoice_id,
    refs.ticket_id as ticket_id,
    coalesce(refs.contact_ids, []) as contact_ids,
    case
        -- no customer can be the person's: no signal can match, whatever the pipeline does
        when person_id not in (
            select person_id from read_json(
                $records, format = 'newline_delimited', columns = {person_id: 'VARCHAR'}
            )
        ) then 'unidentified'
        when
            cast(began_at as timestamptz) > cutoffs.began_last
            or cast(resolved_at as timestamptz) <= cutoffs.resolved_first
            then 'inactive'
        -- a repeat streak still open that the landed data cannot tie to the person: fewer than
        -- three of its contacts carry a path to them (calls from a number no system holds)
        when kind = 'repeat_contact' and (
            select count(*) from scored_events
            where
                scored_events.entity = 'contact_records' and scored_events.attributable
                and list_contains(coalesce(refs.contact_ids, []), scored_events.record_id)
        ) < 3 then 'unidentified'
        when
            cast(began_at as timestamptz) <= cutoffs.began_first
            and (
                resolved_at is null
                or cast(resolved_at as timestamptz) > cutoffs.resolved_last
            )
            then 'active'
        else 'in_flux'
    end as state,
from read_json(
    $incidents, format = 'newline_delimited',
    columns = {
        incident_id: 'VARCHAR', kind: 'VARCHAR', person_id: 'VARCHAR',
        began_at: 'VARCHAR', resolved_at: 'VARCHAR',
        refs: 'STRUCT(order_name VARCHAR, tracking_code VARCHAR, invoice_id VARCHAR,
                      ticket_id VARCHAR, contact_ids VARCHAR[])'
    }
)
left join cutoffs using (kind)
where cast(began_at as timestamptz) <= cast($as_of as timestamptz)
