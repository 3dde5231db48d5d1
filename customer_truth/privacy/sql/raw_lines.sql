-- The landing lines of the person's records in one raw table (`relation`: a quoted name from
-- the catalog) of the source system and entity bound (?, ?): every row built from them goes.
insert into _sweep_lines
select source_file, line_number
from {{ relation }}
where record_key in (
    select source_record_id from _sweep_records where source_system = ? and source_entity = ?
)
