"""Domain types of the graph: node and edge kinds, nodes, edges, counts.

Contract:
- A node id is a stable string: ESCO concept URI, ``nsk:<record id>``, ``mc:<record id>``,
  ``provider:<slug>``; derived nodes (competences, learning outcomes) append ``#...``.
- Every text is a language map ``{"cs": "...", "en": "..."}``; ``labels`` holds the
  preferred label per language, ``alt_labels``/``hidden_labels`` lists per language.
- ``props`` holds JSON-serialisable attributes only (str, int, float, bool, None, list, dict).
- An edge is identified by (source, kind, target); upserting it again replaces its props.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

JSONValue = Any
LangMap = dict[str, str]
LangListMap = dict[str, list[str]]

ESCO_BASE = "http://data.europa.eu/esco/"

# Short prefixes accepted for ids in the API and CLI (expanded to the stored id).
ID_PREFIXES: Mapping[str, str] = {"esco:": ESCO_BASE}


class NodeKind(StrEnum):
    SKILL = "skill"
    SKILL_GROUP = "skill_group"
    OCCUPATION = "occupation"
    ISCO_GROUP = "isco_group"
    QUALIFICATION = "qualification"
    COMPETENCE = "competence"
    CREDENTIAL = "credential"
    LEARNING_OUTCOME = "learning_outcome"
    PROVIDER = "provider"

    @classmethod
    def parse(cls, text: str) -> NodeKind:
        """Case-insensitive; accepts ``SkillGroup``, ``skill-group`` and ``skill_group``."""
        key = text.strip().lower().replace("-", "_")
        aliases = {
            "skillgroup": "skill_group",
            "iscogroup": "isco_group",
            "learningoutcome": "learning_outcome",
        }
        key = aliases.get(key, key)
        try:
            return cls(key)
        except ValueError as exc:
            from credgraph.errors import QueryError

            known = ", ".join(k.value for k in cls)
            raise QueryError(f"unknown node kind {text!r}", hint=f"use one of: {known}") from exc


class EdgeKind(StrEnum):
    BROADER = "BROADER"
    REQUIRES = "REQUIRES"
    RELATED_SKILL = "RELATED_SKILL"
    HAS_COMPETENCE = "HAS_COMPETENCE"
    PART_OF = "PART_OF"
    RELATES_TO_OCCUPATION = "RELATES_TO_OCCUPATION"
    HAS_OUTCOME = "HAS_OUTCOME"
    ALIGNS_TO = "ALIGNS_TO"
    OFFERED_BY = "OFFERED_BY"
    AWARDED_BY = "AWARDED_BY"
    PREREQUISITE = "PREREQUISITE"
    STACKS_INTO = "STACKS_INTO"
    RECOGNISED_AS = "RECOGNISED_AS"


@dataclass(slots=True)
class Node:
    id: str
    kind: NodeKind
    labels: LangMap = field(default_factory=dict)
    alt_labels: LangListMap = field(default_factory=dict)
    hidden_labels: LangListMap = field(default_factory=dict)
    descriptions: LangMap = field(default_factory=dict)
    props: dict[str, JSONValue] = field(default_factory=dict)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "labels": dict(self.labels),
            "alt_labels": {k: list(v) for k, v in self.alt_labels.items()},
            "hidden_labels": {k: list(v) for k, v in self.hidden_labels.items()},
            "descriptions": dict(self.descriptions),
            "props": dict(self.props),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, JSONValue]) -> Node:
        return cls(
            id=data["id"],
            kind=NodeKind(data["kind"]),
            labels=dict(data.get("labels") or {}),
            alt_labels={k: list(v) for k, v in (data.get("alt_labels") or {}).items()},
            hidden_labels={k: list(v) for k, v in (data.get("hidden_labels") or {}).items()},
            descriptions=dict(data.get("descriptions") or {}),
            props=dict(data.get("props") or {}),
        )


@dataclass(slots=True)
class Edge:
    source: str
    kind: EdgeKind
    target: str
    props: dict[str, JSONValue] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.kind.value, self.target)

    def to_dict(self) -> dict[str, JSONValue]:
        return {
            "source": self.source,
            "kind": self.kind.value,
            "target": self.target,
            "props": dict(self.props),
        }


@dataclass(slots=True)
class GraphCounts:
    nodes: dict[str, int]
    edges: dict[str, int]

    def to_dict(self) -> dict[str, dict[str, int]]:
        return {
            "nodes": dict(sorted(self.nodes.items())),
            "edges": dict(sorted(self.edges.items())),
        }


def expand_id(text: str) -> str:
    """Expand a prefixed id (``esco:skill/<uuid>``) to the stored id; other ids pass through."""
    value = text.strip()
    for prefix, base in ID_PREFIXES.items():
        if value.startswith(prefix):
            return base + value[len(prefix) :]
    return value


def display_label(node: Node, lang: str | None) -> tuple[str, str | None]:
    """The label to show and its language: ``lang`` if present, then cs → en → any."""
    order: list[str] = []
    if lang:
        order.append(lang)
    order += ["cs", "en"]
    for code in order:
        text = node.labels.get(code)
        if text:
            return text.strip(), code
    for code, text in sorted(node.labels.items()):
        if text:
            return text.strip(), code
    return node.id, None


def kind_phrase(kind: NodeKind) -> str:
    """ "a qualification", "an occupation": for messages."""
    name = kind.value
    return f"{'an' if name[:1] in 'aeiou' else 'a'} {name}"


def short_id(node_id: str, limit: int = 120) -> str:
    """An id as shown in a message: repr-quoted, cut to ``limit`` characters."""
    return repr(node_id if len(node_id) <= limit else node_id[:limit] + "…")
