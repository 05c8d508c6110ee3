select
    qpv_code as qpv_code,
    qpv_name as qpv_name,
    depcom as depcom,
    libcom as commune_name,
    source as qpv_source,
    source like 'synthetic%' as is_synthetic,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_qpv') }}
