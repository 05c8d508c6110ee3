-- Rotation rate of each landlord party to the agreement for the year (ACD annex 3 phase 3,
-- revisable under 8.2: rates carry the year they apply from).
{% call(key) for_each_key('capacity') %}
select year, siret, landlord_name, rotation_rate, valid_from as rotation_valid_from,
       rotation_source
from {{ ref('int_acd__landlord_rotation') }}
where year = {{ capacity_year(key) }} and rotation_rate is not null
{% endcall %}
