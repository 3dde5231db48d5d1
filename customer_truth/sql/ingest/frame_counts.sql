-- a frame's rows: landed, loaded, quarantined
select
    (select count(*) from _parsed),
    (select count(*) from _validated where invalid_reason is null),
    (select count(*) from _parsed where parse_error is not null)
    + (select count(*) from _validated where invalid_reason is not null)
