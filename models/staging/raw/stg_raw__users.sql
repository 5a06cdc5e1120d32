with

source as (

    select * from {{ source('raw', 'users') }}

),

cleaned as (

    select
        {{ clean_string('user_id') }} as user_id,
        {{ try_to_timestamp('signup_at') }} as signed_up_at,
        upper({{ clean_string('country') }}) as country,
        lower({{ clean_string('plan') }}) as plan,
        _source as source_name,
        _ingested_at as ingested_at,
        to_json(struct(user_id, signup_at, country, plan)) as raw_record

    from source

),

final as (

    select * from cleaned

)

select * from final
