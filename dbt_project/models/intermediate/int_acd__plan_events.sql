-- The landlords' plans as they stand: the rows of the highest revision of each agreement.
select * exclude (is_latest_revision)
from {{ ref('stg_acd__plans') }}
where is_latest_revision
