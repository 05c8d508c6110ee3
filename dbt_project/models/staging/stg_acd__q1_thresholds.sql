select
    epci_siren as epci_siren,
    year as year,
    threshold_eur as threshold_eur,
    source as threshold_source,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_q1_thresholds') }}
