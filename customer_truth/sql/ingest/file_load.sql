-- one file's load (ingest.FileLoad, bound): its counts, whether they reconcile, and why not
insert into ingest.file_loads values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
