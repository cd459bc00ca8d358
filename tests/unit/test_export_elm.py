"""ELM export: a credential as an ELM v3 / EDC JSON-LD document, read back by parse_elm.

Round trip on the EDC "Annex 1" sample: ingest it, export it, ingest the export into a
fresh store: the same credential node (except what only an issued credential with a learner
can say), the same outcome nodes, provider and edges (HAS_OUTCOME, OFFERED_BY, the declared
ALIGNS_TO). Every property and type name is one the bundled EDC / VC contexts define, and
the document expands offline with those contexts. No network is touched.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from rdflib import Graph, URIRef

from credgraph.errors import NotFoundError, QueryError
from credgraph.export.elm import EDC_CONTEXT, VC_CONTEXT, credential_to_elm
from credgraph.export.vocab import ELM, hours_duration
from credgraph.ingest import ingest_paths
from credgraph.ingest.documents import json_document_format, parse_json_credentials
from credgraph.ingest.elm import parse_elm
from credgraph.models import EdgeKind
from credgraph.ontologies import bundled_contexts, is_bundled_context
from tests.unit.test_export_rdf import (
    ANNEX1,
    ANNEX1_ID,
    ANNEX1_SKILLS,
    RealGraph,
    build_real_store,
)
from tests.unit.test_export_rdf import no_network as no_network  # autouse: no network

CONTEXTS = Path(__file__).resolve().parents[2] / "src" / "credgraph" / "ontologies" / "contexts"
LEARNER_ONLY = {"learner_identified", "grade_stated"}  # what an offer cannot state
BLENDED_OFFER = "mc:mc-069-4ad57a0e"  # offers.jsonl: 4 ECTS, blended, English


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RealGraph]:
    graph = build_real_store(tmp_path_factory.mktemp("export-elm"))
    yield graph
    graph.store.close()


@pytest.fixture(scope="module")
def annex1(real: RealGraph) -> dict[str, Any]:
    return credential_to_elm(real.store, ANNEX1_ID)


def test_no_network_here_either() -> None:
    with pytest.raises(AssertionError, match="network"):
        socket.create_connection(("data.europa.eu", 80))


def test_shape_of_the_document(annex1: dict[str, Any]) -> None:
    assert annex1["@context"] == [VC_CONTEXT, EDC_CONTEXT]
    assert all(is_bundled_context(c) for c in annex1["@context"])
    assert annex1["id"] == "urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b"
    assert annex1["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert "issuer" not in annex1 and "proof" not in annex1
    assert list(annex1["credentialSubject"]) == ["hasClaim"]  # no learner
    claim = annex1["credentialSubject"]["hasClaim"]
    assert claim["type"] == "LearningAchievement"
    assert claim["title"] == {"en": "Digital micro-credential creation"}
    body = claim["awardedBy"]["awardingBody"]
    assert (body["id"], body["type"], body["legalName"]) == (
        "urn:epass:org:1",
        "Organisation",
        {"en": "University of Zed"},
    )
    country = body["location"]["address"]["countryCode"]["id"]
    assert country == "http://publications.europa.eu/resource/authority/country/IRL"
    spec = claim["specifiedBy"]
    assert spec["type"] == "Qualification"
    assert spec["volumeOfLearning"] == "PT60H"
    assert spec["creditPoint"]["point"] == "2"
    ects = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    assert spec["creditPoint"]["framework"]["id"] == ects
    assert spec["eqfLevel"]["id"] == "http://data.europa.eu/snb/eqf/6"
    assert spec["language"]["id"] == (
        "http://publications.europa.eu/resource/authority/language/ENG"
    )
    assert spec["mode"]["id"] == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"
    outcomes = spec["learningOutcome"]
    assert [o["id"] for o in outcomes] == [
        "urn:epass:learningOutcome:1",
        "urn:epass:learningOutcome:2",
    ]
    assert outcomes[1]["title"] == {"en": "Developing digital content", "es": "Contento digital"}
    declared = [s["id"] for o in outcomes for s in o["relatedESCOSkill"]]
    assert sorted(declared) == sorted(ANNEX1_SKILLS)
    assert outcomes[0]["relatedESCOSkill"][0]["prefLabel"]["en"]  # the skill's ESCO label


def _terms(value: Any, found: set[str]) -> set[str]:
    """Every term a context (and the contexts scoped inside it) defines."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "@context" and isinstance(item, dict):
                found.update(k for k in item if not k.startswith("@"))
            _terms(item, found)
    elif isinstance(value, list):
        for item in value:
            _terms(item, found)
    return found


