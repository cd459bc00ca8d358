"""`credgraph eval retrieval` end to end with the real embedder, and the development set.

The corpus is a handful of real ESCO/NSK labels (copied from data/), small enough to embed
in seconds. Expected values come from the construction of the queries (a query equal to
an item's only text must come first lexically), and the reported means are recomputed
independently from the TREC run file the command writes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

from credgraph.cli import main
from tests.conftest import CACHE, REPO, Bundled

CORPUS = """\
# real labels: ESCO v1.1.1 occupations/skills (en, with the cs preferred label where ESCO has one)
occ-welder\twelder
occ-welder\tsvářeč/svářečka
occ-cook\tcook
occ-cook\tkuchař/kuchařka
occ-hairdresser\thairdresser
occ-hairdresser\tkadeřník/kadeřnice
skill-weld\tuse welding equipment
skill-budget\tmanage budgets
skill-bread\tprepare bakery products
nsk-elektro\tMontér elektrických instalací
"""

QUERIES = """\
q-exact\tmanage budgets
q-cs\tsvářeči
q-en\thair stylist
q-none\tquantum chromodynamics
"""

QRELS = """\
q-exact 0 skill-budget 1
q-cs 0 occ-welder 1
q-en 0 occ-hairdresser 1
q-none 0 skill-bread 0
"""


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name, text in {"corpus": CORPUS, "queries": QUERIES, "qrels": QRELS}.items():
        out[name] = tmp_path / f"{name}.tsv"
        out[name].write_text(text, encoding="utf-8")
    return out


def run(
    files: dict[str, Path], tmp_path: Path, *extra: str, data_dir: Path | None = None
) -> tuple[int, str, str]:
    """The command in a subprocess: exit code, stdout, stderr."""
    args = [
        "--quiet",
        "--data-dir",
        str(data_dir or tmp_path / "data"),
        "eval",
        "retrieval",
        "--corpus",
        str(files["corpus"]),
        "--queries",
        str(files["queries"]),
        "--qrels",
        str(files["qrels"]),
        "--cache",
        str(CACHE / "embeddings-test.sqlite"),
        *extra,
    ]
    done = subprocess.run(
        [sys.executable, "-m", "credgraph", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, done.stdout, done.stderr


def means_from_run(run_file: Path, qrels: str) -> dict[str, float]:
    """MRR@10 and recall@1 from the run file alone (an independent re-computation)."""
    relevant: dict[str, set[str]] = defaultdict(set)
    for line in qrels.splitlines():
        qid, _, doc, grade = line.split()
        if int(grade) > 0:
            relevant[qid].add(doc)
    ranked: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for line in run_file.read_text().splitlines():
        qid, q0, doc, rank, _score, _tag = line.split()
        assert q0 == "Q0"
        ranked[qid].append((int(rank), doc))
    rr, r1 = [], []
    for qid, docs in relevant.items():
        order = [doc for _, doc in sorted(ranked.get(qid, []))][:10]
        first = next((i for i, doc in enumerate(order, 1) if doc in docs), None)
        rr.append(0.0 if first is None else 1 / first)
        r1.append(1.0 if order[:1] and order[0] in docs else 0.0)
    return {"mrr@10": sum(rr) / len(rr), "recall@1": sum(r1) / len(r1)}


@pytest.mark.parametrize("mode", ["hybrid", "lexical", "dense", "bm25"])
def test_eval_retrieval_modes(files: dict[str, Path], tmp_path: Path, mode: str) -> None:
    run_file = tmp_path / f"{mode}.run"
    code, out, err = run(files, tmp_path, "--mode", mode, "--json", "--run-out", str(run_file))
    assert code == 0, err
    report = json.loads(out)
    assert report["mode"] == mode
    assert report["corpus"] == {"path": str(files["corpus"]), "items": 7, "texts": 10}
    # q-none judges nothing relevant: it runs but is left out of the means
    assert report["queries"]["count"] == 4
    assert report["queries"]["evaluated"] == 3
    assert report["queries"]["without_relevant"] == ["q-none"]
    per_query = {q["qid"]: q for q in report["per_query"]}
    # the query is the item's only text: every lexical ranker puts it first
    if mode != "dense":
        assert per_query["q-exact"]["first_relevant_rank"] == 1
    # the means equal those recomputed from the run file
    independent = means_from_run(run_file, QRELS)
    for name, value in independent.items():
        assert report["metrics"][name] == pytest.approx(value, abs=1e-6)
    # ... and the mean of the per-query values (both rounded to 6 places in the report)
    mean = sum(q["mrr@10"] for q in per_query.values()) / 3
    assert report["metrics"]["mrr@10"] == pytest.approx(mean, abs=1e-6)
    tag = "bm25s" if mode == "bm25" else f"credgraph-{mode}"
    assert {line.split()[-1] for line in run_file.read_text().splitlines()} == {tag}


def test_plain_bm25_misses_the_inflected_czech_form_the_product_finds(
    files: dict[str, Path], tmp_path: Path
) -> None:
    # "svářeči" (plural) shares no exact token with "svářeč/svářečka": plain BM25 finds
    # nothing; the product's Czech analysis (stemming, n-grams) finds the welder
    _, out, _ = run(files, tmp_path, "--mode", "bm25", "--json")
    assert {q["qid"]: q for q in json.loads(out)["per_query"]}["q-cs"][
        "first_relevant_rank"
    ] is None
    _, out, _ = run(files, tmp_path, "--mode", "lexical", "--json")
    assert {q["qid"]: q for q in json.loads(out)["per_query"]}["q-cs"]["first_relevant_rank"] == 1


def test_bad_qrels_is_one_line_naming_file_and_line(files: dict[str, Path], tmp_path: Path) -> None:
    files["qrels"].write_text("q-cs 0 occ-welder 1\nq-cs 0 no-such-doc 1\n", encoding="utf-8")
    code, out, err = run(files, tmp_path)
    assert code == 1
    assert out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"error: {files['qrels']}:2: document id 'no-such-doc'"), err
    assert lines[1].startswith("hint: ")
    assert "Traceback" not in err


def test_depth_below_ten_is_a_usage_error(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["eval", "retrieval", "--corpus", str(files["corpus"]), "--queries",
              str(files["queries"]), "--qrels", str(files["qrels"]), "--k", "5"])  # fmt: skip
    assert caught.value.code == 2
    assert "--k" in capsys.readouterr().err


def test_development_set_files_are_what_the_builder_makes() -> None:
    # build.py --check rebuilds the set from data/ and the hand-written files in memory
    # and fails if any committed file differs (so the frozen split cannot drift)
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "devset" / "build.py"), "--check"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "held out" in done.stdout
    dev = {line.split("\t")[0] for line in _rows("queries_dev.tsv")}
    held = {line.split("\t")[0] for line in _rows("queries_heldout.tsv")}
    assert dev and held and not dev & held


def _rows(name: str) -> list[str]:
    return (REPO / "benchmarks" / "devset" / name).read_text(encoding="utf-8").splitlines()


@pytest.mark.slow
def test_query_map_comes_from_the_data_folder_without_the_scored_queries(
    files: dict[str, Path], tmp_path: Path, bundled: Bundled
) -> None:
    # no graph in the data folder: no map
    code, out, err = run(files, tmp_path, "--mode", "dense", "--json")
    assert code == 0, err
    assert json.loads(out)["query_map"] is None
    # the bundled graph: the map of ingest, less the pairs whose Czech text is a query.
    # "svářeč" is the Czech preferred label of the ESCO occupation welder (the "_000" row
    # of data/esco/cs/occupations_cs_labels_esco_v1.0.9.csv.gz), so exactly one pair goes
    qmap = bundled.search.query_map
    assert qmap is not None
    files["queries"].write_text(QUERIES + "q-label\tSvářeč\n", encoding="utf-8")
    data_dir = bundled.settings.data_dir
    code, out, err = run(files, tmp_path, "--mode", "dense", "--json", data_dir=data_dir)
    assert code == 0, err
    report = json.loads(out)
    assert report["query_map"]["pairs"] == qmap.pairs - 1
    assert report["settings"]["dense_query_map_blend"] == 0.25
    code, out, err = run(files, tmp_path, "--json", "--no-query-map", data_dir=data_dir)
    assert code == 0, err
    assert json.loads(out)["query_map"] is None
