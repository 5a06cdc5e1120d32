with

items as (

    select * from {{ ref('stg_raw__items') }}

),

genres as (

    select * from {{ ref('genres') }}

),

genre_lookup as (

    -- one row: lower(genre) -> canonical spelling of the vocabulary
    select map_from_entries(collect_list(struct(lower(genre), genre))) as canonical_genres
    from genres

),

copies_numbered as (

    select
        items.*,
        row_number() over (
            partition by item_id
            order by ingested_at desc, raw_record
        ) as copy_number

    from items

),

genres_canonicalised as (

    select
        copies_numbered.* except (genres),
        array_distinct(
            transform(genres, genre -> coalesce(genre_lookup.canonical_genres[lower(genre)], genre))
        ) as genres

    from copies_numbered
    cross join genre_lookup

),

validated as (

    select
        {{ surrogate_key(['item_id', 'copy_number']) }} as item_record_id,
        item_id,
        title,
        kind,
        genres,
        directors,
        cast_members,
        release_year,
        runtime_min,
        language,
        description,
        source_name,
        ingested_at,
        raw_record,
        copy_number,
        case
            when item_id is null then 'missing item_id'
            when copy_number > 1 then 'duplicate item_id'
        end as quarantine_reason

    from genres_canonicalised

),

final as (

    select * from validated

)

select * from final
