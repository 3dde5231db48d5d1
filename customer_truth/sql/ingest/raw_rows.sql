-- the valid rows of a frame into their raw table (`table` from the contract: code, never data),
-- with their lineage (bound)
insert into raw.{{ table }}
select record_key, doc, ?, ?, ?, ?, line_number, ?
from _good_lines
order by line_number
