{#-
    Collaborative item-item similarity from co-occurrence: two titles are alike when the
    same viewers interacted with both. similarity = RP3beta (Paudel et al., 2017): the
    chance that a walk from a title to one of its viewers, then to one of that viewer's
    titles, lands on the neighbour (the sum over shared viewers of 1 / n_titles(viewer),
    / n_users_a), divided by the neighbour's n_users^co_occurrence_beta so that the most
    watched titles are not everyone's nearest neighbours. Each user contributes only their
    co_occurrence_max_items_per_user most recent titles, so the self-join grows with
    interactions times that cap, not with the square of the heaviest histories; top
    co_occurrence_top_n neighbours per item.
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

-- a walk from a title to a viewer goes on to each of that viewer's titles with 1 / n_titles
recent_interactions_weighted as (

    select
        user_id,
        item_id,
        1.0 / count(*) over (partition by user_id) as step_probability

    from recent_interactions

),

audiences_counted as (

    select item_id, count(*) as n_users
    from recent_interactions
    group by item_id

),

-- both sums are symmetric: each unordered pair is joined and summed once, then mirrored
pairs_joined as (

    select
        recent_interactions_weighted.item_id,
        neighbours.item_id as similar_item_id,
        recent_interactions_weighted.step_probability

    from recent_interactions_weighted
    inner join recent_interactions_weighted as neighbours
        on recent_interactions_weighted.user_id = neighbours.user_id
        and recent_interactions_weighted.item_id < neighbours.item_id

),

unordered_pairs_counted as (

    select
        item_id,
        similar_item_id,
        count(*) as n_common_users,
        sum(step_probability) as shared_step_probability

    from pairs_joined
    group by item_id, similar_item_id

),

pairs_counted as (

    select item_id, similar_item_id, n_common_users, shared_step_probability
    from unordered_pairs_counted

    union all

    select
        similar_item_id as item_id,
        item_id as similar_item_id,
        n_common_users,
        shared_step_probability

    from unordered_pairs_counted

),

pairs_scored as (

    select
        pairs_counted.item_id,
        pairs_counted.similar_item_id,
        pairs_counted.n_common_users,
        pairs_counted.shared_step_probability
            / (audiences.n_users * power(neighbour_audiences.n_users, {{ var('co_occurrence_beta') }}))
            as similarity

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
