-- Within a user's list, rank follows score (desc): a better rank never has a lower score.
with

recommendations as (

    select user_id, rank, score from {{ ref('recommendations') }}

),

compared as (

    select
        user_id,
        rank,
        score,
        lag(score) over (partition by user_id order by rank) as previous_score

    from recommendations

),

failures as (

    select * from compared
    where previous_score < score

)

select * from failures
