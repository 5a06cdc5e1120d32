{#-
    Co-occurrence candidates per user: every unseen neighbour (int_item_co_occurrences_scored)
    of the titles the user interacted with, scored by the sum of its similarities to them
    (item-kNN), normalised per user by the best candidate; the top
    co_occurrence_candidates_per_user are kept, with the seen title that contributed most.

    The interactions are shuffled by user once; the neighbour table (top N per title) is
    broadcast and each user's seen titles travel with their rows, so the (user, neighbour) rows,
    about N times the interactions, are joined, filtered, summed and ranked where they are made,
    never shuffled. The shuffle keeps every partition (shuffle_partitions) because each task
    carries that N-fold expansion.
-#}
with

interactions as (

    select /*+ repartition({{ shuffle_partitions() }}, user_id) */ user_id, item_id
    from {{ ref('int_interactions_scored') }}

),

similarities as (

    select item_id, similar_item_id, similarity
    from {{ ref('int_item_co_occurrences_scored') }}

),

seen_items_attached as (

    select
        user_id,
        item_id,
        collect_list(item_id) over (partition by user_id) as seen_item_ids

    from interactions

),

unseen_neighbours_joined as (

    select /*+ broadcast(similarities) */
        seen_items_attached.user_id,
        similarities.similar_item_id as item_id,
        seen_items_attached.item_id as source_item_id,
        similarities.similarity

    from seen_items_attached
    inner join similarities on seen_items_attached.item_id = similarities.item_id
    where not array_contains(seen_items_attached.seen_item_ids, similarities.similar_item_id)

),

aggregated as (

    select
        user_id,
        item_id,
        sum(similarity) as co_occurrence_raw_score,
        max_by(source_item_id, struct(similarity, source_item_id)) as reason_item_id

    from unseen_neighbours_joined
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
