with

users as (

    select *
    from {{ ref('int_users_validated') }}
    where quarantine_reason is null

),

interactions as (

    select * from {{ ref('int_interactions_scored') }}

),

valid_events as (

    select user_id, device_class
    from {{ ref('int_events_validated') }}
    where quarantine_reason is null

),

interactions_aggregated as (

    select
        user_id,
        count(*) as n_interactions,
        sum(n_events) as n_events,
        min(first_interacted_at) as first_interacted_at,
        max(last_interacted_at) as last_interacted_at

    from interactions
    group by user_id

),

device_classes_counted as (

    select
        user_id,
        device_class,
        row_number() over (
            partition by user_id
            order by count(*) desc, device_class
        ) as device_class_rank

    from valid_events
    where device_class is not null
    group by user_id, device_class

),

profiled as (

    select
        users.user_id,
        users.signed_up_at,
        users.country,
        users.plan,
        coalesce(interactions_aggregated.n_interactions, 0) as n_interactions,
        coalesce(interactions_aggregated.n_events, 0) as n_events,
        coalesce(interactions_aggregated.n_interactions, 0) = 0 as is_cold_start,
        device_classes_counted.device_class as primary_device_class,
        interactions_aggregated.first_interacted_at,
        interactions_aggregated.last_interacted_at

    from users
    left join interactions_aggregated on users.user_id = interactions_aggregated.user_id
    left join device_classes_counted
        on users.user_id = device_classes_counted.user_id
        and device_classes_counted.device_class_rank = 1

),

final as (

    select * from profiled

)

select * from final
