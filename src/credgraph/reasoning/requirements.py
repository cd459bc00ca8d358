"""What a target requires, what a person holds, and which catalogue items could close the
gaps — shared by stacking and pathways.

Constraints (mode, language, max EQF, max hours) apply to what a person would obtain —
catalogue candidates, composition members, offers that prepare for a member — never to
what is held. An item that states a conflicting value is left out; an item that does not
state the value is kept, and the answer counts both (``constraint_notes``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from credgraph.errors import NotFoundError, QueryError
from credgraph.models import EdgeKind, Node, NodeKind, display_label, kind_phrase, short_id
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

    def unknown(self, node: Node) -> list[str]:
        """The constrained values ``node`` does not state (it is kept: nothing is guessed)."""
        out = []
        if self.mode and node.kind is NodeKind.CREDENTIAL:
            mode = node.props.get("mode")
            if not (isinstance(mode, str) and mode):
                out.append("mode")
        if self.language and language_of(node) is None:
            out.append("language")
        if self.max_eqf is not None and eqf_of(node) is None:
            out.append("EQF level")
        if self.max_hours is not None:
            hours = node.props.get("hours")
            if not isinstance(hours, int | float) or isinstance(hours, bool):
                out.append("hours")
        return out


@dataclass(slots=True)
class Screened:
    """What the constraints did to a set of items: why each one left out was (by id), and
    how many of those kept do not state a constrained value (by value)."""

    refused: dict[str, str] = field(default_factory=dict)
    unknown: dict[str, int] = field(default_factory=dict)
    kept: set[str] = field(default_factory=set)

    def admits(self, constraints: Constraints, node: Node) -> bool:
        """Does ``node`` meet the constraints? Each item is counted once."""
        if node.id in self.kept or node.id in self.refused:
            return node.id in self.kept
        why = constraints.refuses(node)
        if why is not None:
            self.refused[node.id] = why
            return False
        self.kept.add(node.id)
        for value in constraints.unknown(node):
            self.unknown[value] = self.unknown.get(value, 0) + 1
        return True


def constraint_notes(what: str, screened: Screened) -> list[str]:
    """One note for what was left out (counted by reason), one for what was kept although
    it does not state a constrained value."""
    notes = []
    if screened.refused:
        reasons: dict[str, int] = {}
        for why in screened.refused.values():
            key = why.split(" ")[0]
            reasons[key] = reasons.get(key, 0) + 1
        notes.append(
            f"{what} left out by the constraints: "
            + ", ".join(f"{n} ({why})" for why, n in sorted(reasons.items()))
        )
    if screened.unknown:
        notes.append(
            f"{what} kept although they do not state a constrained value: "
            + ", ".join(f"{n} ({value})" for value, n in sorted(screened.unknown.items()))
        )
    return notes


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
) -> tuple[list[Candidate], Screened]:
    """Items of the catalogue that cover at least one gap (with the match as evidence), and
    providers' declarations that an item leads to the target (covering every gap); and what
    the constraints left out or could not check."""
    pool = matcher.cached_pool("catalogue", lambda: catalogue_units(view))
    by_id: dict[str, Candidate] = {}
    screened = Screened()

    def admit(owner: str) -> Candidate | None:
        if owner in exclude or owner == target.id:
            return None
        if owner in by_id:
            return by_id[owner]
        node = view.node(owner)
        if node is None or not screened.admits(constraints, node):
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
    return sorted(by_id.values(), key=lambda c: c.id), screened


def coverage_entry(r: UnitCoverage, by: str | None = None) -> dict[str, Any]:
    out = r.to_dict()
    if by is not None:
        out["by"] = by
    return out


def unidentified_members(target: Node, identified: int) -> list[str]:
    """Notes when a composition's member list is known to be longer than the members the
    data identifies (then held / identified members is an upper bound)."""
    notes = []
    named = target.props.get("member_count")
    if isinstance(named, int) and named > identified:
        notes.append(
            f"the source names {named} members, {identified} could be identified "
            "in the register data; the others are not considered"
        )
    if target.props.get("complete") is False:
        notes.append("the member list in the source is incomplete: other members may exist")
    return notes


def screen_members(
    rule: str, missing: Sequence[Node], held_any: bool, constraints: Constraints
) -> tuple[list[Node], Screened, list[str]]:
    """The missing members of an NSK composition that meet the constraints, what was left
    out, and notes that say when that makes the target unreachable: with ``all_of`` every
    missing member is needed; with ``any_one_of`` (nothing held) one allowed member is
    enough; with groups not visible or an unknown rule it cannot be told."""
    screened = Screened()
    if rule == "any_one_of" and held_any:
        return [], screened, []  # proven already: nothing to obtain
    allowed = [n for n in missing if screened.admits(constraints, n)]
    notes: list[str] = []
    if screened.refused:
        names = {n.id: str(n.props.get("code") or n.id) for n in missing}
        listed = ", ".join(f"{names[i]} ({why})" for i, why in sorted(screened.refused.items()))
        if rule == "all_of":
            notes.append(
                "the target cannot be reached within the constraints: every member is needed "
                f"and {len(screened.refused)} missing member(s) break them: {listed}"
            )
        elif rule == "any_one_of" and not allowed:
            notes.append(
                f"the target cannot be reached within the constraints: no member meets them: "
                f"{listed}"
            )
        elif rule == "any_one_of":
            notes.append(f"members left out by the constraints: {listed}")
        else:
            notes.append(
                f"members left out by the constraints: {listed}; whether the others suffice "
                "cannot be told"
            )
    notes += constraint_notes("members", Screened(unknown=screened.unknown))
    return allowed, screened, notes


def excluded(screened: Screened, nodes: Sequence[Node], lang: str | None) -> list[dict[str, Any]]:
    """The items the constraints left out, each with the reason (evidence for the notes)."""
    by_id = {n.id: n for n in nodes}
    return [
        {
            "id": i,
            "label": display_label(by_id[i], lang)[0],
            "code": by_id[i].props.get("code"),
            "reason": why,
        }
        for i, why in sorted(screened.refused.items())
        if i in by_id
    ]


def prepared_by(
    view: ReasoningView, pk: str, constraints: Constraints, seen: Screened
) -> list[str]:
    """Offers whose provider declares that they lead to ``pk`` and that meet the
    constraints (the others are recorded in ``seen``)."""
    edges = view.declared_into(pk)
    view.fetch(e.source for e in edges)
    nodes = [view.node(e.source) for e in edges]
    return list(dict.fromkeys(n.id for n in nodes if n is not None and seen.admits(constraints, n)))
