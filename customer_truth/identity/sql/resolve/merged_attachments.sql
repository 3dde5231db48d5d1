-- Merged-away records take their survivor's cluster (the survivor may itself be deleted and
-- attached); a survivor that resolved nowhere takes its merged records with it.
-- Reads survivors, clustered; adds to clustered.
insert into clustered
select
    survivors.record_uid,
    clustered.cluster_key,
    'deterministic:crm_master_record_id',
    null,
from survivors
inner join clustered on survivors.survivor_uid = clustered.record_uid