def _used(value: Any, keys: set[str], types: set[str]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "type":
                types.update(item if isinstance(item, list) else [item])
            elif not key.startswith("@"):
                keys.add(key)
                if key == "prefLabel" or key.endswith(("title", "Name", "Literal")):
                    continue  # language maps: their keys are languages
                _used(item, keys, types)
    elif isinstance(value, list):
        for item in value:
            _used(item, keys, types)


def _bundled(url: str) -> Any:
    return json.loads((CONTEXTS / bundled_contexts()[url]).read_text(encoding="utf-8"))


def test_every_name_is_defined_by_the_bundled_contexts(annex1: dict[str, Any]) -> None:
    defined = _terms(_bundled(VC_CONTEXT), set()) | _terms(_bundled(EDC_CONTEXT), set())
    keys: set[str] = set()
    types: set[str] = set()
    _used(annex1, keys, types)
    assert keys - defined == set()
    assert types - defined == set()


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_it_expands_offline_with_the_bundled_contexts(annex1: dict[str, Any]) -> None:
    doc = dict(annex1, **{"@context": [_bundled(c)["@context"] for c in annex1["@context"]]})
    graph = Graph().parse(data=json.dumps(doc), format="json-ld")
    spec = URIRef(annex1["credentialSubject"]["hasClaim"]["specifiedBy"]["id"])
    assert (spec, ELM.EQFLevel, URIRef("http://data.europa.eu/snb/eqf/6")) in graph
    outcome = URIRef("urn:epass:learningOutcome:1")
    assert (spec, ELM.learningOutcome, outcome) in graph
    skills = {str(o) for o in graph.objects(outcome, ELM.relatedESCOSkill)}
    assert skills == set(ANNEX1_SKILLS[:3])


def test_round_trip_through_parse_elm(
    real: RealGraph, annex1: dict[str, Any], tmp_path: Path
) -> None:
    text = json.dumps(annex1, ensure_ascii=False)
    assert json_document_format(json.loads(text), "export") == "elm"
    [record] = parse_elm(json.loads(text), "export")
    assert record.document_kind == "issued" and record.extra["learner_identified"] is False
    path = tmp_path / "annex1-export.jsonld"
    path.write_text(text, encoding="utf-8")
    fresh = build_real_store(tmp_path / "fresh", esco_only=True)
    try:
        before = {n.id for n in fresh.store.iter_nodes()}
        report = ingest_paths(fresh.store, [path], fresh.settings).reports[0]
        assert (report.format, report.rows_stored, report.rows_skipped) == ("elm", 1, 0)
        new = sorted({n.id for n in fresh.store.iter_nodes()} - before)
        old = [ANNEX1_ID, *(o.id for _, o in real.store.neighbours(ANNEX1_ID))]
        assert new == sorted(old)
        for node_id in new:
            got, want = fresh.store.get_node(node_id), real.store.get_node(node_id)
            assert got is not None and want is not None
            if node_id == ANNEX1_ID:
                assert {k: v for k, v in got.props.items() if k not in LEARNER_ONLY} == {
                    k: v for k, v in want.props.items() if k not in LEARNER_ONLY
                }
                assert {k: got.props[k] for k in LEARNER_ONLY} == dict.fromkeys(LEARNER_ONLY, False)
                got.props = want.props
            assert got == want, node_id
        for node_id in new:  # the same edges (HAS_OUTCOME, OFFERED_BY, ALIGNS_TO)
            got_edges = [e for e, _ in fresh.store.neighbours(node_id)]
            assert got_edges == [e for e, _ in real.store.neighbours(node_id)]
        aligned = [
            e
            for _, o in real.store.neighbours(ANNEX1_ID, [EdgeKind.HAS_OUTCOME])
            for e, _ in fresh.store.neighbours(o.id, [EdgeKind.ALIGNS_TO])
        ]
        assert sorted(e.target for e in aligned) == sorted(ANNEX1_SKILLS)
        assert all(e.props["method"] == "declared" for e in aligned)
    finally:
        fresh.store.close()


def test_the_sample_and_its_export_give_the_same_records(annex1: dict[str, Any]) -> None:
    import gzip

    original = json.loads(gzip.decompress(ANNEX1.read_bytes()))
    [a] = parse_json_credentials(original, "sample")[1]
    [b] = parse_json_credentials(annex1, "export")[1]
    assert (a.title, a.source_id, a.ects, a.hours, a.eqf_level, a.mode) == (
        b.title,
        b.source_id,
        b.ects,
        b.hours,
        b.eqf_level,
        b.mode,
    )
    # the graph keeps no order among an outcome's skills
    assert [(o.texts, sorted(o.skills), o.source_id) for o in a.outcomes] == [
        (o.texts, sorted(o.skills), o.source_id) for o in b.outcomes
    ]


def test_an_offer_from_the_harvest(real: RealGraph) -> None:
    node = real.store.get_node(BLENDED_OFFER)
    assert node is not None and node.props["ects"] == 4
    doc = credential_to_elm(real.store, BLENDED_OFFER)
    assert doc["id"] == f"urn:credgraph:{BLENDED_OFFER}"
    spec = doc["credentialSubject"]["hasClaim"]["specifiedBy"]
    assert spec["type"] == "LearningAchievementSpecification"
    assert spec["creditPoint"]["point"] == "4"
    assert "homepage" not in spec  # an offer's url is where it was harvested
    [record] = parse_elm(doc, "export")
    assert (record.ects, record.mode, record.languages) == (4.0, "blended", ["en"])
    assert record.title == node.labels
    assert record.provider is not None and record.provider.names == node_labels(real, node.id)


@pytest.mark.parametrize(
    ("credential", "expected"),
    [
        ("mc:mc-021-c9c7978a", {"hours": 300.0, "mode": "onsite", "languages": ["cs"]}),
        ("mc:mc-029-ab7ce298", {"hours": 300.0, "mode": "online", "languages": []}),
        ("mc:mc-049-75173b92", {"ects": 7.5, "languages": ["en"]}),
    ],
)
def test_harvested_offers_read_back(
    real: RealGraph, credential: str, expected: dict[str, Any]
) -> None:
    [record] = parse_elm(credential_to_elm(real.store, credential), "export")
    assert {k: getattr(record, k) for k in expected} == expected
    node = real.store.get_node(credential)
    assert node is not None and record.title == node.labels


def node_labels(real: RealGraph, credential: str) -> dict[str, str]:
    [(_, provider)] = real.store.neighbours(credential, [EdgeKind.OFFERED_BY])
    return provider.labels


def test_not_a_credential(real: RealGraph) -> None:
    with pytest.raises(NotFoundError, match="no node with id 'mc:nope'"):
        credential_to_elm(real.store, "mc:nope")
    with pytest.raises(QueryError, match="is a skill, not a credential"):
        credential_to_elm(real.store, ANNEX1_SKILLS[0])


@pytest.mark.parametrize(
    ("hours", "text"),
    [(60, "PT60H"), (7.5, "PT7H30M"), (0.25, "PT15M"), (1 / 3600, "PT1S"), (0, None), (-1, None)],
)
def test_hours_as_iso_8601(hours: float, text: str | None) -> None:
    assert hours_duration(hours) == text
