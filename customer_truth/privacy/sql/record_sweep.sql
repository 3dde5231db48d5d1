-- One line of privacy.warehouse_erasures: now, the relation (`*`: all of them), the rows that
-- left it and the requests' ids, bound (?, ?, ?).
insert into privacy.warehouse_erasures values (now(), ?, ?, ?)
