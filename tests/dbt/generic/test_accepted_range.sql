{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}

with

validation as (
    select {{ column_name }} as tested_value
    from {{ model }}
    where {{ column_name }} is not null
),

failures as (
    select *
    from validation
    where 1 = 0
    {%- if min_value is not none %}
        or tested_value {{ '<' if inclusive else '<=' }} {{ min_value }}
    {%- endif %}
    {%- if max_value is not none %}
        or tested_value {{ '>' if inclusive else '>=' }} {{ max_value }}
    {%- endif %}
)

select * from failures

{% endtest %}
