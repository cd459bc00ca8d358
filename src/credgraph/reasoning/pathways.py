"""Pathways: from what a person holds to a target qualification or ESCO occupation.

1. Requirements: the target qualification's competences, or the occupation's essential
   ESCO skills. An NSK composition target (ÚPK, school field exam) is reached through its
   member PKs (the register's rule decides which), each a step; members that break the
   constraints are left out, and when the rule cannot then be met the notes say so.
2. Held coverage: the requirements what is held already covers (docs/reasoning.md).
3. Candidates: catalogue credentials and qualifications that cover at least one open
   requirement and meet the constraints (mode, language, max EQF, max hours; unknown values
   are allowed and the answer says how many were unknown). Lists cut short make ratios
   bounds (coverage.ratio_bound).
4. Steps: the covering sets of planning.choose (exact when few candidates), plus every
   declared prerequisite (PREREQUISITE edge, transitively) that is not held, ordered so
   that prerequisites come first, then by EQF level (lower first; unknown last), then
   hours; a step whose source states prerequisites only as text shows the text. Each
   step lists what it newly covers and the cumulative coverage, hours, ECTS and price
   after it. ``k`` alternatives are distinct sets.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from credgraph.errors import NotFoundError
from credgraph.models import EdgeKind, Node, NodeKind
from credgraph.reasoning.coverage import Match, Matcher, completeness, ratio_bound, units_of
from credgraph.reasoning.planning import Candidate, choose, prerequisite_order, totals
from credgraph.reasoning.recognition import eqf_of, item_ref
from credgraph.reasoning.requirements import (
    Constraints,
    Screened,
    candidates_for,
    constraint_notes,
    excluded,
    held_items,
    language_of,
    prepared_by,
    requirements_of,
    screen_members,
    unidentified_members,
)
from credgraph.reasoning.view import ReasoningView

_STEP_KINDS = (NodeKind.CREDENTIAL, NodeKind.QUALIFICATION)


def _with_prerequisites(
    view: ReasoningView, chosen: Sequence[Candidate], held: set[str]
) -> tuple[list[Candidate], dict[str, list[str]], bool]:
    """The chosen items plus every declared prerequisite (transitively) that is not held,
    ordered so that prerequisites come first, then by EQF level (lower first, unknown
    last), hours and id. Returns the steps, each step's declared prerequisites and whether
    a prerequisite cycle had to be broken."""
    steps = {c.id: c for c in chosen}
    prereqs: dict[str, list[str]] = {}
    todo = [c.id for c in chosen]
    while todo:
        step = todo.pop()
        prereqs[step] = [e.target for e in view.out(EdgeKind.PREREQUISITE, step)]
        view.fetch(prereqs[step])
        for p in prereqs[step]:
            node = view.node(p)
            if p in held or p in steps or node is None or node.kind not in _STEP_KINDS:
                continue
            steps[p] = Candidate(node)  # needed first; covers nothing of the target itself
            todo.append(p)

    def key(step: str) -> tuple[int, float, str]:
        c = steps[step]
        eqf = eqf_of(c.node)
        return (eqf if eqf is not None else 99, c.hours if c.hours is not None else 1e9, c.id)

    order, cycle = prerequisite_order(list(steps), prereqs, key)
    return [steps[i] for i in order], prereqs, cycle


def _why(value: Match | dict[str, Any]) -> dict[str, Any]:
    return value.to_dict() if isinstance(value, Match) else value


def _complete(rule: str, target_held: bool, missing: int, members: int, exact: bool) -> bool | None:
    if target_held:
        return True
    if rule == "all_of":
        # every identified member held, but members the data could not identify: cannot tell
        return False if missing else (True if exact else None)
    if rule == "any_one_of":
        return missing < members
    return None  # groups not visible / rule unknown: cannot tell


def _composition_target(
    view: ReasoningView,
    target: Node,
    held: set[str],
    k: int,
    lang: str | None,
    constraints: Constraints,
) -> dict[str, Any] | None:
    members = view.into(EdgeKind.PART_OF, target.id)
    if not members:
        return None
    rule = str(target.props.get("rule") or members[0].props.get("rule") or "unknown")
    view.fetch(e.source for e in members)
    nodes = [n for n in (view.node(e.source) for e in members) if n is not None]
    missing = [n for n in nodes if n.id not in held]
    notes = unidentified_members(target, len(nodes))
    exact = not notes
    if target.id in held:
        missing, notes = [], ["the target itself is held"]
    allowed, screened, screen_notes = screen_members(
        rule, missing, len(missing) < len(nodes), constraints
    )
    notes += screen_notes
    if rule == "any_one_of":
        if len(missing) < len(nodes):
            plans: list[list[Node]] = []
        else:
            plans = [[n] for n in sorted(allowed, key=lambda n: n.id)][:k]
    elif rule == "all_of" and screened.refused:
        plans = []  # every missing member is needed and some break the constraints
    else:
        plans = [sorted(allowed, key=lambda n: (eqf_of(n) or 99, n.id))] if allowed else []
        if rule != "all_of":
            notes.append(
                "the register's groups are not visible (or the rule is unknown): these are all "
                "members; which of them suffice cannot be told"
            )
    offers = Screened()
    pathways = []
    for plan in plans:
        steps = []
        for i, node in enumerate(plan, start=1):
            ok = set(prepared_by(view, node.id, constraints, offers))
            via = [
                {"credential": e.source, "edge": e.to_dict()}
                for e in view.declared_into(node.id)
                if e.source in ok
            ]
            steps.append(
                {
                    "position": i,
                    "item": item_ref(node, lang),
                    "covers": [{"member_of": target.id, "rule": rule}],
                    "prepared_by": via,
                    "cumulative": {
                        "members_held": len(nodes) - len(missing) + i,
                        "members": len(nodes),
                        **totals(plan[:i]),
                    },
                }
            )
        pathways.append(
            {
                "steps": steps,
                "complete": True if rule == "any_one_of" or (rule == "all_of" and exact) else None,
                "totals": totals(plan),
            }
        )
    held_members = sorted(held & {n.id for n in nodes})
    return {
        "requirements": {"kind": "composition", "rule": rule, "total": len(nodes)},
        "held_coverage": {
            "held_members": held_members,
            "members": len(nodes),
            "ratio": round(len(held_members) / len(nodes), 4) if nodes else None,
            "complete": _complete(rule, target.id in held, len(missing), len(nodes), exact),
            # members missing from the data cannot be shown held: the share can only be lower
            "bound": None
            if target.id in held
            else ratio_bound(len(held_members), len(nodes), not exact, False),
        },
        "excluded": excluded(screened, nodes, lang),
        "pathways": pathways,
        "method": "nsk-composition",
        "notes": [*notes, *constraint_notes("preparing offers", offers)],
    }


def pathways(
    view: ReasoningView,
    matcher: Matcher,
    target_id: str,
    have: Sequence[str] = (),
    skills: Sequence[str] = (),
    constraints: Constraints | None = None,
    k: int | None = None,
    lang: str | None = None,
) -> dict[str, Any]:
    settings = matcher.settings
    k = k or settings.reasoning_max_options
    constraints = constraints or Constraints()
    target = view.node(target_id)
    if target is None:
        raise NotFoundError(
            f"no node {target_id!r}",
            hint="use a qualification id (nsk:…) or an ESCO occupation URI",
        )
    held = held_items(view, [*have, *skills], skills_only=len(have))
    base = {"target": item_ref(target, lang), "constraints": constraints.to_dict()}
    held_ids = {n.id for n in held.nodes}
    # a held offer whose provider declares a PK counts as that PK (as in stacking)
    held_ids |= {
        e.target for n in held.nodes if n.kind is NodeKind.CREDENTIAL for e in view.stacks_into(n)
    }
    comp = _composition_target(view, target, held_ids, k, lang, constraints)
    if comp is not None:
        return {**base, **comp}
    reqs, req_kind = requirements_of(view, target)
    if target.id in held_ids:
        return {
            **base,
            "requirements": {
                "kind": req_kind,
                "total": len(reqs.units),
                "truncated": reqs.truncated,
            },
            "held_coverage": {
                "complete": True,
                "covered": [],
                "count": len(reqs.units),
                "total": len(reqs.units),
                "ratio": 1.0 if reqs.units else None,
                "bound": None,
            },
            "pathways": [],
            "uncoverable": [],
            "candidates_considered": 0,
            "method": "held",
            "guarantee": {},
            "notes": [
                "the target itself is held"
                if target.id in {n.id for n in held.nodes}
                else "a held offer declares that it leads to the target"
            ],
        }
    held_pool = matcher.pool(held.units)
    matcher.vectors([u.text for u in reqs.units])
    held_cov = [held_pool.cover(u) for u in reqs.units]
    gaps = [r.unit for r in held_cov if r.status != "covered"]
    exclude = {n.id for n in held.nodes}
    cands, screened = candidates_for(view, matcher, target, gaps, exclude, constraints)
    sets, method, guarantee = choose(cands, k, settings.stack_exact_max_candidates)
    covered0 = {r.unit.id for r in held_cov if r.status == "covered"}
    total = len(reqs.units)
    unit_by_id = {u.id: u for u in reqs.units}
    out_paths = []
    cycles = False
    for chosen in sets:
        done = set(covered0)
        steps = []
        ordered, prereqs, cycle = _with_prerequisites(view, chosen, held_ids)
        cycles |= cycle
        chosen_ids = {c.id for c in chosen}
        for i, cand in enumerate(ordered, start=1):
            new = [r for r in sorted(cand.covers) if r not in done]
            done |= set(cand.covers)
            prereq = cand.node.props.get("prerequisites")
            steps.append(
                {
                    "position": i,
                    "item": item_ref(cand.node, lang),
                    "reason": "covers" if cand.id in chosen_ids else "prerequisite",
                    "covers": [
                        {"requirement": unit_by_id[r].ref(), "evidence": _why(cand.covers[r])}
                        for r in new
                    ],
                    "also_covers": sorted(set(cand.covers) - set(new)),
                    "prerequisites": prereqs.get(cand.id, []),
                    "prerequisites_text": prereq if isinstance(prereq, str) else None,
                    "mode": cand.node.props.get("mode"),
                    "language": language_of(cand.node),
                    "cumulative": {
                        "covered": len(done),
                        "total": total,
                        "ratio": round(len(done) / total, 4) if total else None,
                        **totals([c.node for c in ordered[:i]]),
                    },
                }
            )
        remaining = [unit_by_id[u.id].ref() for u in reqs.units if u.id not in done]
        source_cut = held.truncated or any(units_of(view, c.node).truncated for c in ordered)
        out_paths.append(
            {
                "steps": steps,
                "coverage": round(len(done) / total, 4) if total else None,
                "bound": ratio_bound(len(done), total, reqs.truncated, source_cut),
                "complete": completeness(len(remaining), total, reqs.truncated),
                "gaps": remaining,
                "totals": totals([c.node for c in ordered]),
            }
        )
    notes = [*reqs.notes, *held.notes]
    if reqs.truncated:
        notes.append(
            "the target's list is cut short in the source: coverage is over the listed ones, "
            "the most that can be shown of the whole list (upper bound)"
        )
    if cycles:
        notes.append("the declared prerequisites form a cycle: it was broken by EQF level/hours")
    notes += constraint_notes("candidates", screened)
    uncoverable = [u.ref() for u in gaps if not any(u.id in c.covers for c in cands)]
    return {
        **base,
        "requirements": {"kind": req_kind, "total": total, "truncated": reqs.truncated},
        "held_coverage": {
            "covered": [r.to_dict() for r in held_cov if r.status == "covered"],
            "count": len(covered0),
            "total": total,
            "ratio": round(len(covered0) / total, 4) if total else None,
            "complete": completeness(total - len(covered0), total, reqs.truncated),
            "bound": ratio_bound(len(covered0), total, reqs.truncated, held.truncated),
        },
        "pathways": out_paths,
        "uncoverable": uncoverable,
        "candidates_considered": len(cands),
        "method": method,
        "guarantee": guarantee,
        "notes": list(dict.fromkeys(notes)),
    }
