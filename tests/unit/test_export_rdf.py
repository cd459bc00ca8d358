"""RDF export: exact round trips through Turtle and JSON-LD over real data, the standard
vocabularies where they fit, reading exports back into a store, the CLI and the API.

The graph: a connected slice of the real ESCO v1.1.1 files (the occupations that require
"stimulate creativity in the team", every skill they require, the skill and occupation
hierarchies above them, Czech labels, the digital skills collection), the bundled NSK
qualifications and offers, and the EDC "Annex 1" sample credential whose outcomes declare
ESCO skills. Nothing may touch the network: every test runs with socket connections refused.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import socket
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDF, SKOS, XSD

from credgraph.config import Settings
from credgraph.errors import InputError, NotFoundError, QueryError
from credgraph.export.rdf import (
    graph_to_rdf,
    is_credgraph_jsonld,
    rdf_to_graph,
    to_jsonld,
    to_turtle,
)
from credgraph.export.rdf_io import parse_rdf_text
from credgraph.export.store_export import (
    select_subgraph,
    whole_graph_chunks,
    write_chunks,
    write_export,
)
from credgraph.export.vocab import CG, CG_ID, ELM, ESCO, iri_node_id, node_iri
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths
from credgraph.models import Edge, EdgeKind, Node, NodeKind
from tests.conftest import test_settings as make_settings

REPO = Path(__file__).resolve().parents[2]
ESCO_EN = REPO / "data" / "esco" / "v1.1.1_en"
ESCO_CS = REPO / "data" / "esco" / "cs"
ANNEX1 = (
    REPO / "tests" / "fixtures" / "microcredentials" / "elm" / "Sample-MC-Annex1-unsigned.jsonld.gz"
)
ANNEX1_ID = "mc:5e28e8764d8cf9ce"
SKILL = "http://data.europa.eu/esco/skill/"
CREATIVITY = SKILL + "ccdf3597-5c80-410f-896d-e1bdfa223de9"  # "stimulate creativity in the team"
ANNEX1_SKILLS = [
    CREATIVITY,
    SKILL + "80f308e6-0e09-404a-80cd-ec5f50f6f304",
    SKILL + "326809fc-238d-40c2-881e-40042f7f2f0d",
    SKILL + "5fd5c985-eaaa-47aa-8314-62359c54505a",
]
PYTHON_SKILL = SKILL + "ccd0a1d9-afda-43d9-b901-96344886e14d"  # has a Czech label
# a PK with competences, an awarding body and PART_OF an ÚPK
QUALIFICATION = "nsk:dp-monter-vnitrniho-rozvodu-vody-a-kanalizace"


# -- no network ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any attempt to open a connection (a JSON-LD context fetch would be one)."""

    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)


def test_the_network_guard_refuses_connections() -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("example.org", 80))
    with socket.socket() as sock, pytest.raises(AssertionError, match="network"):
        sock.connect(("127.0.0.1", 9))


# -- a real graph ---------------------------------------------------------------------------


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _write(folder: Path, source: Path, keep: Any) -> None:
    header, rows = _read(source)
    with (folder / source.name.removesuffix(".gz")).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header)
        writer.writeheader()
        writer.writerows(r for r in rows if keep(r))


def _upward(start: set[str], rows: list[dict[str, str]]) -> set[str]:
    """``start`` and everything above it in a broader-relations file."""
    up: dict[str, set[str]] = {}
    for row in rows:
        up.setdefault(row["conceptUri"], set()).add(row["broaderUri"])
    found, todo = set(start), list(start)
    while todo:
        for parent in up.get(todo.pop(), ()):
            if parent not in found:
                found.add(parent)
                todo.append(parent)
    return found


