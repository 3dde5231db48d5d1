-- a checked block's lines that are quarantined (ingest._append_block), in the quarantine's
-- columns: each with its reason and delivered text, and its lineage (bound); an erased person's
-- record keeps no text (suppress_erased_records)
select
    $system as system,
    $entity as entity,
    $batch_id as batch_id,
    $source_file as source_file,
    line_number,
    reason,
    coalesce(raw_text, doc::varchar) as raw_text,
    $loaded_at as quarantined_at
from _checked
where reason is not null
order by line_number
