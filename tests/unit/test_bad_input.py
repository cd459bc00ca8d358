"""Bad input is refused with one clear line naming the file, the position and the field, and
nothing already stored is lost or half-written.

Small crafted files in ``tmp_path``; the store is seeded with one good offer first so
"unchanged" means something. The last sections run the CLI in a subprocess (its error
contract) and the API in-process (its problem documents).
"""

from __future__ import annotations

import gzip
import json
import os
import struct
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from credgraph.config import Settings
from credgraph.errors import InputError, UnsupportedFormatError
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths
from credgraph.ingest.readers import MAX_LINE_BYTES
from tests.api.tinygraph import build_tiny_graph
from tests.conftest import test_settings as shared_test_settings

SKILL_HEADER = (
    "conceptType,conceptUri,skillType,reuseLevel,preferredLabel,altLabels,hiddenLabels,"
    "status,modifiedDate,scopeNote,definition,inScheme,description"
)


def skill_row(n: int, label: str, kind: str = "KnowledgeSkillCompetence") -> str:
    return (
        f"{kind},http://example.org/skill/{n},skill/competence,sector-specific,{label},,,"
        "released,2023-01-01,,,,a description"
    )


def offer(record_id: Any = "x-1", **fields: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": record_id,
        "title": f"Offer {record_id}",
        "provider": "Example University",
        "language": "en",
        "credential_category": "micro-credential",
        "ects": 5,
        "eqf_level": None,
        "learning_outcomes": ["weld metal"],
    }
    if record_id is None:
        del record["id"]
    record.update(fields)
    return record


def jsonl(*records: dict[str, Any] | str) -> str:
    return "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path, progress=False)


@pytest.fixture
def store(tmp_path: Path, settings: Settings) -> Iterator[EmbeddedGraphStore]:
    graph = EmbeddedGraphStore(tmp_path / "g.sqlite")
    seed = tmp_path / "seed_offers.jsonl"
    seed.write_text(jsonl(offer("seed-1")), encoding="utf-8")
    ingest_paths(graph, [seed], settings)
    yield graph
    graph.close()


def counts(store: EmbeddedGraphStore) -> dict[str, dict[str, int]]:
    return store.counts().to_dict()


def refused(
    store: EmbeddedGraphStore, settings: Settings, path: Path, forced: str | None = None
) -> InputError:
    """Ingest ``path``, expect an ``InputError`` naming it, and the store unchanged."""
    before = counts(store)
    with pytest.raises(InputError) as caught:
        ingest_paths(store, [path], settings, forced)
    assert str(caught.value).startswith(str(path)), caught.value
    assert "\n" not in str(caught.value)
    assert caught.value.hint, "every refusal says what to do"
    assert counts(store) == before
    return caught.value


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8", newline="")
    return path


# -- ESCO CSV -------------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["cp1250", "iso-8859-2"])
def test_csv_in_a_czech_legacy_encoding_names_line_and_column(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path, encoding: str
) -> None:
    # was: "CSV file not recognised (not an ESCO CSV)" — the decoding error was swallowed
    path = tmp_path / "skills_cs.csv"
    path.write_bytes(f"{SKILL_HEADER}\n{skill_row(1, 'svářeč')}\n".encode(encoding))
    error = refused(store, settings, path)
    column = skill_row(1, "svářeč").index("á") + 1  # only ASCII before it: bytes = chars
    assert error.position == f"2:{column}"
    assert "not valid UTF-8" in error.reason


