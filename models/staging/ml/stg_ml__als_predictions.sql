{#-
    ml.als_predictions only exists once `recwh train` has run. Until then this model yields
    zero rows with the same typed columns, so a fresh `dbt build` succeeds and recommendations
    fall back to content + popularity candidates.
-#}
{%- set als_source = source('ml', 'als_predictions') -%}
{%- if execute -%}
    {%- set als_relation = adapter.get_relation(
        database=als_source.database,
        schema=als_source.schema,
        identifier=als_source.identifier
    ) -%}
{%- else -%}
    {%- set als_relation = none -%}
{%- endif -%}

with

{% if als_relation is not none -%}
source as (

    select * from {{ als_source }}

),
{%- else -%}
source as (

    -- ml.als_predictions does not exist yet (no training run): an empty, typed stand-in
    select
        cast(null as string) as run_id,
        cast(null as string) as user_id,
        cast(null as string) as item_id,
        cast(null as double) as als_score,
        cast(null as int) as als_rank
    where 1 = 0

),
{%- endif %}

renamed as (

    select
        cast(run_id as string) as run_id,
        cast(user_id as string) as user_id,
        cast(item_id as string) as item_id,
        cast(als_score as double) as als_score,
        cast(als_rank as int) as als_rank

    from source

),

keyed as (

    select
        {{ surrogate_key(['user_id', 'item_id']) }} as prediction_id,
        run_id,
        user_id,
        item_id,
        als_score,
        als_rank

    from renamed

),

final as (

    select * from keyed

)

select * from final
