-- The release file's profile, copied into memory: a fetch by rowid from the file decompresses
-- a whole row group of each of its ~90 columns (10 ms at 100k persons), an indexed in-memory
-- row costs 1 ms. `schema` is "release" (code).
create table customer_profile as select * from {{ schema }}.customer_profile
