-- a checked block's lines that are quarantined, each with its reason (ingest._append_block)
select line_number, parse_error as reason, raw_text
from _parsed where parse_error is not null
union all
select line_number, invalid_reason, raw_text
from _validated where invalid_reason is not null
