select
    year as year,
    dalo_active_prev_dec31 as dalo_active_prev_dec31,
    dalo_new_expected as dalo_new_expected,
    _source_file as source_file,
    _source_line as source_line
from {{ source('raw_validated', 'acd_dalo') }}
