"""Competences of NSK records: one Competence node per listed competence, and the
assessment criteria put on the competence they assess.

A competence has exactly one language: Czech and English lists of a record come from
different revisions and are never paired by position. Its id hashes the language and the
cleaned name (``nsk:<record id>#c-<short_hash(lang, name)>``), so re-ingest finds it again.
A criteria item goes to the competence of the same name (after ``clean_text``): exact
first, then by prefix where either name was cut with "…"; an item that matches none becomes
a Czech competence of its own with ``from_criteria: true``.
"""

from __future__ import annotations

from typing import Any

from credgraph.ingest.common import clean_text, short_hash
from credgraph.models import Edge, EdgeKind, Node, NodeKind

ELLIPSIS = "…"
MIN_PREFIX_CHARS = 10  # a cut name matches by prefix only with this much text before "…"
CRITERIA_PROPS = ("criteria", "pass_rule", "criteria_truncated", "criteria_level")


def competence_id(qualification: str, lang: str, name: str) -> str:
    return f"{qualification}#c-{short_hash(lang, clean_text(name))}"


def competence_node(
    qualification: str, lang: str, name: str, position: int | None, **props: Any
) -> Node:
    """The label keeps the name as given (trimmed); matching uses the cleaned name."""
    text = name.strip()
    return Node(
        id=competence_id(qualification, lang, text),
        kind=NodeKind.COMPETENCE,
        labels={lang: text},
        props={
            "source": "nsk",
            "qualification": qualification,
            "lang": lang,
            "position": position,
            "truncated": clean_text(text).endswith(ELLIPSIS),
            **props,
        },
    )


def has_competence(qualification: str, competence: Node) -> Edge:
    return Edge(
        qualification,
        EdgeKind.HAS_COMPETENCE,
        competence.id,
        {"level": competence.props.get("level")},
    )


def listed_competences(record: dict[str, Any], qualification: str) -> list[Node]:
    """``competences_cs`` then ``competences_en``, each item its own node; position is
    1-based within its list."""
    out: dict[str, Node] = {}
    for lang in ("cs", "en"):
        for position, item in enumerate(record.get(f"competences_{lang}") or [], start=1):
            if not clean_text(item["name"]):
                continue
            node = competence_node(
                qualification,
                lang,
                item["name"],
                position,
                level=item.get("level"),
                list_truncated=record.get(f"competences_{lang}_truncated"),
                standard=record.get(f"competences_{lang}_standard"),
            )
            out.setdefault(node.id, node)  # a name listed twice is one competence
    return list(out.values())


def _stem(text: str) -> str | None:
    """The text before a closing "…", when long enough to match by prefix."""
    if not text.endswith(ELLIPSIS):
        return None
    stem = text[:-1].rstrip()
    return stem if len(stem) >= MIN_PREFIX_CHARS else None


def match_competence(name: str, competences: list[Node]) -> Node | None:
    """The competence named ``name`` (cleaned): exact, else by prefix when either name was
    cut with "…"; Czech before English, list order."""
    names = [(clean_text(next(iter(c.labels.values()), "")), c) for c in competences]
    for other, node in names:
        if other == name:
            return node
    name_stem = _stem(name)
    for other, node in names:
        other_stem = _stem(other)
        if (other_stem and name.startswith(other_stem)) or (
            name_stem and other.startswith(name_stem)
        ):
            return node
    return None


def attach_criteria(record: dict[str, Any], qualification: str, competences: list[Node]) -> None:
    """Put each ``criteria`` item on its competence (appending to ``competences`` the ones
    made from unmatched items); every competence ends with all ``CRITERIA_PROPS`` set."""
    for position, item in enumerate(record.get("criteria") or [], start=1):
        name = clean_text(item["competence"])
        if not name:
            continue
        target = match_competence(name, competences)
        if target is None:
            target = competence_node(
                qualification,
                "cs",
                item["competence"],
                None,
                level=item.get("level"),
                list_truncated=None,
                standard=None,
                from_criteria=True,
                criteria_position=position,
            )
            competences.append(target)
        props = target.props
        props["criteria"] = [*(props.get("criteria") or []), *(item.get("criteria") or [])]
        if props.get("pass_rule") is None:
            props["pass_rule"] = item.get("pass_rule")
        props["criteria_truncated"] = bool(props.get("criteria_truncated") or item.get("truncated"))
        props.setdefault("criteria_level", item.get("level"))
    for competence in competences:
        for key in CRITERIA_PROPS:
            competence.props.setdefault(key, None)
