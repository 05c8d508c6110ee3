select
    depcom as depcom,
    libcom as commune_name,
    dep as departement,
    reg as region,
    population as population,
    cast(_file_vintage as integer) as cog_vintage,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'cog_communes') }}
