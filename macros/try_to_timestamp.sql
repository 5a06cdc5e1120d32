{% macro try_to_timestamp(column_name) -%}
    try_cast({{ clean_string(column_name) }} as timestamp)
{%- endmacro %}
