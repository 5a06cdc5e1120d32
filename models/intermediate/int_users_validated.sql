with

users as (

    select * from {{ ref('stg_raw__users') }}

),

copies_numbered as (

    select
        users.*,
        row_number() over (
            partition by user_id
            order by ingested_at desc, raw_record
        ) as copy_number

    from users

),

validated as (

    select
        {{ surrogate_key(['user_id', 'copy_number']) }} as user_record_id,
        user_id,
        signed_up_at,
        country,
        plan,
        source_name,
        ingested_at,
        raw_record,
        copy_number,
        case
            when user_id is null then 'missing user_id'
            when copy_number > 1 then 'duplicate user_id'
        end as quarantine_reason

    from copies_numbered

),

final as (

    select * from validated

)

select * from final
