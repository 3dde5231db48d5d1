-- decoding and structure: each line of a frame (`_incoming`) either parses as a JSON object or
-- gets its reason here
create or replace temp table _parsed as
with decoded as (
    select
        line_number,
        raw,
        coalesce(payload, try(decode(raw))) as txt,
        structure_error
    from _incoming
)

select
    line_number,
    txt,
    -- bytes that are not UTF-8 are kept escaped (\xff) so the quarantine shows them exactly
    case when txt is null then cast(raw as varchar) else txt end as raw_text,
    case
        when structure_error is not null then structure_error
        when txt is null then 'not valid UTF-8'
        when not json_valid(txt) then 'not valid JSON (truncated or malformed line)'
        when json_type(txt) <> 'OBJECT' then 'not a JSON object'
    end as parse_error
from decoded
-- blank means whitespace only, as the contract counts rows (Python's bytes.strip)
where
    txt is null or structure_error is not null
    or trim(txt, ' ' || chr(9) || chr(10) || chr(11) || chr(12) || chr(13)) <> ''
