-- the rows of a frame that did not parse or validate, with their reason and raw text
insert into ingest.quarantine
select ?, ?, ?, ?, line_number, reason, raw_text, ?
from _bad_lines
order by line_number
