-- a file the contract does not list for its system: recorded in the quarantine, not loaded
-- (system, batch id, source file, reason, time: bound)
insert into ingest.quarantine values (?, null, ?, ?, null, ?, null, ?)
