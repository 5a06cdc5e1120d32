{% macro smoothed_share(n_feature_views, n_views, prior_views, prior_share) -%}
    (coalesce({{ n_feature_views }}, 0) + {{ prior_views }} * {{ prior_share }})
        / ({{ n_views }} + {{ prior_views }})
{%- endmacro %}
