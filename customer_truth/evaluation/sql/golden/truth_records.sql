-- record uid -> the truth person behind it
create or replace temp table _truth_records as
select
    system || ':' || entity || ':' || record_id as record_uid,
    person_id,
from read_json(
    $records, format = 'newline_delimited', union_by_name = true,
    columns = {system: 'VARCHAR', entity: 'VARCHAR', record_id: 'VARCHAR', person_id: 'VARCHAR'}
)
