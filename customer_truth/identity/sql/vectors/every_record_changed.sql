-- changed_features on a first run (or a changed model): every record.
create or replace temp table changed_features as
select * from {{ features }}
