-- One row per demand and year, from the extract that is authoritative for the year: the
-- yearly extract when it exists (it supersedes the quarterly ones), else the latest
-- quarterly extract the demand appears in (year to date).
{{ config(**sne_by_year('extract_year')) }}
with demands as (
    select * from {{ ref('stg_sne__demands') }} {{ sne_years_filter('extract_year') }}
),

closed_years as (
    select distinct extract_year from demands where extract_quarter is null
),

authoritative as (
    select d.*
    from demands d
    where d.extract_quarter is null
       or d.extract_year not in (select extract_year from closed_years)
)

select
    extract_year as year,
    extract_quarter is null as is_closed_year,
    *
from authoritative
qualify row_number() over (
    partition by extract_year, demand_key
    order by extract_quarter desc nulls first, source_line
) = 1
