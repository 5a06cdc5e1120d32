{% macro split_list(column_name, separator='|') -%}
    coalesce(
        array_distinct(
            filter(
                transform(split({{ column_name }}, '[{{ separator }}]'), element -> trim(element)),
                element -> element <> ''
            )
        ),
        array()
    )
{%- endmacro %}
