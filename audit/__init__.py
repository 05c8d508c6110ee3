"""Audit tools: how each published figure was derived (``attrib explain``)."""
