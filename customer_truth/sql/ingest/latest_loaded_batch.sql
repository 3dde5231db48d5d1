-- the latest batch of a system that loaded (not quarantined): what a new one is judged against
select max(batch_id)
from ingest.batch_loads
where system = ? and quarantine_reason is null
