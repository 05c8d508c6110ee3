select
    depcom as depcom,
    libcom as commune_name,
    territory_id as territory_id,
    territory_name as territory_name,
    epci_siren as epci_siren,
    epci_name as epci_name,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_territories') }}
