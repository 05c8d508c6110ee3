select
    "TABLE" as published_table,
    year as year,
    landlord as landlord,
    territory as territory,
    measure as measure,
    value as value,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_published_objectives') }}
