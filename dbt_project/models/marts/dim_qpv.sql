-- One row per QPV (priority urban district) of the reference list.
select qpv_code, qpv_name, depcom, commune_name, qpv_source, is_synthetic
from {{ ref('stg_acd__qpv') }}
