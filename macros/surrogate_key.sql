{% macro surrogate_key(field_list) -%}
    sha2(concat_ws('||'
    {%- for field in field_list %},
        coalesce(cast({{ field }} as string), '_recwh_null_')
    {%- endfor %}
    ), 256)
{%- endmacro %}
