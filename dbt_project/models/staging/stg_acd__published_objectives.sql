select
    "TABLE" as published_table,
    year,
    landlord,
    territory,
    measure,
    value,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_published_objectives') }}
