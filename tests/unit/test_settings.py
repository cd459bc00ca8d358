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
