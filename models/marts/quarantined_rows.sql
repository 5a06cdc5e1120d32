with

events as (

    select * from {{ ref('int_events_validated') }}

),

items as (

    select * from {{ ref('int_items_validated') }}

),

users as (

    select * from {{ ref('int_users_validated') }}

),

events_quarantined as (

    select
        'raw.events' as source_table,
        event_record_id as record_id,
        quarantine_reason as reason,
        raw_record,
        source_name,
        ingested_at

    from events
    where quarantine_reason is not null

),

items_quarantined as (

    select
        'raw.catalog' as source_table,
        item_record_id as record_id,
        quarantine_reason as reason,
        raw_record,
        source_name,
        ingested_at

    from items
    where quarantine_reason is not null

),

users_quarantined as (

    select
        'raw.users' as source_table,
        user_record_id as record_id,
        quarantine_reason as reason,
        raw_record,
        source_name,
        ingested_at

    from users
    where quarantine_reason is not null

),

unioned as (

    select * from events_quarantined
    union all
    select * from items_quarantined
    union all
    select * from users_quarantined

),

final as (

    select
        {{ surrogate_key(['source_table', 'record_id']) }} as quarantine_id,
        source_table,
        reason,
        raw_record,
        source_name,
        ingested_at

    from unioned

)

select * from final
