-- blocked_pairs: the pairs of the first blocking pass (Splink's table: match_key, join keys);
-- more_blocked_pairs.sql adds the second's.
create or replace temp table blocked_pairs as
select * from {{ part }}
