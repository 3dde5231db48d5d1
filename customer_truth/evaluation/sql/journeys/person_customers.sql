-- person -> the customers holding the person's identity records; is_main: the one holding most
create temp table person_customers as
with records as (
    select system, entity, record_id, person_id,
    from read_json(
        $records, format = 'newline_delimited',
        columns = {
            system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR', person_id: 'VARCHAR'
        }
    )
)

select
    records.person_id,
    crosswalk.customer_id,
    count(*) as n_records,
    row_number() over (
        partition by records.person_id order by count(*) desc, crosswalk.customer_id
    ) = 1 as is_main,
from records
inner join crosswalk
    on
        records.system = crosswalk.source_system
        and records.entity = crosswalk.source_entity
        and records.record_id = crosswalk.source_record_id
group by records.person_id, crosswalk.customer_id
