"""The graph as RDF, and back: ``graph_to_rdf(nodes, edges)`` / ``rdf_to_graph(graph)``.

Contract (docs/export.md has the mapping table):

- Every node is typed with its credgraph class (``cg:Skill``, ``cg:Credential``, …: the node
  kind) and the standard classes that fit (``esco:Skill``, ``skos:Concept``,
  ``elm:LearningAchievementSpecification``, ``elm:Organisation``, …). Labels are
  ``skos:prefLabel`` (ESCO, providers) or ``dcterms:title`` (ELM kinds), descriptions
  ``dcterms:description``, alternative and hidden labels ``skos:altLabel`` /
  ``skos:hiddenLabel``, all with their language tags.
- Each prop is a ``cgp:<key>`` triple (vocab.value_literal). Props that a standard vocabulary
  expresses are also stated in it (EQF level, ECTS credit points, volume of learning,
  language, mode, ESCO skill type and reuse level, codes as ``skos:notation``): a view for
  RDF consumers, derived from the props and ignored when reading back.
- Each edge is one direct triple (vocab.edge_predicate); an edge with props is also a
  ``cg:EdgeRecord`` (source, ``cg:edgeKind``, target and its props as ``cgp:`` triples).
- What RDF cannot hold exactly is also kept as JSON (rdf:JSON): alternative and hidden
  labels (RDF keeps no order and no duplicates) and any language map with a key RDF would
  not keep as it is (``cs_CZ``).

``rdf_to_graph`` reads the credgraph record back (kinds, labels, props, edges), so
``rdf_to_graph(graph_to_rdf(n, e)) == (n, e)`` up to order (nodes sorted by id, edges by
(source, kind, target)), through Turtle and JSON-LD alike. It raises ``InputError`` naming
the resource at fault, unless ``on_problem`` is given: then that record is left out and
reported.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD
from rdflib.term import Node as RdfNode

from credgraph.errors import InputError
from credgraph.export import vocab
from credgraph.export.vocab import CG, ELM, ESCO
from credgraph.ingest.common import short_hash
from credgraph.models import ESCO_BASE, Edge, EdgeKind, LangListMap, LangMap, Node, NodeKind

if TYPE_CHECKING:
    from credgraph.config import Settings
    from credgraph.graph.base import GraphStore
    from credgraph.ingest.report import IngestReport

ProblemSink = Callable[[str, str], None]  # (location, reason)

_LIST_MAPS = (
    ("alt_labels", SKOS.altLabel, CG.altLabels),
    ("hidden_labels", SKOS.hiddenLabel, CG.hiddenLabels),
)
_CREDENTIAL_KINDS = (NodeKind.CREDENTIAL, NodeKind.QUALIFICATION)


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in vocab.PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


# -- graph → RDF ----------------------------------------------------------------------------


def graph_to_rdf(nodes: Iterable[Node], edges: Iterable[Edge], graph: Graph | None = None) -> Graph:
    """The RDF of ``nodes`` and ``edges`` (added to ``graph`` when given)."""
    out = graph if graph is not None else new_graph()
    for node in nodes:
        _add_node(out, node)
    for edge in edges:
        _add_edge(out, edge)
    return out


def _add_node(g: Graph, node: Node) -> None:
    s = vocab.node_iri(node.id)
    g.add((s, RDF.type, vocab.KIND_CLASSES[node.kind]))
    for cls in vocab.standard_classes(node.kind, node.props.get("source_type")):
        g.add((s, RDF.type, cls))
    if not node.id.startswith(ESCO_BASE):
        g.add((s, DCTERMS.identifier, Literal(node.id)))
    _add_lang_map(g, s, node.labels, vocab.label_predicate(node.kind), CG.labels)
    _add_lang_map(g, s, node.descriptions, DCTERMS.description, CG.descriptions)
    for attr, predicate, record in _LIST_MAPS:
        texts: LangListMap = getattr(node, attr)
        if not texts:
            continue
        g.add((s, record, vocab.json_literal(texts)))
        for lang, values in texts.items():
            for text in values:
                literal = vocab.lang_literal(text, lang)
                if literal is not None:
                    g.add((s, predicate, literal))
    for key, value in node.props.items():
        g.add((s, vocab.prop_predicate(key), vocab.value_literal(value)))
    _add_view(g, s, node)


def _add_lang_map(g: Graph, s: URIRef, texts: LangMap, predicate: URIRef, record: URIRef) -> None:
    exact = True
    for lang, text in texts.items():
        literal = vocab.lang_literal(text, lang)
        if literal is None:
            exact = False
        else:
            g.add((s, predicate, literal))
    if not exact:
        g.add((s, record, vocab.json_literal(texts)))


def _add_view(g: Graph, s: URIRef, node: Node) -> None:
    """Standard-vocabulary statements of what the props say (not read back)."""
    props = node.props
    code = props.get("code")
    if isinstance(code, str) and code and node.kind is not NodeKind.PROVIDER:
        g.add((s, SKOS.notation, Literal(code)))
    if node.kind is NodeKind.SKILL:
        skill_type = {"skill/competence": "skill", "knowledge": "knowledge"}.get(
            str(props.get("skill_type"))
        )
        if skill_type:
            g.add((s, ESCO.skillType, URIRef(vocab.ESCO_SKILL_TYPE + skill_type)))
        reuse = props.get("reuse_level")
        if reuse in ("transversal", "cross-sector", "sector-specific", "occupation-specific"):
            g.add((s, ESCO.skillReuseLevel, URIRef(vocab.ESCO_REUSE_LEVEL + str(reuse))))
    if node.kind is NodeKind.PROVIDER:
        homepage = props.get("homepage")
        web = isinstance(homepage, str) and homepage.startswith(("http://", "https://"))
        if web and vocab.is_plain_iri(str(homepage)):
            g.add((s, FOAF.homepage, URIRef(str(homepage))))
    if node.kind in _CREDENTIAL_KINDS:
        _add_learning_view(g, s, node)


def _add_learning_view(g: Graph, s: URIRef, node: Node) -> None:
    from credgraph.ingest.elm import ECTS_FRAMEWORK, EQF_BASE, LANGUAGE_BASE
    from credgraph.ingest.jsonld import ISO639_1_TO_3

    props = node.props
    level = props.get("eqf_level")
    if isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 8:
        g.add((s, ELM.EQFLevel, URIRef(f"{EQF_BASE}{level}")))
    hours = _number(props.get("hours"))
    duration = vocab.hours_duration(hours) if hours is not None else None
    if duration:
        g.add((s, ELM.volumeOfLearning, Literal(duration, datatype=XSD.duration, normalize=False)))
    ects = _number(props.get("ects"))
    if ects is not None and ects > 0:
        point = BNode("cp" + short_hash(node.id, length=20))
        g.add((s, ELM.creditPoint, point))
        g.add((point, RDF.type, ELM.CreditPoint))
        g.add((point, ELM.framework, URIRef(ECTS_FRAMEWORK)))
        g.add((point, ELM.point, Literal(vocab.number_text(ects))))
    languages = props.get("languages") or ([props["language"]] if props.get("language") else [])
    for code in languages if isinstance(languages, list) else []:
        iso3 = ISO639_1_TO_3.get(code) if isinstance(code, str) else None
        if iso3:
            g.add((s, DCTERMS.language, URIRef(LANGUAGE_BASE + iso3)))
    mode = vocab.MODE_CONCEPTS.get(str(props.get("mode")))
    if mode:
        g.add((s, ELM.mode, URIRef(mode[0])))


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def edge_record_node(edge: Edge) -> BNode:
    """A stable blank node per edge, so exports of the same graph are the same text."""
    return BNode("e" + short_hash(edge.source, edge.kind.value, edge.target, length=24))


def _add_edge(g: Graph, edge: Edge) -> None:
    s, o = vocab.node_iri(edge.source), vocab.node_iri(edge.target)
    g.add((s, vocab.edge_predicate(edge.kind, edge.props), o))
    if not edge.props:
        return
    record = edge_record_node(edge)
    g.add((record, RDF.type, CG.EdgeRecord))
    g.add((record, CG.source, s))
    g.add((record, CG.edgeKind, Literal(edge.kind.value)))
    g.add((record, CG.target, o))
    for key, value in edge.props.items():
        g.add((record, vocab.prop_predicate(key), vocab.value_literal(value)))


# -- RDF → graph ----------------------------------------------------------------------------


def rdf_to_graph(
    graph: Graph, on_problem: ProblemSink | None = None
) -> tuple[list[Node], list[Edge]]:
    """The nodes and edges a credgraph export states (other triples are ignored)."""

    def problem(where: RdfNode, reason: str) -> None:
        if on_problem is None:
            raise InputError(f"{where}: {reason}", hint="is this a credgraph RDF export?")
        on_problem(str(where), reason)

    nodes: list[Node] = []
    typed = {s for s, o in graph.subject_objects(RDF.type) if o in vocab.CLASS_KINDS}
    for subject in sorted(typed, key=str):
        try:
            nodes.append(_read_node(graph, subject))
        except InputError as exc:
            problem(subject, exc.message)
    edges: dict[tuple[str, str, str], Edge] = {}
    for record in sorted(set(graph.subjects(RDF.type, CG.EdgeRecord)), key=str):
        try:
            edge = _read_edge_record(graph, record)
        except InputError as exc:
            problem(record, exc.message)
            continue
        edges[edge.key] = edge
    for predicate, (kind, defaults) in vocab.PREDICATE_EDGES.items():
        for s, o in graph.subject_objects(predicate):
            if not (isinstance(s, URIRef) and isinstance(o, URIRef)):
                continue
            edge = Edge(vocab.iri_node_id(str(s)), kind, vocab.iri_node_id(str(o)), dict(defaults))
            edges.setdefault(edge.key, edge)
    nodes.sort(key=lambda n: n.id)
    return nodes, [edges[k] for k in sorted(edges)]


def _read_node(g: Graph, s: RdfNode) -> Node:
    if not isinstance(s, URIRef):
        raise InputError("a node must be an IRI, not a blank node")
    types = [o for o in g.objects(s, RDF.type) if isinstance(o, URIRef)]
    kinds = sorted({vocab.CLASS_KINDS[o] for o in types if o in vocab.CLASS_KINDS})
    if len(kinds) != 1:
        raise InputError(f"typed with {len(kinds)} credgraph kinds: {', '.join(kinds)}")
    kind = kinds[0]
    node = Node(vocab.iri_node_id(str(s)), kind)
    node.labels = _read_lang_map(g, s, vocab.label_predicate(kind), CG.labels)
    node.descriptions = _read_lang_map(g, s, DCTERMS.description, CG.descriptions)
    for attr, predicate, record in _LIST_MAPS:
        setattr(node, attr, _read_list_map(g, s, predicate, record))
    node.props = _read_props(g, s)
    return node


def _one_json(g: Graph, s: RdfNode, predicate: URIRef) -> Any:
    values = list(g.objects(s, predicate))
    if not values:
        return None
    if len(values) > 1 or not isinstance(values[0], Literal):
        raise InputError(f"{predicate} must be one literal")
    return vocab.literal_value(values[0], str(predicate))


def _read_lang_map(g: Graph, s: RdfNode, predicate: URIRef, record: URIRef) -> LangMap:
    stated = _one_json(g, s, record)
    if stated is not None:
        if not (isinstance(stated, dict) and all(isinstance(v, str) for v in stated.values())):
            raise InputError(f"{record} must be a JSON object of texts")
        return {str(k): str(v) for k, v in stated.items()}
    texts: LangMap = {}
    for literal in _literals(g, s, predicate):
        texts.setdefault(literal.language or "und", str(literal))
    return texts


def _read_list_map(g: Graph, s: RdfNode, predicate: URIRef, record: URIRef) -> LangListMap:
    stated = _one_json(g, s, record)
    if stated is not None:
        ok = isinstance(stated, dict) and all(
            isinstance(v, list) and all(isinstance(t, str) for t in v) for v in stated.values()
        )
        if not ok:
            raise InputError(f"{record} must be a JSON object of lists of texts")
        return {str(k): [str(t) for t in v] for k, v in stated.items()}
    texts: dict[str, list[str]] = defaultdict(list)
    for literal in _literals(g, s, predicate):
        texts[literal.language or "und"].append(str(literal))
    return dict(texts)


def _literals(g: Graph, s: RdfNode, predicate: URIRef) -> list[Literal]:
    found = [o for o in g.objects(s, predicate) if isinstance(o, Literal)]
    return sorted(found, key=lambda lit: (lit.language or "", str(lit)))


def _read_props(g: Graph, s: RdfNode) -> dict[str, Any]:
    props: dict[str, Any] = {}
    for predicate, value in g.predicate_objects(s):
        key = vocab.predicate_prop(str(predicate))
        if key is None:
            continue
        if key in props:
            raise InputError(f"prop {key!r} is stated more than once")
        if not isinstance(value, Literal):
            raise InputError(f"prop {key!r} must be a literal")
        props[key] = vocab.literal_value(value, f"prop {key!r}")
    return props


def _read_edge_record(g: Graph, record: RdfNode) -> Edge:
    def one_iri(predicate: URIRef) -> str:
        values = list(g.objects(record, predicate))
        if len(values) != 1 or not isinstance(values[0], URIRef):
            raise InputError(f"an edge record needs exactly one {predicate} IRI")
        return vocab.iri_node_id(str(values[0]))

    kinds = [str(o) for o in g.objects(record, CG.edgeKind)]
    if len(kinds) != 1 or kinds[0] not in EdgeKind.__members__:
        raise InputError(f"an edge record needs one known {CG.edgeKind} (got {kinds})")
    return Edge(one_iri(CG.source), EdgeKind(kinds[0]), one_iri(CG.target), _read_props(g, record))


# -- text -----------------------------------------------------------------------------------


def to_turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def to_jsonld(graph: Graph) -> str:
    """JSON-LD with the inline @context (vocab.JSONLD_CONTEXT), one ``@graph`` list."""
    return jsonld_document(jsonld_items(graph))


def jsonld_items(graph: Graph) -> list[dict[str, Any]]:
    """The node objects of ``graph`` in JSON-LD (compacted with the inline context)."""
    doc = json.loads(graph.serialize(format="json-ld", context=dict(vocab.JSONLD_CONTEXT)))
    items = doc.get("@graph")
    if items is None:
        items = [{k: v for k, v in doc.items() if k != "@context"}] if len(doc) > 1 else []
    return sorted(items, key=lambda item: str(item.get("@id", "")))


def jsonld_head() -> str:
    """The start of a JSON-LD export up to its ``@graph`` list (streamed writers use it)."""
    context = json.dumps(vocab.JSONLD_CONTEXT, indent=2).replace("\n", "\n  ")
    return f'{{\n  "@context": {context},\n  "@graph": [\n'


JSONLD_TAIL = "\n  ]\n}\n"


def jsonld_item_text(item: Mapping[str, Any]) -> str:
    """One node object on one line, as the export lists them."""
    return "    " + json.dumps(item, ensure_ascii=False, sort_keys=True)


def jsonld_document(items: Iterable[Mapping[str, Any]]) -> str:
    return jsonld_head() + ",\n".join(jsonld_item_text(i) for i in items) + JSONLD_TAIL


def is_credgraph_jsonld(doc: Any) -> bool:
    """A JSON-LD document written by this module (its inline context names our vocabulary)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("@context"), dict):
        return False
    return str(vocab.CG) in doc["@context"].values()


def parse_rdf_text(text: str, fmt: str, source: str) -> Graph:
    """Turtle or JSON-LD text as a graph; JSON-LD only with inline contexts (never fetched)."""
    from credgraph.export.rdf_io import parse_rdf_text as parse

    return parse(text, fmt, source)


def ingest_rdf_file(store: GraphStore, path: Path, settings: Settings) -> IngestReport:
    """Load a credgraph RDF export (.ttl, .jsonld, optionally gzipped) in one transaction."""
    from credgraph.export.rdf_io import ingest_rdf_file as ingest

    return ingest(store, path, settings)
