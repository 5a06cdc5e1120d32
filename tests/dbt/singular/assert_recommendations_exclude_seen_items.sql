-- A recommended item must never be one the user already interacted with.
with

recommendations as (

    select user_id, item_id from {{ ref('recommendations') }}

),

interactions as (

    select user_id, item_id from {{ ref('fct_interactions') }}

),

failures as (

    select recommendations.*
    from recommendations
    inner join interactions
        on recommendations.user_id = interactions.user_id
        and recommendations.item_id = interactions.item_id

)

select * from failures
