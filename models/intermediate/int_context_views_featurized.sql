{#-
    What was watched in which context: one row per (training play with a known context, genre
    or kind of the played title). A play is one viewing; only plays of pairs in
    int_interactions_scored count, so `recwh evaluate` never learns from held-out pairs.
-#}
with

events as (

    select event_record_id, user_id, item_id, country, daypart, device_class
    from {{ ref('int_events_contextualized') }}
    where has_context and event_type = 'play'

),

interactions as (

    select user_id, item_id
    from {{ ref('int_interactions_scored') }}

),

genres as (

    select item_id, feature_type, feature, feature_label
    from {{ ref('int_item_features_extracted') }}
    where feature_type = 'genre'

),

kinds as (

    select item_id, 'kind' as feature_type, kind as feature, kind as feature_label
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null and kind is not null

),

features_unioned as (

    select * from genres
    union all
    select * from kinds

),

views as (

    select events.*
    from events
    left semi join interactions
        on events.user_id = interactions.user_id
        and events.item_id = interactions.item_id

),

features_joined as (

    select
        {{ surrogate_key(['views.event_record_id', 'features_unioned.feature_type', 'features_unioned.feature']) }}
            as view_feature_id,
        views.event_record_id as view_id,
        views.user_id,
        views.item_id,
        views.country,
        views.daypart,
        views.device_class,
        features_unioned.feature_type,
        features_unioned.feature,
        features_unioned.feature_label

    from views
    inner join features_unioned on views.item_id = features_unioned.item_id

),

final as (

    select * from features_joined

)

select * from final
