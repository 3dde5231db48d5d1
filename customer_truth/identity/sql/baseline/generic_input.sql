-- The baseline's input for the generic setup: the records (rows of int_identity__records,
-- registered as `records`) under the column names of Splink's deduplication quickstart.
select
    record_uid as unique_id,
    given_name_std as first_name,
    family_name_std as surname,
    strftime(birth_date, '%Y-%m-%d') as dob,
    email,
    phone,
    postal_code_std as postcode,
    city_std as city,
    address_street_std as street,
from records
