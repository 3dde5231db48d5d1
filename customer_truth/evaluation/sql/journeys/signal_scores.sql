-- precision and recall counts of the signals of one kind ($kind), or of all ($kind null)
with undecided_only as (
    -- signals whose only incidents are undecided: neither right nor wrong
    select signal_id from signal_matches where incident_undecided
    except
    select signal_id from signal_matches where not incident_undecided
)

select
    (
        select count(*) from signals
        where
            ($kind is null or signal_type = $kind)
            and signal_id not in (select signal_id from undecided_only)
    ),
    (
        select count(distinct signal_id) from signal_matches
        inner join signals using (signal_id)
        where incident_active and ($kind is null or signal_type = $kind)
    ),
    (
        select count(*) from incidents
        where state = 'active' and ($kind is null or kind = $kind)
    ),
    -- incident ids are unique within a kind only
    (
        select count(distinct (kind, incident_id)) from signal_matches
        where incident_active and ($kind is null or kind = $kind)
    ),
    (
        select count(distinct signal_id) from signal_matches
        inner join signals using (signal_id)
        where
            not incident_active and not incident_undecided
            and ($kind is null or signal_type = $kind)
            and signal_id not in (select signal_id from signal_matches where incident_active)
    ),
    (
        select count(*) from incidents
        where state = 'in_flux' and ($kind is null or kind = $kind)
    ),
    (
        select count(*) from incidents
        where state = 'unidentified' and ($kind is null or kind = $kind)
    ),
