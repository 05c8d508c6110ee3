"""Synthetic raw extracts in the exact formats of the real ones (docs/raw_sources.md;
``attrib generate``)."""
