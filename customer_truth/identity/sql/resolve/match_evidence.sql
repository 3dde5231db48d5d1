-- identity.match_evidence's rows: every deterministic link and scored pair, with the compared
-- levels and values (JSON), the decision and the guard that cut it.
-- Reads edge_decisions, predictions, deterministic.
select
    e.record_uid_l,
    e.record_uid_r,
    e.rule,
    e.match_probability,
    p.match_weight,
    case when not e.is_deterministic then to_json(struct_pack(
        name := p.gamma_name,
        birth_date := p.gamma_birth_date,
        email := p.gamma_email,
        phone := p.gamma_phone,
        address := p.gamma_address,
        given_name_l := p.given_name_l,
        given_name_r := p.given_name_r,
        family_name_l := p.family_name_l,
        family_name_r := p.family_name_r,
        email_l := p.email_l,
        email_r := p.email_r
    )) else to_json(struct_pack(
        identifier_value := d.identifier_value,
        source_record_uid_l := d.record_uid_l,
        source_record_uid_r := d.record_uid_r
    )) end as comparison,
    coalesce(e.decision, 'linked') as decision,
    e.guard_reason,
from edge_decisions as e
left join predictions as p
    on not e.is_deterministic
    and e.record_uid_l = p.unique_id_l and e.record_uid_r = p.unique_id_r
left join (
    -- the link cited when several collapse onto one pair: the first by its own endpoints, so the
    -- evidence does not follow the order rows arrive in
    select *, row_number() over (
        partition by node_l, node_r, rule order by record_uid_l, record_uid_r, identifier_value
    ) as n
    from deterministic
) as d
    on e.is_deterministic and d.n = 1
    and e.record_uid_l = d.node_l and e.record_uid_r = d.node_r
    and e.rule = 'deterministic:' || d.rule
order by e.record_uid_l, e.record_uid_r, e.rule