def write_esco_slice(folder: Path) -> Path:
    """Real ESCO rows, a connected slice (see the module docstring), as CSV files."""
    folder.mkdir(parents=True, exist_ok=True)
    _, relations = _read(ESCO_EN / "occupationSkillRelations.csv.gz")
    occupations = {r["occupationUri"] for r in relations if r["skillUri"] == CREATIVITY}
    skills = {r["skillUri"] for r in relations if r["occupationUri"] in occupations}
    skills |= {*ANNEX1_SKILLS, PYTHON_SKILL, SKILL + "51586df8-1c46-4b47-8583-773cb63bf00b"}
    _, skill_broader = _read(ESCO_EN / "broaderRelationsSkillPillar.csv.gz")
    skill_side = _upward(skills, skill_broader)
    _, occ_broader = _read(ESCO_EN / "broaderRelationsOccPillar.csv.gz")
    occ_side = _upward(occupations, occ_broader)
    concepts = skill_side | occ_side
    _write(folder, ESCO_EN / "skills_en.csv.gz", lambda r: r["conceptUri"] in skill_side)
    _write(folder, ESCO_EN / "skillGroups_en.csv.gz", lambda r: r["conceptUri"] in skill_side)
    _write(folder, ESCO_EN / "occupations_en.csv.gz", lambda r: r["conceptUri"] in occ_side)
    _write(folder, ESCO_EN / "ISCOGroups_en.csv.gz", lambda r: r["conceptUri"] in occ_side)
    both = {"conceptUri", "broaderUri"}
    for name in ("broaderRelationsSkillPillar", "broaderRelationsOccPillar"):
        _write(folder, ESCO_EN / f"{name}.csv.gz", lambda r: {r[k] for k in both} <= concepts)
    _write(
        folder,
        ESCO_EN / "occupationSkillRelations.csv.gz",
        lambda r: r["occupationUri"] in occupations and r["skillUri"] in skills,
    )
    _write(
        folder,
        ESCO_EN / "skillSkillRelations.csv.gz",
        lambda r: r["originalSkillUri"] in skills and r["relatedSkillUri"] in skills,
    )
    _write(
        folder, ESCO_EN / "digitalSkillsCollection_en.csv.gz", lambda r: r["conceptUri"] in skills
    )
    _write(folder, ESCO_CS / "skills_cs_labels_partial.csv.gz", lambda r: r["conceptUri"] in skills)
    _write(
        folder,
        ESCO_CS / "occupations_cs_labels_esco_v1.0.9.csv.gz",
        lambda r: r["conceptUri"] in occ_side,
    )
    return folder


@dataclass
class RealGraph:
    settings: Settings
    store: EmbeddedGraphStore
    esco: Path
    nodes: list[Node]
    edges: list[Edge]


def build_real_store(folder: Path, *, esco_only: bool = False) -> RealGraph:
    settings = make_settings(folder / "data")
    esco = write_esco_slice(folder / "esco")
    store = EmbeddedGraphStore(settings.store_path)
    paths = [esco, REPO / "data" / "nsk", REPO / "data" / "microcredentials", ANNEX1]
    ingest_paths(store, [esco] if esco_only else paths, settings)
    return RealGraph(settings, store, esco, list(store.iter_nodes()), list(store.iter_edges()))


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealGraph]:
    graph = build_real_store(tmp_path_factory.mktemp("export-rdf"))
    yield graph
    graph.store.close()


def test_the_real_graph_has_every_kind_and_language(real: RealGraph) -> None:
    kinds = {n.kind for n in real.nodes}
    assert kinds == set(NodeKind)
    edge_kinds = {e.kind for e in real.edges}
    for kind in (
        EdgeKind.BROADER,
        EdgeKind.REQUIRES,
        EdgeKind.RELATED_SKILL,
        EdgeKind.HAS_COMPETENCE,
        EdgeKind.PART_OF,
        EdgeKind.HAS_OUTCOME,
        EdgeKind.ALIGNS_TO,
        EdgeKind.OFFERED_BY,
        EdgeKind.AWARDED_BY,
    ):
        assert kind in edge_kinds
    python = next(n for n in real.nodes if n.id == PYTHON_SKILL)
    assert {"cs", "en"} <= set(python.labels) and python.alt_labels["cs"]
    assert any(n.props.get("collections") for n in real.nodes)  # a list prop
    assert any(isinstance(v, dict) for n in real.nodes for v in n.props.values())


# -- round trips ----------------------------------------------------------------------------


