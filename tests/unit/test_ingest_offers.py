"""Offers ingest on the bundled real file (data/microcredentials/offers.jsonl).

Expected numbers are counted here with plain ``json`` (independently of the ingester) or
were read off the file by hand, as each comment says.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.base import Direction
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest.offers import detect_offers_file, ingest_offers_file, record_language
from credgraph.models import EdgeKind, NodeKind

DATA = Path(__file__).resolve().parents[2] / "data"
OFFERS = DATA / "microcredentials" / "offers.jsonl"


def records() -> list[dict[str, Any]]:
    with OFFERS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, progress=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedGraphStore]:
    graph = EmbeddedGraphStore(tmp_path / "g.sqlite")
    yield graph
    graph.close()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_detection() -> None:
    assert detect_offers_file(OFFERS) is True
    for name in ("qualifications.jsonl", "school_vet_supplements.jsonl", "upk_compositions.jsonl"):
        assert detect_offers_file(DATA / "nsk" / name) is False


def test_counts_match_the_file(store: EmbeddedGraphStore, settings: Settings) -> None:
    offers = records()
    report = ingest_offers_file(store, OFFERS, settings)
    counts = store.counts()
    assert len(offers) == 83  # SOURCES-offers.md
    assert (report.rows_read, report.rows_stored, report.rows_failed) == (83, 83, 0)
    assert counts.nodes["credential"] == 83
    assert counts.edges["OFFERED_BY"] == 83
    # no record lists the same outcome twice (checked with a python one-off)
    outcomes = sum(len(r["learning_outcomes"]) for r in offers)
    assert outcomes == 77
    assert counts.nodes["learning_outcome"] == counts.edges["HAS_OUTCOME"] == outcomes
    # every provider string is its own provider (none shares a slug with another)
    assert counts.nodes["provider"] == len({r["provider"] for r in offers}) == 44


def test_second_ingest_changes_no_count(store: EmbeddedGraphStore, settings: Settings) -> None:
    ingest_offers_file(store, OFFERS, settings)
    before = store.counts().to_dict()
    ingest_offers_file(store, OFFERS, settings)
    assert store.counts().to_dict() == before


def test_ects_given_only_as_text_stays_text(store: EmbeddedGraphStore, settings: Settings) -> None:
    ingest_offers_file(store, OFFERS, settings)
    node = store.get_node("mc:mc-081-f7d3437c")  # Online Spring University 2021, FSV UK
    assert node is not None and node.kind is NodeKind.CREDENTIAL
    assert node.props["ects"] is None
    assert node.props["ects_text"] == (
        "Two or four ECTS credits (two options depending on requirements completed)"
    )
    assert node.props["hours"] is None


def test_float_ects_stays_float(store: EmbeddedGraphStore, settings: Settings) -> None:
    ingest_offers_file(store, OFFERS, settings)
    node = store.get_node("mc:mc-049-75173b92")  # UCD certificate, 7.5 ECTS
    assert node is not None
    assert node.props["ects"] == 7.5 and isinstance(node.props["ects"], float)
    assert node.labels == {
        "en": (
            "Certificate of Continuing Professional Development in University Teaching and Learning"
        )
    }
    assert node.props["country"] == "IE"


def test_numbers_and_texts_as_the_source_gives_them(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    ingest_offers_file(store, OFFERS, settings)
    course = store.get_node("mc:mc-018-b6ee9834")  # 160 = 92 h theory + 68 h practice
    assert course is not None
    assert course.props["hours"] == 160 and isinstance(course.props["hours"], int)
    assert course.props["workload_text"] == "92 hodin teorie a 68 hodin praxe"
    assert course.props["notes"] == {
        "hours_note": "160 = sum of stated 92 h theory + 68 h practice"
    }
    free = store.get_node("mc:mc-001-87301383")
    assert free is not None
    assert free.props["price"] == "bez poplatku (free)"
    assert free.props["ects"] is None and free.props["eqf_level"] is None


def test_free_text_language_files_texts_under_und(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    ingest_offers_file(store, OFFERS, settings)
    node = store.get_node("mc:mc-030-a7721cc5")
    assert node is not None
    assert node.props["language"] == "et (not stated; Estonian-language page)"
    assert node.labels == {"et": "Kooliinformaatika"}  # from title_local
    assert node.alt_labels == {"und": ["Kooliinformaatika (magistriõppe tasemel)"]}
    assert record_language({"language": "cs"}) == "cs"
    assert record_language({"language": None}) == "und"
    providers = store.neighbours("mc:mc-030-a7721cc5", [EdgeKind.OFFERED_BY], Direction.OUT)
    assert [(n.id, n.labels) for _, n in providers] == [
        (
            "provider:tallinna-ulikool-tallinn-university",
            {"und": "Tallinna Ülikool (Tallinn University)"},
        )
    ]


def test_learning_outcomes_keep_their_order(store: EmbeddedGraphStore, settings: Settings) -> None:
    offers = {r["id"]: r for r in records()}
    ingest_offers_file(store, OFFERS, settings)
    pairs = store.neighbours("mc:mc-017-678e9e64", [EdgeKind.HAS_OUTCOME], Direction.OUT)
    by_position = sorted((e.props["position"], n) for e, n in pairs)
    expected = offers["mc-017-678e9e64"]["learning_outcomes"]
    assert len(expected) == 11
    assert [n.labels for _, n in by_position] == [{"cs": text} for text in expected]
    assert [p for p, _ in by_position] == list(range(1, 12))


def test_long_provider_names_sharing_60_characters_stay_apart(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    ingest_offers_file(store, OFFERS, settings)
    # four providers read "Národní soustava kvalifikací; autorizující orgán: Ministerstvo …"
    nsk = [
        n
        for n in store.iter_nodes(NodeKind.PROVIDER)
        if next(iter(n.labels.values())).startswith(
            "Národní soustava kvalifikací; autorizující orgán: Ministerstvo"
        )
    ]
    assert len(nsk) == 4


def test_broken_json_line_stops_the_file_and_stores_nothing(
    tmp_path: Path, store: EmbeddedGraphStore, settings: Settings
) -> None:
    lines = OFFERS.read_text(encoding="utf-8").splitlines()
    lines[40] = '{"id": "mc-broken", "title": '  # line 41
    broken = write_lines(tmp_path / "offers.jsonl", lines)
    with pytest.raises(InputError) as caught:
        ingest_offers_file(store, broken, settings)
    assert f"{broken}:41:" in str(caught.value)
    assert store.counts().to_dict() == {"nodes": {}, "edges": {}}


def test_wrong_typed_fields_fail_their_record_only(
    tmp_path: Path, store: EmbeddedGraphStore, settings: Settings
) -> None:
    offers = records()
    del offers[0]["title"]  # line 1: the file is still read as offers
    offers[1]["provider"] = None  # line 2
    offers[2]["ects"] = "2"  # line 3: a number as text is not a number
    offers[3]["learning_outcomes"] = "one outcome"  # line 4
    path = write_lines(
        tmp_path / "offers.jsonl", [json.dumps(r, ensure_ascii=False) for r in offers]
    )
    report = ingest_offers_file(store, path, settings)
    assert (report.rows_read, report.rows_stored, report.rows_failed) == (83, 79, 4)
    failed = {p.location: p.reason for p in report.failed}
    assert failed[f"{path}:1"] == "field title must be a string, got null"
    assert "field provider" in failed[f"{path}:2"]
    assert failed[f"{path}:3"] == "field ects must be a number or null, got a string"
    assert "field learning_outcomes" in failed[f"{path}:4"]
    assert store.counts().nodes["credential"] == 79
    assert store.get_node(f"mc:{offers[2]['id']}") is None
    assert store.get_node(f"mc:{offers[4]['id']}") is not None
