{#-
    The hybrid recommender: each user's top recommendations_k hybrid candidates (scored and
    ranked in int_hybrid_candidates_scored), with a human readable reason. Catalogue coverage:
    a title in no user's top coverage_fill_rank takes the last of those slots for the one user
    whose list it comes closest to making, if its score is at least coverage_fill_min_score_share
    of that slot's; each user takes at most one such title.
-#}
{%- set fill_rank = var('coverage_fill_rank', var('recommendations_k')) -%}
with

candidates as (

    select * from {{ ref('int_hybrid_candidates_scored') }}

),

items as (

    select item_id, title
    from {{ ref('int_items_validated') }}
    where quarantine_reason is null

),

user_top_genres as (

    select user_id, feature as genre, feature_label as genre_label, feature_rank
    from {{ ref('int_user_features_scored') }}
    where feature_type = 'genre'
        and feature_rank <= {{ var('reason_top_genres') }}

),

item_genres as (

    select item_id, feature as genre
    from {{ ref('int_item_features_extracted') }}
    where feature_type = 'genre'

),

covered_items as (

    select distinct item_id
    from candidates
    where hybrid_rank <= {{ fill_rank }}

),

last_slots as (

    select user_id, score as last_score
    from candidates
    where hybrid_rank = {{ fill_rank }}
        and not is_cold_start
        and score > 0

),

fill_candidates_scored as (

    -- titles in no list yet, nearly good enough for this user's last slot
    select
        candidates.user_id,
        candidates.item_id,
        candidates.hybrid_rank,
        candidates.score / last_slots.last_score as score_share

    from candidates
    inner join last_slots on candidates.user_id = last_slots.user_id
    left anti join covered_items on candidates.item_id = covered_items.item_id
    where candidates.hybrid_rank > {{ fill_rank }}
        and candidates.score >= {{ var('coverage_fill_min_score_share') }} * last_slots.last_score

),

fill_users_chosen as (

    -- each title goes to the user whose list it comes closest to making ...
    select *
    from fill_candidates_scored
    qualify row_number() over (partition by item_id order by score_share desc, user_id) = 1

),

fills_chosen as (

    -- ... and each user takes the best of the titles that chose them
    select user_id, item_id, hybrid_rank as fill_from_rank
    from fill_users_chosen
    qualify row_number() over (partition by user_id order by score_share desc, item_id) = 1

),

candidates_reranked as (

    -- the fill takes rank fill_rank; the titles from there down to where it was move one down
    select
        candidates.* except (hybrid_rank),
        case
            when candidates.item_id = fills_chosen.item_id then {{ fill_rank }}
            when candidates.hybrid_rank >= {{ fill_rank }}
                and candidates.hybrid_rank < fills_chosen.fill_from_rank then candidates.hybrid_rank + 1
            else candidates.hybrid_rank
        end as hybrid_rank

    from candidates
    left join fills_chosen on candidates.user_id = fills_chosen.user_id

),

top_k as (

    select *
    from candidates_reranked
    where hybrid_rank <= {{ var('recommendations_k') }}

),

genre_matches as (

    -- the user's best-ranked top genre that the recommended title has
    select
        top_k.user_id,
        top_k.item_id,
        min_by(user_top_genres.genre_label, user_top_genres.feature_rank) as matched_genre_label

    from top_k
    inner join item_genres on top_k.item_id = item_genres.item_id
    inner join user_top_genres
        on top_k.user_id = user_top_genres.user_id
        and item_genres.genre = user_top_genres.genre
    group by top_k.user_id, top_k.item_id

),

reasons_chosen as (

    select
        top_k.*,
        case
            when top_k.is_cold_start then 'trending'
            when top_k.content_reason_item_id is not null
                and top_k.content_contribution > 0
                and top_k.content_contribution >= top_k.collaborative_contribution
                and top_k.content_contribution >= top_k.popularity_contribution
                then 'content'
            when top_k.co_occurrence_reason_item_id is not null
                and top_k.co_occurrence_contribution > 0
                and top_k.co_occurrence_contribution >= top_k.popularity_contribution
                then 'co_occurrence'
            when genre_matches.matched_genre_label is not null then 'genre'
            when top_k.is_collaborative_candidate
                and top_k.collaborative_contribution >= top_k.popularity_contribution
                then 'collaborative'
            else 'trending'
        end as reason_kind,
        genre_matches.matched_genre_label

    from top_k
    left join genre_matches
        on top_k.user_id = genre_matches.user_id
        and top_k.item_id = genre_matches.item_id

),

reason_items_joined as (

    select
        reasons_chosen.*,
        reason_items.item_id as reason_item_id,
        reason_items.title as reason_item_title

    from reasons_chosen
    left join items as reason_items
        on reason_items.item_id = case reasons_chosen.reason_kind
            when 'content' then reasons_chosen.content_reason_item_id
            when 'co_occurrence' then reasons_chosen.co_occurrence_reason_item_id
        end

),

final as (

    select
        {{ surrogate_key(['user_id', 'item_id']) }} as recommendation_id,
        user_id,
        item_id,
        hybrid_rank as rank,
        score,
        collaborative_score,
        co_occurrence_score,
        content_score,
        popularity_score,
        case reason_kind
            when 'content' then concat('Because you watched ', reason_item_title)
            when 'co_occurrence' then concat('Viewers of ', reason_item_title, ' also watched this')
            when 'genre' then concat('Matches your love of ', matched_genre_label)
            when 'collaborative' then 'Popular with viewers who share your taste'
            else 'Trending now'
        end as reason,
        reason_item_id,
        case when is_cold_start then 'cold_start' else 'hybrid' end as strategy,
        run_id,
        current_timestamp() as generated_at

    from reason_items_joined

)

select * from final
