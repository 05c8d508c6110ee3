-- First-quartile threshold of each EPCI for each year: the arrêté of that year, else the
-- latest earlier one (a threshold applies until a new arrêté replaces it). An EPCI without
-- any threshold has no row: its first-quartile figures are 'n/a'.
with candidates as (
    select
        y.year,
        t.year as threshold_year,
        t.epci_siren,
        t.threshold_eur,
        t.threshold_source,
        t.source_file,
        t.source_line,
        row_number() over (partition by y.year, t.epci_siren order by t.year desc) as rank
    from {{ ref('int_years') }} y
    join {{ ref('stg_acd__q1_thresholds') }} t on t.year <= y.year
)

select
    year,
    epci_siren,
    threshold_eur,
    threshold_year,
    threshold_source,
    source_file,
    source_line
from candidates
where rank = 1
