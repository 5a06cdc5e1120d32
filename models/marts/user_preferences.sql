with

user_features as (

    select * from {{ ref('int_user_features_scored') }}

),

final as (

    select
        user_feature_id,
        user_id,
        feature_type,
        feature,
        feature_label,
        affinity,
        feature_rank,
        n_items

    from user_features

)

select * from final