def _sorted(nodes: list[Node], edges: list[Edge]) -> tuple[list[Node], list[Edge]]:
    return sorted(nodes, key=lambda n: n.id), sorted(edges, key=lambda e: e.key)


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_round_trip_is_exact(real: RealGraph, fmt: str) -> None:
    text = (to_turtle if fmt == "turtle" else to_jsonld)(graph_to_rdf(real.nodes, real.edges))
    nodes, edges = rdf_to_graph(parse_rdf_text(text, fmt, "export"))
    expected_nodes, expected_edges = _sorted(real.nodes, real.edges)
    assert [n.id for n in nodes] == [n.id for n in expected_nodes]
    for got, want in zip(nodes, expected_nodes, strict=True):
        assert got == want, got.id  # kind, every language map, every prop
    assert edges == expected_edges  # kinds and props


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_exports_are_valid_rdf_for_plain_rdflib(real: RealGraph) -> None:
    graph = graph_to_rdf(real.nodes, real.edges)
    turtle = Graph().parse(data=to_turtle(graph), format="turtle")
    jsonld = Graph().parse(data=to_jsonld(graph), format="json-ld")
    assert len(turtle) == len(jsonld) == len(graph) > 10 * len(real.nodes)
    small = graph_to_rdf(*select_subgraph(real.store, [ANNEX1_ID], depth=2))
    # rdflib's parsers normalise some lexical forms (PT60H is read as P2DT12H, the same
    # xsd:duration): compare with the literals as rdflib would read them
    expected = Graph()
    for s, p, o in small:
        if isinstance(o, Literal):
            o = Literal(str(o), lang=o.language, datatype=o.datatype)
        expected.add((s, p, o))
    for fmt, text in (("turtle", to_turtle(small)), ("json-ld", to_jsonld(small))):
        assert isomorphic(Graph().parse(data=text, format=fmt), expected), fmt
    assert '"PT60H"^^xsd:duration' in to_turtle(small)


def test_jsonld_has_an_inline_context_only(real: RealGraph) -> None:
    doc = json.loads(to_jsonld(graph_to_rdf(real.nodes[:50], [])))
    assert isinstance(doc["@context"], dict)
    assert is_credgraph_jsonld(doc)
    assert not is_credgraph_jsonld({"@context": "https://credgraph.invalid/vocab/"})
    assert len(doc["@graph"]) >= 50


def test_esco_nodes_keep_their_concept_uris(real: RealGraph) -> None:
    nodes, edges = select_subgraph(real.store, [PYTHON_SKILL, CREATIVITY], depth=1)
    graph = graph_to_rdf(nodes, edges)
    python = URIRef(PYTHON_SKILL)
    assert (python, RDF.type, ESCO.Skill) in graph
    assert (python, RDF.type, SKOS.Concept) in graph
    assert (python, RDF.type, CG.Skill) in graph
    labels = {(str(o), o.language) for o in graph.objects(python, SKOS.prefLabel)}
    assert ("Python (počítačové programování)", "cs") in labels
    assert ("Python (computer programming)", "en") in labels
    assert Literal("Py3K", lang="cs") in set(graph.objects(python, SKOS.altLabel))
    essential = [e for e in edges if e.kind is EdgeKind.REQUIRES and e.target == CREATIVITY]
    assert essential and essential[0].props["relation"] in ("essential", "optional")
    predicate = ESCO["related" + essential[0].props["relation"].capitalize() + "Skill"]
    assert (URIRef(essential[0].source), predicate, URIRef(CREATIVITY)) in graph
    broader = next(e for e in edges if e.kind is EdgeKind.BROADER)
    assert (URIRef(broader.source), SKOS.broader, URIRef(broader.target)) in graph
    turtle, jsonld = to_turtle(graph), to_jsonld(graph)
    assert f"<{PYTHON_SKILL}>" in turtle
    assert f'"@id": "{PYTHON_SKILL}"' in jsonld
    assert "credgraph.invalid/id/http" not in turtle


