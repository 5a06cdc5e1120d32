{% macro min_max_normalize(expression, partition_by) -%}
    case
        when max({{ expression }}) over (partition by {{ partition_by }})
           > min({{ expression }}) over (partition by {{ partition_by }})
        then ({{ expression }} - min({{ expression }}) over (partition by {{ partition_by }}))
           / (max({{ expression }}) over (partition by {{ partition_by }})
              - min({{ expression }}) over (partition by {{ partition_by }}))
        when {{ expression }} is not null then 1.0
    end
{%- endmacro %}
