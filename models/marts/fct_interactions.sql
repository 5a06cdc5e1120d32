with

interactions as (

    select * from {{ ref('int_interactions_scored') }}

),

final as (

    select
        interaction_id,
        user_id,
        item_id,
        confidence,
        n_events,
        rating,
        max_completion,
        has_completed,
        is_liked,
        first_interacted_at,
        last_interacted_at

    from interactions

)

select * from final
