-- The columns Splink's SQL asks for, from one of its pipeline's tables.
select {{ columns | join(', ') }} from {{ relation }}
