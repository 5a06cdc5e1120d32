{% macro try_to_double(column_name) -%}
    try_cast({{ clean_string(column_name) }} as double)
{%- endmacro %}
