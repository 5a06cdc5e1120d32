{#-
    Content-based item-item similarity through an inverted index: items are joined to items
    only through the features they share (never a cross join of all pairs), and the cosine of
    their tf-idf vectors is the sum of the products of their normalised feature weights.
    A feature held by many titles (a genre in a big catalogue) would still pair each of them
    with all the others, items squared; through such a feature a title meets only the
    content_max_items_per_feature titles that weigh it most, which are its best neighbours
    through that feature alone (the product ranks them by their own weight). The cosine of
    each pair found is then summed over all the features the two share, so it is exact.
-#}
with

features as (

    select item_id, feature_type, feature, normalized_weight
    from {{ ref('int_item_features_extracted') }}
    where normalized_weight > 0

),

postings_ranked as (

    select
        *,
        row_number() over (
            partition by feature_type, feature
            order by normalized_weight desc, item_id
        ) as posting_rank

    from features

),

candidate_pairs_joined as (

    select distinct
        features.item_id,
        neighbours.item_id as similar_item_id

    from features
    inner join postings_ranked as neighbours
        on features.feature_type = neighbours.feature_type
        and features.feature = neighbours.feature
        and features.item_id <> neighbours.item_id
    where neighbours.posting_rank <= {{ var('content_max_items_per_feature') }}

),

shared_features_joined as (

    select
        candidate_pairs_joined.item_id,
        candidate_pairs_joined.similar_item_id,
        features.normalized_weight * neighbour_features.normalized_weight as weight_product

    from candidate_pairs_joined
    inner join features
        on candidate_pairs_joined.item_id = features.item_id
    inner join features as neighbour_features
        on candidate_pairs_joined.similar_item_id = neighbour_features.item_id
        and features.feature_type = neighbour_features.feature_type
        and features.feature = neighbour_features.feature

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
