{#-
    The hybrid scoring. Candidates per user = ALS predictions (if any)
    UNION top co-occurrence (item-kNN) candidates UNION top content candidates UNION the
    most popular titles, minus everything the user has already interacted with. Each
    candidate is scored by a weighted blend of its collaborative, co-occurrence, content and
    popularity scores (all in [0, 1]) and ranked; the best
    context_candidate_pool (at least recommendations_k) are kept: the recommendations mart
    takes the top recommendations_k, recommendations_by_context re-ranks the whole pool.
-#}
{%- set w_collab = var('blend_weight_collaborative') -%}
{%- set w_content = var('blend_weight_content') -%}
{%- set w_popularity = var('blend_weight_popularity') -%}
{%- set w_co_occurrence = var('blend_weight_co_occurrence') -%}

with

users as (

    select user_id, n_interactions, is_cold_start
    from {{ ref('int_users_profiled') }}

),

interactions as (

    select user_id, item_id
    from {{ ref('int_interactions_scored') }}

),

items as (

    select item_id, title
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null

),

popularity as (

    select item_id, popularity_score, popularity_rank
    from {{ ref('int_items_popularity_ranked') }}

),

als_predictions as (

    select run_id, user_id, item_id, als_score
    from {{ ref('stg_ml__als_predictions') }}

),

co_occurrence_candidates as (

    select user_id, item_id, co_occurrence_score, reason_item_id
    from {{ ref('int_co_occurrence_candidates_scored') }}

),

content_candidates as (

    select user_id, item_id, content_score, reason_item_id
    from {{ ref('int_content_candidates_scored') }}

),

als_recommendable as (

    -- ALS predictions of catalog items the user has not interacted with
    select als_predictions.user_id, als_predictions.item_id, als_predictions.als_score
    from als_predictions
    inner join items on als_predictions.item_id = items.item_id
    left anti join interactions
        on als_predictions.user_id = interactions.user_id
        and als_predictions.item_id = interactions.item_id

),

collaborative_normalized as (

    -- min-max over the user's recommendable predictions: best 1, worst 0 (1 if only one)
    select
        user_id,
        item_id,
        {{ min_max_normalize('als_score', 'user_id') }} as collaborative_score

    from als_recommendable

),

user_runs as (

    select user_id, max(run_id) as run_id
    from als_predictions
    group by user_id

),

popular_candidates as (

    -- enough popular titles that at least popular_candidate_pool of them are unseen
    select users.user_id, popularity.item_id
    from users
    inner join popularity
        on popularity.popularity_rank <= {{ var('popular_candidate_pool') }} + users.n_interactions

),

candidates_unioned as (

    select user_id, item_id from collaborative_normalized
    union
    select user_id, item_id from co_occurrence_candidates
    union
    select user_id, item_id from content_candidates
    union
    select user_id, item_id from popular_candidates

),

unseen_candidates as (

    select candidates_unioned.user_id, candidates_unioned.item_id
    from candidates_unioned
    -- only users and titles of the cleaned catalog
    inner join users on candidates_unioned.user_id = users.user_id
    inner join items on candidates_unioned.item_id = items.item_id
    left anti join interactions
        on candidates_unioned.user_id = interactions.user_id
        and candidates_unioned.item_id = interactions.item_id

),

candidates_scored as (

    select
        unseen_candidates.user_id,
        unseen_candidates.item_id,
        collaborative_normalized.item_id is not null as is_collaborative_candidate,
        coalesce(collaborative_normalized.collaborative_score, 0.0) as collaborative_score,
        coalesce(co_occurrence_candidates.co_occurrence_score, 0.0) as co_occurrence_score,
        coalesce(content_candidates.content_score, 0.0) as content_score,
        coalesce(popularity.popularity_score, 0.0) as popularity_score,
        co_occurrence_candidates.reason_item_id as co_occurrence_reason_item_id,
        content_candidates.reason_item_id as content_reason_item_id

    from unseen_candidates
    left join collaborative_normalized
        on unseen_candidates.user_id = collaborative_normalized.user_id
        and unseen_candidates.item_id = collaborative_normalized.item_id
    left join co_occurrence_candidates
        on unseen_candidates.user_id = co_occurrence_candidates.user_id
        and unseen_candidates.item_id = co_occurrence_candidates.item_id
    left join content_candidates
        on unseen_candidates.user_id = content_candidates.user_id
        and unseen_candidates.item_id = content_candidates.item_id
    left join popularity on unseen_candidates.item_id = popularity.item_id

),

scores_blended as (

    select
        *,
        {{ w_collab }} * collaborative_score as collaborative_contribution,
        {{ w_co_occurrence }} * co_occurrence_score as co_occurrence_contribution,
        {{ w_content }} * content_score as content_contribution,
        {{ w_popularity }} * popularity_score as popularity_contribution,
        (
            {{ w_collab }} * collaborative_score
            + {{ w_co_occurrence }} * co_occurrence_score
            + {{ w_content }} * content_score
            + {{ w_popularity }} * popularity_score
        ) / ({{ w_collab }} + {{ w_co_occurrence }} + {{ w_content }} + {{ w_popularity }}) as score

    from candidates_scored

),

ranked as (

    select
        *,
        row_number() over (
            partition by user_id
            order by score desc, item_id
        ) as recommendation_rank

    from scores_blended

),

final as (

    select
        {{ surrogate_key(['ranked.user_id', 'ranked.item_id']) }} as hybrid_candidate_id,
        ranked.user_id,
        ranked.item_id,
        cast(ranked.recommendation_rank as int) as hybrid_rank,
        cast(ranked.score as double) as score,
        ranked.is_collaborative_candidate,
        cast(ranked.collaborative_score as double) as collaborative_score,
        cast(ranked.co_occurrence_score as double) as co_occurrence_score,
        cast(ranked.content_score as double) as content_score,
        cast(ranked.popularity_score as double) as popularity_score,
        ranked.collaborative_contribution,
        ranked.co_occurrence_contribution,
        ranked.content_contribution,
        ranked.popularity_contribution,
        ranked.co_occurrence_reason_item_id,
        ranked.content_reason_item_id,
        users.is_cold_start,
        user_runs.run_id

    from ranked
    inner join users on ranked.user_id = users.user_id
    left join user_runs on ranked.user_id = user_runs.user_id
    where ranked.recommendation_rank
        <= greatest({{ var('context_candidate_pool') }}, {{ var('recommendations_k') }})

)

select * from final
