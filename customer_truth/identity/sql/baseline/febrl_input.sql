-- The baseline's input for Splink's FEBRL setups: the records (rows of
-- int_identity__records, registered as `records`) under the column names of Splink's FEBRL
-- examples; street number and street are read back from the first address line, as FEBRL
-- holds them apart.
select
    record_uid as unique_id,
    left(source_record_id, 5) as delivery,
    given_name_std as given_name,
    family_name_std as surname,
    strftime(birth_date, '%Y%m%d') as date_of_birth,
    nullif(regexp_extract(address_line1, '^\s*(\d+)\s', 1), '') as street_number,
    nullif(trim(regexp_replace(address_line1, '^\s*\d+\s+', '')), '') as address_1,
    lower(region) as state,
    postal_code as postcode,
    phone,
from records
