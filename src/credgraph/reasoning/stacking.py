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

Skill-level coverage through credentials (competences covered via ALIGNS_TO) comes with
the rest of issue 4.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from credgraph.errors import NotFoundError, QueryError
from credgraph.graph.base import Direction, GraphStore
from credgraph.models import EdgeKind, Node, NodeKind, display_label

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
    store: GraphStore, target_id: str, held: list[str], lang: str | None = None
) -> dict[str, Any]:
    target = store.get_node(target_id)
    if target is None:
        raise NotFoundError(
            f"no node {target_id!r}", hint="use a qualification id, e.g. nsk:upk-26-99-H-08"
        )
    if target.kind is not NodeKind.QUALIFICATION:
        raise QueryError(f"{target_id} is a {target.kind.value}, not a qualification")
    present = store.has_nodes(held)
    unknown = [h for h in held if h not in present]
    if unknown:
        raise NotFoundError(f"held item(s) not in the graph: {', '.join(unknown[:5])}")
    held_set = set(held)
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
            {"edge": edge.to_dict()},
        )
        for edge, node in parts
    ]
    notes: list[str] = []
    named = target.props.get("member_count")
    if isinstance(named, int) and named > len(members):
        notes.append(
            f"the source names {named} members, {len(members)} could be identified "
            "in the register data; the others are not considered"
        )
    if target.props.get("complete") is False:
        notes.append("the member list in the source is incomplete: other members may exist")
    exact = not notes
    held_members = [m for m in members if m.held]
    missing = [m for m in members if not m.held]
    by_id = {n.id: n for n in store.get_nodes([m.id for m in missing])}
    options: list[StackOption] = []
    complete_now: bool | None
    if not members:
        complete_now = None
        notes.append("no member of this composition is known: stacking cannot be computed")
    elif rule == "all_of":
        complete_now = not missing and exact
        coverage = len(held_members) / len(members)
        if missing:
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
        if missing:
            options.append(
                StackOption(
                    [m.id for m in missing],
                    [m.to_dict() for m in held_members],
                    [],
                    len(held_members) / len(members),
                    None,
                    _totals([by_id[m.id] for m in missing]),
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
            "complete": complete_now,
            # with members missing from the data the true share can only be lower
            "bound": None if exact else "upper",
        },
        "members": [m.to_dict() for m in members],
        "options": [o.to_dict() for o in options],
        "method": METHOD,
        "notes": notes,
        "sources": target.props.get("sources") or [],
    }
