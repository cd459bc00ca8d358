"""Shared steps of the ingesters of JSON record files (NSK, offers).

- ``read_records``: every line of a JSONL file parsed before anything is written (a bad
  line raises ``InputError`` from ``iter_jsonl``), then each record checked: a record
  without ``id``, with a duplicate ``id`` or with a field of the wrong type is counted as
  failed at "file:line" with a reason naming the field, and left out;
- ``type_problem`` and friends: the checks, JSON types named as JSON names them;
- ``provider_id``, ``merge_provider``: one provider described by several records or files;
- ``stale_children``: derived nodes (``<parent>#…``) a re-ingested parent no longer has.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.base import Direction, GraphStore
from credgraph.ingest.common import clean_text, dedupe, progress, short_hash, slugify
from credgraph.ingest.readers import iter_jsonl
from credgraph.ingest.report import IngestReport
from credgraph.models import EdgeKind, Node

NULL = type(None)
TypeSpec = Mapping[str, tuple[type, ...]]
Record = dict[str, Any]

_JSON_NAMES = {
    bool: "a boolean",
    str: "a string",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "an object",
    NULL: "null",
}


def json_type_name(value: Any) -> str:
    for kind, name in _JSON_NAMES.items():  # bool first: it is an int in Python
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _fits(value: Any, allowed: tuple[type, ...]) -> bool:
    if isinstance(value, bool):
        return bool in allowed  # JSON true is not the number 1
    if isinstance(value, int) and float in allowed:
        return True
    return isinstance(value, allowed)


def type_problem(record: Mapping[str, Any], spec: TypeSpec, prefix: str = "") -> str | None:
    """Why the first field of ``record`` is outside its spec, or None. A missing key is null."""
    for name, allowed in spec.items():
        value = record.get(name)
        if not _fits(value, allowed):
            wanted = " or ".join(_JSON_NAMES.get(t, t.__name__) for t in allowed)
            return f"field {prefix}{name} must be {wanted}, got {json_type_name(value)}"
    return None


def items_problem(
    record: Mapping[str, Any], field: str, spec: TypeSpec, prefix: str = ""
) -> str | None:
    """Why an item of the list ``record[field]`` is not an object fitting ``spec``, or None."""
    for i, item in enumerate(record.get(field) or []):
        where = f"{prefix}{field}[{i}]"
        if not isinstance(item, dict):
            return f"field {where} must be an object, got {json_type_name(item)}"
        problem = type_problem(item, spec, prefix=f"{where}.")
        if problem:
            return problem
    return None


def text_list_problem(record: Mapping[str, Any], fields: Iterable[str]) -> str | None:
    """Why an item of one of the lists ``fields`` is not a string, or None."""
    for field in fields:
        for i, item in enumerate(record.get(field) or []):
            if not isinstance(item, str):
                return f"field {field}[{i}] must be a string, got {json_type_name(item)}"
    return None


def id_problem(record: Mapping[str, Any]) -> str | None:
    value = record.get("id")
    if value is None:
        return "missing required field id"
    if not isinstance(value, str) or not value.strip():
        return f"field id must be a non-empty string, got {json_type_name(value)}"
    if "#" in value:
        # "#" separates a parent id from its derived nodes (competences, outcomes)
        return f"field id must not contain '#', got {value[:80]!r}"
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in value):
        return f"field id must not contain control characters, got {value[:80]!r}"
    return None


def read_records(
    path: Path, settings: Settings, report: IngestReport, check: Callable[[Record], str | None]
) -> list[tuple[str, Record]]:
    """(location "file:line", record) of every record that passes ``id_problem`` and
    ``check``; the others are counted as failed. Counts ``rows_read``."""
    lines = list(iter_jsonl(path))  # a bad line raises here, before anything is written
    good: list[tuple[str, Record]] = []
    seen: dict[str, str] = {}
    for line, record in progress(lines, path.name, settings.progress):
        report.rows_read += 1
        where = f"{path}:{line}"
        problem = id_problem(record) or check(record)
        if problem is None and record["id"] in seen:
            problem = f"duplicate id {record['id']!r} (first at {seen[record['id']]})"
        if problem:
            report.fail(where, problem)
            continue
        seen[record["id"]] = where
        good.append((where, record))
    return good


def first_record(path: Path) -> Record | None:
    """The first record of a JSONL file, for format detection (None when unreadable)."""
    try:
        first = next(iter_jsonl(path), None)
    except InputError:
        return None
    return first[1] if first else None


def provider_id(name: str) -> str:
    """``provider:<slug>``; a slug cut at its maximum length gets a hash of the full name, so
    long names that share their first 60 characters stay apart."""
    slug = slugify(name)
    if len(slugify(name, max_len=10_000)) > len(slug):
        slug = f"{slug}-{short_hash(clean_text(name), length=8)}"
    return f"provider:{slug}"


def merge_node(existing: Node, new: Node) -> Node:
    """``existing`` with ``new``'s texts and props laid over it; languages ``new`` lacks stay."""
    merged = Node.from_dict(existing.to_dict())
    merged.kind = new.kind
    merged.labels.update(new.labels)
    merged.descriptions.update(new.descriptions)
    for texts, more in (
        (merged.alt_labels, new.alt_labels),
        (merged.hidden_labels, new.hidden_labels),
    ):
        for lang, values in more.items():
            texts[lang] = dedupe([*texts.get(lang, []), *values])
    merged.props = {**merged.props, **new.props}
    return merged


def merge_provider(existing: Node | None, new: Node) -> Node:
    """A provider described by several records or files: texts merged, ``roles`` the union
    of every role seen, ``role`` the first one."""
    if existing is None:
        return new
    merged = merge_node(existing, new)
    merged.props["roles"] = sorted(
        dedupe([*existing.props.get("roles", []), *new.props.get("roles", [])])
    )
    merged.props["role"] = existing.props.get("role", new.props.get("role"))
    return merged


def merge_stored_providers(store: GraphStore, providers: Mapping[str, Node]) -> list[Node]:
    """``providers`` merged into the provider nodes the store already holds."""
    stored = {n.id: n for n in store.get_nodes(list(providers))}
    return [merge_provider(stored.get(pid), node) for pid, node in providers.items()]


def stale_children(
    store: GraphStore, parents: Iterable[str], kind: EdgeKind, keep: set[str]
) -> list[str]:
    """Derived nodes ``<parent>#…`` a stored parent links to by ``kind`` that are not in
    ``keep`` (the new ingest no longer produces them)."""
    stale: list[str] = []
    for parent in sorted(store.has_nodes(parents)):
        for _, child in store.neighbours(parent, [kind], Direction.OUT):
            if child.id.startswith(parent + "#") and child.id not in keep:
                stale.append(child.id)
    return stale
