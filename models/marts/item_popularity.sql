with

popularity as (

    select * from {{ ref('int_items_popularity_ranked') }}

),

final as (

    select
        item_id,
        n_users,
        total_confidence,
        popularity_score,
        popularity_rank

    from popularity

)

select * from final
