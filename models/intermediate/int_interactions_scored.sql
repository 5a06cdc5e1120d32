{{ config(
    materialized='incremental',
    incremental_strategy='merge',
    unique_key=['user_id', 'item_id'],
    on_schema_change='fail',
) }}

with

events as (

    select *
    from {{ ref('int_events_validated') }}
    where quarantine_reason is null

),

{% if is_incremental() -%}
changed_pairs as (

    -- pairs with an event validated since the last build; each is recomputed from all its events
    select distinct user_id, item_id
    from events
    where validated_at > {{ high_water_mark('last_validated_at') }}

),

{% endif -%}

holdout as (

    -- `recwh evaluate`'s test pairs, whose events the model must not see (none otherwise)
    select user_id, item_id
    from {{ ref('stg_evaluation__holdout_interactions') }}

),

training_events as (

    select events.*
    from events
    {%- if is_incremental() %}
    left semi join changed_pairs
        on events.user_id = changed_pairs.user_id
        and events.item_id = changed_pairs.item_id
    {%- endif %}
    left anti join holdout
        on events.user_id = holdout.user_id
        and events.item_id = holdout.item_id

),

completions_computed as (

    select
        *,
        case
            when strength_basis = 'completion' and item_runtime_min > 0
                then least(coalesce(watch_seconds, 0) / (item_runtime_min * 60.0), 1.0)
        end as completion

    from training_events

),

strengths_computed as (

    select
        *,
        case strength_basis
            when 'completion' then
                case
                    when item_runtime_min > 0
                        then least(
                            coalesce(watch_seconds, 0) / (item_runtime_min * 60.0)
                            / {{ var('play_full_credit_completion') }},
                            1.0
                        )
                    -- runtime unknown: an hour of watching earns full credit
                    else least(coalesce(watch_seconds, 0) / 3600.0, 1.0)
                end
            when 'rating' then event_value / {{ var('max_rating') }}
            else 1.0
        end as strength

    from completions_computed

),

aggregated as (

    select
        user_id,
        item_id,
        cast(sum(event_weight * strength) as double) as confidence,
        count(*) as n_events,
        max_by(
            case when strength_basis = 'rating' then event_value end,
            case when strength_basis = 'rating' then struct(occurred_at, event_id) end
        ) as rating,
        max(completion) as max_completion,
        coalesce(
            bool_or(event_type = 'complete')
            or max(completion) >= {{ var('play_full_credit_completion') }},
            false
        ) as has_completed,
        bool_or(event_type = 'like') as is_liked,
        min(occurred_at) as first_interacted_at,
        max(occurred_at) as last_interacted_at,
        max(validated_at) as last_validated_at

    from strengths_computed
    group by user_id, item_id

),

final as (

    select
        {{ surrogate_key(['user_id', 'item_id']) }} as interaction_id,
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

    from aggregated
    -- a pair whose only events carry no strength (e.g. a 0-second play) is no evidence
    where confidence > 0

)

select * from final
