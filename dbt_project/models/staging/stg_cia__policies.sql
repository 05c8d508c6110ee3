select
    _file_territory_id as territory_id,
    quota as quota,
    target as target,
    base as base,
    valid_from as valid_from,
    source as policy_source,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'cia_policies') }}
