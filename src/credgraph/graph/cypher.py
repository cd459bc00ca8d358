"""Every Cypher statement credgraph runs, in one place.

Graph layout in Neo4j: every node is ``(:Node {id, kind, data, label_cs, label_en})`` plus a
label for its kind (``:Skill``, ``:Occupation``, ...); ``data`` is the node's JSON (labels,
descriptions, props) so nothing is lost, ``label_cs``/``label_en`` are there for analysts.
Every edge is a relationship of its kind's type (``:REQUIRES``, ...) with ``props`` as JSON
and its scalar props copied as properties (e.g. ``relation``) for analysts.

Relationship types and kind labels cannot be query parameters, so they are formatted into
the text — only from the ``EdgeKind``/``NodeKind`` enums, never from input.
"""

from __future__ import annotations

from credgraph.models import EdgeKind, NodeKind

CONSTRAINTS = [
    "CREATE CONSTRAINT credgraph_node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE",
    "CREATE INDEX credgraph_node_kind IF NOT EXISTS FOR (n:Node) ON (n.kind)",
]


def kind_label(kind: NodeKind) -> str:
    """``skill_group`` → ``SkillGroup``."""
    return "".join(part.capitalize() for part in kind.value.split("_"))


ALL_KIND_LABELS = ":".join(kind_label(k) for k in NodeKind)


def upsert_nodes(kind: NodeKind) -> str:
    return (
        "UNWIND $rows AS r "
        "MERGE (n:Node {id: r.id}) "
        f"REMOVE n:{ALL_KIND_LABELS} "
        f"SET n:{kind_label(kind)}, n.kind = r.kind, n.data = r.data, "
        "n.label_cs = r.label_cs, n.label_en = r.label_en "
        "RETURN count(n) AS written"
    )


def upsert_edges(kind: EdgeKind) -> str:
    return (
        "UNWIND $rows AS r "
        "MATCH (a:Node {id: r.source}) MATCH (b:Node {id: r.target}) "
        f"MERGE (a)-[e:{kind.value}]->(b) "
        "SET e = r.flat, e.props = r.props "
        "RETURN count(e) AS written"
    )


def delete_edges(kind: EdgeKind) -> str:
    return (
        "UNWIND $rows AS r "
        f"MATCH (:Node {{id: r.source}})-[e:{kind.value}]->(:Node {{id: r.target}}) "
        "DELETE e RETURN count(*) AS deleted"
    )


EXISTING_IDS = "UNWIND $ids AS id MATCH (n:Node {id: id}) RETURN n.id AS id"

GET_NODES = (
    "UNWIND $ids AS id MATCH (n:Node {id: id}) RETURN n.id AS id, n.kind AS kind, n.data AS data"
)

ITER_NODES = (
    "MATCH (n:Node) WHERE n.id > $after "
    "RETURN n.id AS id, n.kind AS kind, n.data AS data ORDER BY n.id LIMIT $batch"
)

ITER_NODES_OF_KIND = (
    "MATCH (n:Node) WHERE n.kind = $kind AND n.id > $after "
    "RETURN n.id AS id, n.kind AS kind, n.data AS data ORDER BY n.id LIMIT $batch"
)


def iter_edges(kind: EdgeKind | None) -> str:
    rel = f":{kind.value}" if kind is not None else ""
    return (
        f"MATCH (a:Node)-[e{rel}]->(b:Node) "
        "RETURN a.id AS source, type(e) AS kind, b.id AS target, e.props AS props "
        "ORDER BY source, kind, target SKIP $skip LIMIT $batch"
    )


NEIGHBOURS_OUT = (
    "MATCH (a:Node {id: $id})-[e]->(b:Node) WHERE $kinds IS NULL OR type(e) IN $kinds "
    "RETURN a.id AS source, type(e) AS kind, b.id AS target, e.props AS props, "
    "b.id AS other_id, b.kind AS other_kind, b.data AS other_data"
)

NEIGHBOURS_IN = (
    "MATCH (a:Node)-[e]->(b:Node {id: $id}) WHERE $kinds IS NULL OR type(e) IN $kinds "
    "RETURN a.id AS source, type(e) AS kind, b.id AS target, e.props AS props, "
    "a.id AS other_id, a.kind AS other_kind, a.data AS other_data"
)

SUBGRAPH_EDGES = (
    "MATCH (a:Node)-[e]->(b:Node) WHERE a.id IN $ids AND b.id IN $ids "
    "RETURN a.id AS source, type(e) AS kind, b.id AS target, e.props AS props"
)

DELETE_NODES = "MATCH (n:Node) WHERE n.id IN $ids DETACH DELETE n RETURN count(*) AS deleted"

CLEAR_BATCH = "MATCH (n:Node) WITH n LIMIT $batch DETACH DELETE n RETURN count(*) AS deleted"

COUNT_NODES = "MATCH (n:Node) RETURN n.kind AS kind, count(*) AS n"

COUNT_EDGES = "MATCH (:Node)-[e]->(:Node) RETURN type(e) AS kind, count(*) AS n"