def test_credentials_in_elm_terms(real: RealGraph) -> None:
    graph = graph_to_rdf(*select_subgraph(real.store, [ANNEX1_ID], depth=2))
    cred = node_iri(ANNEX1_ID)
    assert str(cred) == CG_ID + "mc:5e28e8764d8cf9ce"
    assert (cred, RDF.type, ELM.Qualification) in graph  # the source calls it a Qualification
    assert (cred, DCTERMS.title, Literal("Digital micro-credential creation", lang="en")) in graph
    assert (cred, ELM.EQFLevel, URIRef("http://data.europa.eu/snb/eqf/6")) in graph
    volume = Literal("PT60H", datatype=XSD.duration, normalize=False)
    assert (cred, ELM.volumeOfLearning, volume) in graph
    point = graph.value(cred, ELM.creditPoint)
    assert graph.value(point, ELM.point) == Literal("2")
    ects = URIRef("http://data.europa.eu/snb/education-credit/6fcec5c5af")
    assert graph.value(point, ELM.framework) == ects
    language = URIRef("http://publications.europa.eu/resource/authority/language/ENG")
    assert (cred, DCTERMS.language, language) in graph
    blended = URIRef("http://data.europa.eu/snb/learning-assessment/e92d221e4d")
    assert (cred, ELM.mode, blended) in graph
    outcomes = set(graph.objects(cred, ELM.learningOutcome))
    assert len(outcomes) == 2
    declared = {o for lo in outcomes for o in graph.objects(lo, ELM.relatedESCOSkill)}
    assert declared == {URIRef(s) for s in ANNEX1_SKILLS}
    provider = graph.value(cred, ELM.providedBy)
    assert (provider, RDF.type, ELM.Organisation) in graph
    assert (provider, SKOS.prefLabel, Literal("University of Zed", lang="en")) in graph


def test_edges_with_props_are_reified(real: RealGraph) -> None:
    edge = next(e for e in real.edges if e.kind is EdgeKind.PART_OF)
    graph = graph_to_rdf([], [edge])
    records = list(graph.subjects(RDF.type, CG.EdgeRecord))
    assert len(records) == 1
    record = records[0]
    assert graph.value(record, CG.edgeKind) == Literal("PART_OF")
    assert graph.value(record, CG.source) == node_iri(edge.source)
    assert graph.value(record, CG.target) == node_iri(edge.target)
    assert rdf_to_graph(graph) == ([], [edge])
    plain = Edge(edge.source, EdgeKind.PART_OF, edge.target, {})
    assert len(graph_to_rdf([], [plain])) == 1  # no props: the direct triple alone


def test_computed_alignments_are_not_elm_claims() -> None:
    a, s = "mc:x#lo-1", SKILL + "x"
    guess = Edge(a, EdgeKind.ALIGNS_TO, s, {"score": 0.61, "method": "semantic", "model": "m"})
    declared = Edge(a, EdgeKind.ALIGNS_TO, s, {"score": 1.0, "method": "declared"})
    assert (node_iri(a), CG.alignsTo, URIRef(s)) in graph_to_rdf([], [guess])
    assert (node_iri(a), ELM.relatedESCOSkill, URIRef(s)) in graph_to_rdf([], [declared])


