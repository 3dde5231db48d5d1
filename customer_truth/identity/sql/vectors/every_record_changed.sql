-- changed_features on a first run (or a changed model): every record (a view: no copy).
create or replace temp view changed_features as
select * from {{ features }}
