{#-
    Content-based item-item similarity through an inverted index: items are joined to items
    only through the features they share (never a cross join of all pairs), and the cosine of
    their tf-idf vectors is the sum of the products of their normalised feature weights.
-#}
with

features as (

    select item_id, feature_type, feature, normalized_weight
    from {{ ref('int_item_features_extracted') }}
    where normalized_weight > 0

),

shared_features_joined as (

    select
        features.item_id,
        neighbours.item_id as similar_item_id,
        features.normalized_weight * neighbours.normalized_weight as weight_product

    from features
    inner join features as neighbours
        on features.feature_type = neighbours.feature_type
        and features.feature = neighbours.feature
        and features.item_id <> neighbours.item_id

),

pairs_aggregated as (

    select
        item_id,
        similar_item_id,
        -- the cosine of unit vectors: at most 1 up to floating point error
        least(sum(weight_product), 1.0) as similarity,
        count(*) as n_shared_features

    from shared_features_joined
    group by item_id, similar_item_id

),

pairs_ranked as (

    select
        *,
        row_number() over (
            partition by item_id
            order by similarity desc, similar_item_id
        ) as similarity_rank

    from pairs_aggregated
    where similarity > 0

),

final as (

    select
        {{ surrogate_key(['item_id', 'similar_item_id']) }} as item_pair_id,
        item_id,
        similar_item_id,
        similarity,
        similarity_rank,
        n_shared_features

    from pairs_ranked
    where similarity_rank <= {{ var('similarity_top_n') }}

)

select * from final
