"""Skill profiles and competence coverage (DESIGN.md "Reasoning"; docs/reasoning.md).

An item is compared through its *units*:

- a qualification: its competences (Czech list; the English list when there is no Czech
  one: the two lists come from different revisions and are never counted together);
- a credential: its learning outcomes;
- a competence or a learning outcome: itself;
- an ESCO skill (held by a person): itself.

A unit's *skill claims* are its ALIGNS_TO edges (score = the alignment score, 1.0 when
declared); a skill unit claims itself with 1.0. The *skill profile* of an item is the
union of its units' claims (best score per skill).

A target unit is matched against a set of source units; every match has a method and a
score in [0, 1]:

============== ======================================================== ===================
method         score                                                    covers when
============== ======================================================== ===================
same_unit      1.0 (the same competence / outcome / skill node)         always
same_name      1.0 (equal names after trimming and case folding)        always
same_skill     min(target alignment, source alignment) on one skill     ≥ coverage_skill_min
semantic       cosine of the two texts (multilingual e5, passage role)  ≥ coverage_semantic_min
hierarchy      min(alignments) × coverage_hierarchy_factor, skills one  never (related only)
               BROADER step apart
============== ======================================================== ===================

The best match decides: ``covered`` when its method's rule says so, ``related`` when some
match reaches ``related_min_score`` (or is a hierarchy neighbour), else ``gap``. Every
match carries the ids and texts that make it, so a person can check it.

Ratios are covered / *listed* target units. A list cut short in the source makes the ratio a
bound (``ratio_bound``): ``upper`` when the target's list is cut (its unlisted units can be
shown covered by nothing, so at most this share of the whole target is shown covered),
else ``lower`` when a source's list is cut (its unlisted units might cover more); a ratio
that cannot move either way (0 of a cut target, 1 of a complete one) is exact. Whether
the target is covered completely (``completeness``) is then ``False`` when a listed unit
is open and ``None`` (cannot tell) when only the unlisted ones could be.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from credgraph.config import Settings
from credgraph.ingest.common import clean_text
from credgraph.models import EdgeKind, Node, NodeKind, display_label
from credgraph.reasoning.view import ReasoningView
from credgraph.search.embedder import Embedder

Status = Literal["covered", "related", "gap"]
METHOD_ORDER = ("same_unit", "same_name", "same_skill", "semantic", "hierarchy")


@dataclass(slots=True)
class Unit:
    id: str
    kind: str  # competence | learning_outcome | skill
    text: str
    owner: str  # the item the unit belongs to (itself for a lone competence/skill)
    level: int | None = None
    claims: dict[str, tuple[float, str]] = field(default_factory=dict)  # skill → score, method

    def ref(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": self.text, "of": self.owner}


@dataclass(slots=True)
class UnitSet:
    """The units of one item, and whether its list is known to be incomplete."""

    item: str
    units: list[Unit]
    truncated: bool
    notes: list[str]


@dataclass(slots=True)
class Match:
    method: str
    score: float
    source: Unit
    detail: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "score": round(self.score, 4),
            "source": self.source.ref(),
            **self.detail,
        }


@dataclass(slots=True)
class UnitCoverage:
    unit: Unit
    status: Status
    match: Match | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit.ref(),
            "status": self.status,
            "evidence": self.match.to_dict() if self.match else None,
        }


def _text(node: Node) -> str:
    return display_label(node, None)[0]


def _claims(view: ReasoningView, unit_id: str) -> dict[str, tuple[float, str]]:
    out: dict[str, tuple[float, str]] = {}
    for edge in view.out(EdgeKind.ALIGNS_TO, unit_id):
        method = str(edge.props.get("method") or "declared")
        raw = edge.props.get("score")
        score = float(raw) if isinstance(raw, int | float) and method != "declared" else 1.0
        if edge.target not in out or out[edge.target][0] < score:
            out[edge.target] = (min(max(score, 0.0), 1.0), method)
    return out


def units_of(view: ReasoningView, node: Node) -> UnitSet:
    notes: list[str] = []
    if node.kind is NodeKind.QUALIFICATION:
        comps = [view.node(e.target) for e in view.out(EdgeKind.HAS_COMPETENCE, node.id)]
        by_lang: dict[str, list[Node]] = {}
        for c in comps:
            if c is not None:
                by_lang.setdefault(str(c.props.get("lang") or "und"), []).append(c)
        lang = "cs" if "cs" in by_lang else ("en" if "en" in by_lang else next(iter(by_lang), ""))
        chosen = sorted(by_lang.get(lang, []), key=lambda c: c.props.get("position") or 10**6)
        if len(by_lang) > 1:
            notes.append(
                f"{node.id}: the {lang} competence list is used (lists differ by revision)"
            )
        truncated = any(bool(c.props.get("list_truncated")) for c in chosen)
        units = [
            Unit(
                c.id,
                "competence",
                _text(c),
                node.id,
                c.props.get("level") if isinstance(c.props.get("level"), int) else None,
            )
            for c in chosen
        ]
    elif node.kind is NodeKind.CREDENTIAL:
        outs = [view.node(e.target) for e in view.out(EdgeKind.HAS_OUTCOME, node.id)]
        chosen = sorted(
            (o for o in outs if o is not None), key=lambda o: o.props.get("position") or 10**6
        )
        truncated = bool(node.props.get("truncated")) or any(
            bool(o.props.get("truncated")) for o in chosen
        )
        units = [Unit(o.id, "learning_outcome", _text(o), node.id) for o in chosen]
        if not units:
            notes.append(f"{node.id}: the source lists no learning outcomes")
    elif node.kind in (NodeKind.COMPETENCE, NodeKind.LEARNING_OUTCOME):
        owner = str(node.props.get("qualification") or node.props.get("credential") or node.id)
        level = node.props.get("level")
        units = [
            Unit(
                node.id,
                "competence" if node.kind is NodeKind.COMPETENCE else "learning_outcome",
                _text(node),
                owner,
                level if isinstance(level, int) else None,
            )
        ]
        truncated = False
    elif node.kind is NodeKind.SKILL:
        units = [Unit(node.id, "skill", _text(node), node.id, claims={node.id: (1.0, "held")})]
        truncated = False
    else:
        units, truncated = [], False
        notes.append(f"{node.id}: a {node.kind.value} has no competences to compare")
    for unit in units:
        if unit.kind != "skill":
            unit.claims = _claims(view, unit.id)
    if node.kind is NodeKind.CREDENTIAL and units:
        extra = _claims(view, node.id)  # alignments declared on the credential itself
        if extra:
            units[0].claims = {**extra, **units[0].claims}
    if truncated:
        notes.append(f"{node.id}: the source's list is cut short; more exist than are listed")
    return UnitSet(node.id, units, truncated, notes)


def skill_profile(units: Iterable[Unit]) -> dict[str, dict[str, Any]]:
    """Skill → best claim (score, method, via unit) over the units."""
    out: dict[str, dict[str, Any]] = {}
    for unit in units:
        for skill, (score, method) in unit.claims.items():
            if skill not in out or out[skill]["score"] < score:
                out[skill] = {"score": round(score, 4), "method": method, "via": unit.id}
    return out


_LEVEL_SUFFIX = re.compile(r"\s*\(\d\)\s*$")  # "Diagnostika klienta (3)": the level, not the name


def _name_key(text: str) -> str:
    """Names compare equal after trimming, case folding, a trailing level "(3)" and
    trailing dots/ellipsis; a name cut with "…" never equals a longer one."""
    key = _LEVEL_SUFFIX.sub("", clean_text(text).casefold())
    return key.rstrip(" .")


class Matcher:
    """Scores matches between units; caches text vectors and skill neighbours, so one
    matcher can serve many requests."""

    def __init__(self, view: ReasoningView, settings: Settings, embedder: Embedder | None):
        self.view = view
        self.settings = settings
        self.embedder = embedder
        self.model = getattr(embedder, "model_id", None)
        self._vectors: dict[str, np.ndarray] = {}
        self._near: dict[str, set[str]] = {}
        self._pools: dict[str, Pool] = {}

    def vectors(self, texts: Sequence[str]) -> np.ndarray | None:
        """Unit-length passage vectors of ``texts`` (None without an embedder)."""
        if self.embedder is None:
            return None
        todo = [t for t in dict.fromkeys(texts) if t not in self._vectors]
        if todo:
            matrix = self.embedder.embed(todo, role="passage")
            for text, row in zip(todo, matrix, strict=True):
                self._vectors[text] = np.asarray(row, dtype=np.float32)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._vectors[t] for t in texts])

    def near(self, skill: str) -> set[str]:
        """Skills one BROADER step away (up or down)."""
        if skill not in self._near:
            up = {e.target for e in self.view.out(EdgeKind.BROADER, skill)}
            down = {e.source for e in self.view.into(EdgeKind.BROADER, skill)}
            self._near[skill] = (up | down) - {skill}
        return self._near[skill]

    def status(self, match: Match) -> Status:
        s = self.settings
        if match.method in ("same_unit", "same_name"):
            return "covered"
        if match.method == "same_skill":
            return "covered" if match.score >= s.coverage_skill_min_score else "related"
        if match.method == "semantic":
            if match.score >= s.coverage_semantic_min_score:
                return "covered"
            return "related" if match.score >= s.related_min_score else "gap"
        return "related"  # hierarchy neighbours show relatedness, not coverage

    def pool(self, sources: Sequence[Unit]) -> Pool:
        """An index over ``sources`` (for one request)."""
        return Pool(self, sources)

    def cached_pool(self, key: str, sources: Callable[[], Sequence[Unit]]) -> Pool:
        """An index over ``sources()``, built once and kept for later requests."""
        if key not in self._pools:
            self._pools[key] = Pool(self, sources())
        return self._pools[key]

    def cover_all(self, targets: Sequence[Unit], sources: Sequence[Unit]) -> list[UnitCoverage]:
        pool = self.pool(sources)
        self.vectors([t.text for t in targets])
        return [pool.cover(t) for t in targets]


class Pool:
    """Source units indexed by id, name, claimed skill and vector."""

    def __init__(self, matcher: Matcher, units: Sequence[Unit]) -> None:
        self.matcher = matcher
        self.units = list(units)
        self.by_id: dict[str, list[int]] = {}
        self.by_name: dict[str, list[int]] = {}
        self.by_skill: dict[str, list[int]] = {}
        for i, u in enumerate(self.units):
            self.by_id.setdefault(u.id, []).append(i)
            if u.kind != "skill":
                key = _name_key(u.text)
                if key:
                    self.by_name.setdefault(key, []).append(i)
            for skill in u.claims:
                self.by_skill.setdefault(skill, []).append(i)
        self.matrix = matcher.vectors([u.text for u in self.units]) if self.units else None

    def matches(self, target: Unit) -> list[Match]:
        """Matches of ``target`` that count (covered or related), at most one per source
        unit and method."""
        m = self.matcher
        found: dict[tuple[int, str], Match] = {}

        def keep(i: int, match: Match) -> None:
            old = found.get((i, match.method))
            if (old is None or match.score > old.score) and m.status(match) != "gap":
                found[(i, match.method)] = match

        for i in self.by_id.get(target.id, []):
            keep(i, Match("same_unit", 1.0, self.units[i], {}))
        if target.kind != "skill":
            for i in self.by_name.get(_name_key(target.text), []):
                if self.units[i].id != target.id:
                    keep(i, Match("same_name", 1.0, self.units[i], {"name": target.text}))
        for skill, t_claim in sorted(target.claims.items()):
            for i in self.by_skill.get(skill, []):
                s = self.units[i]
                detail = {
                    "skill": skill,
                    "target_alignment": _claim(t_claim),
                    "source_alignment": _claim(s.claims[skill]),
                }
                keep(i, Match("same_skill", min(t_claim[0], s.claims[skill][0]), s, detail))
            for near in sorted(m.near(skill)):
                for i in self.by_skill.get(near, []):
                    s = self.units[i]
                    score = (
                        min(t_claim[0], s.claims[near][0]) * m.settings.coverage_hierarchy_factor
                    )
                    detail = {
                        "target_skill": skill,
                        "source_skill": near,
                        "target_alignment": _claim(t_claim),
                        "source_alignment": _claim(s.claims[near]),
                    }
                    keep(i, Match("hierarchy", score, s, detail))
        if self.matrix is not None and len(self.units):
            tv = m.vectors([target.text])
            if tv is not None:
                cos = self.matrix @ tv[0]
                for hit in np.flatnonzero(cos >= m.settings.related_min_score).tolist():
                    s = self.units[hit]
                    if s.id != target.id:
                        keep(
                            hit, Match("semantic", min(1.0, float(cos[hit])), s, {"model": m.model})
                        )
        return sorted(
            found.values(),
            key=lambda x: (
                -_RANK[m.status(x)],
                -x.score,
                METHOD_ORDER.index(x.method),
                x.source.id,
            ),
        )

    def cover(self, target: Unit) -> UnitCoverage:
        found = self.matches(target)
        if not found:
            return UnitCoverage(target, "gap", None)
        return UnitCoverage(target, self.matcher.status(found[0]), found[0])

    def covering_by_owner(self, target: Unit) -> dict[str, Match]:
        """The best covering match per item (owner of the source unit)."""
        out: dict[str, Match] = {}
        for match in self.matches(target):
            if self.matcher.status(match) == "covered":
                out.setdefault(match.source.owner, match)
        return out


_RANK = {"covered": 2, "related": 1, "gap": 0}


def _claim(claim: tuple[float, str]) -> dict[str, Any]:
    return {"score": round(claim[0], 4), "method": claim[1]}


Bound = Literal["upper", "lower"]


def ratio_bound(
    covered: int, listed: int, target_truncated: bool, source_truncated: bool
) -> Bound | None:
    """How the ratio ``covered / listed`` (listed target units) bounds the share of the
    whole target that is covered (docs/reasoning.md "Lists cut short"). A cut target list
    decides: its unlisted units cannot be shown covered, so the ratio is the most that can
    be shown ("upper", whatever the source). Else a cut source list: its unlisted units
    might cover more of the complete target, so the ratio is the least ("lower"). A ratio
    that cannot move is exact (``None``): 0 when the target is cut (nothing is shown),
    1 when only a source is cut (nothing is left), and none at all when nothing is listed."""
    if not listed:
        return None
    if target_truncated:
        return "upper" if covered else None
    return "lower" if source_truncated and covered < listed else None


def completeness(open_units: int, total: int, target_truncated: bool) -> bool | None:
    """Is the whole target covered? ``False`` when a listed unit is open (or nothing is
    listed), ``None`` when every listed unit is covered but the list is cut short (the
    unlisted units cannot be told), else ``True``."""
    if open_units or not total:
        return False
    return None if target_truncated else True


def summary(
    results: Sequence[UnitCoverage], target_truncated: bool, source_truncated: bool
) -> dict[str, Any]:
    """Counts and the ratio covered / listed target units, with what bounds it."""
    covered = sum(1 for r in results if r.status == "covered")
    related = sum(1 for r in results if r.status == "related")
    total = len(results)
    notes = []
    if target_truncated:
        notes.append(
            "the target's list is cut short: the ratio is over the listed units, the most "
            "that can be shown covered of the whole list (upper bound)"
        )
    if source_truncated:
        notes.append(
            "the source's list is cut short: its unlisted units might cover more"
            + ("" if target_truncated else " (lower bound)")
        )
    return {
        "covered": covered,
        "related": related,
        "gaps": total - covered - related,
        "total": total,
        "ratio": round(covered / total, 4) if total else None,
        "bound": ratio_bound(covered, total, target_truncated, source_truncated),
        "notes": notes,
    }
