-- The years facts can be computed for (vars first_year..last_year).
select unnest(generate_series({{ var('first_year') }}, {{ var('last_year') }})) as year
