{#-
    Content candidates per user: every unseen neighbour of the titles the user interacted
    with, scored by sum(similarity x the user's normalised confidence in the seen title),
    normalised per user to [0, 1]; the top content_candidates_per_user are kept, with the
    seen title that contributed most (the "Because you watched" title).
-#}
with

interactions as (

    select user_id, item_id, confidence
    from {{ ref('int_interactions_scored') }}

),

similarities as (

    select item_id, similar_item_id, similarity
    from {{ ref('int_item_pairs_scored') }}

),

confidences_normalized as (

    select
        user_id,
        item_id,
        confidence / max(confidence) over (partition by user_id) as normalized_confidence

    from interactions

),

neighbours_joined as (

    select
        confidences_normalized.user_id,
        similarities.similar_item_id as item_id,
        confidences_normalized.item_id as source_item_id,
        similarities.similarity * confidences_normalized.normalized_confidence as contribution

    from confidences_normalized
    inner join similarities on confidences_normalized.item_id = similarities.item_id

),

unseen_neighbours as (

    select neighbours_joined.*
    from neighbours_joined
    left anti join interactions
        on neighbours_joined.user_id = interactions.user_id
        and neighbours_joined.item_id = interactions.item_id

),

aggregated as (

    select
        user_id,
        item_id,
        sum(contribution) as content_raw_score,
        max_by(source_item_id, struct(contribution, source_item_id)) as reason_item_id,
        count(*) as n_source_items

    from unseen_neighbours
    group by user_id, item_id

),

ranked as (

    select
        *,
        content_raw_score / max(content_raw_score) over (partition by user_id) as content_score,
        row_number() over (
            partition by user_id
            order by content_raw_score desc, item_id
        ) as content_rank

    from aggregated
    where content_raw_score > 0

),

final as (

    select
        {{ surrogate_key(['user_id', 'item_id']) }} as content_candidate_id,
        user_id,
        item_id,
        content_raw_score,
        content_score,
        content_rank,
        reason_item_id,
        n_source_items

    from ranked
    where content_rank <= {{ var('content_candidates_per_user') }}

)

select * from final
