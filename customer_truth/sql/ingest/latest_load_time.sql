-- when the warehouse last loaded a batch (ingest._load_time keeps load times increasing)
select max(loaded_at) from ingest.batch_loads
