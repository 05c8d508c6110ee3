"""Synthetic raw extracts in the exact formats of RAW_FORMATS.md (``attrib generate``)."""
