"""Graph stores: the GraphStore protocol and its implementations."""

from credgraph.graph.base import Direction, GraphStore, open_store

__all__ = ["Direction", "GraphStore", "open_store"]
