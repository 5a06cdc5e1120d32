with

pairs as (

    select * from {{ ref('int_item_pairs_scored') }}

),

final as (

    select
        item_pair_id,
        item_id,
        similar_item_id,
        similarity,
        similarity_rank,
        n_shared_features

    from pairs

)

select * from final
