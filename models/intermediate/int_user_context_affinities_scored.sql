{#-
    Per-user context preferences: for every context a user watched in (country x daypart x
    device class), every genre and kind with the user's share of views over all contexts,
    smoothed toward the overall share, and the user's share in that context, smoothed with
    context_prior_views_user pseudo-views toward the user's share times the segment's lift.
    lift = context share / overall share of the user: above 1, the user watches the feature
    more in that context. With few views in a context a user's lift is the segment's: the
    prior is the user's own taste shifted by the context, not the segment's taste, which
    would mark a user's favourite genre down wherever the crowd watches it less.
-#}
{%- set prior_user = var('context_prior_views_user') -%}

with

view_features as (

    select * from {{ ref('int_context_views_featurized') }}

),

segments as (

    select * from {{ ref('int_segment_context_affinities_scored') }}

),

overall_shares as (

    select distinct feature_type, feature, overall_share
    from segments

),

user_totals as (

    select user_id, count(distinct view_id) as n_user_views
    from view_features
    group by user_id

),

user_counts as (

    select user_id, feature_type, feature, count(*) as n_feature_views
    from view_features
    group by user_id, feature_type, feature

),

user_shares as (

    select
        user_totals.user_id,
        overall_shares.feature_type,
        overall_shares.feature,
        {{ smoothed_share('user_counts.n_feature_views', 'user_totals.n_user_views',
                          prior_user, 'overall_shares.overall_share') }} as user_share

    from user_totals
    cross join overall_shares
    left join user_counts
        on user_totals.user_id = user_counts.user_id
        and overall_shares.feature_type = user_counts.feature_type
        and overall_shares.feature = user_counts.feature

),

user_context_totals as (

    select user_id, country, daypart, device_class, count(distinct view_id) as n_user_context_views
    from view_features
    group by user_id, country, daypart, device_class

),

user_context_counts as (

    select user_id, country, daypart, device_class, feature_type, feature, count(*) as n_feature_views
    from view_features
    group by user_id, country, daypart, device_class, feature_type, feature

),

user_context_shares as (

    select
        user_context_totals.user_id,
        user_context_totals.country,
        user_context_totals.daypart,
        user_context_totals.device_class,
        segments.feature_type,
        segments.feature,
        segments.feature_label,
        user_context_totals.n_user_context_views,
        segments.n_context_views,
        coalesce(user_context_counts.n_feature_views, 0) as n_feature_views,
        segments.segment_share,
        user_shares.user_share,
        {{ smoothed_share('user_context_counts.n_feature_views', 'user_context_totals.n_user_context_views',
                          prior_user, 'user_shares.user_share * segments.segment_lift') }} as user_context_share

    from user_context_totals
    inner join segments
        on user_context_totals.country = segments.country
        and user_context_totals.daypart = segments.daypart
        and user_context_totals.device_class = segments.device_class
    inner join user_shares
        on user_context_totals.user_id = user_shares.user_id
        and segments.feature_type = user_shares.feature_type
        and segments.feature = user_shares.feature
    left join user_context_counts
        on user_context_totals.user_id = user_context_counts.user_id
        and user_context_totals.country = user_context_counts.country
        and user_context_totals.daypart = user_context_counts.daypart
        and user_context_totals.device_class = user_context_counts.device_class
        and segments.feature_type = user_context_counts.feature_type
        and segments.feature = user_context_counts.feature

),

lifts_computed as (

    select
        *,
        user_context_share / user_share as lift

    from user_context_shares

),

final as (

    select
        {{ surrogate_key(['user_id', 'country', 'daypart', 'device_class', 'feature_type', 'feature']) }}
            as user_affinity_id,
        *,
        ln(lift) as log_lift

    from lifts_computed

)

select * from final
