{% macro high_water_mark(column) -%}
    (select coalesce(max({{ column }}), timestamp '1970-01-01 00:00:00') from {{ this }})
{%- endmacro %}
