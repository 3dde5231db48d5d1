-- postal codes, regions and countries compared upper-case without spaces or dashes
create or replace temp macro _norm_code(value) as
nullif(upper(regexp_replace(value, '[\s-]', '', 'g')), '')
