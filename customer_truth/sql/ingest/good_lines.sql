-- a checked block's lines that load (ingest._append_block): read from the block's scratch
-- connection into the batch's transaction
select record_key, doc, line_number
from _checked
where reason is null
