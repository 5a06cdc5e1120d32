{% macro shuffle_partitions() -%}
    {%- if execute -%}
        {{- return(run_query("set spark.sql.shuffle.partitions").columns[1].values()[0] | int) -}}
    {%- endif -%}
    {{- return(200) -}}
{%- endmacro %}
