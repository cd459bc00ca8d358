"""Settings: backend selection and secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from credgraph.config import Settings
from credgraph.errors import ConfigError, StoreUnavailableError
from credgraph.graph import open_store


def test_password_is_never_shown(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, neo4j_password="s3cret-pw", api_key="k3y-value")
    for text in (repr(settings), str(settings), settings.model_dump_json()):
        assert "s3cret-pw" not in text and "k3y-value" not in text


def test_env_selects_the_backend(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("CREDGRAPH_GRAPH_BACKEND", "neo4j")
    monkeypatch.setenv("CREDGRAPH_NEO4J_URI", "bolt://127.0.0.1:1")
    monkeypatch.setenv("CREDGRAPH_NEO4J_PASSWORD", "s3cret-pw")
    settings = Settings(data_dir=tmp_path)
    assert settings.graph_backend == "neo4j"
    with pytest.raises(StoreUnavailableError) as err:
        open_store(settings)  # nothing listens on port 1
    assert "s3cret-pw" not in str(err.value)


def test_neo4j_without_uri_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CREDGRAPH_NEO4J_URI"):
        open_store(Settings(data_dir=tmp_path, graph_backend="neo4j"))


def test_settings_reach_worker_processes_through_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # serve --workers N: each worker builds Settings() from CREDGRAPH_* variables only
    from credgraph.api.server import settings_environment

    given = Settings(
        data_dir=tmp_path / "d",
        api_key="k3y-value",
        embedding_cache=tmp_path / "e.sqlite",
        search_candidates=77,
        fusion_lexical_by_coverage=False,
        dense_index="flat",
        dense_min_score=0.81,
        progress=False,
    )
    for name in Settings.model_fields:
        monkeypatch.delenv(f"CREDGRAPH_{name.upper()}", raising=False)
    for key, value in settings_environment(given).items():
        monkeypatch.setenv(key, value)
    rebuilt = Settings()
    assert rebuilt.model_dump() == given.model_dump()
    assert rebuilt.api_key is not None and rebuilt.api_key.get_secret_value() == "k3y-value"
