with

items as (

    select item_id
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null

),

interactions as (

    select * from {{ ref('int_interactions_scored') }}

),

interactions_aggregated as (

    select
        item_id,
        count(*) as n_users,
        sum(confidence) as total_confidence

    from interactions
    group by item_id

),

items_joined as (

    select
        items.item_id,
        coalesce(interactions_aggregated.n_users, 0) as n_users,
        cast(coalesce(interactions_aggregated.total_confidence, 0) as double) as total_confidence

    from items
    left join interactions_aggregated on items.item_id = interactions_aggregated.item_id

),

scored as (

    select
        *,
        case
            when max(n_users) over () > 0 then cast(n_users as double) / max(n_users) over ()
            else 0.0
        end as popularity_score,
        row_number() over (
            order by n_users desc, total_confidence desc, item_id
        ) as popularity_rank

    from items_joined

),

final as (

    select * from scored

)

select * from final
