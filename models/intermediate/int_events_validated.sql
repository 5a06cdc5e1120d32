with

events as (

    select * from {{ ref('stg_raw__events') }}

),

users as (

    select user_id
    from {{ ref('int_users_validated') }}
    where quarantine_reason is null

),

items as (

    select item_id, runtime_min
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null

),

event_types as (

    select * from {{ ref('event_type_weights') }}

),

device_classes as (

    select * from {{ ref('device_classes') }}

),

copies_numbered as (

    select
        events.*,
        row_number() over (
            partition by event_id
            order by ingested_at, source_name, raw_record
        ) as copy_number

    from events

),

joined as (

    select
        copies_numbered.*,
        users.user_id is not null as is_known_user,
        items.item_id is not null as is_known_item,
        items.runtime_min as item_runtime_min,
        event_types.weight as event_weight,
        event_types.strength_basis,
        device_classes.device_class

    from copies_numbered
    left join users on copies_numbered.user_id = users.user_id
    left join items on copies_numbered.item_id = items.item_id
    left join event_types on copies_numbered.event_type = event_types.event_type
    left join device_classes on copies_numbered.device = device_classes.device

),

validated as (

    select
        {{ surrogate_key(['event_id', 'copy_number']) }} as event_record_id,
        event_id,
        user_id,
        item_id,
        event_type,
        event_value,
        watch_seconds,
        occurred_at,
        device,
        device_class,
        country,
        event_weight,
        strength_basis,
        item_runtime_min,
        source_name,
        ingested_at,
        raw_record,
        copy_number,
        -- the first applicable reason wins
        case
            when is_malformed then 'malformed'
            when user_id is null then 'missing user_id'
            when item_id is null then 'missing item_id'
            when not is_known_user then 'unknown user_id'
            when not is_known_item then 'unknown item_id'
            when occurred_at is null or occurred_at > current_timestamp() then 'bad timestamp'
            when event_weight is null then 'unknown event_type'
            when watch_seconds < 0 then 'negative watch_seconds'
            -- NaN compares greater than any number in Spark SQL, so it lands here too
            when watch_seconds > {{ var('max_watch_seconds') }} then 'watch_seconds out of range'
            when strength_basis = 'rating'
                and (
                    event_value is null
                    or event_value < {{ var('min_rating') }}
                    or event_value > {{ var('max_rating') }}
                )
                then 'rating out of range'
            when copy_number > 1 then 'duplicate'
        end as quarantine_reason

    from joined

),

final as (

    select * from validated

)

select * from final
