-- One row per landlord and rotation-class version (a revised class is a new row).
select
    siret as siret,
    name as landlord_name,
    string_split(aliases, '|') as aliases,
    rotation_rate as rotation_rate,
    valid_from as valid_from,
    source as rotation_source,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_landlords') }}
