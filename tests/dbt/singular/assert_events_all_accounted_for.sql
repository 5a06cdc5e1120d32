-- Every staged event ends up either valid or in quarantined_rows: nothing is silently lost.
with

staged as (

    select count(*) as n_staged from {{ ref('stg_raw__events') }}

),

validated as (

    select count(*) as n_valid
    from {{ ref('int_events_validated') }}
    where quarantine_reason is null

),

quarantined as (

    select count(*) as n_quarantined
    from {{ ref('quarantined_rows') }}
    where source_table = 'raw.events'

),

failures as (

    select *
    from staged
    cross join validated
    cross join quarantined
    where n_staged <> n_valid + n_quarantined

)

select * from failures
