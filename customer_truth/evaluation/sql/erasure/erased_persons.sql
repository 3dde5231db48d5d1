-- how many persons the truth's erasure requests name
select count(distinct person_id)
from read_json($erasures, format = 'newline_delimited', columns = {person_id: 'VARCHAR'})
