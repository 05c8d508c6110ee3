select
    name as parameter_name,
    value as parameter_value,
    valid_from as valid_from,
    source as parameter_source,
    _source_file as source_file,
    _source_line as source_line,
    _load_id as load_id
from {{ source('raw_validated', 'acd_parameters') }}
