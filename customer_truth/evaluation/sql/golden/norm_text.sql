-- names and cities compared lower-cased, trimmed, unaccented, spaces collapsed
create or replace temp macro _norm_text(value) as
nullif(lower(trim(regexp_replace(strip_accents(value), '\s+', ' ', 'g'))), '')
