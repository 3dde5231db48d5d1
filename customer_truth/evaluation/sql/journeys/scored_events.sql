-- every event of the truth with the customer its timeline row names, and whether that is right
create temp table scored_events as
with truth as (
    select system, entity, record_id, person_id, attributable,
    from read_json(
        $events, format = 'newline_delimited',
        columns = {
            system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR',
            person_id: 'VARCHAR', attributable: 'BOOLEAN'
        }
    )
),

timeline_records as (
    select
        source_system, source_entity, source_record_id,
        any_value(customer_id) as customer_id,
        any_value(unattributed_reason) as unattributed_reason,
        count(*) as rows_,
    from timeline
    group by all
)

select
    truth.*,
    timeline_records.rows_ is not null as in_timeline,
    timeline_records.customer_id,
    timeline_records.unattributed_reason,
    person_customers.customer_id is not null as is_right,
    coalesce(person_customers.is_main, false) as is_main_customer,
from truth
left join timeline_records
    on
        truth.system = timeline_records.source_system
        and truth.entity = timeline_records.source_entity
        and truth.record_id = timeline_records.source_record_id
left join person_customers
    on
        truth.person_id = person_customers.person_id
        and timeline_records.customer_id = person_customers.customer_id
