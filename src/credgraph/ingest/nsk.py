"""NSK records: JSONL files harvested from the public NSK register and Europass
(``data/nsk/``; fields in docs/data-formats.md, provenance in SOURCES-nsk.md).

Three file types, recognised by the keys of their first record (``detect_nsk_file``):

- ``qualifications``: a Qualification ``nsk:<id>`` per record, a Competence
  ``nsk:<id>#c-<hash>`` per listed competence (HAS_COMPETENCE) with its assessment
  criteria, and the authorising body as a Provider (AWARDED_BY);
- ``school_vet``: Europass supplements of school VET fields: a Qualification per field and
  its general/vocational competences;
- ``upk``: compositions (ÚPK, or admission to a school field's final exam): a Qualification
  per composition and PART_OF member → composition carrying the rule. Members must be in
  the store already, so files load in ``NSK_ORDER``.

Contract: a file is parsed whole before anything is written, then written in one
transaction; invalid JSON raises ``InputError`` (file:line:col) and stores nothing. A record
without ``id`` or with a field of the wrong type is counted as failed ("file:line", the
reason names the field) and the rest is stored. A member that points to no stored
qualification is counted as skipped ("file:line member N"); no stub nodes. Czech and
English competence lists come from different revisions and are never paired by position:
each Competence has one language. Nulls stay null; no level or number is invented.
Re-ingesting a file gives the same graph (competences it no longer lists are removed).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.base import GraphStore
from credgraph.ingest.common import clean_text, dedupe, write_batches
from credgraph.ingest.nsk_competences import (
    attach_criteria,
    competence_node,
    has_competence,
    listed_competences,
)
from credgraph.ingest.readers import iter_jsonl
from credgraph.ingest.records import (
    NULL,
    Record,
    TypeSpec,
    first_record,
    items_problem,
    merge_provider,
    merge_stored_providers,
    provider_id,
    read_records,
    stale_children,
    text_list_problem,
    type_problem,
)
from credgraph.ingest.report import IngestReport
from credgraph.models import Edge, EdgeKind, Node, NodeKind

# Load order of the file types: PART_OF members must exist before their compositions.
NSK_ORDER: tuple[str, ...] = ("qualifications", "school_vet", "upk")

RULES = ("all_of", "any_one_of", "any_of_groups", "unknown")

_S, _I, _B, _L, _D = (str, NULL), (int, NULL), (bool, NULL), (list, NULL), (dict, NULL)
_SCALAR = (str, int, float, NULL)

_QUALIFICATION_SPEC: TypeSpec = {
    "nsk_id": _I,
    "code": _S,
    "code_letter": _S,
    "name_cs": _S,
    "name_en": _S,
    "label": _S,
    "label_is_fallback": _B,
    "type": _S,
    "type_inferred": _S,
    "eqf_level": _I,
    "authorising_body": _S,
    "authorising_body_en": _S,
    "field_group": _D,
    "related_occupation": _L,
    "related_occupation_en": _L,
    "valid_from": _S,
    "valid_to": _S,
    "validity_text": _S,
    "exam_note": _S,
    "exam_fee": _SCALAR,
    "exam_duration": _SCALAR,
    "competences_cs": _L,
    "competences_en": _L,
    "competences_cs_truncated": _B,
    "competences_en_truncated": _B,
    "competences_cs_standard": _D,
    "competences_en_standard": _D,
    "criteria": _L,
    "criteria_source": _S,
    "part_of": _L,
    "former_names_cs": _L,
    "sources": _L,
    "status": _S,
    "notes": _S,
}
_QUALIFICATION_TEXT_LISTS = (
    "related_occupation",
    "related_occupation_en",
    "former_names_cs",
    "sources",
)
_COMPETENCE_SPEC: TypeSpec = {"name": (str,), "level": _I}
_CRITERIA_SPEC: TypeSpec = {
    "competence": (str,),
    "level": _I,
    "criteria": _L,
    "pass_rule": _S,
    "truncated": _B,
}
_CRITERION_SPEC: TypeSpec = {"id": _S, "text": _S, "method": _S}

_VET_GROUPS = ("general", "vocational")
_VET_LISTS = tuple(f"competences_{g}_{lang}" for g in _VET_GROUPS for lang in ("cs", "en"))
_VET_SPEC: TypeSpec = {
    "code": _S,
    "name_cs": _S,
    "name_en": _S,
    "certificate_cs": _S,
    "certificate_en": _S,
    "study_modes": _L,
    "sources": _L,
    "eqf_level": _I,
    "notes": _S,
    **{name: _L for name in _VET_LISTS},
    **{f"{name}_truncated": _B for name in _VET_LISTS},
}

_UPK_SPEC: TypeSpec = {
    "upk_code": _S,
    "upk_name_cs": (str,),
    "kind": _S,
    "rule": _S,
    "rule_text": _S,
    "groups_visible": _B,
    "members": (list,),
    "member_count": _I,
    "complete": _B,
    "complete_basis": _S,
    "names_paraphrased": _B,
    "as_of": _S,
    "source_type": _S,
    "source_pk_page": _D,
    "related_school_field": _S,
    "evidence": _S,
    "notes": _S,
    "sources": _L,
}
_MEMBER_SPEC: TypeSpec = {
    "code": _S,
    "name_cs": _S,
    "level_shown": _I,
    "qualification_id": _S,
    "match_basis": _S,
}


def nsk_id(record_id: str) -> str:
    return f"nsk:{record_id}"


def detect_nsk_file(path: Path) -> str | None:
    """The NSK file type (one of ``NSK_ORDER``) from the first record's keys, else None
    (also for an empty or unreadable file)."""
    first = first_record(path)
    return None if first is None else nsk_file_type(first)


def nsk_file_type(record: Record) -> str | None:
    """The NSK file type a record belongs to, by its keys."""
    keys = set(record)
    # distinctive keys only, so a first record that fails its checks is still recognised
    if "upk_name_cs" in keys or "members" in keys:
        return "upk"
    if "study_modes" in keys or any(k.startswith("competences_general_") for k in keys):
        return "school_vet"
    if keys & {"label_is_fallback", "competences_cs", "nsk_id"}:
        return "qualifications"
    return None


def _read_file_type(path: Path) -> str | None:
    first = next(iter_jsonl(path), None)  # unlike detect_nsk_file, a bad file raises
    return nsk_file_type(first[1]) if first else None


def ingest_nsk_file(
    store: GraphStore, path: Path, settings: Settings, file_type: str | None = None
) -> IngestReport:
    kind = file_type or _read_file_type(path)
    if kind not in NSK_ORDER:
        raise InputError(
            "not an NSK JSONL file (first record's keys not recognised)",
            source=str(path),
            position="1",
            hint="see docs/data-formats.md for the NSK file types",
        )
    report = IngestReport(source=str(path), format=f"nsk:{kind}")
    _LOADERS[kind](store, path, settings, report)
    return report


def ingest_nsk_files(
    store: GraphStore, files: list[Path], settings: Settings
) -> list[IngestReport]:
    """NSK files in ``NSK_ORDER``; readable files of no NSK type are left out, an unreadable
    one raises its ``InputError``."""
    typed = [(f, t) for f, t in ((f, _read_file_type(f)) for f in files) if t is not None]
    typed.sort(key=lambda ft: (NSK_ORDER.index(ft[1]), ft[0].name))
    return [ingest_nsk_file(store, f, settings, t) for f, t in typed]


# -- shared steps -------------------------------------------------------------------------


def _write(
    store: GraphStore,
    settings: Settings,
    report: IngestReport,
    nodes: list[Node],
    edges: list[Edge],
    parents: list[str],
) -> None:
    """Write in one transaction, first removing competences the parents no longer list."""
    keep = {n.id for n in nodes}
    stale = stale_children(store, parents, EdgeKind.HAS_COMPETENCE, keep)
    with store.transaction():
        if stale:
            store.delete_nodes(stale)
        write_batches(store, nodes, edges, report, batch_size=settings.write_batch_size)


# -- qualifications.jsonl -----------------------------------------------------------------


def _check_qualification(record: Record) -> str | None:
    problem = (
        type_problem(record, _QUALIFICATION_SPEC)
        or text_list_problem(record, _QUALIFICATION_TEXT_LISTS)
        or items_problem(record, "competences_cs", _COMPETENCE_SPEC)
        or items_problem(record, "competences_en", _COMPETENCE_SPEC)
        or items_problem(record, "criteria", _CRITERIA_SPEC)
    )
    if problem:
        return problem
    for i, item in enumerate(record.get("criteria") or []):
        problem = items_problem(item, "criteria", _CRITERION_SPEC, prefix=f"criteria[{i}].")
        if problem:
            return problem
    if not (record.get("name_cs") or record.get("label") or record.get("name_en")):
        return "no name: name_cs, label and name_en are all empty"
    return None


def _qualification_labels(record: Record) -> dict[str, str]:
    labels: dict[str, str] = {}
    name_cs, label, name_en = (clean_text(record.get(k)) for k in ("name_cs", "label", "name_en"))
    # Where name_cs is null, ``label`` is either a bracketed fallback or the English name;
    # an English name is not filed as Czech.
    if name_cs or (label and label != name_en):
        labels["cs"] = name_cs or label
    if name_en:
        labels["en"] = name_en
    return labels


_QUALIFICATION_MAPPED = {
    "id",
    "name_cs",
    "name_en",
    "label",
    "former_names_cs",
    "competences_cs",
    "competences_en",
    "criteria",
    "type",
    "type_inferred",
}


def _qualification(record: Record) -> Node:
    qid = nsk_id(record["id"])
    given_type, inferred = record.get("type"), record.get("type_inferred")
    props: Record = dict.fromkeys(k for k in _QUALIFICATION_SPEC if k not in _QUALIFICATION_MAPPED)
    props.update({k: v for k, v in record.items() if k not in _QUALIFICATION_MAPPED})
    props.update(
        source="nsk",
        nsk_file="qualifications",
        qualification_type=given_type or inferred,
        type_inferred=given_type is None and inferred is not None,
        label_is_fallback=bool(record.get("label_is_fallback")),
    )
    node = Node(
        id=qid, kind=NodeKind.QUALIFICATION, labels=_qualification_labels(record), props=props
    )
    former = dedupe(clean_text(n) for n in record.get("former_names_cs") or [])
    if former:
        node.alt_labels["cs"] = former
    return node


def _authorising_body(record: Record) -> Node | None:
    body = clean_text(record.get("authorising_body"))
    if not body:
        return None
    node = Node(
        id=provider_id(body),
        kind=NodeKind.PROVIDER,
        labels={"cs": body},
        props={"role": "authorising_body", "roles": ["authorising_body"]},
    )
    body_en = clean_text(record.get("authorising_body_en"))
    if body_en:
        node.labels["en"] = body_en
    return node


def _load_qualifications(
    store: GraphStore, path: Path, settings: Settings, report: IngestReport
) -> None:
    nodes: list[Node] = []
    edges: list[Edge] = []
    providers: dict[str, Node] = {}
    for _, record in read_records(path, settings, report, _check_qualification):
        qualification = _qualification(record)
        competences = listed_competences(record, qualification.id)
        attach_criteria(record, qualification.id, competences)
        nodes += [qualification, *competences]
        edges += [has_competence(qualification.id, c) for c in competences]
        body = _authorising_body(record)
        if body is not None:
            providers[body.id] = merge_provider(providers.get(body.id), body)
            edges.append(Edge(qualification.id, EdgeKind.AWARDED_BY, body.id, {}))
        report.rows_stored += 1
    nodes += merge_stored_providers(store, providers)
    parents = [n.id for n in nodes if n.kind is NodeKind.QUALIFICATION]
    _write(store, settings, report, nodes, edges, parents)


# -- school_vet_supplements.jsonl ---------------------------------------------------------


def _check_vet(record: Record) -> str | None:
    problem = type_problem(record, _VET_SPEC) or text_list_problem(
        record, ("study_modes", "sources", *_VET_LISTS)
    )
    if problem:
        return problem
    if not (record.get("name_cs") or record.get("name_en")):
        return "no name: name_cs and name_en are both empty"
    return None


def _vet_field(record: Record) -> tuple[Node, list[Node]]:
    qid = nsk_id(record["id"])
    labels = {
        lang: text for lang in ("cs", "en") if (text := clean_text(record.get(f"name_{lang}")))
    }
    props: Record = dict.fromkeys(
        ("code", "certificate_cs", "certificate_en", "study_modes", "sources")
    )
    props.update(
        {k: v for k, v in record.items() if k not in {"id", "name_cs", "name_en", *_VET_LISTS}}
    )
    props.update(
        source="nsk",
        nsk_file="school_vet",
        qualification_type="school VET field",
        eqf_level=record.get("eqf_level"),
    )
    competences: dict[str, Node] = {}
    for group in _VET_GROUPS:
        for lang in ("cs", "en"):
            field = f"competences_{group}_{lang}"
            for position, text in enumerate(record.get(field) or [], start=1):
                if not clean_text(text):
                    continue
                node = competence_node(
                    qid,
                    lang,
                    text,
                    position,
                    level=None,
                    group=group,
                    list_truncated=record.get(f"{field}_truncated"),
                    standard=None,
                )
                competences.setdefault(node.id, node)
    node = Node(id=qid, kind=NodeKind.QUALIFICATION, labels=labels, props=props)
    return node, list(competences.values())


def _load_school_vet(
    store: GraphStore, path: Path, settings: Settings, report: IngestReport
) -> None:
    nodes: list[Node] = []
    edges: list[Edge] = []
    for _, record in read_records(path, settings, report, _check_vet):
        field, competences = _vet_field(record)
        nodes += [field, *competences]
        edges += [has_competence(field.id, c) for c in competences]
        report.rows_stored += 1
    parents = [n.id for n in nodes if n.kind is NodeKind.QUALIFICATION]
    _write(store, settings, report, nodes, edges, parents)


# -- upk_compositions.jsonl ---------------------------------------------------------------


def _check_upk(record: Record) -> str | None:
    problem = (
        type_problem(record, _UPK_SPEC)
        or text_list_problem(record, ("sources",))
        or items_problem(record, "members", _MEMBER_SPEC)
    )
    if problem:
        return problem
    if not clean_text(record["upk_name_cs"]):
        return "field upk_name_cs is empty"
    if record.get("rule") is not None and record["rule"] not in RULES:
        return f"field rule must be one of {', '.join(RULES)}, got {record['rule']!r}"
    return None


def _composition(record: Record) -> Node:
    props: Record = dict.fromkeys(k for k in _UPK_SPEC if k not in {"upk_name_cs", "kind"})
    props.update({k: v for k, v in record.items() if k not in {"id", "upk_name_cs", "kind"}})
    kind = record.get("kind")
    props.update(
        source="nsk",
        nsk_file="upk",
        qualification_type=kind or "ÚPK",
        composition_kind=kind,
        rule=record.get("rule") or "unknown",
        eqf_level=None,
    )
    return Node(
        id=nsk_id(record["id"]),
        kind=NodeKind.QUALIFICATION,
        labels={"cs": clean_text(record["upk_name_cs"])},
        props=props,
    )


def _load_upk(store: GraphStore, path: Path, settings: Settings, report: IngestReport) -> None:
    records = read_records(path, settings, report, _check_upk)
    wanted = {
        nsk_id(m["qualification_id"])
        for _, r in records
        for m in r["members"]
        if m.get("qualification_id")
    }
    present = store.has_nodes(wanted)
    nodes: list[Node] = []
    edges: dict[tuple[str, str, str], Edge] = {}
    for where, record in records:
        composition = _composition(record)
        nodes.append(composition)
        report.rows_stored += 1
        props = composition.props
        for number, member in enumerate(record["members"], start=1):
            member_where = f"{where} member {number}"
            name = member.get("name_cs")
            if not member.get("qualification_id"):
                report.skip(
                    member_where,
                    f"member {name!r} is linked to no qualification "
                    "record (qualification_id is null)",
                    key="member without qualification_id",
                )
                continue
            source = nsk_id(member["qualification_id"])
            if source not in present:
                report.skip(
                    member_where,
                    f"member {source} is not in the graph",
                    key="member qualification not in the graph",
                )
                continue
            edge = Edge(
                source,
                EdgeKind.PART_OF,
                composition.id,
                {
                    "rule": props["rule"],
                    "groups_visible": props.get("groups_visible"),
                    "composition_kind": props["composition_kind"],
                    "complete": props.get("complete"),
                    "code": member.get("code"),
                    "name_cs": name,
                    "level_shown": member.get("level_shown"),
                    "match_basis": member.get("match_basis"),
                },
            )
            edges[edge.key] = edge
    write_batches(store, nodes, list(edges.values()), report, batch_size=settings.write_batch_size)


_LOADERS: dict[str, Callable[[GraphStore, Path, Settings, IngestReport], None]] = {
    "qualifications": _load_qualifications,
    "school_vet": _load_school_vet,
    "upk": _load_upk,
}
