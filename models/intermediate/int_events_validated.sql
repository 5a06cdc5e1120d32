{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key='event_record_id',
    on_schema_change='fail',
) }}

with

events as (

    select * from {{ ref('stg_raw__events') }}
    {%- if is_incremental() %}
    -- only raw rows loaded since the last build (raw.events is append-only between full refreshes)
    where ingested_at > {{ high_water_mark('ingested_at') }}
    {%- endif %}

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

{% if is_incremental() -%}
previous as (

    select * from {{ this }}

),

earlier_copies_counted as (

    -- copies of the new events already numbered: new copies come after them
    select event_id, count(*) as n_earlier_copies
    from previous
    left semi join events on previous.event_id = events.event_id
    group by event_id

),

{% endif -%}
copies_numbered as (

    select
        events.*,
        cast(
            {% if is_incremental() -%}
            coalesce(earlier_copies_counted.n_earlier_copies, 0) +
            {% endif -%}
            row_number() over (
                partition by events.event_id
                order by events.ingested_at, events.source_name, events.raw_record
            )
        as int) as copy_number

    from events
    {%- if is_incremental() %}
    left join earlier_copies_counted on events.event_id = earlier_copies_counted.event_id

    union all

    -- rows quarantined for a reason that can lapse (the user or item arrived later, the
    -- timestamp is no longer in the future) are validated again, with their copy number
    select
        event_id,
        user_id,
        item_id,
        event_type,
        event_value,
        watch_seconds,
        occurred_at,
        device,
        country,
        source_name,
        ingested_at,
        false as is_malformed,
        raw_record,
        copy_number

    from previous
    where quarantine_reason in ('unknown user_id', 'unknown item_id', 'bad timestamp')
    {%- endif %}

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
        -- when this version of the row was written: the high-water mark of int_interactions_scored
        current_timestamp() as validated_at,
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
