-- Every user of dim_users gets exactly recommendations_k items, or every unseen catalog item
-- when fewer than recommendations_k are left (a user who has seen almost the whole catalog).
with

users as (

    select user_id, n_interactions from {{ ref('dim_users') }}

),

catalog as (

    select count(*) as n_items from {{ ref('dim_items') }}

),

recommendations as (

    select user_id, count(*) as n_recommendations
    from {{ ref('recommendations') }}
    group by user_id

),

expectations as (

    select
        users.user_id,
        least({{ var('recommendations_k') }}, catalog.n_items - users.n_interactions) as n_expected,
        coalesce(recommendations.n_recommendations, 0) as n_recommendations

    from users
    cross join catalog
    left join recommendations on users.user_id = recommendations.user_id

),

failures as (

    select * from expectations
    where n_recommendations <> n_expected

)

select * from failures
