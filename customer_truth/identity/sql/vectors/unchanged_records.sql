-- unchanged_features: the records whose kept vectors still hold.
create or replace temp table unchanged_features as
select features.*
from {{ features }} as features
anti join changed_features using (unique_id)