@pytest.mark.parametrize(
    "node_id",
    [
        "nsk:code-23-030-H#c-08ea9ca95e8e",
        "provider:ministerstvo-prumyslu-a-obchodu",
        "mc:a b/c?d=%41&e#f",
        "ünï:😀",
        CG_ID + "x",
        "http://data.europa.eu/esco/skill/with space",
        "",
    ],
)
def test_ids_and_iris_are_inverse(node_id: str) -> None:
    iri = node_iri(node_id)
    assert iri_node_id(str(iri)) == node_id
    assert str(iri).isascii() and " " not in str(iri) and "#" not in str(iri)[len(CG_ID) :]


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_round_trip_of_awkward_values(fmt: str) -> None:
    text = 'a\x00b\x07c\r\n\t"\'\\ \u2028 ž ~%41 """'
    nodes = [
        Node(
            "nsk:a b#c/d%41?x=1",
            NodeKind.QUALIFICATION,
            labels={"cs": text, "cs_CZ": "x", "en-US": "y", "": "empty", "EN": "upper"},
            alt_labels={"en": ["b", "a", "b", ""], "x y": ["z"]},
            hidden_labels={"cs": [""]},
            descriptions={"und": ""},
            props={
                "": 1,
                "a b/c": [1, 2.5, None, {"k": True, "n": {"deep": [[]]}}],
                "f": 0.30000000000000004,
                "tiny": 1e-300,
                "huge": 1e22,
                "neg0": -0.0,
                "big": 10**40,
                "t": True,
                "n": None,
                "s": "",
                "inf": float("inf"),
                "hours": 7.5,
                "ects": 0.25,
                "eqf_level": 4,
                "languages": ["cs", "xx"],
                "mode": "online",
                "code": "65-001-H",
            },
        ),
        Node(SKILL + "with space", NodeKind.SKILL, labels={"en": "s"}),
        Node(SKILL + "plain", NodeKind.SKILL_GROUP),
        Node("ünïcode:😀", NodeKind.PROVIDER, props={"homepage": "https://x.example/a b"}),
    ]
    edges = [
        Edge(nodes[0].id, EdgeKind.ALIGNS_TO, nodes[1].id, {"score": 0.1234567890123456789}),
        Edge(nodes[2].id, EdgeKind.REQUIRES, nodes[1].id, {}),
        Edge(nodes[2].id, EdgeKind.BROADER, nodes[3].id, {}),
        Edge(nodes[0].id, EdgeKind.RECOGNISED_AS, nodes[3].id, {"note": text, "x": [None]}),
    ]
    out = to_turtle if fmt == "turtle" else to_jsonld
    got = rdf_to_graph(parse_rdf_text(out(graph_to_rdf(nodes, edges)), fmt, "t"))
    assert got == _sorted(nodes, edges)


def test_every_edge_kind_round_trips_without_props() -> None:
    edges = [Edge("mc:a", kind, "mc:b", {}) for kind in EdgeKind]
    assert rdf_to_graph(graph_to_rdf([], edges)) == ([], sorted(edges, key=lambda e: e.key))


# -- refusing what would be fetched, and bad input --------------------------------------


@pytest.mark.parametrize(
    "context",
    [
        "http://example.org/context.jsonld",
        ["https://www.w3.org/2018/credentials/v1", {"x": "urn:x:"}],
        {"@import": "http://example.org/context.jsonld"},
        {"t": {"@id": "urn:t", "@context": "http://example.org/scoped"}},
    ],
)
def test_a_context_that_is_not_inline_is_refused_unfetched(context: Any) -> None:
    doc = json.dumps({"@context": context, "@id": "urn:a", "urn:p": "v"})
    with pytest.raises(InputError, match="not inline"):
        parse_rdf_text(doc, "json-ld", "doc.jsonld")


def test_broken_turtle_is_an_input_error_naming_the_file() -> None:
    with pytest.raises(InputError, match=r"^doc\.ttl: not valid Turtle"):
        parse_rdf_text("<urn:a> <urn:b> .", "turtle", "doc.ttl")


def test_a_resource_with_two_kinds_is_reported() -> None:
    graph = graph_to_rdf([Node("mc:a", NodeKind.CREDENTIAL)], [])
    graph.add((node_iri("mc:a"), RDF.type, CG.Skill))
    with pytest.raises(InputError, match="2 credgraph kinds"):
        rdf_to_graph(graph)
    problems: list[tuple[str, str]] = []
    assert rdf_to_graph(graph, on_problem=lambda w, r: problems.append((w, r))) == ([], [])
    assert problems == [(str(node_iri("mc:a")), "typed with 2 credgraph kinds: credential, skill")]


# -- from and into a store ------------------------------------------------------------------


def test_selection_around_ids(real: RealGraph) -> None:
    nodes, edges = select_subgraph(real.store, [QUALIFICATION], depth=0)
    assert [n.id for n in nodes] == [QUALIFICATION] and edges == []
    nodes, edges = select_subgraph(real.store, [QUALIFICATION], depth=1)
    around = {other.id for _, other in real.store.neighbours(QUALIFICATION)}
    assert {n.id for n in nodes} == around | {QUALIFICATION}
    assert {e.kind for e in edges} >= {EdgeKind.PART_OF, EdgeKind.HAS_COMPETENCE}
    assert all(e.source in around | {QUALIFICATION} for e in edges)
    with pytest.raises(NotFoundError, match="no node with id 'nsk:nope' \\(and 1 more\\)"):
        select_subgraph(real.store, ["nsk:nope", "nsk:nope2", QUALIFICATION])
    with pytest.raises(QueryError, match="more than 5 nodes"):
        select_subgraph(real.store, [QUALIFICATION], depth=2, max_nodes=5)


