-- A table of the resolution's in-memory database that is no longer needed.
drop table if exists {{ relation }}
