"""What a target requires, what a person holds, and which catalogue items could close the
gaps — shared by stacking and pathways."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from credgraph.errors import NotFoundError, QueryError
from credgraph.models import EdgeKind, Node, NodeKind, kind_phrase, short_id
from credgraph.reasoning.coverage import Matcher, Unit, UnitCoverage, UnitSet, units_of
from credgraph.reasoning.planning import Candidate
from credgraph.reasoning.recognition import eqf_of
from credgraph.reasoning.view import ReasoningView

HELD_KINDS = (NodeKind.CREDENTIAL, NodeKind.QUALIFICATION, NodeKind.SKILL, NodeKind.COMPETENCE)


def requirements_of(view: ReasoningView, target: Node) -> tuple[UnitSet, str]:
    """A qualification's competences, or an occupation's essential ESCO skills."""
    if target.kind is NodeKind.OCCUPATION:
        edges = [
            e
            for e in view.out(EdgeKind.REQUIRES, target.id)
            if e.props.get("relation") == "essential"
        ]
        view.fetch(e.target for e in edges)
        units = []
        for e in edges:
            skill = view.node(e.target)
            if skill is not None:
                units.extend(units_of(view, skill).units)
        return UnitSet(target.id, units, False, []), "essential_skills"
    if target.kind is NodeKind.QUALIFICATION:
        return units_of(view, target), "competences"
    raise QueryError(
        f"{short_id(target.id)} is {kind_phrase(target.kind)}; "
        "the target must be a qualification or occupation"
    )


@dataclass(slots=True)
class Held:
    nodes: list[Node]
    units: list[Unit]
    truncated: bool
    notes: list[str] = field(default_factory=list)


def held_items(view: ReasoningView, ids: Sequence[str], skills_only: int | None = None) -> Held:
    """What the person holds (sent with the request; nothing is stored). With
    ``skills_only=n``, the ids from position n on must be ESCO skills."""
    view.fetch(ids)
    nodes: list[Node] = []
    missing = []
    for position, node_id in enumerate(ids):
        node = view.node(node_id)
        if node is None:
            missing.append(node_id)
        elif (
            skills_only is not None and position >= skills_only and node.kind is not NodeKind.SKILL
        ):
            raise QueryError(
                f"skill {short_id(node_id)} is {kind_phrase(node.kind)}, not an ESCO skill",
                hint="pass credentials and qualifications as held items (have), skills as skills",
            )
        elif any(n.id == node.id for n in nodes):
            continue
        elif node.kind not in HELD_KINDS:
            raise QueryError(
                f"held item {short_id(node_id)} is {kind_phrase(node.kind)}; hold credentials, "
                "qualifications, competences or ESCO skills"
            )
        else:
            nodes.append(node)
    if missing:
        raise NotFoundError(
            f"held item(s) not in the graph: {', '.join(short_id(m) for m in missing[:5])}",
            hint="use ids from search (credgraph search / GET /v1/search)",
        )
    units: list[Unit] = []
    truncated = False
    notes: list[str] = []
    for node in nodes:
        us = units_of(view, node)
        units += us.units
        truncated = truncated or us.truncated
        notes += us.notes
    return Held(nodes, units, truncated, notes)


def catalogue_units(view: ReasoningView) -> list[Unit]:
    """Units of every credential and qualification (the pool candidates come from)."""
    out: list[Unit] = []
    for kind in (NodeKind.CREDENTIAL, NodeKind.QUALIFICATION):
        for node in view.of_kind(kind):
            out += units_of(view, node).units
    return out


@dataclass(slots=True)
class Constraints:
    mode: str | None = None
    language: str | None = None
    max_hours: float | None = None
    max_eqf: int | None = None
    kinds: tuple[str, ...] = ("credential", "qualification")

    def to_dict(self) -> dict[str, Any]:
        return {
            "mode": self.mode,
            "language": self.language,
            "max_hours": self.max_hours,
            "max_eqf": self.max_eqf,
            "kinds": list(self.kinds),
        }

    def refuses(self, node: Node) -> str | None:
        """Why ``node`` breaks a constraint (None: allowed). Unknown values are allowed and
        reported by the caller, never guessed."""
        if node.kind.value not in self.kinds:
            return "kind"
        if self.mode and node.kind is NodeKind.CREDENTIAL:
            mode = node.props.get("mode")
            if isinstance(mode, str) and mode and mode.lower() != self.mode.lower():
                return f"mode is {mode}"
        if self.language:
            lang = language_of(node)
            if lang and lang != self.language.lower():
                return f"language is {lang}"
        if self.max_eqf is not None:
            eqf = eqf_of(node)
            if eqf is not None and eqf > self.max_eqf:
                return f"EQF {eqf} > {self.max_eqf}"
        if self.max_hours is not None:
            hours = node.props.get("hours")
            if isinstance(hours, int | float) and hours > self.max_hours:
                return f"{hours} hours > {self.max_hours}"
        return None


def language_of(node: Node) -> str | None:
    if node.kind is NodeKind.QUALIFICATION:
        return "cs"  # NSK examinations are held in Czech
    value = node.props.get("language")
    return value.lower() if isinstance(value, str) and len(value) == 2 else None


def candidates_for(
    view: ReasoningView,
    matcher: Matcher,
    target: Node,
    gaps: Sequence[Unit],
    exclude: set[str],
    constraints: Constraints,
) -> tuple[list[Candidate], dict[str, int]]:
    """Items of the catalogue that cover at least one gap (with the match as evidence), and
    providers' declarations that an item leads to the target (covering every gap)."""
    pool = matcher.cached_pool("catalogue", lambda: catalogue_units(view))
    by_id: dict[str, Candidate] = {}
    refused: dict[str, int] = {}

    def admit(owner: str) -> Candidate | None:
        if owner in exclude or owner == target.id:
            return None
        if owner in by_id:
            return by_id[owner]
        node = view.node(owner)
        if node is None:
            return None
        why = constraints.refuses(node)
        if why is not None:
            refused[why.split(" ")[0]] = refused.get(why.split(" ")[0], 0) + 1
            return None
        by_id[owner] = Candidate(node)
        return by_id[owner]

    for gap in gaps:
        for owner, match in pool.covering_by_owner(gap).items():
            cand = admit(owner)
            if cand is not None:
                cand.covers[gap.id] = match
    for edge in view.declared_into(target.id):
        cand = admit(edge.source)
        if cand is not None:
            for gap in gaps:
                cand.covers[gap.id] = {"method": "declared", "edge": edge.to_dict()}
    return sorted(by_id.values(), key=lambda c: c.id), refused


def coverage_entry(r: UnitCoverage, by: str | None = None) -> dict[str, Any]:
    out = r.to_dict()
    if by is not None:
        out["by"] = by
    return out
