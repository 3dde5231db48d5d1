-- persons with an identity record in the truth
create temp table known_persons as
select distinct person_id,
from read_json($records, format = 'newline_delimited', columns = {person_id: 'VARCHAR'})
