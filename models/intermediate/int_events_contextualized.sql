{#-
    Every valid event with its viewing context: local time (UTC plus the country's offset from
    seed country_utc_offsets), the daypart of the local hour (seed hour_dayparts) and the
    device class. has_context is false when the country has no known offset or the device no
    known class (MovieLens events carry neither).
-#}
with

events as (

    select event_record_id, user_id, item_id, event_type, occurred_at, device, device_class, country
    from {{ ref('int_events_validated') }}
    where quarantine_reason is null

),

offsets as (

    select * from {{ ref('country_utc_offsets') }}

),

dayparts as (

    select * from {{ ref('hour_dayparts') }}

),

local_times_computed as (

    select
        events.*,
        offsets.utc_offset_minutes,
        events.occurred_at + make_interval(0, 0, 0, 0, 0, offsets.utc_offset_minutes, 0) as local_occurred_at

    from events
    left join offsets on events.country = offsets.country

),

dayparts_joined as (

    select
        local_times_computed.*,
        hour(local_times_computed.local_occurred_at) as local_hour,
        dayparts.daypart,
        dayparts.daypart_label

    from local_times_computed
    left join dayparts on hour(local_times_computed.local_occurred_at) = dayparts.hour

),

final as (

    select
        event_record_id,
        user_id,
        item_id,
        event_type,
        occurred_at,
        country,
        utc_offset_minutes,
        local_occurred_at,
        local_hour,
        daypart,
        daypart_label,
        device,
        device_class,
        daypart is not null and device_class is not null as has_context

    from dayparts_joined

)

select * from final
