-- identity.comparison_vectors: every blocked pair's Splink comparison vector, kept for the next
-- run (identity/comparison_vectors.py), from the file written to $path.
create or replace table identity.comparison_vectors as
select * from read_parquet($path)
