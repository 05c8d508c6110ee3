-- One row per dwelling per RPLS vintage with its ACD financing class ('OUT' when its FINAN
-- code has none) and perimeter share, under the parameters valid for the vintage year: what
-- the facts joined to a dwelling (the stock, attributions) need of it. It does not depend on
-- the agreement's plans, so a change of plans (a what-if scenario, a revised plan) rebuilds
-- the dwelling stock's perimeter flags (and the occupancy, which reads the stock), not the
-- attributions. A view: a join of the register
-- to a table of a few dozen codes.
{{ config(materialized='view') }}
select
    d.*,
    coalesce(f.finan_class, 'OUT') as finan_class,
    f.perimeter_share
from {{ ref('stg_rpls__dwellings') }} d
left join {{ ref('int_acd__finan_classes') }} f
    on f.year = d.vintage and f.finan_code = d.finan_code
