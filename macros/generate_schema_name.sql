{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {%- set schema_name = target.schema -%}
    {%- else -%}
        {%- set schema_name = custom_schema_name | trim -%}
    {%- endif -%}
    {#- `recwh evaluate` builds the same models into a parallel eval_* warehouse -#}
    {{ evaluation_schema(schema_name) }}
{%- endmacro %}


{% macro evaluation_schema(schema_name) -%}
    {%- if var('evaluation', false) -%}
        eval_{{ schema_name }}
    {%- else -%}
        {{ schema_name }}
    {%- endif -%}
{%- endmacro %}
