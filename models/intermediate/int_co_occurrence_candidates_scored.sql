{#-
    Co-occurrence candidates per user: every unseen neighbour (int_item_co_occurrences_scored)
    of the titles the user interacted with, scored by the sum of its similarities to them
    (item-kNN), normalised per user by the best candidate; the top
    co_occurrence_candidates_per_user are kept, with the seen title that contributed most.
-#}
with

interactions as (

    select user_id, item_id
    from {{ ref('int_interactions_scored') }}

),

similarities as (

    select item_id, similar_item_id, similarity
    from {{ ref('int_item_co_occurrences_scored') }}

),

neighbours_joined as (

    select
        interactions.user_id,
        similarities.similar_item_id as item_id,
        interactions.item_id as source_item_id,
        similarities.similarity

    from interactions
    inner join similarities on interactions.item_id = similarities.item_id

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
        sum(similarity) as co_occurrence_raw_score,
        max_by(source_item_id, struct(similarity, source_item_id)) as reason_item_id

    from unseen_neighbours
    group by user_id, item_id

),

ranked as (

    select
        *,
        co_occurrence_raw_score / max(co_occurrence_raw_score) over (partition by user_id) as co_occurrence_score,
        row_number() over (
            partition by user_id
            order by co_occurrence_raw_score desc, item_id
        ) as co_occurrence_rank

    from aggregated

),

final as (

    select
        {{ surrogate_key(['user_id', 'item_id']) }} as co_occurrence_candidate_id,
        user_id,
        item_id,
        cast(co_occurrence_raw_score as double) as co_occurrence_raw_score,
        cast(co_occurrence_score as double) as co_occurrence_score,
        co_occurrence_rank,
        reason_item_id

    from ranked
    where co_occurrence_rank <= {{ var('co_occurrence_candidates_per_user') }}

)

select * from final
