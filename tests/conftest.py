"""Shared fixtures.

``bundled`` ingests the repository's real data once per test session into a temporary
data folder. Embeddings are cached in ``.cache/`` of the checkout (git-ignored), so the
first run embeds ~33k texts (~3 min on 2 cores) and later runs reuse them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from credgraph.config import Settings
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.search.service import SearchService

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "data"
CACHE = Path(os.environ.get("CREDGRAPH_TEST_CACHE_DIR", REPO / ".cache"))


@dataclass
class Bundled:
    settings: Settings
    result: dict[str, Any]
    store: EmbeddedGraphStore
    search: SearchService

    def report(self, name: str) -> dict[str, Any]:
        """The ingest report of the file whose name is ``name``."""
        found = [f for f in self.result["files"] if Path(f["source"]).name == name]
        assert len(found) == 1, f"{name}: {len(found)} reports"
        return found[0]


def test_settings(data_dir: Path) -> Settings:
    CACHE.mkdir(parents=True, exist_ok=True)
    return Settings(
        data_dir=data_dir, progress=False, embedding_cache=CACHE / "embeddings-test.sqlite"
    )


@pytest.fixture(scope="session")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Bundled]:
    from credgraph.runtime import make_embedder, open_search, run_ingest

    settings = test_settings(tmp_path_factory.mktemp("bundled"))
    embedder = make_embedder(settings)
    result = run_ingest(settings, embedder=embedder)
    store = EmbeddedGraphStore(settings.store_path)
    search = open_search(settings, store, embedder)
    yield Bundled(settings, result, store, search)
    store.close()


# -- Neo4j ------------------------------------------------------------------------------------


def _java_available() -> bool:
    import shutil

    return shutil.which("java") is not None and shutil.which("mvn") is not None


@pytest.fixture(scope="session")
def neo4j_uri(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Neo4j 5 server: CREDGRAPH_NEO4J_URI if set, else one started by
    scripts/neo4j-server for this session (stopped at the end).

    In CI (CI=true) a server that cannot be had fails the tests; locally they are skipped
    with the reason when neither Java/Maven nor CREDGRAPH_NEO4J_URI is available.
    """
    import subprocess

    given = os.environ.get("CREDGRAPH_NEO4J_URI")
    if given:
        yield given
        return
    in_ci = os.environ.get("CI", "").lower() == "true"
    if not _java_available():
        reason = "Neo4j tests need Java and Maven (or CREDGRAPH_NEO4J_URI)"
        if in_ci:
            pytest.fail(reason)
        pytest.skip(reason)
    data = tmp_path_factory.mktemp("neo4j")
    script = str(REPO / "scripts" / "neo4j-server")
    started = subprocess.run(
        [script, "start", "--data", str(data), "--port", "0"],
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if started.returncode != 0:
        pytest.fail(f"could not start Neo4j: {started.stderr.strip()[-2000:]}")
    uri = started.stdout.strip().splitlines()[-1]
    try:
        yield uri
    finally:
        subprocess.run(
            [script, "stop", "--data", str(data)], capture_output=True, timeout=120, check=False
        )
