"""Stacking toward an NSK qualification through the register's own composition (PK → ÚPK).

``stack_options(store, target, held)`` answers: which professional qualifications (PKs)
would, together with what the person holds, prove the target ÚPK (or admit to a school
field's final exam), according to the composition rule recorded on the PART_OF edges:

- ``all_of``: every member is needed; one option = the missing members.
- ``any_one_of``: one member suffices; held → done, else one option per member.
- ``any_of_groups``: some group of members suffices, but the groups are not visible in the
  source: the answer lists the members and says it cannot tell which suffice.
- ``unknown``: the rule is not known: members are listed, nothing is claimed.

Every number is traceable: ``coverage`` = held members / members needed by the option's
rule, and the evidence lists each member with the edge that makes it one. When the
composition's member list is incomplete in the source (``complete: false``) or some
members could not be identified, the answer says so and coverage is a bound, not a value.
Constraints (mode, language, max EQF, max hours) apply to the members to obtain: a member
that breaks them is left out (``excluded``, with the reason), and when the rule then
cannot be met the notes say that the target cannot be reached within them.

A target without a composition (a PK, or any qualification with competences) is stacked
competence by competence (``stack``): what is held covers some competences
(docs/reasoning.md), catalogue credentials and qualifications that cover the gaps are the
candidates (those that meet the constraints), and planning.choose picks the fewest that
cover everything coverable — exactly (scipy milp) when candidates are few, greedy with its
stated bound otherwise. Lists cut short make ratios bounds (coverage.ratio_bound). Providers'
declarations (STACKS_INTO, or an NSK code named in an offer's title) come first: a held
credential that declares a member PK counts as holding it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from credgraph.errors import NotFoundError, QueryError
from credgraph.graph.base import Direction, GraphStore
from credgraph.models import EdgeKind, Node, NodeKind, display_label, kind_phrase, short_id
from credgraph.reasoning.coverage import Match, Matcher, completeness, ratio_bound, units_of
from credgraph.reasoning.planning import choose, totals
from credgraph.reasoning.recognition import thresholds
from credgraph.reasoning.requirements import (
    Constraints,
    Held,
    Screened,
    candidates_for,
    constraint_notes,
    excluded,
    held_items,
    prepared_by,
    requirements_of,
    screen_members,
    unidentified_members,
)
from credgraph.reasoning.view import ReasoningView

METHOD = "nsk-composition"


@dataclass(slots=True)
class Member:
    id: str
    label: str
    code: str | None
    held: bool
    evidence: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "code": self.code,
            "held": self.held,
            "evidence": self.evidence,
        }


@dataclass(slots=True)
class StackOption:
    credentials: list[str]  # what to obtain (PK ids)
    covered: list[dict[str, Any]]  # held members with evidence
    gaps: list[dict[str, Any]]  # members still missing after this option (none if complete)
    coverage: float  # held members / members the rule needs, before this option
    complete_after: bool | None  # the target is proven after this option (None: cannot tell)
    totals: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "credentials": self.credentials,
            "covered": self.covered,
            "gaps": self.gaps,
            "coverage": round(self.coverage, 4),
            "complete_after": self.complete_after,
            "totals": self.totals,
        }


def _label(node: Node, lang: str | None) -> str:
    return display_label(node, lang)[0]


def _totals(nodes: list[Node]) -> dict[str, Any]:
    """Exam fees and durations are summed only where every part has a number."""
    out: dict[str, Any] = {}
    for key in ("exam_fee", "exam_duration"):
        values = [n.props.get(key) for n in nodes]
        numeric = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        out[key] = sum(numeric) if nodes and len(numeric) == len(nodes) else None
        if out[key] is None and nodes:
            out[f"{key}_note"] = "not stated for every part (unknown)"
    return out


def stack_options(
    store: GraphStore,
    target_id: str,
    held: list[str],
    lang: str | None = None,
    declared: dict[str, dict[str, Any]] | None = None,
    constraints: Constraints | None = None,
) -> dict[str, Any]:
    """The composition answer; ``declared`` maps member ids held through a credential's
    declaration to that declaration (evidence); ``constraints`` apply to the members to
    obtain."""
    declared = declared or {}
    constraints = constraints or Constraints()
    target = store.get_node(target_id)
    if target is None:
        raise NotFoundError(
            f"no node {short_id(target_id)}", hint="use a qualification id, e.g. nsk:upk-26-99-H-08"
        )
    if target.kind is not NodeKind.QUALIFICATION:
        raise QueryError(
            f"{short_id(target_id)} is {kind_phrase(target.kind)}, not a qualification"
        )
    present = store.has_nodes(held)
    unknown = [h for h in held if h not in present]
    if unknown:
        raise NotFoundError(
            f"held item(s) not in the graph: {', '.join(short_id(u) for u in unknown[:5])}",
            hint="use ids from search (credgraph search / GET /v1/search)",
        )
    held_set = set(held) | set(declared)
    parts = store.neighbours(target.id, [EdgeKind.PART_OF], Direction.IN)
    rule = str(
        target.props.get("rule") or (parts[0][0].props.get("rule") if parts else None) or "unknown"
    )
    members = [
        Member(
            node.id,
            _label(node, lang),
            node.props.get("code"),
            node.id in held_set,
            {
                "edge": edge.to_dict(),
                **({"held_via": declared[node.id]} if node.id in declared else {}),
            },
        )
        for edge, node in parts
    ]
    notes = unidentified_members(target, len(members))
    exact = not notes
    held_members = [m for m in members if m.held]
    by_id = {node.id: node for _, node in parts}
    # the target itself held: nothing to obtain, nothing to screen
    to_obtain = [] if target.id in held_set else [by_id[m.id] for m in members if not m.held]
    allowed_nodes, screened, screen_notes = screen_members(
        rule, to_obtain, bool(held_members), constraints
    )
    notes += screen_notes
    allowed = {n.id for n in allowed_nodes}
    missing = [m for m in members if not m.held]
    options: list[StackOption] = []
    complete_now: bool | None
    if not members:
        complete_now = None
        notes.append("no member of this composition is known: stacking cannot be computed")
    elif rule == "all_of":
        complete_now = not missing and exact
        coverage = len(held_members) / len(members)
        if missing and not screened.refused:  # every missing member is needed
            options.append(
                StackOption(
                    [m.id for m in missing],
                    [m.to_dict() for m in held_members],
                    [],
                    coverage,
                    True if exact else None,
                    _totals([by_id[m.id] for m in missing]),
                )
            )
    elif rule == "any_one_of":
        complete_now = bool(held_members)
        if not held_members:
            for m in missing:
                if m.id in allowed:
                    options.append(StackOption([m.id], [], [], 0.0, True, _totals([by_id[m.id]])))
    else:
        complete_now = None
        if rule == "any_of_groups":
            notes.append(
                "some group of these members proves the target, but the groups are "
                "not visible in the source: cannot tell which members suffice"
            )
        else:
            notes.append("the composition rule is not known: cannot tell which members suffice")
        obtain = [m for m in missing if m.id in allowed]
        if obtain:
            options.append(
                StackOption(
                    [m.id for m in obtain],
                    [m.to_dict() for m in held_members],
                    [],
                    len(held_members) / len(members),
                    None,
                    _totals([by_id[m.id] for m in obtain]),
                )
            )
    return {
        "target": {
            "id": target.id,
            "label": _label(target, lang),
            "code": target.props.get("upk_code") or target.props.get("code"),
            "kind": target.props.get("composition_kind") or target.props.get("qualification_type"),
        },
        "rule": rule,
        "rule_text": target.props.get("rule_text"),
        "held_coverage": {
            "held_members": [m.to_dict() for m in held_members],
            "members": len(members),
            "ratio": round(len(held_members) / len(members), 4) if members else None,
            "complete": complete_now,
            # members missing from the data cannot be shown held: the share can only be lower
            "bound": ratio_bound(len(held_members), len(members), not exact, False),
        },
        "members": [m.to_dict() for m in members],
        "constraints": constraints.to_dict(),
        "excluded": excluded(screened, list(by_id.values()), lang),
        "options": [o.to_dict() for o in options],
        "method": METHOD,
        "notes": list(dict.fromkeys(notes)),
        "sources": target.props.get("sources") or [],
    }


def stack(
    view: ReasoningView,
    matcher: Matcher,
    target_id: str,
    held: list[str],
    lang: str | None = None,
    constraints: Constraints | None = None,
) -> dict[str, Any]:
    """Stacking toward a qualification: through its composition when it has one, else
    competence by competence (module docstring)."""
    target = view.node(target_id)
    if target is None:
        raise NotFoundError(
            f"no node {short_id(target_id)}", hint="use a qualification id, e.g. nsk:upk-26-99-H-08"
        )
    if target.kind is not NodeKind.QUALIFICATION:
        raise QueryError(
            f"{short_id(target_id)} is {kind_phrase(target.kind)}, not a qualification"
        )
    constraints = constraints or Constraints()
    items = held_items(view, held)
    if view.into(EdgeKind.PART_OF, target.id):
        declared: dict[str, dict[str, Any]] = {}
        for node in items.nodes:
            if node.kind is NodeKind.CREDENTIAL:
                for edge in view.stacks_into(node):
                    declared.setdefault(edge.target, edge.to_dict())
        answer = stack_options(view.store, target_id, held, lang, declared, constraints)
        if target.id in held:
            answer["held_coverage"]["complete"] = True
            answer["options"] = []
            answer["notes"].append("the target itself is held")
        offers = Screened()
        for option in answer["options"]:
            option["prepared_by"] = {
                pk: prepared_by(view, pk, constraints, offers) for pk in option["credentials"]
            }
        answer["notes"] += constraint_notes("preparing offers", offers)
        return answer
    return _competence_stack(view, matcher, target, items, lang, constraints)


def _competence_stack(
    view: ReasoningView,
    matcher: Matcher,
    target: Node,
    items: Held,
    lang: str | None,
    constraints: Constraints,
) -> dict[str, Any]:
    settings = matcher.settings
    reqs, _ = requirements_of(view, target)
    matcher.vectors([u.text for u in reqs.units])
    held_pool = matcher.pool(items.units)
    held_cov = [held_pool.cover(u) for u in reqs.units]
    # a held credential that declares the target proves it
    declared = [
        e.to_dict()
        for n in items.nodes
        if n.kind is NodeKind.CREDENTIAL
        for e in view.stacks_into(n)
        if e.target == target.id
    ]
    held_ids = {n.id for n in items.nodes}
    covered = {r.unit.id for r in held_cov if r.status == "covered"}
    target_held = target.id in held_ids
    proven = bool(declared) or target_held
    gaps = [] if proven else [r.unit for r in held_cov if r.status != "covered"]
    cands, screened = candidates_for(view, matcher, target, gaps, held_ids, constraints)
    sets, method, guarantee = choose(
        cands, settings.reasoning_max_options, settings.stack_exact_max_candidates
    )
    total = len(reqs.units)
    by_id = {u.id: u for u in reqs.units}
    options = []
    for chosen in sets:
        got = {r for c in chosen for r in c.covers}
        done = covered | got
        # the option's own lists count as sources: one cut short might cover more
        source_cut = items.truncated or any(units_of(view, c.node).truncated for c in chosen)
        options.append(
            {
                "credentials": [c.id for c in chosen],
                "labels": {c.id: display_label(c.node, lang)[0] for c in chosen},
                "covered": [
                    {
                        "requirement": by_id[r].ref(),
                        "by": c.id,
                        "evidence": why.to_dict() if isinstance(why, Match) else why,
                    }
                    for c in chosen
                    for r, why in sorted(c.covers.items())
                    if r not in covered
                ],
                "gaps": [u.ref() for u in reqs.units if u.id not in done],
                "coverage": round(len(done) / total, 4) if total else None,
                "bound": ratio_bound(len(done), total, reqs.truncated, source_cut),
                "complete_after": completeness(total - len(done), total, reqs.truncated),
                "totals": totals([c.node for c in chosen]),
            }
        )
    notes = [*reqs.notes, *items.notes]
    if reqs.truncated and not proven:
        notes.append(
            "the target's competence list is cut short in the source: coverage is over the "
            "listed ones, the most that can be shown of the whole list (upper bound); "
            "completeness cannot be claimed"
        )
    if target_held:
        notes.append("the target itself is held")
    elif declared:
        notes.append("a held credential declares that it leads to the target")
    notes += constraint_notes("candidates", screened)
    return {
        "target": {
            "id": target.id,
            "label": display_label(target, lang)[0],
            "code": target.props.get("upk_code") or target.props.get("code"),
            "kind": target.props.get("qualification_type") or target.props.get("type_inferred"),
        },
        "rule": None,
        "held_coverage": {
            "covered": [r.to_dict() for r in held_cov if r.status == "covered"],
            "related": [r.to_dict() for r in held_cov if r.status == "related"],
            "declared": declared,
            "target_held": target_held,
            "count": total if proven else len(covered),
            "total": total,
            "ratio": (1.0 if proven else round(len(covered) / total, 4)) if total else None,
            "complete": True
            if proven
            else completeness(total - len(covered), total, reqs.truncated),
            "bound": None
            if proven
            else ratio_bound(len(covered), total, reqs.truncated, items.truncated),
        },
        "constraints": constraints.to_dict(),
        "options": options,
        "uncoverable": [u.ref() for u in gaps if not any(u.id in c.covers for c in cands)],
        "candidates_considered": len(cands),
        "method": method if sets else "competence-coverage",
        "guarantee": guarantee,
        "thresholds": thresholds(matcher),
        "notes": list(dict.fromkeys(notes)),
        "sources": target.props.get("sources") or [],
    }
