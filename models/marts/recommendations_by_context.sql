{#-
    Context-aware recommendations: for each user and each context the user has training
    views in (country x daypart x device class) whose daypart x device class has at least
    context_min_views views overall, the user's context_candidate_pool best hybrid candidates
    re-ranked by the user's context preferences, top recommendations_k kept.
    score = w_hybrid x hybrid score (min-max over the user's pool)
          + w_genre x mean log-lift of the title's genres + w_kind x log-lift of its kind.
    Contexts absent here have too little data: readers fall back to `recommendations`.
-#}
{%- set w_hybrid = var('context_weight_hybrid') -%}
{%- set w_genre = var('context_weight_genre') -%}
{%- set w_kind = var('context_weight_kind') -%}

with

candidates as (

    select user_id, item_id, hybrid_rank, score as hybrid_score, run_id
    from {{ ref('int_hybrid_candidates_scored') }}

),

affinities as (

    select
        user_id, country, daypart, device_class, feature_type, feature, feature_label,
        n_user_context_views, n_context_views, log_lift
    from {{ ref('int_user_context_affinities_scored') }}

),

genres as (

    select item_id, feature_type, feature
    from {{ ref('int_item_features_extracted') }}
    where feature_type = 'genre'

),

kinds as (

    select item_id, 'kind' as feature_type, kind as feature
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null and kind is not null

),

dayparts as (

    select distinct daypart, daypart_label
    from {{ ref('hour_dayparts') }}

),

item_features as (

    select * from genres
    union all
    select * from kinds

),

user_contexts as (

    select distinct user_id, country, daypart, device_class, n_user_context_views
    from affinities
    where n_context_views >= {{ var('context_min_views') }}

),

candidates_normalized as (

    select
        *,
        {{ min_max_normalize('hybrid_score', 'user_id') }} as hybrid_normalized

    from candidates

),

contexts_joined as (

    select
        candidates_normalized.*,
        user_contexts.country,
        user_contexts.daypart,
        user_contexts.device_class,
        user_contexts.n_user_context_views

    from candidates_normalized
    inner join user_contexts on candidates_normalized.user_id = user_contexts.user_id

),

lifts_joined as (

    select
        contexts_joined.*,
        item_features.feature_type,
        affinities.feature_label,
        coalesce(affinities.log_lift, 0.0) as log_lift

    from contexts_joined
    left join item_features on contexts_joined.item_id = item_features.item_id
    left join affinities
        on contexts_joined.user_id = affinities.user_id
        and contexts_joined.country = affinities.country
        and contexts_joined.daypart = affinities.daypart
        and contexts_joined.device_class = affinities.device_class
        and item_features.feature_type = affinities.feature_type
        and item_features.feature = affinities.feature

),

lifts_aggregated as (

    select
        user_id,
        country,
        daypart,
        device_class,
        item_id,
        -- one value per candidate, repeated on each of its feature rows
        min(hybrid_rank) as hybrid_rank,
        min(hybrid_score) as hybrid_score,
        min(hybrid_normalized) as hybrid_normalized,
        min(run_id) as run_id,
        min(n_user_context_views) as n_user_context_views,
        coalesce(avg(case when feature_type = 'genre' then log_lift end), 0.0) as genre_log_lift,
        coalesce(max(case when feature_type = 'kind' then log_lift end), 0.0) as kind_log_lift,
        max_by(
            case when feature_type = 'genre' then feature_label end,
            case when feature_type = 'genre' then struct(log_lift, feature_label) end
        ) as best_genre_label,
        max(case when feature_type = 'genre' then log_lift end) as best_genre_log_lift,
        max(case when feature_type = 'kind' then feature_label end) as kind_label

    from lifts_joined
    group by user_id, country, daypart, device_class, item_id

),

scored as (

    select
        *,
        {{ w_genre }} * genre_log_lift + {{ w_kind }} * kind_log_lift as context_score,
        {{ w_hybrid }} * hybrid_normalized
            + {{ w_genre }} * genre_log_lift
            + {{ w_kind }} * kind_log_lift as score

    from lifts_aggregated

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id, country, daypart, device_class
            order by score desc, hybrid_rank, item_id
        ) as context_rank

    from scored

),

reasons_chosen as (

    select
        ranked.*,
        concat(
            dayparts.daypart_label, ' ',
            case ranked.device_class
                when 'tv' then 'TV'
                when 'mobile' then 'phone'
                else ranked.device_class
            end,
            ' pick'
        ) as context_label

    from ranked
    inner join dayparts on ranked.daypart = dayparts.daypart
    where ranked.context_rank <= {{ var('recommendations_k') }}

),

final as (

    select
        {{ surrogate_key(['user_id', 'country', 'daypart', 'device_class', 'item_id']) }}
            as context_recommendation_id,
        user_id,
        country,
        daypart,
        device_class,
        item_id,
        cast(context_rank as int) as rank,
        cast(score as double) as score,
        cast(hybrid_score as double) as hybrid_score,
        cast(hybrid_rank as int) as hybrid_rank,
        cast(context_score as double) as context_score,
        -- name what the context lifted: the title's best genre there, else its kind
        case
            when best_genre_log_lift > 0
                and {{ w_genre }} * best_genre_log_lift >= {{ w_kind }} * kind_log_lift
                then concat(context_label, ': ', best_genre_label)
            when kind_log_lift > 0 then concat(context_label, ': a ', kind_label)
            else context_label
        end as reason,
        cast(n_user_context_views as bigint) as n_user_context_views,
        run_id,
        current_timestamp() as generated_at

    from reasons_chosen

)

select * from final
