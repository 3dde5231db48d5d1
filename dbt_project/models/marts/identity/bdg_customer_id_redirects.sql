-- One row per customer id ever issued: the id to use now. An active id points to itself; a
-- merged id follows its chain of merges to the surviving id; a retired id (or a chain ending in
-- one) points nowhere (current_customer_id is null).
with recursive

registry as (
    select * from {{ ref('stg_identity__customers') }}
),

chain as (
    select
        customer_id,
        customer_id as hop_id,
        status as hop_status,
        superseded_by as next_id,
        0 as hops,
    from registry

    union all

    select
        chain.customer_id,
        registry.customer_id,
        registry.status,
        registry.superseded_by,
        chain.hops + 1,
    from chain
    inner join registry on chain.next_id = registry.customer_id
    where chain.hop_status = 'merged' and chain.hops < 100
),

ends as (
    select *,
    from chain
    qualify row_number() over (partition by customer_id order by hops desc) = 1
)

select
    registry.customer_id,
    registry.status,
    registry.superseded_by,
    case when ends.hop_status = 'active' then ends.hop_id end as current_customer_id,
    ends.hops as merge_hops,
    registry.created_at,
    registry.updated_at,
from registry
inner join ends using (customer_id)
