"""NSK ingest on the bundled real files (data/nsk/).

Expected numbers are counted here with plain ``json`` (independently of the ingester) or
were counted by hand from the files, as each comment says.
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
from credgraph.ingest.nsk import (
    NSK_ORDER,
    detect_nsk_file,
    ingest_nsk_file,
    ingest_nsk_files,
)
from credgraph.ingest.report import IngestReport
from credgraph.models import EdgeKind, NodeKind

DATA = Path(__file__).resolve().parents[2] / "data"
NSK = DATA / "nsk"
QUALIFICATIONS = NSK / "qualifications.jsonl"
SCHOOL_VET = NSK / "school_vet_supplements.jsonl"
UPK = NSK / "upk_compositions.jsonl"
VET_LISTS = [f"competences_{g}_{lang}" for g in ("general", "vocational") for lang in ("cs", "en")]


def records(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, progress=False)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[EmbeddedGraphStore]:
    graph = EmbeddedGraphStore(tmp_path / "g.sqlite")
    yield graph
    graph.close()


def load_bundled(store: EmbeddedGraphStore, settings: Settings) -> list[IngestReport]:
    return ingest_nsk_files(store, [UPK, SCHOOL_VET, QUALIFICATIONS], settings)


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- detection and order ------------------------------------------------------------------


def test_file_types_are_detected_from_the_first_record() -> None:
    assert detect_nsk_file(QUALIFICATIONS) == "qualifications"
    assert detect_nsk_file(SCHOOL_VET) == "school_vet"
    assert detect_nsk_file(UPK) == "upk"
    assert detect_nsk_file(DATA / "microcredentials" / "offers.jsonl") is None
    assert NSK_ORDER == ("qualifications", "school_vet", "upk")


def test_bundled_files_load_in_nsk_order(store: EmbeddedGraphStore, settings: Settings) -> None:
    reports = load_bundled(store, settings)  # given in reverse order on purpose
    assert [r.format for r in reports] == ["nsk:qualifications", "nsk:school_vet", "nsk:upk"]


# -- counts -------------------------------------------------------------------------------


def test_counts_match_the_files(store: EmbeddedGraphStore, settings: Settings) -> None:
    quals, vets, upks = records(QUALIFICATIONS), records(SCHOOL_VET), records(UPK)
    load_bundled(store, settings)
    counts = store.counts()

    # 206 + 23 + 10 records (SOURCES-nsk.md: 206 lines, 23 RVP fields, 10 compositions)
    assert counts.nodes["qualification"] == len(quals) + len(vets) + len(upks) == 239
    # Every criteria item names a listed Czech competence exactly (checked by hand with a
    # python one-off over the 281 items), and no name repeats inside one list, so each list
    # item is one node and there is no from_criteria node. 826 = DATA-NOTES' figure.
    listed = sum(len(r["competences_cs"] or []) + len(r["competences_en"] or []) for r in quals)
    vet_listed = sum(len(v.get(name) or []) for v in vets for name in VET_LISTS)
    assert listed == 826
    assert counts.nodes["competence"] == listed + vet_listed
    assert counts.edges["HAS_COMPETENCE"] == listed + vet_listed
    # 11 authorising bodies (SOURCES-nsk.md); one AWARDED_BY per record naming one
    assert (
        counts.nodes["provider"]
        == len({r["authorising_body"] for r in quals if r["authorising_body"]})
        == 11
    )
    assert counts.edges["AWARDED_BY"] == sum(1 for r in quals if r["authorising_body"])
    # 38 memberships, of which 4 have qualification_id null (1 in Pekař, 3 in Kuchař 2009)
    ids = {r["id"] for r in quals}
    linked = [m for u in upks for m in u["members"] if m["qualification_id"] in ids]
    assert sum(len(u["members"]) for u in upks) == 38
    assert counts.edges["PART_OF"] == len(linked) == 34


def test_reports_count_rows(store: EmbeddedGraphStore, settings: Settings) -> None:
    quals, vets, upks = load_bundled(store, settings)
    assert (quals.rows_read, quals.rows_stored, quals.rows_failed) == (206, 206, 0)
    assert (vets.rows_read, vets.rows_stored, vets.rows_failed) == (23, 23, 0)
    assert (upks.rows_read, upks.rows_stored, upks.rows_skipped) == (10, 10, 4)
    assert upks.edges_written == 34
    # Pekař is line 8 of upk_compositions.jsonl, its third member "Výroba perníku" unlinked
    assert upks.skipped[0].location == f"{UPK}:8 member 3"
    assert quals.nodes_written == 206 + 826 + 11


def test_second_ingest_changes_no_count(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    before = store.counts().to_dict()
    load_bundled(store, settings)
    assert store.counts().to_dict() == before


# -- compositions -------------------------------------------------------------------------


def part_of_members(store: EmbeddedGraphStore, composition: str) -> dict[str, dict[str, Any]]:
    return {
        edge.source: edge.props
        for edge, _ in store.neighbours(composition, [EdgeKind.PART_OF], Direction.IN)
    }


def test_elektrikar_needs_all_five_pks(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    node = store.get_node("nsk:upk-26-99-H-08")
    assert node is not None and node.kind is NodeKind.QUALIFICATION
    assert node.labels == {"cs": "Elektrikář"}
    assert node.props["rule"] == "all_of"
    assert node.props["qualification_type"] == "ÚPK"
    members = part_of_members(store, "nsk:upk-26-99-H-08")
    assert sorted(members) == [
        "nsk:code-26-017-H",
        "nsk:code-26-018-H",
        "nsk:code-26-019-H",
        "nsk:code-26-020-H",
        "nsk:nsk-574",
    ]
    assert members["nsk:nsk-574"]["code"] == "26-021-H"
    assert members["nsk:nsk-574"]["name_cs"] == "Montér hromosvodů"
    assert {p["rule"] for p in members.values()} == {"all_of"}
    assert {p["composition_kind"] for p in members.values()} == {"ÚPK"}


def test_jemny_mechanik_any_one_of_and_school_field_differ(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    load_bundled(store, settings)
    upk = part_of_members(store, "nsk:upk-23-99-H-14")
    school = part_of_members(store, "nsk:obor-23-62-H-01")
    assert {p["rule"] for p in upk.values()} == {"any_one_of"}
    assert len(upk) == 4
    # the school field's list has the extra PK 23-155-H (Hodinář)
    assert set(school) - set(upk) == {"nsk:code-23-155-H"}
    school_node = store.get_node("nsk:obor-23-62-H-01")
    assert school_node is not None
    assert school_node.props["composition_kind"] == "obor vzdělání (přístup k závěrečné zkoušce)"
    assert school_node.props["upk_code"] == "23-62-H/01"


def test_groups_not_visible_stay_unknown(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    kamenik = part_of_members(store, "nsk:obor-36-54-H-01")
    assert len(kamenik) == 9
    assert {(p["rule"], p["groups_visible"]) for p in kamenik.values()} == {
        ("any_of_groups", False)
    }


def test_members_absent_from_the_store_are_skipped(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    report = ingest_nsk_file(store, UPK, settings)  # qualifications not loaded first
    assert report.rows_stored == 10
    assert report.rows_skipped == 38
    assert report.skip_reasons == {
        "member without qualification_id": 4,
        "member qualification not in the graph": 34,
    }
    counts = store.counts()
    assert counts.nodes == {"qualification": 10}
    assert counts.edges == {}


# -- qualification records ----------------------------------------------------------------


def test_qualification_props(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    node = store.get_node("nsk:nsk-6")
    assert node is not None
    assert node.labels == {"cs": "Příprava teplých pokrmů", "en": "Preparation of warm meals"}
    props = node.props
    assert props["eqf_level"] == 3
    assert props["code"] == "65-001-H"
    assert props["qualification_type"] == "PK" and props["type_inferred"] is True
    assert props["related_occupation"] == ["Kuchař"]
    assert props["exam_fee"] is None and props["exam_duration"] is None
    assert props["competences_cs_truncated"] is True
    assert props["competences_en_truncated"] is False
    bodies = store.neighbours("nsk:nsk-6", [EdgeKind.AWARDED_BY], Direction.OUT)
    assert [(n.id, n.labels) for _, n in bodies] == [
        (
            "provider:ministerstvo-pro-mistni-rozvoj",
            {"cs": "Ministerstvo pro místní rozvoj", "en": "Ministry of Regional Development"},
        )
    ]
    assert bodies[0][1].props["role"] == "authorising_body"


def test_null_eqf_level_stays_none(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    # line 136: "Ošetřovatel koní", a docplayer transcript without a readable level
    node = store.get_node("nsk:dp-osetrovatel-koni")
    assert node is not None
    assert node.props["eqf_level"] is None
    nulls = [r["id"] for r in records(QUALIFICATIONS) if r["eqf_level"] is None]
    stored = store.get_nodes([f"nsk:{i}" for i in nulls])
    assert len(nulls) == 50  # DATA-NOTES.md
    assert all(n.props["eqf_level"] is None for n in stored) and len(stored) == 50


def test_czech_and_english_competences_are_not_paired(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    load_bundled(store, settings)
    # nsk-6 lists 5 Czech (cut) and 14 English competences from different revisions
    competences = [
        n for _, n in store.neighbours("nsk:nsk-6", [EdgeKind.HAS_COMPETENCE], Direction.OUT)
    ]
    by_lang = {lang: [n for n in competences if n.props["lang"] == lang] for lang in ("cs", "en")}
    assert (len(by_lang["cs"]), len(by_lang["en"])) == (5, 14)
    assert all(len(n.labels) == 1 for n in competences)
    cut = next(n for n in by_lang["cs"] if n.props["position"] == 5)
    assert cut.labels == {"cs": "Příprava surovin pro…"}
    assert cut.props["truncated"] is True and cut.props["level"] is None
    assert cut.props["list_truncated"] is True


def test_criteria_sit_on_their_competence(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    competences = {
        next(iter(n.labels.values())): (e, n)
        for e, n in store.neighbours("nsk:nsk-6", [EdgeKind.HAS_COMPETENCE], Direction.OUT)
    }
    edge, node = competences["Přejímka potravinářských surovin"]
    assert edge.props == {"level": 3}
    assert [c["id"] for c in node.props["criteria"]] == ["a", "b", "c"]
    assert node.props["criteria"][2]["method"] == "Písemně"
    assert node.props["pass_rule"] == "Je třeba splnit všechna kritéria"
    _, english = competences["Receiving of delivered food products"]
    assert english.props["criteria"] is None


def test_english_only_name_is_not_filed_as_czech(
    store: EmbeddedGraphStore, settings: Settings
) -> None:
    load_bundled(store, settings)
    english = store.get_node("nsk:nsk-38")  # name_cs null, label == name_en
    assert english is not None
    assert english.labels == {"en": "Production of gingerbread"}
    fallback = store.get_node("nsk:nsk-7")  # made-up bracketed label
    assert fallback is not None
    assert fallback.labels == {"cs": "[NSK 7] PK related to occupation 'Cook of cold meals'"}
    assert fallback.props["label_is_fallback"] is True


def test_school_vet_field(store: EmbeddedGraphStore, settings: Settings) -> None:
    load_bundled(store, settings)
    node = store.get_node("nsk:vet-16-01-M-002")
    assert node is not None
    assert node.props["qualification_type"] == "school VET field"
    assert node.props["code"] == "16-01-M/002"
    assert node.props["eqf_level"] is None
    competences = [
        n
        for _, n in store.neighbours(
            "nsk:vet-16-01-M-002", [EdgeKind.HAS_COMPETENCE], Direction.OUT
        )
    ]
    groups = sorted(n.props["group"] for n in competences)
    # the first line of school_vet_supplements.jsonl: 9 general, 7 vocational (last cut)
    assert groups == ["general"] * 9 + ["vocational"] * 7
    cut = [n for n in competences if n.props["truncated"]]
    assert [next(iter(n.labels.values())) for n in cut] == ["know the proced…"]
    assert cut[0].props["list_truncated"] is True


def test_criteria_match_cut_names_or_make_their_own_competence(
    tmp_path: Path, store: EmbeddedGraphStore, settings: Settings
) -> None:
    first = records(QUALIFICATIONS)[0]  # nsk-6
    first["criteria"] = [
        {
            "competence": "Příprava surovin pro teplou kuchyni",
            "level": 2,
            "criteria": [{"id": "a", "text": "Připravit suroviny", "method": "Prakticky"}],
            "pass_rule": "Je třeba splnit všechna kritéria",
            "truncated": False,
        },
        {
            "competence": "Obsluha myčky",
            "level": 2,
            "criteria": [],
            "pass_rule": None,
            "truncated": True,
        },
    ]
    path = write_lines(tmp_path / "one.jsonl", [json.dumps(first, ensure_ascii=False)])
    ingest_nsk_file(store, path, settings)
    nodes = {
        next(iter(n.labels.values())): n
        for _, n in store.neighbours("nsk:nsk-6", [EdgeKind.HAS_COMPETENCE], Direction.OUT)
    }
    assert len(nodes) == 5 + 14 + 1
    cut = nodes["Příprava surovin pro…"]  # prefix match on the name cut with "…"
    assert cut.props["criteria"] == first["criteria"][0]["criteria"]
    assert cut.props["level"] is None and cut.props["criteria_level"] == 2
    own = nodes["Obsluha myčky"]
    assert own.props["from_criteria"] is True and own.props["lang"] == "cs"
    assert own.props["criteria_truncated"] is True


def test_reingest_removes_competences_no_longer_listed(
    tmp_path: Path, store: EmbeddedGraphStore, settings: Settings
) -> None:
    ingest_nsk_file(store, QUALIFICATIONS, settings)
    before = store.counts().nodes["competence"]
    first = records(QUALIFICATIONS)[0]
    first["competences_en"] = first["competences_en"][:2]
    ingest_nsk_file(
        store, write_lines(tmp_path / "q.jsonl", [json.dumps(first, ensure_ascii=False)]), settings
    )
    assert store.counts().nodes["competence"] == before - 12


# -- bad input ----------------------------------------------------------------------------


def test_broken_json_line_stops_the_file_and_stores_nothing(
    tmp_path: Path, store: EmbeddedGraphStore, settings: Settings
) -> None:
    ingest_nsk_file(store, SCHOOL_VET, settings)
    before = store.counts().to_dict()
    lines = QUALIFICATIONS.read_text(encoding="utf-8").splitlines()
    lines[99] = lines[99][: len(lines[99]) // 2]  # line 100 cut in the middle
    broken = write_lines(tmp_path / "qualifications.jsonl", lines)
    with pytest.raises(InputError) as caught:
        ingest_nsk_file(store, broken, settings)
    assert f"{broken}:100:" in str(caught.value)
    assert caught.value.source == str(broken)
    assert store.counts().to_dict() == before


def test_wrong_typed_fields_fail_their_record_only(
    tmp_path: Path, store: EmbeddedGraphStore, settings: Settings
) -> None:
    quals = records(QUALIFICATIONS)
    quals[2]["competences_cs"] = "Volba postupu práce"  # line 3
    quals[4]["eqf_level"] = "3"  # line 5
    quals[9]["competences_cs"][0]["level"] = "vysoká"  # line 10 (nsk-47)
    del quals[0]["id"]  # line 1: the file is still recognised as qualifications
    path = write_lines(tmp_path / "q.jsonl", [json.dumps(r, ensure_ascii=False) for r in quals])
    report = ingest_nsk_file(store, path, settings)
    assert (report.rows_read, report.rows_stored, report.rows_failed) == (206, 202, 4)
    failed = {p.location: p.reason for p in report.failed}
    assert set(failed) == {f"{path}:1", f"{path}:3", f"{path}:5", f"{path}:10"}
    assert "competences_cs" in failed[f"{path}:3"]
    assert "eqf_level" in failed[f"{path}:5"]
    assert "competences_cs[0].level" in failed[f"{path}:10"]
    assert failed[f"{path}:1"] == "missing required field id"
    assert store.counts().nodes["qualification"] == 202
    assert store.get_node(f"nsk:{quals[2]['id']}") is None
    assert store.get_node(f"nsk:{quals[3]['id']}") is not None
