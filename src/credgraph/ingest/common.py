"""Shared pieces of the ingesters: text cleaning, id helpers, batched atomic writes."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from tqdm import tqdm

from credgraph.graph.base import GraphStore
from credgraph.ingest.report import IngestReport
from credgraph.models import Edge, Node

_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"), None)
_SPACES = re.compile(r"[\s\u00a0\u2007\u202f]+")


def clean_text(value: str | None) -> str:
    """Trim, fold non-breaking and repeated spaces, drop zero-width characters."""
    if not value:
        return ""
    return _SPACES.sub(" ", value.translate(_INVISIBLE)).strip()


def split_lines(value: str | None) -> list[str]:
    """Split a multi-value field (newline-separated, as in ESCO's main files)."""
    if not value:
        return []
    return [v for v in (clean_text(x) for x in value.split("\n")) if v]


def split_pipes(value: str | None) -> list[str]:
    """Split a " | "-separated field (ESCO's collection files)."""
    if not value:
        return []
    return [v for v in (clean_text(x) for x in value.split(" | ")) if v]


def slugify(text: str, max_len: int = 60) -> str:
    folded = unicodedata.normalize("NFKD", text)
    ascii_only = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_only).strip("-")
    return slug[:max_len].strip("-") or short_hash(text)


def short_hash(*parts: str, length: int = 12) -> str:
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


def dedupe(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def progress(items: Sequence[Any], desc: str, enabled: bool, threshold: int = 5000) -> Any:
    """A tqdm bar on stderr for long sequences, the sequence itself otherwise."""
    if not enabled or len(items) < threshold:
        return items
    return tqdm(items, desc=desc, unit="rec", leave=False, dynamic_ncols=True)


def write_batches(
    store: GraphStore,
    nodes: Sequence[Node],
    edges: Sequence[Edge],
    report: IngestReport,
    *,
    batch_size: int = 2000,
) -> None:
    """Write nodes then edges in batches inside one transaction (all or nothing)."""
    with store.transaction():
        for start in range(0, len(nodes), batch_size):
            report.nodes_written += store.upsert_nodes(nodes[start : start + batch_size])
        for start in range(0, len(edges), batch_size):
            report.edges_written += store.upsert_edges(edges[start : start + batch_size])
