"""The main job on the bundled real data: ingest reports equal the sources, re-ingest is a
no-op, bad files are refused whole.

Expected numbers are counted independently in the test with the standard library (csv,
gzip, json: no credgraph code), and agree with ../shared/DATA-NOTES.md, which states them
(13,896 skills, 3,007 occupations, 123,855 occupation–skill rows of which 67 skipped, ...).
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from credgraph.runtime import run_ingest
from tests.conftest import DATA, Bundled

ESCO = DATA / "esco" / "v1.1.1_en"
pytestmark = pytest.mark.slow


def _rows(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(gzip.open(path).read().decode("utf-8"))))


def _uris(name: str) -> set[str]:
    return {r["conceptUri"] for r in _rows(ESCO / name)}


def test_concept_counts_equal_the_source(bundled: Bundled) -> None:
    nodes = bundled.result["counts"]["nodes"]
    assert nodes["skill"] == len(_uris("skills_en.csv.gz")) == 13_896
    assert nodes["occupation"] == len(_uris("occupations_en.csv.gz")) == 3_007
    assert nodes["isco_group"] == len(_uris("ISCOGroups_en.csv.gz")) == 619
    assert nodes["skill_group"] == len(_uris("skillGroups_en.csv.gz")) == 640
    for name, n in (("skills_en.csv.gz", 13_896), ("occupations_en.csv.gz", 3_007)):
        report = bundled.report(name)
        assert (
            report["rows_read"],
            report["rows_stored"],
            report["rows_skipped"],
            report["rows_failed"],
        ) == (n, n, 0, 0)


def test_occupation_skill_rows_read_stored_skipped(bundled: Bundled) -> None:
    rows = _rows(ESCO / "occupationSkillRelations.csv.gz")
    known = _uris("occupations_en.csv.gz") | _uris("skills_en.csv.gz")
    dangling = [r for r in rows if r["occupationUri"] not in known or r["skillUri"] not in known]
    report = bundled.report("occupationSkillRelations.csv.gz")
    assert report["rows_read"] == len(rows) == 123_855
    assert report["rows_skipped"] == len(dangling) == 67
    assert report["rows_stored"] == 123_855 - 67
    assert bundled.result["counts"]["edges"]["REQUIRES"] == 123_855 - 67
    # every skipped row is listed with file and line (up to the listing cap)
    assert all(".csv.gz:" in p["location"] for p in report["skipped"])


@pytest.mark.parametrize(
    ("name", "read", "skipped"),
    [
        ("broaderRelationsSkillPillar.csv.gz", 20_656, 7),
        ("broaderRelationsOccPillar.csv.gz", 3_617, 1),
        ("skillSkillRelations.csv.gz", 5_899, 0),
    ],
)
def test_relation_files(bundled: Bundled, name: str, read: int, skipped: int) -> None:
    rows = _rows(ESCO / name)
    known = set()
    for concept_file in (
        "skills_en.csv.gz",
        "occupations_en.csv.gz",
        "ISCOGroups_en.csv.gz",
        "skillGroups_en.csv.gz",
    ):
        known |= _uris(concept_file)
    ends = [
        (r.get("conceptUri") or r["originalSkillUri"], r.get("broaderUri") or r["relatedSkillUri"])
        for r in rows
    ]
    independent_skips = sum(1 for a, b in ends if a not in known or b not in known)
    report = bundled.report(name)
    assert report["rows_read"] == len(rows) == read
    assert report["rows_skipped"] == independent_skips == skipped


def test_czech_labels_merge_into_the_same_concepts(bundled: Bundled) -> None:
    path = DATA / "esco" / "cs" / "occupations_cs_labels_esco_v1.0.9.csv.gz"
    rows = _rows(path)
    known = _uris("occupations_en.csv.gz") | _uris("ISCOGroups_en.csv.gz")
    absent = {r["conceptUri"] for r in rows} - known
    report = bundled.report(path.name)
    assert report["rows_read"] == len(rows) == 13_333
    assert len(absent) == 3  # ESCO 1.0.9 URIs not in v1.1.1 (DATA-NOTES.md)
    assert report["rows_skipped"] == sum(1 for r in rows if r["conceptUri"] in absent)
    # "welder": en preferred label from occupations_en, cs "_000" label from the cs file
    welder = bundled.store.get_node(
        "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"
    )
    assert welder is not None
    assert welder.labels == {"en": "welder", "cs": "svářeč"}
    assert bundled.result["counts"]["nodes"]["occupation"] == 3_007  # no new concepts


def test_collections_become_tags(bundled: Bundled) -> None:
    green = _uris("greenSkillsCollection_en.csv.gz")
    sample = sorted(green)[0]
    node = bundled.store.get_node(sample)
    assert node is not None and "green" in node.props["collections"]


def test_nsk_and_offers_are_loaded(bundled: Bundled) -> None:
    quals = (DATA / "nsk" / "qualifications.jsonl").read_text(encoding="utf-8").splitlines()
    offers = (DATA / "microcredentials" / "offers.jsonl").read_text(encoding="utf-8").splitlines()
    nodes = bundled.result["counts"]["nodes"]
    vet = (DATA / "nsk" / "school_vet_supplements.jsonl").read_text(encoding="utf-8")
    upk = (DATA / "nsk" / "upk_compositions.jsonl").read_text(encoding="utf-8")
    assert nodes["qualification"] == len(quals) + len(vet.splitlines()) + len(upk.splitlines())
    assert nodes["credential"] == len(offers) == 83
    node = bundled.store.get_node("nsk:nsk-6")
    assert node is not None and node.labels["cs"] == "Příprava teplých pokrmů"


def test_second_ingest_changes_no_count(bundled: Bundled) -> None:
    before = bundled.store.counts().to_dict()
    again = run_ingest(bundled.settings)
    assert again["counts"] == before == bundled.result["counts"]
    assert again["index"]["embedded_now"] == 0  # every embedding came from the cache
    assert again["index"]["entities"] == bundled.result["index"]["entities"]


def _cli(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credgraph", "--data-dir", str(data_dir), "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_malformed_file_is_refused_and_nothing_changes(bundled: Bundled, tmp_path: Path) -> None:
    lines = (DATA / "microcredentials" / "offers.jsonl").read_text(encoding="utf-8").splitlines()
    lines[40] = lines[40][:-15]  # cut the closing part of record 41: invalid JSON on line 41
    bad = tmp_path / "offers-broken.jsonl"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = bundled.store.counts().to_dict()
    done = _cli("ingest", str(bad), data_dir=bundled.settings.data_dir)
    assert done.returncode != 0
    first = done.stderr.strip().splitlines()[0]
    assert first.startswith("error: ") and f"{bad}:41:" in first and "invalid JSON" in first
    assert "Traceback" not in done.stderr
    assert bundled.store.counts().to_dict() == before


def test_malformed_csv_names_the_line(bundled: Bundled, tmp_path: Path) -> None:
    bad = tmp_path / "skills_en.csv"
    bad.write_text(
        'conceptType,conceptUri,preferredLabel\nKnowledgeSkillCompetence,"http://x\n',
        encoding="utf-8",
    )
    before = bundled.store.counts().to_dict()
    done = _cli("ingest", str(bad), data_dir=bundled.settings.data_dir)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {bad}:")
    assert "malformed CSV" in done.stderr
    assert bundled.store.counts().to_dict() == before


def test_stats_json_is_the_store_counts(bundled: Bundled) -> None:
    done = _cli("stats", "--json", data_dir=bundled.settings.data_dir)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == bundled.store.counts().to_dict()
