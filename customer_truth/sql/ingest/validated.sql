-- the required id and the documented types of the rows that parsed; the contract's paths, names
-- and type lists are bound (ingest._bind_contract)
create or replace temp table _validated as
with parsed as (
    select line_number, raw_text, txt::json as doc
    from _parsed
    where parse_error is null
),

typed as (
    select
        *,
        json_type(doc, $id_path) as id_type,
        nullif(trim(json_extract_string(doc, $id_path)), '') as record_key,
        list_filter(
            list_zip($field_names, json_type(doc, $field_paths), $field_types),
            lambda f: f[2] is not null and f[2] <> 'NULL' and not list_contains(f[3], f[2])
        ) as wrong_types,
        list_filter(
            list_zip($csv_names, json_extract_string(doc, $csv_paths), $csv_patterns),
            lambda f: coalesce(trim(f[2]), '') <> '' and not regexp_full_match(trim(f[2]), f[3])
        ) as wrong_formats
    from parsed
)

select
    line_number,
    doc,
    raw_text,
    record_key,
    case
        when record_key is null or id_type in ('OBJECT', 'ARRAY', 'BOOLEAN')
            then 'required id `' || $id_field || '` is missing or empty'
        when len(wrong_types) > 0
            then 'wrong type: ' || array_to_string(
                list_transform(
                    wrong_types, lambda f: '`' || f[1] || '` is ' || f[2]
                    || ', the contract says ' || array_to_string(f[3], ' or ')
                ), '; '
            )
        when len(wrong_formats) > 0
            then 'wrong format: ' || array_to_string(
                list_transform(wrong_formats, lambda f: '`' || f[1] || '` is not ' || f[3]), '; '
            )
    end as invalid_reason
from typed
