with

items as (

    select *
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null

),

popularity as (

    select item_id, n_users, popularity_rank
    from {{ ref('int_items_popularity_ranked') }}

),

final as (

    select
        items.item_id,
        items.title,
        items.kind,
        items.genres,
        items.directors,
        items.cast_members,
        items.release_year,
        items.runtime_min,
        items.language,
        items.description,
        popularity.n_users,
        popularity.popularity_rank,
        items.source_name,
        items.ingested_at

    from items
    left join popularity on items.item_id = popularity.item_id

)

select * from final
