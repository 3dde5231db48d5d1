-- a checked block's lines that load (ingest._append_block), in their raw table's columns: the
-- line's key and payload with its lineage (bound), read from the block's scratch connection
-- into the batch's transaction
select
    record_key,
    doc as payload,
    $batch_id as batch_id,
    $batch_mode as batch_mode,
    $extracted_at as extracted_at,
    $source_file as source_file,
    line_number,
    $loaded_at as loaded_at
from _checked
where reason is null
order by line_number
