-- the rows of a frame that did not parse or validate, with their reason and raw text
insert into ingest.quarantine
select ?, ?, ?, ?, line_number, reason, raw_text, ?
from (
    select line_number, parse_error as reason, raw_text
    from _parsed where parse_error is not null
    union all
    select line_number, invalid_reason, raw_text
    from _validated where invalid_reason is not null
)
order by line_number
