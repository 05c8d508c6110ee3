"""The Dagster code location: definitions, resources, partitions, jobs, and the ``attrib`` CLI."""
