-- When the last sweep ran (null before the first): the sweep takes the requests since.
select max(swept_at) from privacy.warehouse_erasures
