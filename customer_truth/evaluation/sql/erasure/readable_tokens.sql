-- the erased persons whose identifiers are tokens of a row of `table` (one of
-- evaluation.erasure.CHECKED_TABLES: code, never data); the table's name and the separators are
-- bound
insert into readable
select distinct erased_identifiers.person_id, $table_name, erased_identifiers.kind,
from (
    select unnest(string_split_regex(lower(cast(to_json(t) as varchar)), $separators)) as token,
    from {{ table }} as t
) as tokens
inner join erased_identifiers on rtrim(tokens.token, '.') = erased_identifiers.value
