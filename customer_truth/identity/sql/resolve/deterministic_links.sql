-- deterministic: the rule links of int_identity__deterministic_links, endpoints moved to
-- their survivors, with each rule's priority ($priority: the rules most trustworthy first;
-- others after them).
-- Reads links_input, survivors.
create or replace temp table deterministic as
select
    links.record_uid_l,
    links.record_uid_r,
    links.rule,
    links.identifier_value,
    links.guard_reason,
    coalesce(sl.survivor_uid, links.record_uid_l) as node_l,
    coalesce(sr.survivor_uid, links.record_uid_r) as node_r,
    coalesce(list_position($priority, links.rule), len($priority) + 1) as priority,
from links_input as links
left join survivors as sl on links.record_uid_l = sl.record_uid
left join survivors as sr on links.record_uid_r = sr.record_uid
