-- A view of the resolution's in-memory database that is no longer needed.
drop view if exists {{ relation }}
