-- Households per fragility level and criterion, per commune and survey year.
{{ fragility_by(['depcom', 'territory_id']) }}
