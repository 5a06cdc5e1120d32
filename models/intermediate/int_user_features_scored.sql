with

interactions as (

    select user_id, item_id, confidence
    from {{ ref('int_interactions_scored') }}

),

item_features as (

    select item_id, feature_type, feature, feature_label
    from {{ ref('int_item_features_extracted') }}

),

user_totals as (

    select user_id, sum(confidence) as user_confidence
    from interactions
    group by user_id

),

features_joined as (

    select
        interactions.user_id,
        item_features.feature_type,
        item_features.feature,
        item_features.feature_label,
        interactions.confidence

    from interactions
    inner join item_features on interactions.item_id = item_features.item_id

),

features_aggregated as (

    select
        features_joined.user_id,
        features_joined.feature_type,
        features_joined.feature,
        features_joined.feature_label,
        count(*) as n_items,
        -- share of all the user's confidence that went to titles with this feature
        least(sum(features_joined.confidence) / max(user_totals.user_confidence), 1.0) as affinity

    from features_joined
    inner join user_totals on features_joined.user_id = user_totals.user_id
    group by
        features_joined.user_id,
        features_joined.feature_type,
        features_joined.feature,
        features_joined.feature_label

),

ranked as (

    select
        {{ surrogate_key(['user_id', 'feature_type', 'feature']) }} as user_feature_id,
        *,
        row_number() over (
            partition by user_id, feature_type
            order by affinity desc, n_items desc, feature
        ) as feature_rank

    from features_aggregated

),

final as (

    select * from ranked

)

select * from final
