-- The person's records in one raw table (`relation`: a quoted name from the catalog) of the
-- source system and entity bound (?, ?); rows deleted.
delete from {{ relation }}
where record_key in (
    select source_record_id from _sweep_records where source_system = ? and source_entity = ?
)
