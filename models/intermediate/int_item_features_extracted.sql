with

items as (

    select item_id, genres, directors, cast_members
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null

),

genres as (

    select * from {{ ref('genres') }}

),

genre_features as (

    select item_id, 'genre' as feature_type, explode(genres) as feature
    from items

),

director_features as (

    select item_id, 'director' as feature_type, explode(directors) as feature
    from items

),

cast_features as (

    select item_id, 'cast' as feature_type, explode(cast_members) as feature
    from items

),

features_unioned as (

    select * from genre_features
    -- 'unknown' says nothing about a title: it must not make titles similar
    where lower(feature) <> 'unknown'
    union all
    select * from director_features
    union all
    select * from cast_features

),

features_deduplicated as (

    select distinct item_id, feature_type, feature
    from features_unioned

),

catalog_sized as (

    select count(*) as n_catalog_items
    from items

),

document_frequencies as (

    select
        feature_type,
        feature,
        count(*) as n_items_with_feature

    from features_deduplicated
    group by feature_type, feature

),

idf_weighted as (

    select
        features_deduplicated.item_id,
        features_deduplicated.feature_type,
        features_deduplicated.feature,
        document_frequencies.n_items_with_feature,
        ln(catalog_sized.n_catalog_items / document_frequencies.n_items_with_feature) as feature_weight

    from features_deduplicated
    inner join document_frequencies
        on features_deduplicated.feature_type = document_frequencies.feature_type
        and features_deduplicated.feature = document_frequencies.feature
    cross join catalog_sized

),

norms_computed as (

    select
        *,
        sqrt(sum(feature_weight * feature_weight) over (partition by item_id)) as item_norm

    from idf_weighted

),

final as (

    select
        {{ surrogate_key(['norms_computed.item_id', 'norms_computed.feature_type', 'norms_computed.feature']) }}
            as item_feature_id,
        norms_computed.item_id,
        norms_computed.feature_type,
        norms_computed.feature,
        coalesce(genres.genre_label, norms_computed.feature) as feature_label,
        norms_computed.n_items_with_feature,
        norms_computed.feature_weight,
        case
            when norms_computed.item_norm > 0
                then norms_computed.feature_weight / norms_computed.item_norm
            else 0.0
        end as normalized_weight

    from norms_computed
    left join genres
        on norms_computed.feature_type = 'genre'
        and norms_computed.feature = genres.genre

)

select * from final
