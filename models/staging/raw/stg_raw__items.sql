with

source as (

    select * from {{ source('raw', 'catalog') }}

),

cleaned as (

    select
        {{ clean_string('item_id') }} as item_id,
        {{ clean_string('title') }} as title,
        lower({{ clean_string('kind') }}) as kind,
        {{ split_list('genres') }} as genres,
        {{ split_list('directors') }} as directors,
        {{ split_list('`cast`') }} as cast_members,
        try_cast({{ clean_string('release_year') }} as int) as release_year,
        try_cast({{ clean_string('runtime_min') }} as int) as runtime_min,
        lower({{ clean_string('language') }}) as language,
        {{ clean_string('description') }} as description,
        _source as source_name,
        _ingested_at as ingested_at,
        to_json(struct(
            item_id, title, kind, genres, directors, `cast`,
            release_year, runtime_min, language, description
        )) as raw_record

    from source

),

final as (

    select * from cleaned

)

select * from final
