-- one block's lines (`_incoming`), each checked in one pass: decoded, parsed as a JSON object,
-- then its required id and the documented types and formats of its fields (the contract's
-- paths, names and type lists are bound: ingest._bind_contract). A line that fails gets its
-- reason; only those keep their delivered text apart from `doc`, for the quarantine.
create or replace temp table _checked as
with decoded as (
    select
        line_number,
        raw,
        coalesce(payload, try(decode(raw))) as txt,
        structure_error
    from _incoming
),

parsed as (
    select
        line_number,
        txt,
        -- bytes that are not UTF-8 are kept escaped (\xff) so the quarantine shows them exactly
        case when txt is null then cast(raw as varchar) else txt end as delivered_text,
        case
            when structure_error is not null then structure_error
            when txt is null then 'not valid UTF-8'
            when not json_valid(txt) then 'not valid JSON (truncated or malformed line)'
            when json_type(txt) <> 'OBJECT' then 'not a JSON object'
        end as parse_error
    from decoded
    -- blank means whitespace only, as the contract counts rows (Python's bytes.strip); a
    -- pattern, not trim() with a character list, which cost more than parsing the JSON
    where
        txt is null or structure_error is not null
        or not regexp_full_match(txt, '[ \t\n\v\f\r]*')
),

read as (
    -- the JSON functions run only on the lines that parsed (a case evaluates its branch on
    -- those rows alone); each list of paths is one parse of the line: the id's type and the
    -- documented fields' types, the id's text and the CSV fields' texts
    select
        line_number,
        parse_error,
        case when parse_error is not null then delivered_text end as raw_text,
        case when parse_error is null then txt::json end as doc,
        case when parse_error is null then json_type(txt, $type_paths) end as types,
        case when parse_error is null then json_extract_string(txt, $text_paths) end as texts
    from parsed
),

typed as (
    select
        line_number,
        parse_error,
        raw_text,
        doc,
        types[1] as id_type,
        nullif(trim(texts[1]), '') as record_key,
        list_filter(
            list_zip($field_names, types[2:], $field_types),
            lambda f: f[2] is not null and f[2] <> 'NULL' and not list_contains(f[3], f[2])
        ) as wrong_types,
        list_filter(
            list_zip($csv_names, texts[2:], $csv_patterns),
            lambda f: coalesce(trim(f[2]), '') <> ''
            and not regexp_full_match(trim(f[2]), f[3])
        ) as wrong_formats
    from read
)

select
    line_number,
    doc,
    raw_text,
    record_key,
    case
        when parse_error is not null then parse_error
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
    end as reason
from typed
