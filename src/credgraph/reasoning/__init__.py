"""Reasoning over a read-only in-memory view of the graph: stacking, pathways, recognition
and template validation (pure Python, identical on every store). Filled by issues 4 and 5."""
