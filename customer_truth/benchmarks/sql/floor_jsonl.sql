-- The floor of a run: DuckDB reads every JSONL landing file once, each line as JSON text, and
-- nothing else (no validation, no storage). $files: the files' paths.
select count(*) as records, sum(length(json)) as characters
from read_ndjson_objects($files, ignore_errors = true)
