-- blocked_pairs: the pairs of the second blocking pass, added to the first's.
insert into blocked_pairs
select * from {{ part }}
