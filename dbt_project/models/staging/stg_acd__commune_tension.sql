select
    depcom as depcom,
    libcom as commune_name,
    zone as tension_zone,
    {{ label('acd.ZONE', 'zone') }} as tension_zone_label,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_commune_tension') }}
