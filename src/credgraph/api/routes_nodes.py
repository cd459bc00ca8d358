"""GET /v1/nodes/{id}: a node with its neighbours;
GET /v1/skills/{id}/credentials: credentials and qualifications aligned to a skill."""

from __future__ import annotations

from collections import Counter
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from credgraph.api.deps import Context, Lang, load_node
from credgraph.api.errors import ParameterError
from credgraph.api.schemas import NodeResponse, SkillCredentialsResponse, problem_responses
from credgraph.graph.base import Direction, GraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind, display_label

MAX_NEIGHBOURS = 1000

MAX_ID_CHARS = 1000  # stored ids are URIs or short prefixed keys (< 100 characters)

NodeId = Annotated[
    str,
    Path(
        max_length=MAX_ID_CHARS,
        description="Full URI (`http://data.europa.eu/esco/skill/<uuid>`), `esco:` prefixed id "
        "(`esco:skill/<uuid>`) or stored id (`nsk:nsk-6`). Percent-encode `#` as `%23`.",
        examples=["esco:occupation/00030d09-2b3a-4efd-87cc-c4ea39d27c34"],
    ),
]
Limit = Annotated[int, Query(ge=1, le=MAX_NEIGHBOURS, description="Most items to list.")]


def node_ref(node: Node, lang: str | None) -> dict[str, Any]:
    label, label_lang = display_label(node, lang)
    return {"id": node.id, "kind": node.kind.value, "label": label, "label_lang": label_lang}


def _parse_edge_kinds(values: list[str] | None) -> list[EdgeKind] | None:
    if not values:
        return None
    kinds: list[EdgeKind] = []
    for value in values:
        for part in value.split(","):
            name = part.strip().upper()
            if not name:
                continue
            try:
                kinds.append(EdgeKind(name))
            except ValueError as exc:
                known = ", ".join(k.value for k in EdgeKind)
                raise ParameterError(
                    "edge_kind", f"unknown edge kind {part.strip()!r}", hint=f"use one of: {known}"
                ) from exc
    return kinds or None


def _direction(edge: Edge, node_id: str) -> str:
    return "out" if edge.source == node_id else "in"


def nodes_router() -> APIRouter:
    router = APIRouter(tags=["graph"])

    @router.get(
        "/nodes/{id:path}",
        response_model=NodeResponse,
        responses=problem_responses(400, 404, 422, 503),
        summary="A node, its labels and properties, and its neighbours",
    )
    def get_node(
        context: Context,
        id: NodeId,
        lang: Lang,
        limit: Limit = 100,
        edge_kind: Annotated[
            list[str] | None,
            Query(
                description="Only these edge kinds (`REQUIRES`, `BROADER`, ...); repeat or "
                "separate with commas."
            ),
        ] = None,
        direction: Annotated[
            Direction, Query(description="`out`: edges from the node, `in`: edges into it.")
        ] = Direction.BOTH,
    ) -> dict[str, Any]:
        node = load_node(context.store, id)
        pairs = context.store.neighbours(node.id, _parse_edge_kinds(edge_kind), direction)
        body = node.to_dict()
        body["label"], body["label_lang"] = display_label(node, lang)
        return {
            "node": body,
            "neighbours": [
                {
                    "edge": edge.to_dict(),
                    "direction": _direction(edge, node.id),
                    "node": node_ref(other, lang),
                }
                for edge, other in pairs[:limit]
            ],
            "neighbour_counts": dict(sorted(Counter(e.kind.value for e, _ in pairs).items())),
            "truncated": len(pairs) > limit,
        }

    @router.get(
        "/skills/{id:path}/credentials",
        response_model=SkillCredentialsResponse,
        responses=problem_responses(400, 404, 422, 503),
        summary="Credentials and qualifications that teach or require a skill",
    )
    def skill_credentials(
        context: Context,
        id: NodeId,
        lang: Lang,
        limit: Limit = 100,
    ) -> dict[str, Any]:
        skill = load_node(context.store, id)
        if skill.kind is not NodeKind.SKILL:
            raise ParameterError(
                "id", f"{skill.id} is not a skill (its kind is {skill.kind.value})", location="path"
            )
        results = aligned_credentials(context.store, skill.id, lang)
        return {
            "skill": node_ref(skill, lang),
            "results": [{**node_ref(node, lang), "via": via} for node, via in results[:limit]],
            "truncated": len(results) > limit,
        }

    return router


# Where an ALIGNS_TO edge may start, and how to get from there to what a learner can earn.
_OWNER_EDGE = {
    NodeKind.LEARNING_OUTCOME: EdgeKind.HAS_OUTCOME,
    NodeKind.COMPETENCE: EdgeKind.HAS_COMPETENCE,
}
_RESULT_KINDS = (NodeKind.CREDENTIAL, NodeKind.QUALIFICATION)


def aligned_credentials(
    store: GraphStore, skill_id: str, lang: str | None = None
) -> list[tuple[Node, list[dict[str, Any]]]]:
    """Credentials and qualifications aligned to a skill, each with the edges that say so.

    An ALIGNS_TO edge from a credential or qualification counts directly (``through`` null);
    one from a learning outcome counts for the credentials that have the outcome
    (HAS_OUTCOME), one from a competence for the qualifications that have it
    (HAS_COMPETENCE). Sorted by kind (credentials first), label in ``lang``, id.
    """
    found: dict[str, tuple[Node, list[dict[str, Any]]]] = {}

    def add(node: Node, edge: Edge, through: str | None) -> None:
        entry = found.setdefault(node.id, (node, []))
        entry[1].append({"edge": edge.to_dict(), "through": through})

    for edge, source in store.neighbours(skill_id, [EdgeKind.ALIGNS_TO], Direction.IN):
        if source.kind in _RESULT_KINDS:
            add(source, edge, None)
            continue
        owner_edge = _OWNER_EDGE.get(source.kind)
        if owner_edge is None:
            continue
        for _, owner in store.neighbours(source.id, [owner_edge], Direction.IN):
            if owner.kind in _RESULT_KINDS:
                add(owner, edge, source.id)
    order = {kind: i for i, kind in enumerate(_RESULT_KINDS)}
    return sorted(
        found.values(),
        key=lambda item: (
            order[item[0].kind],
            display_label(item[0], lang)[0].casefold(),
            item[0].id,
        ),
    )