@pytest.mark.parametrize("fmt", ["turtle", "json-ld"])
def test_whole_graph_in_chunks_is_the_whole_graph(real: RealGraph, fmt: Any) -> None:
    buffer = io.StringIO()
    counts = write_chunks(whole_graph_chunks(real.store, chunk_nodes=700), buffer, fmt)
    assert counts.to_dict() == {"nodes": len(real.nodes), "edges": len(real.edges)}
    assert rdf_to_graph(parse_rdf_text(buffer.getvalue(), fmt, "x")) == _sorted(
        real.nodes, real.edges
    )


@pytest.mark.parametrize("name", ["graph.ttl", "graph.ttl.gz", "graph.jsonld"])
def test_ingest_reads_an_export_back(real: RealGraph, tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    fmt: Any = "json-ld" if name.endswith(".jsonld") else "turtle"
    buffer = io.StringIO()
    write_export(real.store, buffer, fmt)
    data = buffer.getvalue().encode("utf-8")
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
    settings = make_settings(tmp_path / "data")
    store = EmbeddedGraphStore(settings.store_path)
    try:
        for _ in range(2):  # idempotent
            report = ingest_paths(store, [path], settings).reports[0]
            assert report.format == "rdf"
            assert report.rows_read == report.rows_stored == len(real.nodes) + len(real.edges)
            assert (report.rows_failed, report.rows_skipped) == (0, 0)
            assert list(store.iter_nodes()) == real.nodes
            assert list(store.iter_edges()) == real.edges
    finally:
        store.close()


def test_ingest_skips_edges_to_nodes_it_cannot_find(real: RealGraph, tmp_path: Path) -> None:
    nodes, edges = select_subgraph(real.store, [ANNEX1_ID], depth=2)
    outcome = next(n for n in nodes if n.kind is NodeKind.LEARNING_OUTCOME)
    kept = [n for n in nodes if n.kind is not NodeKind.PROVIDER]
    path = tmp_path / "part.ttl"
    path.write_text(to_turtle(graph_to_rdf(kept, edges)), encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    store = EmbeddedGraphStore(settings.store_path)
    try:
        report = ingest_paths(store, [path], settings).reports[0]
        assert report.skip_reasons == {"edge_end_absent": 1}  # OFFERED_BY the missing provider
        assert "provider:university-of-zed is neither in the file nor" in report.skipped[0].reason
        assert store.get_node(outcome.id) == outcome
        assert store.counts().edges["ALIGNS_TO"] == len(ANNEX1_SKILLS)
    finally:
        store.close()


def test_a_broken_file_stores_nothing(tmp_path: Path) -> None:
    good = to_turtle(graph_to_rdf([Node("mc:a", NodeKind.CREDENTIAL)], []))
    path = tmp_path / "broken.ttl"
    path.write_text(good + "\n<urn:a> <urn:b> .\n", encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    store = EmbeddedGraphStore(settings.store_path)
    try:
        with pytest.raises(InputError, match=r"broken\.ttl: not valid Turtle"):
            ingest_paths(store, [path], settings)
        assert store.counts().nodes == {}
    finally:
        store.close()


# -- command line ---------------------------------------------------------------------------


def _cli(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    from credgraph.cli import main

    with pytest.raises(SystemExit) as exit_info:
        main(args)
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


def test_cli_export(real: RealGraph, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(real.settings.data_dir)]
    out_file = tmp_path / "annex.jsonld"
    code, out, err = _cli(
        [*data, "export", "--id", ANNEX1_ID, "--format", "json-ld", "--out", str(out_file)], capsys
    )
    expected = select_subgraph(real.store, [ANNEX1_ID], depth=1)
    assert (code, out) == (0, "")
    counts = f"{len(expected[0])} nodes and {len(expected[1])} edges"
    assert err.strip() == f"exported {counts} to {out_file}"
    assert rdf_to_graph(parse_rdf_text(out_file.read_text("utf-8"), "json-ld", "f")) == expected
    code, out, err = _cli([*data, "-q", "export", "--id", f"esco:skill/{CREATIVITY[len(SKILL):]}",
                           "--depth", "0"], capsys)  # fmt: skip
    assert code == 0 and err == ""
    assert rdf_to_graph(parse_rdf_text(out, "turtle", "stdout"))[0][0].id == CREATIVITY


def test_cli_export_errors(real: RealGraph, capsys: pytest.CaptureFixture[str]) -> None:
    data = ["--data-dir", str(real.settings.data_dir)]
    code, out, err = _cli([*data, "export", "--id", "nsk:nope"], capsys)
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "error: no node with id 'nsk:nope'",
        "hint: use a full URI, an esco: prefixed id, or an id from `credgraph search`",
    ]
    code, _, err = _cli([*data, "export", "--depth", "2"], capsys)
    assert code == 2 and err.startswith("error: --depth needs --id")
    unwritable = ["export", "--out", "/nonexistent-dir/x.ttl", "--id", QUALIFICATION]
    code, _, err = _cli([*data, *unwritable], capsys)
    assert code == 1 and err.startswith("error: cannot write /nonexistent-dir/x.ttl")


# -- HTTP API -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def client(real: RealGraph) -> Iterator[TestClient]:
    from credgraph.api import create_app
    from credgraph.runtime import make_embedder
    from credgraph.search.service import SearchService, build_search_index

    embedder = make_embedder(real.settings)
    try:
        build_search_index(real.store, real.settings, embedder)
        search = SearchService.load(real.settings, embedder, real.store)
        with TestClient(create_app(real.settings, real.store, search)) as test_client:
            yield test_client
    finally:
        embedder.cache.close()


def _problem(response: Any, status: int) -> dict[str, Any]:
    from tests.api.conftest import assert_problem

    return assert_problem(response, status)


def test_api_export(real: RealGraph, client: TestClient) -> None:
    response = client.get("/v1/export", params={"id": QUALIFICATION})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/turtle; charset=utf-8"
    expected = select_subgraph(real.store, [QUALIFICATION], depth=1)
    assert rdf_to_graph(parse_rdf_text(response.text, "turtle", "r")) == expected
    params: Any = [("id", ANNEX1_ID), ("id", CREATIVITY), ("format", "json-ld"), ("depth", "0")]
    response = client.get("/v1/export", params=params)
    assert response.headers["content-type"] == "application/ld+json; charset=utf-8"
    nodes, _ = rdf_to_graph(parse_rdf_text(response.text, "json-ld", "r"))
    assert [n.id for n in nodes] == [CREATIVITY, ANNEX1_ID]
    assert "/v1/export" in client.get("/openapi.json").json()["paths"]


def test_api_export_errors(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    body = _problem(client.get("/v1/export"), 400)
    assert body["errors"][0]["loc"] == ["query", "id"]
    assert "credgraph export" in body["detail"]
    assert _problem(client.get("/v1/export", params={"id": "nsk:nope"}), 404)["detail"].startswith(
        "no node with id 'nsk:nope'"
    )
    _problem(client.get("/v1/export", params={"id": QUALIFICATION, "depth": 3}), 422)
    _problem(client.get("/v1/export", params={"id": QUALIFICATION, "format": "xml"}), 422)
    twice: Any = [("id", QUALIFICATION), ("depth", "1"), ("depth", "2")]
    assert _problem(client.get("/v1/export", params=twice), 400)["errors"][0]["loc"] == [
        "query",
        "depth",
    ]
    _problem(client.get("/v1/export", params={"id": "x" * 1001}), 422)
    many: Any = [("id", f"nsk:{n}") for n in range(201)]
    assert "at most 200" in _problem(client.get("/v1/export", params=many), 400)["detail"]
    monkeypatch.setattr("credgraph.api.routes_export.MAX_EXPORT_NODES", 10)
    too_big = client.get("/v1/export", params={"id": QUALIFICATION, "depth": 2})
    assert "more than 10 nodes" in _problem(too_big, 400)["detail"]


def test_api_credential_elm(real: RealGraph, client: TestClient) -> None:
    from credgraph.export.elm import credential_to_elm

    response = client.get(f"/v1/credentials/{ANNEX1_ID}/elm")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/ld+json"
    assert response.json() == credential_to_elm(real.store, ANNEX1_ID)
    body = _problem(client.get(f"/v1/credentials/{QUALIFICATION}/elm"), 400)
    assert body["errors"][0]["loc"] == ["path", "id"]
    _problem(client.get("/v1/credentials/mc:nope/elm"), 404)


# -- every credential sample ----------------------------------------------------------------

SAMPLES = REPO / "tests" / "fixtures" / "microcredentials"
TEMPLATE = REPO / "docs" / "examples" / "credentials-template.csv"


@dataclass
class SampleGraph:
    store: EmbeddedGraphStore
    stored: list[Path]  # the files that stored something
    nodes: list[Node]
    edges: list[Edge]


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SampleGraph]:
    """The ESCO slice (so declared skills resolve), then every credential sample in name
    order (the HeriotWatt pathway after its courses) and the CSV template example."""
    folder = tmp_path_factory.mktemp("credential-samples")
    settings = make_settings(folder / "data")
    store = EmbeddedGraphStore(settings.store_path)
    ingest_paths(store, [write_esco_slice(folder / "esco")], settings)
    files = sorted(p for p in SAMPLES.rglob("*") if p.is_file() and p.name != "SOURCES.md")
    stored = []
    for path in [*files, TEMPLATE]:
        try:
            (report,) = ingest_paths(store, [path], settings).reports
        except InputError:
            continue  # refused (tests/integration/test_credential_documents.py)
        if report.rows_stored:
            stored.append(path)
    yield SampleGraph(store, stored, list(store.iter_nodes()), list(store.iter_edges()))
    store.close()


def test_the_sample_graph_holds_what_the_samples_give(samples: SampleGraph) -> None:
    # 59 samples store something (EXPECTED in tests/integration/test_credential_documents.py)
    # and the template's two rows
    assert len(samples.stored) == 59 + 1 and samples.stored[-1] == TEMPLATE
    kinds = {n.kind for n in samples.nodes}
    assert {NodeKind.CREDENTIAL, NodeKind.LEARNING_OUTCOME, NodeKind.PROVIDER} <= kinds
    assert NodeKind.COMPETENCE in kinds  # CTDL competencies
    edge_kinds = {e.kind for e in samples.edges}
    assert {
        EdgeKind.HAS_OUTCOME,
        EdgeKind.OFFERED_BY,
        EdgeKind.ALIGNS_TO,  # Annex 1 / CSV template declared ESCO skills in the slice
        EdgeKind.PREREQUISITE,
        EdgeKind.STACKS_INTO,
    } <= edge_kinds
    # the HeriotWatt pathway: a list of step objects as a prop, links to stored courses
    pathway = next(
        n for n in samples.nodes if n.labels.get("en") == "BSCH - Bachelor of Science Honours"
    )
    assert len(pathway.props["steps"]) == 56
    assert sum(e.target == pathway.id for e in samples.edges) == 49


@pytest.mark.parametrize("name", ["samples.ttl", "samples.jsonld"])
def test_every_credential_sample_round_trips(
    samples: SampleGraph, tmp_path: Path, name: str
) -> None:
    fmt: Any = "json-ld" if name.endswith(".jsonld") else "turtle"
    buffer = io.StringIO()
    write_export(samples.store, buffer, fmt)
    path = tmp_path / name
    path.write_text(buffer.getvalue(), encoding="utf-8")
    settings = make_settings(tmp_path / "data")
    store = EmbeddedGraphStore(settings.store_path)
    try:
        (report,) = ingest_paths(store, [path], settings).reports
        assert (report.rows_failed, report.rows_skipped) == (0, 0)
        nodes, edges = _sorted(list(store.iter_nodes()), list(store.iter_edges()))
        want_nodes, want_edges = _sorted(samples.nodes, samples.edges)
        assert [n.id for n in nodes] == [n.id for n in want_nodes]
        for got, want in zip(nodes, want_nodes, strict=True):
            assert got == want, got.id  # kind, every language map, every prop
        assert edges == want_edges  # kinds and props
    finally:
        store.close()
