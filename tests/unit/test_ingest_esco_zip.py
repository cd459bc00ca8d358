"""The official ESCO download is a zip of plain CSV files: it loads like the folder."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths

ESCO = Path(__file__).resolve().parents[2] / "data" / "esco" / "v1.1.1_en"


def test_zip_of_csv_files(tmp_path: Path) -> None:
    archive = tmp_path / "ESCO dataset - v1.1.1 - classification - en - csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in (
            "ISCOGroups_en.csv.gz",
            "occupations_en.csv.gz",
            "broaderRelationsOccPillar.csv.gz",
        ):
            zf.writestr(name.removesuffix(".gz"), gzip.decompress((ESCO / name).read_bytes()))
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    run = ingest_paths(store, [archive], Settings(data_dir=tmp_path, progress=False))
    # numbers from DATA-NOTES.md: 619 ISCO groups, 3,007 occupations, 3,617 broader rows
    # of which 1 points to a concept absent from the bundle
    assert store.counts().nodes == {"isco_group": 619, "occupation": 3007}
    assert store.counts().edges == {"BROADER": 3616}
    assert [r.rows_read for r in run.reports] == [619, 3007, 3617]
    assert all("!" in r.source for r in run.reports)  # "archive.zip!member.csv"
    store.close()


def test_not_a_zip(tmp_path: Path) -> None:
    fake = tmp_path / "esco.zip"
    fake.write_bytes(b"PK not really")
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    with pytest.raises(InputError, match="not a valid zip"):
        ingest_paths(store, [fake], Settings(data_dir=tmp_path, progress=False))
    assert store.counts().to_dict() == {"nodes": {}, "edges": {}}
    store.close()
