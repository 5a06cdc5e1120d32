with

users as (

    select * from {{ ref('int_users_profiled') }}

),

final as (

    select
        user_id,
        signed_up_at,
        country,
        plan,
        n_interactions,
        n_events,
        is_cold_start,
        primary_device_class,
        first_interacted_at,
        last_interacted_at

    from users

)

select * from final
