"""Every credential sample under ../shared/data/microcredentials (copied byte for byte into
tests/fixtures/microcredentials) either ingests or is refused with a one-line error naming
the file (and the position, for broken JSON); a refusal leaves what was stored before
exactly as it was; and nothing is fetched over the network while doing it.

The refusals below were decided by reading each file: 7 Open Badges 2.0 blocks and one CTDL
file are not valid JSON as published (DATA-NOTES.md), one file is a JSON-LD context, one is
old ELM v2 XML, one holds QDR accreditation records (which body may award what: not
credentials), one is ELM in Turtle (credgraph reads its own RDF exports, not foreign RDF),
one is a vendor's flat web form (MyNextID input-fields) and one a list of a person's
achievements in expanded JSON-LD (HeriotWatt vcred): not credential formats."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths
from credgraph.models import Node, NodeKind

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "microcredentials"
SHARED = REPO.parent / "shared" / "data" / "microcredentials"

INVALID_JSON = {
    "openbadges/ob2_invalidjson_01_BadgeClass.json.txt": "14:80",
    "openbadges/ob2_invalidjson_02_Assertion.json.txt": "26:5",
    "openbadges/ob2_invalidjson_03_fragment.json.txt": "6:84",
    "openbadges/ob2_invalidjson_04_fragment.json.txt": "6:84",
    "openbadges/ob2_invalidjson_05_fragment.json.txt": "11:1",
    "openbadges/ob2_invalidjson_06_fragment.json.txt": "18:1",
    "openbadges/ob2_invalidjson_07_Endorsement.json.txt": "10:2",
    "ctdl/schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_WICHE_-_Passport.json": "11:2",
}
REFUSED = {
    "elm/edc-ap-context.jsonld": "a JSON-LD context, not a credential",
    "elm/EDC_DiplomaSupplement_AA.xml.gz": "ELM v2",
    "elm/ams.xml.gz": "accreditation records (QDR AMS, 2 accreditation(s)) are not credentials",
    "elm/credential-sample-turtle.ttl": "RDF with no credgraph records",
    "mynextid/input-fields_example.json": "not recognised",
    # an expanded JSON-LD array of one person's achievements: neither format, and personal
    "ctdl/schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_vcred.json": (
        "not recognised as ELM/EDC, Open Badges or CTDL (a JSON array of 4 item(s))"
    ),
}


def _samples() -> list[str]:
    return sorted(
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.name != "SOURCES.md"
    )


def test_the_fixtures_are_the_shared_samples() -> None:
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the tests need ../shared beside the checkout")
    shared = sorted(
        str(p.relative_to(SHARED))
        for p in SHARED.rglob("*")
        if p.is_file() and p.name not in ("SOURCES.md", "offers.jsonl")
    )
    assert _samples() == shared
    for name in shared:
        assert (FIXTURES / name).read_bytes() == (SHARED / name).read_bytes(), name


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access attempted during ingest")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def _snapshot(store: EmbeddedGraphStore) -> tuple[Any, ...]:
    nodes = sorted((n.id, n.to_dict().__repr__()) for k in NodeKind for n in store.iter_nodes(k))
    return (store.counts().to_dict(), nodes)


def test_every_sample_ingests_or_is_refused_cleanly(tmp_path: Path, no_network: list[Any]) -> None:
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    settings = Settings(data_dir=tmp_path)
    store.upsert_nodes([Node("nsk:sentinel", NodeKind.QUALIFICATION, {"cs": "stored before"})])
    ingested, refused = [], []
    for name in _samples():
        path = FIXTURES / name
        before = _snapshot(store)
        try:
            run = ingest_paths(store, [path], settings)
        except InputError as exc:
            message = str(exc)
            assert "\n" not in message, name
            assert message.startswith(str(path)), (name, message)
            if name in INVALID_JSON:
                assert message.startswith(f"{path}:{INVALID_JSON[name]}: invalid JSON"), message
            else:
                assert name in REFUSED, (name, message)
                assert REFUSED[name] in message, (name, message)
            assert _snapshot(store) == before, f"{name}: the store changed on a refusal"
            refused.append(name)
            continue
        assert name not in INVALID_JSON and name not in REFUSED, name
        (report,) = run.reports
        assert report.rows_read >= 1 and report.rows_failed == 0, (name, report.to_dict())
        ingested.append(name)
        assert store.get_node("nsk:sentinel") is not None
    assert sorted(refused) == sorted([*INVALID_JSON, *REFUSED])
    assert len(ingested) == len(_samples()) - len(refused)
    assert no_network == []
    # no learner of any sample ends up in the graph (names read from the samples'
    # credentialSubject: EDC "Ana Andromeda", DC4EU "John Doe", MyNextID "Joe Doe")
    every = repr([n.to_dict() for k in NodeKind for n in store.iter_nodes(k)])
    for personal in ("Andromeda", "John Doe", "Joe Doe", "1999-10-01", "1990-01-01"):
        assert personal not in every, personal
