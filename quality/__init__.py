"""Great Expectations suites on the published results (the marts), run as Dagster asset checks."""
