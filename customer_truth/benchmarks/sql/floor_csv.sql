-- The floor of a run: DuckDB reads every CSV landing file of one entity once (RFC 4180 records,
-- every field as text), and nothing else. $files: the files' paths, one header shape.
select count(*) as records, 0 as characters
from read_csv($files, all_varchar = true, header = true, union_by_name = true,
              ignore_errors = true, strict_mode = false)
