"""credgraph: a knowledge graph and multilingual search over micro-credentials, NSK
qualifications and ESCO skills and occupations."""

from credgraph.errors import CredgraphError
from credgraph.models import Edge, EdgeKind, Node, NodeKind

__version__ = "0.1.0"
__all__ = ["CredgraphError", "Edge", "EdgeKind", "Node", "NodeKind", "__version__"]
