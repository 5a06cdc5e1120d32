{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['user_id', 'item_id'],
    on_schema_change='fail',
) }}

with

interactions as (

    select * from {{ ref('int_interactions_scored') }}
    {%- if is_incremental() %}
    -- only the pairs int_interactions_scored recomputed since the last build
    where last_validated_at > {{ high_water_mark('last_validated_at') }}
    {%- endif %}

),

final as (

    select
        interaction_id,
        user_id,
        item_id,
        confidence,
        n_events,
        rating,
        max_completion,
        has_completed,
        is_liked,
        first_interacted_at,
        last_interacted_at,
        last_validated_at

    from interactions

)

select * from final
