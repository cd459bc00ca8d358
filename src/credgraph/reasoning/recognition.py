"""Recognition: does A (a credential or qualification) cover B (a qualification,
competence or credential)?

Verdict rules, in order (docs/reasoning.md; thresholds are settings):

1. A recorded decision A → B (``RECOGNISED_AS``) is the authoritative verdict; the computed
   one is still shown as ``computed_verdict``.
2. The register's composition: A is a member (PART_OF) of B with rule ``any_one_of`` →
   ``covers``; A is a member of B under another rule → ``partially_covers``; B is a member
   of A with rule ``all_of`` → ``covers``. A provider's declaration that A leads to B
   (STACKS_INTO) → ``covers``, labelled as a declaration.
3. Competence coverage both ways (docs/reasoning.md "coverage"): ``equivalent`` when each
   covers at least ``recognition_covers_min`` of the other's listed units; ``covers`` when A
   covers that share of B; ``partially_covers`` when A covers some of B; ``related`` when
   only related matches exist (or both relate to the same occupation); ``not_comparable``
   when there is nothing to compare.
4. Caps: a content verdict `equivalent`/`covers` drops to ``partially_covers`` when A's EQF
   level is lower than B's (level mismatch) or when B's list is cut short in the source
   (covering the listed units does not show covering the rest); `equivalent` drops to
   `covers` when A's EQF level is higher than B's.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from credgraph.errors import NotFoundError, QueryError
from credgraph.graph.base import GraphStore
from credgraph.models import Edge, EdgeKind, Node, NodeKind, display_label, kind_phrase, short_id
from credgraph.reasoning.coverage import Matcher, summary, units_of
from credgraph.reasoning.view import ReasoningView

Verdict = Literal["equivalent", "covers", "partially_covers", "related", "not_comparable"]
VERDICTS: tuple[str, ...] = (
    "equivalent",
    "covers",
    "partially_covers",
    "related",
    "not_comparable",
)
A_KINDS = (NodeKind.CREDENTIAL, NodeKind.QUALIFICATION)
B_KINDS = (NodeKind.QUALIFICATION, NodeKind.COMPETENCE, NodeKind.CREDENTIAL)


def item_ref(node: Node, lang: str | None) -> dict[str, Any]:
    label, used = display_label(node, lang)
    return {
        "id": node.id,
        "kind": node.kind.value,
        "label": label,
        "label_lang": used,
        "code": node.props.get("upk_code") or node.props.get("code"),
        "eqf_level": eqf_of(node),
    }


def eqf_of(node: Node) -> int | None:
    value = node.props.get("eqf_level")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def level_of(view: ReasoningView, node: Node) -> int | None:
    """EQF level; a competence or outcome has the level of its qualification/credential."""
    own = eqf_of(node)
    if own is not None or node.kind not in (NodeKind.COMPETENCE, NodeKind.LEARNING_OUTCOME):
        return own
    owner_id = node.props.get("qualification") or node.props.get("credential")
    owner = view.node(owner_id) if isinstance(owner_id, str) else None
    return eqf_of(owner) if owner is not None else None


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def volume_of(node: Node) -> dict[str, Any]:
    return {"hours": _number(node.props.get("hours")), "ects": _number(node.props.get("ects"))}


def qa_of(node: Node) -> dict[str, Any]:
    """What the source says about quality assurance (nothing is inferred)."""
    if node.kind is NodeKind.QUALIFICATION:
        return {
            "type": "NSK standard (zákon 179/2006 Sb.)"
            if node.props.get("source", "nsk") == "nsk"
            else None,
            "authorising_body": node.props.get("authorising_body"),
            "valid_from": node.props.get("valid_from"),
            "valid_to": node.props.get("valid_to"),
        }
    if node.kind is NodeKind.CREDENTIAL:
        return {
            "quality_assurance": node.props.get("quality_assurance"),
            "accreditation_id": node.props.get("accreditation_id"),
        }
    return {}


def _compare(a: float | None, b: float | None) -> str:
    if a is None or b is None:
        return "unknown"
    return "same" if a == b else ("a_higher" if a > b else "a_lower")


def _load(view: ReasoningView, node_id: str, role: str, kinds: tuple[NodeKind, ...]) -> Node:
    node = view.node(node_id)
    if node is None:
        raise NotFoundError(f"no node {short_id(node_id)} ({role})", hint="use an id from search")
    if node.kind not in kinds:
        names = ", ".join(k.value for k in kinds)
        raise QueryError(
            f"{role} {short_id(node_id)} is {kind_phrase(node.kind)}; expected one of: {names}"
        )
    return node


def decision_dict(edge: Edge) -> dict[str, Any]:
    return {
        "verdict": edge.props.get("verdict"),
        "decided_by": edge.props.get("decided_by"),
        "decided_on": edge.props.get("decided_on"),
        "note": edge.props.get("note"),
        "edge": edge.to_dict(),
    }


def _composition(view: ReasoningView, a: Node, b: Node) -> tuple[Verdict, dict[str, Any]] | None:
    for edge in view.out(EdgeKind.PART_OF, a.id):
        if edge.target == b.id:
            rule = str(edge.props.get("rule") or b.props.get("rule") or "unknown")
            verdict: Verdict = "covers" if rule == "any_one_of" else "partially_covers"
            return verdict, {"basis": "nsk_composition", "relation": "a_part_of_b", "rule": rule}
    for edge in view.out(EdgeKind.PART_OF, b.id):
        if edge.target == a.id:
            rule = str(edge.props.get("rule") or a.props.get("rule") or "unknown")
            if rule == "all_of":
                return "covers", {"basis": "nsk_composition", "relation": "b_part_of_a"}
            return "related", {"basis": "nsk_composition", "relation": "b_part_of_a", "rule": rule}
    return None


def recognise(
    view: ReasoningView,
    matcher: Matcher,
    a_id: str,
    b_id: str,
    lang: str | None = None,
) -> dict[str, Any]:
    view.fetch([a_id, b_id])
    unknown = [
        f"{short_id(i)} ({role})" for i, role in ((a_id, "A"), (b_id, "B")) if view.node(i) is None
    ]
    if unknown:
        raise NotFoundError(f"no node {' and no node '.join(unknown)}", hint="use ids from search")
    a = _load(view, a_id, "A", A_KINDS)
    b = _load(view, b_id, "B", B_KINDS)
    settings = matcher.settings
    ua, ub = units_of(view, a), units_of(view, b)
    a_over_b = matcher.cover_all(ub.units, ua.units)
    b_over_a = matcher.cover_all(ua.units, ub.units)
    sum_ab = summary(a_over_b, ub.truncated, ua.truncated)
    sum_ba = summary(b_over_a, ua.truncated, ub.truncated)
    la, lb = level_of(view, a), level_of(view, b)
    level = {"a": la, "b": lb, "comparison": _compare(la, lb), "basis": "EQF level"}
    va, vb = volume_of(a), volume_of(b)
    measure = "hours" if va["hours"] is not None and vb["hours"] is not None else "ects"
    volume = {
        "a": va,
        "b": vb,
        "measure": measure if va[measure] is not None and vb[measure] is not None else None,
        "comparison": _compare(va[measure], vb[measure]),
    }
    reasons: list[str] = []
    declared: list[dict[str, Any]] = []
    verdict: Verdict
    structural = _composition(view, a, b)
    if a.kind is NodeKind.CREDENTIAL:
        declared = [
            {**e.to_dict(), "basis": "provider_declaration"}
            for e in view.stacks_into(a)
            if e.target == b.id
        ]
    ratio_ab, ratio_ba = sum_ab["ratio"], sum_ba["ratio"]
    need = settings.recognition_covers_min
    related_any = any(r.status == "related" for r in (*a_over_b, *b_over_a))
    if a.id == b.id:
        verdict = "equivalent"
        reasons.append("A and B are the same item")
    elif structural is not None:
        verdict = structural[0]
        reasons.append(f"the NSK composition: {structural[1]}")
        declared.append(structural[1])
    elif declared:
        verdict = "covers"
        reasons.append("the provider declares that A leads to B (not checked unit by unit)")
    elif not ua.units or not ub.units:
        verdict = "not_comparable"
        missing = [x.item for x in (ua, ub) if not x.units]
        reasons.append(f"no competences or learning outcomes listed for {', '.join(missing)}")
    elif ratio_ab is not None and ratio_ab >= need and ratio_ba is not None and ratio_ba >= need:
        verdict = "equivalent"
        reasons.append(f"each covers at least {need:.0%} of the other's listed units")
    elif ratio_ab is not None and ratio_ab >= need:
        verdict = "covers"
        reasons.append(f"A covers {sum_ab['covered']} of B's {sum_ab['total']} listed units")
    elif sum_ab["covered"]:
        verdict = "partially_covers"
        reasons.append(f"A covers {sum_ab['covered']} of B's {sum_ab['total']} listed units")
    elif related_any or sum_ba["covered"]:
        verdict = "related"
        reasons.append("only related (not covering) matches between the two")
    elif _shared_occupations(view, a, b):
        verdict = "related"
        reasons.append("both relate to the same occupation")
    else:
        verdict = "not_comparable"
        reasons.append("no unit of either matches a unit of the other")
    if verdict in ("equivalent", "covers") and a.id != b.id:
        if level["comparison"] == "a_lower":
            reasons.append(
                f"level mismatch: A is EQF {level['a']}, B is EQF {level['b']}: "
                "the content is covered, the level is not"
            )
            verdict = "partially_covers"
        elif ub.truncated and structural is None and not declared:
            reasons.append(
                "B's list is cut short in the source: covering the listed units does not "
                "show covering the rest"
            )
            verdict = "partially_covers"
        elif verdict == "equivalent" and level["comparison"] == "a_higher":
            reasons.append(f"A is at a higher EQF level ({level['a']} > {level['b']})")
            verdict = "covers"
    decisions = sorted(view.decisions(a.id, b.id), key=lambda e: str(e.props.get("decided_on")))
    decision = decision_dict(decisions[-1]) if decisions else None
    evidence = [
        *({"direction": "a_covers_b", **r.to_dict()} for r in a_over_b),
        *({"direction": "b_covers_a", **r.to_dict()} for r in b_over_a),
        *({"direction": "declared", **d} for d in declared),
    ]
    return {
        "a": item_ref(a, lang),
        "b": item_ref(b, lang),
        "verdict": decision["verdict"] if decision else verdict,
        "verdict_source": "decision" if decision else "computed",
        "computed_verdict": verdict,
        "reasons": reasons,
        "coverage": {"a_covers_b": sum_ab, "b_covers_a": sum_ba},
        "level": level,
        "volume": volume,
        "qa": {"a": qa_of(a), "b": qa_of(b)},
        "evidence": evidence,
        "decision": decision,
        "notes": list(dict.fromkeys([*ua.notes, *ub.notes])),
        "thresholds": thresholds(matcher),
    }


def thresholds(matcher: Matcher) -> dict[str, Any]:
    s = matcher.settings
    return {
        "coverage_skill_min_score": s.coverage_skill_min_score,
        "coverage_semantic_min_score": s.coverage_semantic_min_score,
        "related_min_score": s.related_min_score,
        "coverage_hierarchy_factor": s.coverage_hierarchy_factor,
        "recognition_covers_min": s.recognition_covers_min,
        "model": matcher.model,
    }


def _shared_occupations(view: ReasoningView, a: Node, b: Node) -> list[str]:
    occ_a = {e.target for e in view.out(EdgeKind.RELATES_TO_OCCUPATION, a.id)}
    occ_b = {e.target for e in view.out(EdgeKind.RELATES_TO_OCCUPATION, b.id)}
    return sorted(occ_a & occ_b)


def record_decision(
    store: GraphStore,
    a_id: str,
    b_id: str,
    verdict: str,
    decided_by: str,
    note: str | None,
    today: dt.date | None = None,
) -> dict[str, Any]:
    """Store (or replace) the decision A → B as a RECOGNISED_AS edge."""
    if verdict not in VERDICTS:
        raise QueryError(f"verdict must be one of: {', '.join(VERDICTS)}")
    if a_id == b_id:
        raise QueryError("A and B are the same item: it is always equivalent to itself")
    decided_by = decided_by.strip()
    if not decided_by:
        raise QueryError("decided_by is empty", hint="name the deciding office")
    nodes = {n.id: n for n in store.get_nodes([a_id, b_id])}
    for role, node_id, kinds in (("A", a_id, A_KINDS), ("B", b_id, B_KINDS)):
        node = nodes.get(node_id)
        if node is None:
            raise NotFoundError(
                f"no node {short_id(node_id)} ({role})", hint="use an id from search"
            )
        if node.kind not in kinds:
            names = ", ".join(k.value for k in kinds)
            raise QueryError(
                f"{role} {short_id(node_id)} is {kind_phrase(node.kind)}; expected one of: {names}"
            )
    day = (today or dt.datetime.now(dt.UTC).date()).isoformat()
    edge = Edge(
        a_id,
        EdgeKind.RECOGNISED_AS,
        b_id,
        {"verdict": verdict, "decided_by": decided_by, "decided_on": day, "note": note},
    )
    with store.transaction():
        store.upsert_edges([edge])
    return decision_dict(edge)
