"""CTDL pathways, transfer values and transfer agreements: what links credentials.

Called by ``credgraph.ingest.ctdl`` once the document's items are read (``_Parser``).
References to items described elsewhere (a pathway component's ``proxyFor``, a transfer
value's ends) become ``DeclaredLink`` s, stored when both ends are in the file or already
in the graph.

**Pathways** (``ceterms:Pathway`` with a name) are records of their own
(``source_type: Pathway``) with ``extra.steps``: the pathway's components in order. The
components are those connected to its destination (or ``isPartOf`` it) through
``hasChild``/``isChildOf``, ``precedes``/``precededBy`` and condition targets. A component
comes after its children, its conditions' target components and what precedes it; a
component's children also come after what precedes the component (the courses of stage 2
follow stage 1). ``step`` is the length of the longest chain before the component plus one
(components with the same number may be taken in any order). Each credential a component
stands for (itself when it is an item, else its ``proxyFor``) ``STACKS_INTO`` the pathway
``{step, component}``; declared order between them becomes ``PREREQUISITE`` (a child, a
condition target that must be met — every target, or nested conditions all of which are
required — and a predecessor come first); a choice ("2 of 9 courses") is kept as
``prerequisite_choices`` on a credential of the same document and as the condition text in
the steps. A component that stands for several credentials gives no ``PREREQUISITE``
(its conditions do not say which credential they are for).

**Transfer values** (``ceterms:TransferValueProfile``): the value is carried by the item it
is from (``extra.transfer_values``, ``STACKS_INTO`` the item it is for) or, when only the
"for" side is an item here, by that item (``extra.transfer_values_in``). A transfer value
whose ends are both described elsewhere (or absent) is a record of its own
(``source_type: TransferValueProfile``; title: its name, else its description, else
"Transfer value: 15 DegreeCredit"), and each "from" ``STACKS_INTO`` each "for" as a
declared link with the value. A profile that states nothing (no name, description or value:
the "..." placeholders of a sample) is only a reference.

**Transfer agreements** (``ceterms:TransferAgreement``) are records of their own
(``source_type: TransferAgreement``; title: the name, else "Transfer agreement between
<sending organisation> and <receiving organisation>", else "Transfer agreement"); the
sending programme ``STACKS_INTO`` the receiving programme as a declared link.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from credgraph.ingest.credentials import DeclaredLink, iri_credential_id
from credgraph.ingest.ctdl_terms import (
    PATHWAY,
    TRANSFER_AGREEMENT,
    TRANSFER_VALUE,
    ctdl_types,
    is_component,
    item_type,
)
from credgraph.ingest.jsonld_util import Node, first_text, number_text
from credgraph.models import EdgeKind

if TYPE_CHECKING:
    from credgraph.ingest.ctdl import _Parser

_CHILD = ("ceasn:hasChild", "ceasn:isChildOf")
_ORDER = ("ceterms:precedes", "ceterms:precededBy")


# -- transfer values and agreements ---------------------------------------------------------


def transfer_value_text(p: _Parser, node: Node, path: str) -> str | None:
    values = []
    for vpath, value in p.d.field(node, "ceterms:transferValue", path):
        amount, unit = p.value_profile(value, vpath)
        if amount is not None:
            values.append(f"{number_text(amount)} {unit or 'credits'}")
    return "; ".join(values) or None


def transfer_value(p: _Parser, node: Node, path: str) -> None:
    """A transfer value carried by the items of this document it is from or for."""
    d = p.d
    about = d.field_text(node, "ceterms:description", path)
    entry = {
        "value": transfer_value_text(p, node, path),
        "description": about or d.field_text(node, "ceterms:name", path),
        "profile": d.ref(node, path),
    }
    entry = {k: v for k, v in entry.items() if v}
    targets = d.field_refs(node, "ceterms:transferValueFor", path)
    for origin in d.field_refs(node, "ceterms:transferValueFrom", path):
        if origin in p.records:
            p.records[origin].stacks_into_ids += targets
            p.records[origin].extra.setdefault("transfer_values", []).append(
                {**entry, "for": targets}
            )
            continue
        name = d.field_text(d.index.get(origin) or {}, "ceterms:name", path)
        source = {"from": origin, **({"from_name": name} if name else {})}
        for target in targets:
            if target in p.records:
                received = p.records[target].extra.setdefault("transfer_values_in", [])
                received.append({**entry, **source})


def transfer_value_record(p: _Parser, node: Node, path: str) -> None:
    """A transfer value whose ends are not items of this document: a record of its own."""
    d = p.d
    origins = d.field_refs(node, "ceterms:transferValueFrom", path)
    targets = d.field_refs(node, "ceterms:transferValueFor", path)
    if any(ref in p.records for ref in (*origins, *targets)):
        return  # carried by the item (transfer_value)
    value = transfer_value_text(p, node, path)
    names = d.field_texts(node, "ceterms:name", path)
    about = d.field_texts(node, "ceterms:description", path)
    if not (names or about or value):
        return  # a placeholder: only a reference
    title = names or about or {"en": f"Transfer value: {value}"}
    record = p.item(node, path, "offer", {}, source_type=TRANSFER_VALUE, title=title)
    if record is None:
        return
    record.extra.update(
        {
            "transfer_value": value,
            "transfer_value_from": origins,
            "transfer_value_for": targets,
        }
    )
    for origin in origins:
        described = d.index.get(origin)
        if described is not None and not item_type(described):
            continue  # from an occupation or a job: not a credential
        for target in targets:
            props = {"transfer_value": value, "profile": record.source_id}
            p.links.append(DeclaredLink(origin, EdgeKind.STACKS_INTO, target, path, props=props))


def agreement_record(p: _Parser, node: Node, path: str) -> None:
    d = p.d
    parties = {}
    for side in ("sending", "receiving"):
        key = f"ceterms:{side}Organization"
        org = next((p.organisation(v, w) for w, v in d.field(node, key, path)), None)
        ref = d.field_ref(node, key, path)
        parties[side] = first_text(org.names) if org else None
        if org or ref:
            parties[f"{side}_organisation"] = parties[side] or ref
    title = d.field_texts(node, "ceterms:name", path)
    if not title and parties["sending"] and parties["receiving"]:
        title = {
            "en": f"Transfer agreement between {parties['sending']} and {parties['receiving']}"
        }
    record = p.item(
        node, path, "offer", {}, source_type=TRANSFER_AGREEMENT,
        title=title or {"en": "Transfer agreement"},
    )  # fmt: skip
    if record is None:
        return
    extra = record.extra
    for side in ("sending", "receiving"):
        if parties.get(f"{side}_organisation"):
            extra[f"{side}_organisation"] = parties[f"{side}_organisation"]
        programmes = d.field_refs(node, f"ceterms:{side}Program", path)
        if programmes:
            extra[f"{side}_programmes"] = programmes
    profiles = d.field_refs(node, "ceterms:hasTransferValueProfile", path)
    kind = d.concept(node.get("ceterms:agreementType"), path, ("skos:prefLabel",))
    signed = d.field_string(node, "ceterms:dateSigned", path)
    statements = []
    for key in ("ceterms:hasStatement", "ceterms:hasStructuredStatement"):
        for spath, statement in d.field_objects(node, key, path):
            text = d.field_text(statement, "ceterms:name", spath) or d.field_text(
                statement, "ceterms:statementText", spath
            )
            statements += [text] if text else []
    for key, value in (
        ("transfer_value_profiles", profiles),
        ("agreement_type", kind),
        ("date_signed", signed),
        ("statements", statements),
    ):
        if value:
            extra[key] = value
    for sending in extra.get("sending_programmes", []):
        for receiving in extra.get("receiving_programmes", []):
            props = {"agreement": record.source_id}
            p.links.append(
                DeclaredLink(sending, EdgeKind.STACKS_INTO, receiving, path, props=props)
            )


# -- pathways -------------------------------------------------------------------------------


def stands_for(p: _Parser, node: Node | None, path: str) -> list[str]:
    """The IRIs of the credentials a pathway component stands for: itself when it is an
    item, else its ``proxyFor`` references."""
    if not node:
        return []
    ident = p.d.ref(node, path)
    if ident and (ident in p.records or item_type(node)):
        return [ident]
    return p.d.field_refs(node, "ceterms:proxyFor", path)


def conditions(p: _Parser, holder: Node, path: str) -> tuple[list[str], list[dict[str, Any]]]:
    """(components that must come first, choices) of a component's conditions; a nested
    condition counts when its parent requires all of its parts."""
    d = p.d
    musts: list[str] = []
    choices: list[dict[str, Any]] = []
    for cpath, value in d.field(holder, "ceterms:hasCondition", path):
        condition = d.node(value, cpath) or {}
        targets = d.field_refs(condition, "ceterms:targetComponent", cpath)
        nested = d.field(condition, "ceterms:hasCondition", cpath)
        need = d.field_number(condition, "ceterms:requiredNumber", cpath)
        every = need is None or need >= len(targets) + len(nested)
        if targets and every:
            musts += targets
        elif targets:
            choices.append({"required": int(need or 0), "of": targets})
        if nested and every:
            more, options = conditions(p, condition, cpath)
            musts += more
            choices += options
    return musts, choices


def pathway_links(p: _Parser, node: Node, path: str) -> None:
    """Declared order between the credentials pathway components stand for."""
    d = p.d
    here = stands_for(p, node, path)
    if len(here) != 1 or not (is_component(node) or here[0] in p.records):
        return
    first, choices = conditions(p, node, path)
    first += d.field_refs(node, "ceasn:hasChild", path)
    first += d.field_refs(node, "ceterms:precededBy", path)
    after = d.field_refs(node, "ceterms:precedes", path)
    after += d.field_refs(node, "ceasn:isChildOf", path)
    own = p.records.get(here[0])
    if own is not None and choices:
        own.extra.setdefault("prerequisite_choices", []).extend(choices)
    for refs, later in ((first, False), (after, True)):
        for ref in refs:
            other = stands_for(p, d.index.get(ref), path)
            if len(other) != 1 or other == here:
                continue
            needs, before = (other[0], here[0]) if later else (here[0], other[0])
            _prerequisite(p, needs, before, path)


def _prerequisite(p: _Parser, needs: str, before: str, path: str) -> None:
    record = p.records.get(needs)
    if record is not None:
        record.prerequisite_ids.append(before)
    else:
        p.links.append(DeclaredLink(needs, EdgeKind.PREREQUISITE, before, path))


def pathway_record(p: _Parser, node: Node, path: str) -> None:
    record = p.item(node, path, "offer", {}, source_type=PATHWAY)
    if record is None or not record.source_id:
        return
    steps = pathway_steps(p, node, path)
    destinations = p.d.field_refs(node, "ceterms:hasDestinationComponent", path)
    ends = [ref for dest in destinations for ref in stands_for(p, p.d.index.get(dest), path)]
    record.extra["steps"] = steps
    if ends:
        record.extra["destination"] = [iri_credential_id(ref) for ref in ends]
    for step in steps:
        for ref in step.pop("_refs"):
            props = {"step": step["step"], "component": step.get("name")}
            link = DeclaredLink(ref, EdgeKind.STACKS_INTO, record.source_id, path, props=props)
            p.links.append(link)


def pathway_steps(p: _Parser, pathway: Node, path: str) -> list[dict[str, Any]]:
    d = p.d
    ident = d.ref(pathway, path)
    members = _members(p, pathway, path, ident)
    before: dict[str, set[str]] = defaultdict(set)  # component -> components before it
    for ref in members:
        node = d.index[ref]
        musts, choices = conditions(p, node, path)
        for other in musts + [r for c in choices for r in c["of"]]:
            before[ref].add(other)
        for child in d.field_refs(node, "ceasn:hasChild", path):
            before[ref].add(child)
        for parent in d.field_refs(node, "ceasn:isChildOf", path):
            before[parent].add(ref)
        for later in d.field_refs(node, "ceterms:precedes", path):
            before[later].add(ref)
        for earlier in d.field_refs(node, "ceterms:precededBy", path):
            before[ref].add(earlier)
    children = {ref: set(d.field_refs(d.index[ref], "ceasn:hasChild", path)) for ref in members}
    order_only = {ref: before[ref] - children[ref] for ref in members}
    for ref in members:  # a stage's courses come after what precedes the stage
        for child in children[ref]:
            before[child] |= order_only[ref]
    levels = _levels(members, {k: v & members for k, v in before.items()})
    position = {ref: i for i, ref in enumerate(d.index)}  # document order
    destinations = set(d.field_refs(pathway, "ceterms:hasDestinationComponent", path))
    steps = []
    for ref in sorted(members, key=lambda r: (levels[r], position[r])):
        node = d.index[ref]
        refs = stands_for(p, node, path)
        step: dict[str, Any] = {
            "step": levels[ref] + 1,
            "name": d.field_text(node, "ceterms:name", path),
            "component": next(iter(ctdl_types(node)), None),
            "category": d.concept(node.get("ceterms:componentCategory"), path, ()),
            "credentials": [iri_credential_id(r) for r in refs],
            "conditions": [
                text
                for cpath, c in d.field(node, "ceterms:hasCondition", path)
                if (text := d.field_text(d.node(c, cpath) or {}, "ceterms:description", cpath))
            ],
            "destination": ref in destinations or None,
        }
        step = {k: v for k, v in step.items() if v not in (None, [])}
        step["_refs"] = refs
        steps.append(step)
    return steps


def _members(p: _Parser, pathway: Node, path: str, ident: str | None) -> set[str]:
    """Components connected to the pathway's destination, or part of the pathway."""
    d = p.d
    start = set(d.field_refs(pathway, "ceterms:hasDestinationComponent", path))
    for ref, node in d.index.items():
        part_of = d.field_refs(node, "ceasn:isPartOf", path)
        part_of += d.field_refs(node, "ceterms:isDestinationComponentFor", path)
        if ident and ident in part_of and (is_component(node) or item_type(node)):
            start.add(ref)
    neighbours: dict[str, set[str]] = defaultdict(set)
    for ref, node in d.index.items():
        if not (is_component(node) or item_type(node)):
            continue
        musts, choices = conditions(p, node, path)
        linked = musts + [r for c in choices for r in c["of"]]
        for key in (*_CHILD, *_ORDER):
            linked += d.field_refs(node, key, path)
        for other in linked:
            neighbours[ref].add(other)
            neighbours[other].add(ref)
    found: set[str] = set()
    todo = [r for r in start if r in d.index]
    while todo:
        ref = todo.pop()
        if ref in found:
            continue
        found.add(ref)
        todo += [n for n in neighbours[ref] if n in d.index and n not in found]
    return {r for r in found if is_component(d.index[r]) or item_type(d.index[r])}


def _levels(members: set[str], before: dict[str, set[str]]) -> dict[str, int]:
    """The longest chain of predecessors of each member; a predecessor that closes a cycle
    does not count."""
    levels: dict[str, int] = {}
    for root in sorted(members):
        stack: list[tuple[str, list[str]]] = [(root, sorted(before.get(root, ())))]
        on_path = {root}
        while stack:
            ref, pending = stack[-1]
            while pending and (pending[-1] in levels or pending[-1] in on_path):
                pending.pop()
            if pending:
                nxt = pending.pop()
                on_path.add(nxt)
                stack.append((nxt, sorted(before.get(nxt, ()))))
                continue
            stack.pop()
            on_path.discard(ref)
            done = [levels[b] for b in before.get(ref, ()) if b in levels]
            levels.setdefault(ref, 1 + max(done, default=-1))
    return levels
