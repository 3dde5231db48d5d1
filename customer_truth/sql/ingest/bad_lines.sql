-- a checked block's lines that are quarantined, each with its reason and delivered text
-- (ingest._append_block); an erased person's record keeps none (suppress_erased_records)
select line_number, reason, coalesce(raw_text, doc::varchar) as raw_text
from _checked
where reason is not null
