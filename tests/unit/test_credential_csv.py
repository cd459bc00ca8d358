"""The provider CSV template (docs/data-formats.md) on its example file, and bad rows.
Expected values are the cells of docs/examples/credentials-template.csv as written there."""

from __future__ import annotations

from pathlib import Path

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths, plan
from credgraph.ingest.csv_template import COLUMNS, parse_credential_csv
from credgraph.models import EdgeKind, NodeKind

EXAMPLE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "credentials-template.csv"
HEADER = ",".join(COLUMNS)


def test_example_rows() -> None:
    records, rows = parse_credential_csv(EXAMPLE)
    assert rows == 2 and [r.record_id for r in records] == [
        "lady-praha-69-030-M",
        "uniz-digital-mc-creation",
    ]
    beautician, uniz = records
    assert (beautician.hours, beautician.ects, beautician.eqf_level) == (300.0, None, None)
    assert beautician.extra["issued_as"] == "69-030-M"  # stacks_into: an NSK code
    assert len(beautician.outcomes) == 4 and beautician.language is None
    assert (uniz.ects, uniz.hours, uniz.eqf_level, uniz.mode) == (2.0, 60.0, 6, "blended")
    assert uniz.title == {"en": "Digital micro-credential creation"} and len(uniz.skills) == 4
    assert plan([EXAMPLE])[0].format == "credential-csv"


def _write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "offers.csv"
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _row(**cells: str) -> str:
    values = {"id": "x1", "title": "T", "awarding_body": "B", **cells}
    return ",".join(values.get(c, "") for c in COLUMNS)


def test_bad_rows_fail_with_line_and_column_and_the_rest_is_stored(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        _row(id="good", ects="2", hours="55"),
        _row(id="a2", ects="two"),
        _row(id="a3", eqf_level="9"),
        _row(id="a4", participation_form="sometimes"),
        _row(id="a5", esco_skills="http://example.org/skill"),
        _row(id="", title="no id"),
        _row(id="good"),
    )
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    (report,) = ingest_paths(store, [path], Settings(data_dir=tmp_path)).reports
    assert (report.rows_read, report.rows_stored, report.rows_failed) == (7, 1, 6)
    reasons = [(p.location.rsplit(":", 1)[1], p.reason) for p in report.failed]
    assert reasons == [
        ("3", "column ects: 'two' is not a number"),
        ("4", "column eqf_level: 9 is outside 1–8"),
        ("5", "column participation_form: 'sometimes' is not online, onsite or blended"),
        ("6", "column esco_skills: 'http://example.org/skill' is not an ESCO skill URI"),
        ("7", "column id is empty"),
        ("8", "column id: 'good' appears on an earlier row"),
    ]
    (node,) = store.iter_nodes(NodeKind.CREDENTIAL)
    assert node.id == "mc:good" and node.props["ects"] == 2.0
    assert [e.target for e in store.iter_edges(EdgeKind.OFFERED_BY)] == ["provider:b"]


def test_malformed_csv_stops_the_file_and_stores_nothing(tmp_path: Path) -> None:
    path = _write(tmp_path, _row(id="ok"), 'x2,"unclosed,B,')
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    with pytest.raises(InputError) as err:
        ingest_paths(store, [path], Settings(data_dir=tmp_path))
    assert str(path) in str(err.value) and "malformed CSV" in str(err.value)
    assert store.counts().to_dict()["nodes"] == {}
