-- identity.compared_features: the features the kept comparison vectors were computed from,
-- from the file written to $path.
create or replace table identity.compared_features as
select * from read_parquet($path)
