{#-
    The held-out pairs exist only under `recwh evaluate` (var `evaluation` true). Otherwise this
    model yields zero rows with the same typed columns, so production never leaves events out,
    even when an earlier evaluation left eval_ml.holdout_interactions behind.
-#}
{%- set holdout_source = source('evaluation', 'holdout_interactions') -%}

with

{% if var('evaluation', false) -%}
source as (

    select * from {{ holdout_source }}

),
{%- else -%}
source as (

    -- not an evaluation build: nothing is held out
    select
        cast(null as string) as user_id,
        cast(null as string) as item_id
    where 1 = 0

),
{%- endif %}

renamed as (

    select
        cast(user_id as string) as user_id,
        cast(item_id as string) as item_id

    from source

),

keyed as (

    select
        {{ surrogate_key(['user_id', 'item_id']) }} as holdout_id,
        user_id,
        item_id

    from renamed

),

final as (

    select * from keyed

)

select * from final