def damaged_gzips(tmp_path: Path) -> dict[str, tuple[Path, str]]:
    text = SKILL_HEADER + "\n" + "\n".join(skill_row(i, f"s{i}") for i in range(200)) + "\n"
    packed = gzip.compress(text.encode())
    corrupt = bytearray(packed)
    corrupt[20:30] = b"\xff" * 10
    files = {
        "truncated": (packed[: len(packed) // 2], "truncated"),
        "corrupt": (bytes(corrupt), "damaged"),
        "plain": (text.encode(), "not a gzip file"),
    }
    out = {}
    for name, (data, message) in files.items():
        path = tmp_path / f"{name}_skills_en.csv.gz"
        path.write_bytes(data)
        out[name] = (path, message)
    return out


@pytest.mark.parametrize("case", ["truncated", "corrupt", "plain"])
def test_damaged_gzip_is_named_as_such(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path, case: str
) -> None:
    # was: "CSV file not recognised" for all three
    path, message = damaged_gzips(tmp_path)[case]
    assert message in refused(store, settings, path).reason


def test_empty_csv_and_missing_column(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    assert "empty CSV file" in refused(store, settings, write(tmp_path / "a.csv", "")).reason
    # a concept file without preferredLabel was "not recognised"; now the column is named
    header = SKILL_HEADER.replace(",preferredLabel", "")
    error = refused(store, settings, write(tmp_path / "skills_en.csv", header + "\n"))
    assert (error.position, error.reason) == ("1", "missing column(s) preferredLabel")


UNCLOSED_QUOTE = "\n".join([skill_row(1, "ok"), skill_row(2, '"broken'), skill_row(3, "x")])
EXTRA_FIELDS = "\n".join([skill_row(1, "ok"), skill_row(2, "x") + ",extra,fields"])
NUL_ROW = skill_row(1, "nul\x00here")


@pytest.mark.parametrize(
    ("body", "position", "words"),
    [
        # an unclosed quote swallows the next line: the error says where the record began
        (UNCLOSED_QUOTE, "4", "starts at line 3"),
        (EXTRA_FIELDS, "3", "15 fields"),
        (NUL_ROW, f"2:{NUL_ROW.index(chr(0)) + 1}", "NUL byte"),
    ],
    ids=["unterminated-quote", "extra-fields", "nul-byte"],
)
def test_malformed_csv_names_the_line(
    store: EmbeddedGraphStore,
    settings: Settings,
    tmp_path: Path,
    body: str,
    position: str,
    words: str,
) -> None:
    path = write(tmp_path / "skills_en.csv", f"{SKILL_HEADER}\n{body}\n")
    error = refused(store, settings, path)
    assert error.position == position
    assert words in error.reason


def test_repeated_header_column_is_refused(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "skills_en.csv", SKILL_HEADER + ",conceptUri\n")
    assert "conceptUri appear more than once" in refused(store, settings, path).reason


def test_unrecognised_csv_lists_its_columns_escaped(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    error = refused(store, settings, write(tmp_path / "x.csv", "a,b,c\n1,2,3\n"))
    assert isinstance(error, UnsupportedFormatError)
    assert "(columns: a, b, c)" in error.reason


def test_csv_line_without_end_is_bounded(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    path = tmp_path / "bomb_skills_en.csv.gz"
    path.write_bytes(gzip.compress(b"a" * (MAX_LINE_BYTES + 10), compresslevel=1))
    error = refused(store, settings, path)
    assert (error.position, error.reason) == ("1", "line longer than 16 MiB")


def test_csv_bom_crlf_and_bad_rows(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    rows = [
        skill_row(1, "first"),
        skill_row(2, "alien", kind="Alien"),
        skill_row(3, "no uri").replace("http://example.org/skill/3", ""),
        skill_row(4, "fourth"),
    ]
    path = write(tmp_path / "skills_en.csv", "\ufeff" + "\r\n".join([SKILL_HEADER, *rows]) + "\r\n")
    (report,) = ingest_paths(store, [path], settings).reports
    assert (report.rows_read, report.rows_stored, report.rows_failed) == (4, 2, 2)
    assert [(p.location, p.reason) for p in report.failed] == [
        (f"{path}:3", "unknown conceptType 'Alien'"),
        (f"{path}:4", "empty conceptUri"),
    ]
    assert counts(store)["nodes"]["skill"] == 2


def test_relations_to_unknown_concepts_are_skipped(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "occupationSkillRelations.csv",
        "occupationUri,relationType,skillType,skillUri\n"
        "http://example.org/occ/1,essential,knowledge,http://example.org/skill/1\n",
    )
    before = counts(store)
    (report,) = ingest_paths(store, [path], settings).reports
    assert (report.rows_read, report.rows_stored, report.rows_skipped) == (1, 0, 1)
    assert report.skipped[0].location == f"{path}:2"
    assert counts(store) == before


# -- NSK / offers JSONL ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lines", "position", "words"),
    [
        (['{"id": "x-1", "title": '], "1:24", "invalid JSON: Expecting value"),
        ([offer("x-1"), '{"id": "x-2" "title": "t"}', offer("x-3")], "2:14", "delimiter"),
        ([offer("x-1"), "[1, 2]"], "2", "expected a JSON object, got an array"),
        ([offer("x-1"), '{"id": "x-2", "title": "a\tb", "provider": "p"}'], "2:26", "control"),
    ],
    ids=["first-line", "middle", "array", "raw-control-character"],
)
def test_invalid_json_line_stops_the_file(
    store: EmbeddedGraphStore,
    settings: Settings,
    tmp_path: Path,
    lines: list[Any],
    position: str,
    words: str,
) -> None:
    error = refused(store, settings, write(tmp_path / "offers.jsonl", jsonl(*lines)))
    assert error.position == position
    assert words in error.reason


@pytest.mark.parametrize(
    ("raw", "words"),
    [
        ('"ects": NaN', "NaN is not a JSON number"),
        ('"ects": -Infinity', "-Infinity is not a JSON number"),
        ('"ects": 1e999', "out of range"),
        ('"ects": ' + "9" * 5000, "more than 100 digits"),  # was a bare ValueError
        ('"title_en": "bad \\ud800 text"', "field title_en is not valid Unicode"),  # was a crash
        ('"notes": ' + "[" * 300 + "]" * 300, "nested more than 100 levels deep (in field notes)"),
        ('"notes": ' + '{"a":' * 100_000 + "1" + "}" * 100_000, "nested more than 100"),
    ],
    ids=["nan", "infinity", "inf-literal", "huge-int", "surrogate", "deep-300", "deep-100000"],
)
def test_values_that_cannot_be_stored_or_served_stop_the_file(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path, raw: str, words: str
) -> None:
    bad = json.dumps(offer("x-2"))[:-1] + ", " + raw + "}"
    error = refused(store, settings, write(tmp_path / "offers.jsonl", jsonl(offer("x-1"), bad)))
    assert error.position == "2"
    assert words in error.reason


def test_line_separators_inside_texts_do_not_split_the_line(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    # was: str.splitlines() cut a valid record at U+2028 / NEL / form feed → "invalid JSON"
    title = "one\u2028two\u0085three\x0cfour"
    path = write(tmp_path / "offers.jsonl", jsonl(offer("x-1", title=title)))
    (report,) = ingest_paths(store, [path], settings).reports
    assert (report.rows_read, report.rows_stored) == (1, 1)
    node = store.get_node("mc:x-1")
    assert node is not None and node.labels == {"en": title}


def test_bad_records_fail_with_their_field_and_the_rest_is_stored(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    path = write(
        tmp_path / "offers.jsonl",
        "\n  \n"
        + jsonl(
            offer(None),
            offer(12345),
            offer("x-1", eqf_level="3"),
            offer("x-2", learning_outcomes="weld"),
            offer("x-3", ects="2"),
            offer("x-4#lo-0123456789ab"),
            offer("x-5\x1b[31m"),
            offer("x-6", unknown_field={"kept": True}),
            offer("x-6"),
        )
        + "\n",
    )
    before = counts(store)
    (report,) = ingest_paths(store, [path], settings).reports
    assert (report.rows_read, report.rows_stored, report.rows_failed) == (9, 1, 8)
    assert [(p.location, p.reason.split(",")[0]) for p in report.failed] == [
        (f"{path}:3", "missing required field id"),
        (f"{path}:4", "field id must be a non-empty string"),
        (f"{path}:5", "field eqf_level must be an integer or null"),
        (f"{path}:6", "field learning_outcomes must be a list or null"),
        (f"{path}:7", "field ects must be a number or null"),
        (f"{path}:8", "field id must not contain '#'"),  # would collide with outcome ids
        (f"{path}:9", "field id must not contain control characters"),
        (f"{path}:11", "duplicate id 'x-6' (first at " + f"{path}:10)"),
    ]
    assert counts(store)["nodes"]["credential"] == before["nodes"]["credential"] + 1


def test_offers_file_whose_first_record_lacks_id_is_still_recognised(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    # was: "JSONL file not recognised", even with --format offers
    path = write(tmp_path / "offers.jsonl", jsonl(offer(None), offer("x-2")))
    for forced in (None, "offers"):
        (report,) = ingest_paths(store, [path], settings, forced).reports
        assert (report.format, report.rows_stored, report.rows_failed) == ("offers", 1, 1)


@pytest.mark.parametrize("text", ["", "  \n\n\t\n"])
def test_empty_jsonl_file(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path, text: str
) -> None:
    error = refused(store, settings, write(tmp_path / "offers.jsonl", text))
    assert error.reason.startswith("no records")


def test_jsonl_forced_to_the_wrong_format(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    path = write(tmp_path / "offers.jsonl", jsonl(offer("x-1")))
    assert "not an NSK file" in refused(store, settings, path, "nsk").reason
    quals = write(tmp_path / "q.jsonl", jsonl({"id": "q-1", "nsk_id": 1, "name_cs": "Kuchař"}))
    assert "not an offers JSONL file" in refused(store, settings, quals, "offers").reason


def test_huge_line_is_refused_before_parsing(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    record = offer("x-1", description_excerpt="a" * (MAX_LINE_BYTES + 1))
    error = refused(store, settings, write(tmp_path / "offers.jsonl", jsonl(record)))
    assert (error.position, error.reason) == ("1", "line longer than 16 MiB")


# -- paths, folders, archives ---------------------------------------------------------------


def test_paths_that_are_not_files(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    assert "no such file" in refused(store, settings, tmp_path / "missing.jsonl").reason
    dangling = tmp_path / "dangling.jsonl"
    dangling.symlink_to(tmp_path / "nowhere.jsonl")
    loop_a, loop_b = tmp_path / "loop_a.jsonl", tmp_path / "loop_b.jsonl"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)
    for link in (dangling, loop_a):
        assert "broken or looping symbolic link" in refused(store, settings, link).reason
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no files to load" in refused(store, settings, empty).reason
    # .xml and .json are credential documents now: "{}" is neither XML nor a known format
    xml = refused(store, settings, write(tmp_path / "data.xml", "{}\n"))
    assert xml.reason.startswith("malformed XML") and xml.position == "1:1"
    json_doc = refused(store, settings, write(tmp_path / "data.json", "{}\n"))
    assert json_doc.reason.startswith("JSON document not recognised as ELM/EDC")
    for name in ("data.yaml", "data.pdf"):
        error = refused(store, settings, write(tmp_path / name, "{}\n"))
        assert error.reason == "file format not supported"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_named_pipe_is_refused_not_read(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    fifo = tmp_path / "offers.jsonl"
    os.mkfifo(fifo)  # was: ingest blocked forever reading it
    assert "not a regular file" in refused(store, settings, fifo).reason


def test_folder_with_a_file_broken_at_its_first_line_stores_nothing(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    write(folder / "a_skills_en.csv", f"{SKILL_HEADER}\n{skill_row(1, 'good')}\n")
    write(folder / "b_offers.jsonl", '{"id": broken\n')
    write(folder / "c_offers.jsonl", jsonl(offer("x-9")))
    error = refused(store, settings, folder)
    assert (error.source, error.position) == (str(folder / "b_offers.jsonl"), "1:8")


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_zip_archives(store: EmbeddedGraphStore, settings: Settings, tmp_path: Path) -> None:
    good = f"{SKILL_HEADER}\n{skill_row(1, 'ok')}\n".encode()
    assert (
        "not a valid zip"
        in refused(store, settings, write(tmp_path / "fake.zip", "not a zip")).reason
    )
    # was: silently loaded nothing
    no_csv = make_zip(tmp_path / "readme.zip", {"readme.txt": b"x"})
    assert "no ESCO CSV file" in refused(store, settings, no_csv).reason
    # a zip bomb is refused from its directory, before anything is extracted
    bomb = bytearray(make_zip(tmp_path / "bomb.zip", {"skills_en.csv": good}).read_bytes())
    entry = bomb.find(b"PK\x01\x02")
    bomb[entry + 24 : entry + 28] = struct.pack("<I", 0xFFFFFFF0)  # declared size ~4 GiB
    (tmp_path / "bomb.zip").write_bytes(bytes(bomb))
    assert (
        "skills_en.csv expands to 4095 MiB"
        in refused(store, settings, tmp_path / "bomb.zip").reason
    )
    # a bad member is named inside the archive (was: a temporary folder's path)
    latin1 = f"{SKILL_HEADER}\n{skill_row(2, 'café')}\n".encode("latin-1")
    mixed = make_zip(tmp_path / "mixed.zip", {"skills_en.csv": good, "occupations_en.csv": latin1})
    error = refused(store, settings, mixed)
    assert error.source == f"{mixed}!occupations_en.csv"
    assert error.position == f"2:{skill_row(2, 'café').index('é') + 1}"
    assert "not valid UTF-8" in error.reason


def test_zip_report_locations_name_the_member(
    store: EmbeddedGraphStore, settings: Settings, tmp_path: Path
) -> None:
    rows = f"{SKILL_HEADER}\n{skill_row(1, 'ok')}\n{skill_row(2, 'x', kind='Alien')}\n"
    archive = make_zip(tmp_path / "esco.zip", {"skills_en.csv": rows.encode()})
    (report,) = ingest_paths(store, [archive], settings).reports
    assert report.source == f"{archive}!skills_en.csv"
    assert [p.location for p in report.failed] == [f"{archive}!skills_en.csv:3"]


# -- the CLI contract -------------------------------------------------------------------------


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CREDGRAPH_DATA_DIR": str(tmp_path / "cli-data")}
    return subprocess.run(
        [sys.executable, "-m", "credgraph", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        (
            "offers.jsonl",
            jsonl(offer("x-1")) + '{"ects": ' + "9" * 5000 + "}\n",
            ":2: invalid JSON",
        ),
        ("offers.jsonl", jsonl(offer("x-1")) + '{"title": "\\udc00"}\n', ":2: field title"),
        ("skills_en.csv", "a,b\x1b[31m,c\n", r"b\x1b[31m"),  # escaped, not a colour
        ("fifo", "", ": not a regular file"),
    ],
    ids=["huge-int", "surrogate", "ansi-escape", "named-pipe"],
)
def test_cli_refusal_is_one_error_line_and_a_hint(
    tmp_path: Path, name: str, content: str, expected: str
) -> None:
    path = tmp_path / name
    if name == "fifo":
        if not hasattr(os, "mkfifo"):
            pytest.skip("needs named pipes")
        os.mkfifo(path)
    else:
        write(path, content)
    result = run_cli(tmp_path, "ingest", str(path))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"error: {path}") and expected in lines[0]
    assert "\x1b" not in result.stderr
    assert lines[1].startswith("hint: ")
    assert "Traceback" not in result.stderr and result.stdout == ""


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CREDGRAPH_DENSE_QUERY_MAP_BLEND", "2", "less than or equal to 1"),
        ("CREDGRAPH_DENSE_INDEX", "ivf", "'hnsw' or 'flat'"),
        ("CREDGRAPH_SEARCH_QUERY_CACHE_SIZE", "abc", "valid integer"),
        ("CREDGRAPH_FUSION_K", "-3", "greater than or equal to 1"),
    ],
)
def test_an_invalid_setting_is_named_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    result = run_cli(tmp_path, "stats")
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 2, result.stderr
    assert lines[0].startswith(f"error: invalid setting {variable}={value!r}")
    assert expected in lines[0] and "internal error" not in lines[0]
    assert lines[1] == "hint: see docs/settings.md for each setting's allowed values"


# -- the API ----------------------------------------------------------------------------------

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance", "errors"}


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    settings = shared_test_settings(tmp_path_factory.mktemp("bad-input-api"))
    store, search, embedder = build_tiny_graph(settings)
    with TestClient(create_app(settings, store, search)) as test_client:
        yield test_client
    embedder.cache.close()
    store.close()


def problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert set(body) == PROBLEM_KEYS
    assert body["type"] == f"urn:credgraph:problem:{slug}"
    assert "Traceback" not in response.text
    return body


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("q=a%00b", "control character U+0000"),
        ("q=%1b%5B31m", "control character U+001B"),
        ("q=%ff%fe", "not valid UTF-8"),  # the server decodes it to U+FFFD
        ("q=...", "no letters or digits"),
        ("q=%E2%80%8B", "no letters or digits"),  # a zero-width space
    ],
)
def test_search_refuses_queries_with_nothing_to_search(
    client: TestClient, query: str, words: str
) -> None:
    # was: 200 with ten arbitrary nearest neighbours
    body = problem(client.get(f"/v1/search?{query}"), 400, "query-error")
    assert words in body["detail"]


@pytest.mark.parametrize(
    "repeated", ["q=weld&q=bake", "q=weld&limit=5&limit=7", "q=x&lang=cs&lang=en"]
)
def test_repeated_single_value_parameters_are_refused(client: TestClient, repeated: str) -> None:
    # was: the last value silently won
    body = problem(client.get(f"/v1/search?{repeated}"), 400, "invalid-parameter")
    name = repeated.split("&")[-1].split("=")[0]
    assert body["errors"][0]["loc"] == ["query", name]


def test_list_parameters_may_still_repeat(client: TestClient) -> None:
    assert client.get("/v1/search?q=weld&kind=skill&kind=credential").status_code == 200


def test_head_is_answered_like_get_without_a_body(client: TestClient) -> None:
    # was: 405
    response = client.head("/v1/health")
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["content-length"]) > 0
    assert client.head("/v1/nodes/esco:skill/none").status_code == 404


def test_overlong_node_id_is_a_validation_error(client: TestClient) -> None:
    # was: a 404 whose detail echoed the whole id back
    body = problem(client.get("/v1/nodes/" + "a" * 5000), 422, "validation-error")
    assert body["errors"][0]["loc"] == ["path", "id"]
    assert len(body["detail"]) < 200
