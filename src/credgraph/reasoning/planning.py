"""Choosing what to obtain: candidates that cover a target's open requirements, the exact
set cover (scipy milp) when candidates are few, greedy with its bound otherwise, and
totals that are sums only where every part states a number.

Exact: minimise the number of items such that every requirement some candidate can cover
is covered (ties broken by known hours, then ids). Alternatives come from re-solving with
each earlier answer forbidden (a "no-good" cut: not all of its items again), so they are the
next-best sets that do not contain an earlier answer (a superset only adds a redundant item).
Greedy: repeatedly take the item covering the most open requirements (ties: fewer known
hours, then id); it uses at most H(m) ≤ ln(m)+1 times the optimal number of items, m being
the most requirements one item covers (Chvátal 1979).
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from credgraph.models import Node
from credgraph.reasoning.coverage import Match


@dataclass(slots=True)
class Candidate:
    node: Node
    covers: dict[str, Match | dict[str, Any]] = field(default_factory=dict)  # requirement → why

    @property
    def id(self) -> str:
        return self.node.id

    @property
    def hours(self) -> float | None:
        value = self.node.props.get("hours")
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        return None


def strength(c: Candidate) -> float:
    """Mean score of the matches a candidate covers with (declared counts 1.0)."""
    scores = [m.score if isinstance(m, Match) else 1.0 for m in c.covers.values()]
    return sum(scores) / len(scores) if scores else 0.0


def _tie(c: Candidate) -> tuple[float, str]:
    return (c.hours if c.hours is not None else math.inf, c.id)


def greedy_cover(cands: Sequence[Candidate], banned: set[str] | None = None) -> list[Candidate]:
    chosen: list[Candidate] = []
    open_reqs = set().union(*(c.covers for c in cands)) if cands else set()
    pool = [c for c in cands if not banned or c.id not in banned]
    while open_reqs:
        best = max(
            pool,
            key=lambda c: (len(open_reqs & set(c.covers)), -_tie(c)[0], _neg(c.id)),
            default=None,
        )
        if best is None or not open_reqs & set(best.covers):
            break
        chosen.append(best)
        open_reqs -= set(best.covers)
        pool.remove(best)
    return chosen


def _neg(text: str) -> tuple[int, ...]:
    """Sort key that makes max() prefer the smaller id."""
    return tuple(-ord(ch) for ch in text)


def exact_covers(cands: Sequence[Candidate], k: int) -> list[list[Candidate]]:
    """Up to ``k`` distinct minimum-size sets covering every coverable requirement."""
    from scipy.optimize import Bounds, LinearConstraint, milp

    reqs = sorted(set().union(*(c.covers for c in cands))) if cands else []
    if not reqs:
        return []
    n = len(cands)
    known = [c.hours for c in cands if c.hours is not None]
    top = max(known) if known else 1.0
    # cost: 1 per item; tie-breaks far below 1 prefer stronger evidence, then fewer known
    # hours, then the smaller id, so the answer does not depend on the solver's choice
    order = {c.id: j for j, c in enumerate(sorted(cands, key=lambda c: c.id))}
    cost = np.array(
        [
            1.0
            + 1e-3 * (1.0 - strength(c))
            + 1e-4 * ((c.hours if c.hours is not None else top) / (top or 1.0))
            + 1e-7 * order[c.id]
            for c in cands
        ]
    )
    a = np.zeros((len(reqs), n))
    index = {r: i for i, r in enumerate(reqs)}
    for j, c in enumerate(cands):
        for r in c.covers:
            a[index[r], j] = 1.0
    rows = [LinearConstraint(a, lb=np.ones(len(reqs)), ub=np.full(len(reqs), np.inf))]
    out: list[list[Candidate]] = []
    for _ in range(k):
        res = milp(
            cost, constraints=rows, integrality=np.ones(n, dtype=np.int64), bounds=Bounds(0, 1)
        )
        if res.x is None or not res.success:
            break
        picked = [j for j in range(n) if res.x[j] > 0.5]
        out.append(sorted((cands[j] for j in picked), key=_tie))
        cut = np.zeros((1, n))
        cut[0, picked] = 1.0
        rows.append(LinearConstraint(cut, lb=-np.inf, ub=len(picked) - 1))
    return out


def choose(
    cands: Sequence[Candidate], k: int, exact_max: int
) -> tuple[list[list[Candidate]], str, dict[str, Any]]:
    """Up to ``k`` covering sets, the method used and its guarantee."""
    if not cands:
        return [], "none", {}
    if len(cands) <= exact_max:
        return exact_covers(cands, k), "milp-set-cover", {"optimal": True}
    sets: list[list[Candidate]] = []
    banned: set[str] = set()
    for _ in range(k):
        picked = greedy_cover(cands, banned)
        if not picked or any({c.id for c in picked} == {c.id for c in s} for s in sets):
            break
        sets.append(picked)
        banned.add(picked[0].id)
    largest = max(len(c.covers) for c in cands)
    bound = sum(1 / i for i in range(1, largest + 1))
    return (
        sets,
        "greedy-set-cover",
        {
            "optimal": False,
            "bound": f"at most {bound:.2f}× the fewest items (H({largest}), ln(m)+1 bound)",
        },
    )


def prerequisite_order(
    ids: Sequence[str],
    prerequisites: Mapping[str, Sequence[str]],
    key: Callable[[str], tuple[Any, ...]],
) -> tuple[list[str], bool]:
    """The steps ``ids`` ordered so that every step comes after its prerequisites that are
    also steps; among the steps that are free to go next, the smallest ``key`` first (EQF
    level, hours, id). Returns the order and whether a prerequisite cycle had to be broken
    (then the rest of the cycle follows ``key``)."""
    members = set(ids)
    needs = {i: {p for p in prerequisites.get(i, ()) if p in members and p != i} for i in ids}
    freed_by: dict[str, list[str]] = {i: [] for i in ids}
    for step, before in needs.items():
        for p in before:
            freed_by[p].append(step)
    ready = [(key(i), i) for i in ids if not needs[i]]
    heapq.heapify(ready)
    out: list[str] = []
    cycle = False
    while len(out) < len(ids):
        if not ready:  # a cycle: take the smallest remaining step as if it were free
            cycle = True
            rest = min((i for i in ids if i not in out), key=key)
            needs[rest] = set()
            ready.append((key(rest), rest))
        _, step = heapq.heappop(ready)
        if step in out:
            continue
        out.append(step)
        for nxt in freed_by[step]:
            needs[nxt].discard(step)
            if not needs[nxt] and nxt not in out:
                heapq.heappush(ready, (key(nxt), nxt))
    return out, cycle


_PRICE = re.compile(
    r"^\s*(\d{1,3}(?:[ \u00a0.]\d{3})*|\d+)(?:,-|,00|\.00)?\s*(Kč|CZK|€|EUR)\s*$", re.IGNORECASE
)
_FREE = re.compile(r"^\s*(zdarma|free|free of charge|bez poplatku)\b", re.IGNORECASE)


def parse_price(text: object) -> tuple[float, str | None] | None:
    """A price stated as one amount in one currency ("4 800 Kč", "1 840 €"), or free;
    anything else (per credit, ranges, conditions) is not a number."""
    if not isinstance(text, str):
        return None
    if _FREE.match(text):
        return 0.0, None
    m = _PRICE.match(text)
    if not m:
        return None
    amount = float(re.sub(r"[ \u00a0.]", "", m.group(1)))
    currency = {"kč": "CZK", "czk": "CZK", "€": "EUR", "eur": "EUR"}[m.group(2).lower()]
    return amount, currency


def totals(nodes: Sequence[Node]) -> dict[str, Any]:
    """Hours and ECTS summed only when every item states them (else null, with the known
    part as a lower bound); price summed only when every item states one amount in one
    currency, else the texts are listed."""
    out: dict[str, Any] = {"items": len(nodes)}
    for key in ("hours", "ects"):
        values = [n.props.get(key) for n in nodes]
        nums = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
        out[key] = round(sum(nums), 2) if len(nums) == len(nodes) else None
        if out[key] is None and nodes:
            out[f"{key}_known_for"] = len(nums)
            out[f"{key}_at_least"] = round(sum(nums), 2)
    prices = [parse_price(n.props.get("price")) for n in nodes]
    currencies = {p[1] for p in prices if p is not None and p[1] is not None}
    if nodes and all(p is not None for p in prices) and len(currencies) <= 1:
        out["price"] = {
            "amount": sum(p[0] for p in prices if p is not None),
            "currency": next(iter(currencies), None),
        }
    else:
        out["price"] = None
        texts = [
            {"id": n.id, "price": n.props.get("price")}
            for n in nodes
            if n.props.get("price") is not None
        ]
        if texts:
            out["price_texts"] = texts
    return out
