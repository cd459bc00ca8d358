"""Export: the graph as RDF (Turtle, JSON-LD) and a credential as an ELM JSON-LD document.

- ``rdf``: ``graph_to_rdf`` / ``rdf_to_graph`` (exact round trip), ``ingest_rdf_file``;
- ``store_export``: what to export from a store (all, or ids and their neighbourhood) and
  streamed writing;
- ``elm``: ``credential_to_elm``, an ELM v3 / EDC document of a credential offer.

docs/export.md describes the mapping, the round-trip guarantee and the limits.
"""
