-- Commission decisions from the extracts authoritative for their year: the yearly extract
-- when it exists, else the quarterly ones (each covers its own quarter's commissions).
{{ config(**sne_by_year('extract_year')) }}
with decisions as (
    select * from {{ ref('stg_sne__decisions') }} {{ sne_years_filter('extract_year') }}
),

closed_years as (
    select distinct extract_year from decisions where extract_quarter is null
)

select *
from decisions
where extract_quarter is null
   or extract_year not in (select extract_year from closed_years)
qualify row_number() over (
    partition by decision_key order by extract_quarter nulls first, extract_period
) = 1
