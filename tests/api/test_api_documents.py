"""POST /v1/validate and /v1/verify: the same answers as the CLI, the one error shape, and
the body limit. Documents are the real EDC samples and the CSV template example."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from tests.api.conftest import TinyGraph, assert_problem

REPO = Path(__file__).resolve().parents[2]
ELM = REPO / "tests" / "fixtures" / "microcredentials" / "elm"
SIGNED = ELM / "Sample-MC-Annex1-signed.jsonld.gz"


@pytest.fixture
def client(tiny_graph: TinyGraph) -> Iterator[TestClient]:
    settings = tiny_graph.settings.model_copy(update={"api_max_body_bytes": 1_000_000})
    with TestClient(create_app(settings, tiny_graph.store, tiny_graph.search)) as c:
        yield c


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credgraph", "--quiet", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_validate_equals_the_cli(client: TestClient) -> None:
    raw = gzip.decompress(SIGNED.read_bytes())
    body = client.post("/v1/validate", content=raw, headers={"content-type": "application/ld+json"})
    assert body.status_code == 200, body.text
    cli = _cli("validate", str(SIGNED), "--json")
    assert cli.returncode == 0, cli.stderr
    api, local = body.json(), json.loads(cli.stdout)
    # the verification names its source (the file vs "document.json") and judges expiry
    # at "now": compare the rest exactly
    for answer in (api, local):
        answer["verification"].pop("source", None)
        answer["verification"].get("expiry", {}).pop("checked_at", None)
    assert api == local
    assert api["summary"]["missing"] == ["quality_assurance"]


def test_validate_csv_by_content_type(client: TestClient) -> None:
    raw = (REPO / "docs" / "examples" / "credentials-template.csv").read_bytes()
    r = client.post("/v1/validate", content=raw, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.json()["format"] == "credential-csv" and len(r.json()["credentials"]) == 2


def test_validate_csv_answers_a_row_ingest_refuses(client: TestClient) -> None:
    # the example's second data row (line 3, uniz-digital-mc-creation) with eqf_level 6 -> 9
    text = (REPO / "docs" / "examples" / "credentials-template.csv").read_text("utf-8")
    lines = text.splitlines(keepends=True)
    assert lines[2].count(",2,60,6,") == 1
    raw = "".join([*lines[:2], lines[2].replace(",2,60,6,", ",2,60,9,")]).encode("utf-8")
    r = client.post("/v1/validate", content=raw, headers={"content-type": "text/csv"})
    assert r.status_code == 200, r.text
    answer = r.json()
    assert [c["location"] for c in answer["credentials"]] == ["line 2", "line 3"]
    reason = "line 3, column eqf_level: 9 is outside 1–8"
    assert answer["problems"] == [reason]
    level = next(e for e in answer["credentials"][1]["elements"] if e["id"] == "level")
    assert (level["status"], level["detail"]) == ("invalid", reason)


def test_verify_tampered_is_invalid(client: TestClient) -> None:
    doc = json.loads(gzip.decompress(SIGNED.read_bytes()))
    doc["payload"] = doc["payload"].replace("University of Zed", "University of Zee", 1)
    r = client.post("/v1/verify", content=json.dumps(doc).encode())
    assert r.status_code == 200 and r.json()["status"] == "invalid"
    unsigned = (ELM / "Sample-CertOfPart-unsigned.jsonld").read_bytes()
    assert client.post("/v1/verify", content=unsigned).json()["status"] == "unsigned"


@pytest.mark.parametrize(
    ("content", "status", "detail"),
    [
        (b"{", 422, "document.json:1:2: invalid JSON"),
        (b"", 422, "empty request body"),
        (b"[1, 2]", 422, "not recognised"),
    ],
)
def test_bad_documents_are_problems(
    client: TestClient, content: bytes, status: int, detail: str
) -> None:
    for route in ("/v1/validate", "/v1/verify"):
        if route == "/v1/verify" and b"[" in content:
            continue  # verify reads any JSON: an array is simply unsigned
        body = assert_problem(client.post(route, content=content), status)
        assert detail in body["detail"], (route, body)


def test_body_limit(tiny_client: TestClient) -> None:
    # tiny_graph's limit is 2048 bytes; the sample is ~150 kB
    r = tiny_client.post("/v1/validate", content=gzip.decompress(SIGNED.read_bytes()))
    assert_problem(r, 413)


def test_cli_validate_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text('{"a": ', encoding="utf-8")
    done = _cli("validate", str(bad), "--json")
    assert done.returncode == 1 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith(f"error: {bad}:1:7: invalid JSON") and lines[1].startswith("hint:")
