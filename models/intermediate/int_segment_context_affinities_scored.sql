{#-
    Per-segment context preferences: for every segment (country x daypart x device class)
    with training views, and every genre and kind, the share of the segment's views that
    had it. Shares are smoothed level by level (each level's share gets `prior` pseudo-views
    at the broader level's share): overall -> context (daypart x device class, all
    countries) -> segment. segment_lift = segment_share / overall_share.
-#}
{%- set prior_global = var('context_prior_views_global') -%}
{%- set prior_segment = var('context_prior_views_segment') -%}

with

view_features as (

    select * from {{ ref('int_context_views_featurized') }}

),

overall_totals as (

    select count(distinct view_id) as n_views
    from view_features

),

overall_shares as (

    select
        view_features.feature_type,
        view_features.feature,
        min(view_features.feature_label) as feature_label,
        count(*) / max(overall_totals.n_views) as overall_share

    from view_features
    cross join overall_totals
    group by view_features.feature_type, view_features.feature

),

context_totals as (

    select daypart, device_class, count(distinct view_id) as n_context_views
    from view_features
    group by daypart, device_class

),

context_counts as (

    select daypart, device_class, feature_type, feature, count(*) as n_feature_views
    from view_features
    group by daypart, device_class, feature_type, feature

),

context_shares as (

    select
        context_totals.daypart,
        context_totals.device_class,
        context_totals.n_context_views,
        overall_shares.feature_type,
        overall_shares.feature,
        overall_shares.feature_label,
        overall_shares.overall_share,
        {{ smoothed_share('context_counts.n_feature_views', 'context_totals.n_context_views',
                          prior_global, 'overall_shares.overall_share') }} as context_share

    from context_totals
    cross join overall_shares
    left join context_counts
        on context_totals.daypart = context_counts.daypart
        and context_totals.device_class = context_counts.device_class
        and overall_shares.feature_type = context_counts.feature_type
        and overall_shares.feature = context_counts.feature

),

segment_totals as (

    select country, daypart, device_class, count(distinct view_id) as n_segment_views
    from view_features
    group by country, daypart, device_class

),

segment_counts as (

    select country, daypart, device_class, feature_type, feature, count(*) as n_feature_views
    from view_features
    group by country, daypart, device_class, feature_type, feature

),

segment_shares as (

    select
        segment_totals.country,
        segment_totals.daypart,
        segment_totals.device_class,
        context_shares.feature_type,
        context_shares.feature,
        context_shares.feature_label,
        segment_totals.n_segment_views,
        context_shares.n_context_views,
        coalesce(segment_counts.n_feature_views, 0) as n_feature_views,
        context_shares.overall_share,
        context_shares.context_share,
        {{ smoothed_share('segment_counts.n_feature_views', 'segment_totals.n_segment_views',
                          prior_segment, 'context_shares.context_share') }} as segment_share

    from segment_totals
    inner join context_shares
        on segment_totals.daypart = context_shares.daypart
        and segment_totals.device_class = context_shares.device_class
    left join segment_counts
        on segment_totals.country = segment_counts.country
        and segment_totals.daypart = segment_counts.daypart
        and segment_totals.device_class = segment_counts.device_class
        and context_shares.feature_type = segment_counts.feature_type
        and context_shares.feature = segment_counts.feature

),

final as (

    select
        {{ surrogate_key(['country', 'daypart', 'device_class', 'feature_type', 'feature']) }}
            as segment_affinity_id,
        *,
        segment_share / overall_share as segment_lift

    from segment_shares

)

select * from final
