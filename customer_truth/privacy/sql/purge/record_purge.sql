insert into privacy.warehouse_purges (purged_at, through_swept_at)
values ($purged_at, $through_swept_at)
