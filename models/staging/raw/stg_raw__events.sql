with

source as (

    select * from {{ source('raw', 'events') }}

),

cleaned as (

    select
        {{ clean_string('user_id') }} as user_id,
        {{ clean_string('item_id') }} as item_id,
        lower({{ clean_string('event_type') }}) as event_type,
        {{ try_to_double('value') }} as event_value,
        {{ try_to_double('watch_seconds') }} as watch_seconds,
        {{ clean_string('occurred_at') }} as occurred_at_raw,
        {{ try_to_timestamp('occurred_at') }} as occurred_at,
        lower({{ clean_string('device') }}) as device,
        upper({{ clean_string('country') }}) as country,
        _source as source_name,
        _ingested_at as ingested_at,
        _malformed_record is not null as is_malformed,
        -- a line recwh stream could not parse keeps its own text
        coalesce(_malformed_record, to_json(struct(
            user_id, item_id, event_type, value, watch_seconds, occurred_at, device, country
        ))) as raw_record

    from source

),

keyed as (

    select
        {{ surrogate_key([
            'user_id', 'item_id', 'event_type', 'occurred_at_raw',
            'event_value', 'watch_seconds', 'device'
        ]) }} as event_id,
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
        is_malformed,
        raw_record

    from cleaned

),

final as (

    select * from keyed

)

select * from final
