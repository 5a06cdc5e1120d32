{% test expression_is_true(model, expression) %}

with

failures as (
    select *
    from {{ model }}
    where not coalesce({{ expression }}, false)
)

select * from failures

{% endtest %}
