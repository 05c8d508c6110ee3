"""What-if scenarios for the agreement's revision clauses (ACD section 8, the CIAs' mid-term
revisions): changes to the inputs that are data, applied to a copy of a baseline warehouse and
computed by the same dbt models (docs/scenarios.md)."""
