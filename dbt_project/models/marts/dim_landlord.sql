-- One row per landlord with its current rotation class (history in
-- intermediate.int_acd__landlord_rotation) and the names the published tables use.
select
    siret,
    landlord_name,
    aliases,
    rotation_rate,
    valid_from as rotation_valid_from,
    rotation_source,
    rotation_rate is not null as is_party_to_acd
from {{ ref('stg_acd__landlords') }}
qualify row_number() over (partition by siret order by valid_from desc) = 1
