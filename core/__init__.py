"""The bottom layer: settings, the warehouse's folders, DuckDB connections, the pseudonym key,
partitions, the dbt project handle and the Dagster resources.

Every other package (ingestion, assets, audit, publication, quality, pipelines) may import
this one; it imports none of them.
"""
