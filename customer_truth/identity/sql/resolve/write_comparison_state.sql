-- identity.comparison_state: what the kept comparison vectors are valid for (the fingerprint
-- of comparison_vectors.py: comparison levels, blocking rules, feature columns, versions).
create or replace table identity.comparison_state as
select $fingerprint::varchar as fingerprint
