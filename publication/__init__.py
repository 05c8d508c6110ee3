"""What the platform publishes: Parquet exports of the aggregated marts and territorial sheets,
with small counts suppressed (``policy.yml``)."""
