{#-
    Collaborative item-item similarity from co-occurrence: two titles are alike when the
    same viewers interacted with both. similarity = cosine of the items' binary audience
    vectors, n_common_users / sqrt(n_users_a x n_users_b) (item-kNN, as SAR and classic
    item-based CF do). Each user contributes only their co_occurrence_max_items_per_user
    most recent titles, so the self-join grows with interactions times that cap, not with
    the square of the heaviest histories; top co_occurrence_top_n neighbours per item.
-#}
with

interactions as (

    select user_id, item_id, last_interacted_at
    from {{ ref('int_interactions_scored') }}

),

interactions_ranked as (

    select
        user_id,
        item_id,
        row_number() over (
            partition by user_id
            order by last_interacted_at desc, item_id
        ) as recency_rank

    from interactions

),

recent_interactions as (

    select user_id, item_id
    from interactions_ranked
    where recency_rank <= {{ var('co_occurrence_max_items_per_user') }}

),

audiences_counted as (

    select item_id, count(*) as n_users
    from recent_interactions
    group by item_id

),

-- n_common_users is symmetric: each unordered pair is joined and counted once, then mirrored
pairs_joined as (

    select
        recent_interactions.item_id,
        neighbours.item_id as similar_item_id

    from recent_interactions
    inner join recent_interactions as neighbours
        on recent_interactions.user_id = neighbours.user_id
        and recent_interactions.item_id < neighbours.item_id

),

unordered_pairs_counted as (

    select item_id, similar_item_id, count(*) as n_common_users
    from pairs_joined
    group by item_id, similar_item_id

),

pairs_counted as (

    select item_id, similar_item_id, n_common_users
    from unordered_pairs_counted

    union all

    select similar_item_id as item_id, item_id as similar_item_id, n_common_users
    from unordered_pairs_counted

),

pairs_scored as (

    select
        pairs_counted.item_id,
        pairs_counted.similar_item_id,
        pairs_counted.n_common_users,
        pairs_counted.n_common_users / sqrt(audiences.n_users * neighbour_audiences.n_users) as similarity

    from pairs_counted
    inner join audiences_counted as audiences
        on pairs_counted.item_id = audiences.item_id
    inner join audiences_counted as neighbour_audiences
        on pairs_counted.similar_item_id = neighbour_audiences.item_id

),

pairs_ranked as (

    select
        *,
        row_number() over (
            partition by item_id
            order by similarity desc, similar_item_id
        ) as similarity_rank

    from pairs_scored

),

final as (

    select
        {{ surrogate_key(['item_id', 'similar_item_id']) }} as item_pair_id,
        item_id,
        similar_item_id,
        cast(similarity as double) as similarity,
        similarity_rank,
        n_common_users

    from pairs_ranked
    where similarity_rank <= {{ var('co_occurrence_top_n') }}

)

select * from final
