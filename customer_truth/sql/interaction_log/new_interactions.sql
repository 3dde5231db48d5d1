-- Every logged interaction not loaded yet, into the log's raw table (`table`: the module's
-- constant, raw.ai_agent__interactions). ? is the list of the log's day files. The batch id is
-- the day file (`ai_agent/2026-12-06`); the line number is the line's rank in its file by time
-- (the log is appended in time order), numbered over the whole file, before the lines loaded
-- earlier are left out.
insert into {{ table }}
with lines as (
    select
        json,
        filename,
        row_number() over (
            partition by filename
            order by json ->> 'recorded_at', json ->> 'interaction_id'
        ) as line_number,
    from read_json_objects(?, format = 'newline_delimited', filename = true)
)

select
    json ->> 'interaction_id',
    json,
    'ai_agent/' || regexp_extract(filename, '([^/]+)\.jsonl$', 1),
    'incremental',
    cast(json ->> 'recorded_at' as timestamptz),
    filename,
    line_number,
    now(),
from lines
where json ->> 'interaction_id' not in (select record_key from {{ table }})
