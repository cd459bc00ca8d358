"""One shape for a credential read from any format (ELM/EDC, Europass QDR XML, Open Badges,
CTDL, the provider CSV template), and its mapping into the graph.

Each format's parser (``elm``, ``qdr``, ``openbadges``, ``ctdl``, ``csv_template``) turns a
document into ``CredentialRecord`` s; ``store_credentials`` maps them and writes them in one
transaction (all or nothing for the file):

- a ``Credential`` node ``mc:<id>``: the record's own id when the source gives a plain one
  (the CSV template's ``id`` column), else ``mc:<hash of the source IRI>`` so the same
  credential in another wrapping (signed, unsigned, "uploadable") is the same node;
- its provider (awarding body) as a ``Provider`` ``provider:<slug of the name>`` (the same id
  an offer of that provider gets) with ``OFFERED_BY``;
- each learning outcome as ``<credential>#lo-<hash>`` with ``HAS_OUTCOME {position}``;
- declared ESCO skills (ELM ``relatedESCOSkill``, Open Badges / CTDL alignments to ESCO) as
  ``ALIGNS_TO {score: 1.0, method: "declared", source: <format>}`` from the outcome (or the
  credential), ESCO occupations as ``RELATES_TO_OCCUPATION``; a skill or occupation that is
  not in the graph is skipped and counted (no stub nodes);
- references between credentials by source IRI (``prerequisites``, ``stacks_into``) as
  ``PREREQUISITE`` / ``STACKS_INTO`` edges when the target is in the same file or already
  stored, else skipped and counted;
- competences a document describes on their own (CTDL competencies, alone or in a
  competency framework: ``CompetenceRecord``) as ``Competence`` nodes
  ``competency:<hash of the source IRI>``, with declared ESCO skills as ``ALIGNS_TO``;
- links a document declares between credentials it only names (a CTDL pathway's steps, a
  transfer value between two courses described elsewhere: ``DeclaredLink``) as edges when
  both ends are in the file or already stored, else skipped and counted.

An EQF level outside 1–8 is not stored (skipped and counted; template validation reports it
invalid). A document that gives nothing to store says why (``DocumentContent.note``): the ingest
report lists it for the file.

No personal data is stored: of an issued credential only what describes the achievement
(title, awarding body, outcomes, volume, level, dates of issue) is kept, never the learner.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from credgraph.config import Settings
from credgraph.graph.base import GraphStore
from credgraph.ingest.common import clean_text, short_hash, write_batches
from credgraph.ingest.records import merge_provider, merge_stored_providers, provider_id
from credgraph.ingest.report import IngestReport
from credgraph.models import ESCO_BASE, Edge, EdgeKind, LangMap, Node, NodeKind

DocumentKind = Literal["offer", "issued"]
ESCO_SKILL = ESCO_BASE + "skill/"
ESCO_OCCUPATION = ESCO_BASE + "occupation/"
STORED_PREFIXES = ("nsk:", "mc:", "competency:")


@dataclass(slots=True)
class OutcomeRecord:
    texts: LangMap  # language -> text (at least one)
    skills: list[str] = field(default_factory=list)  # ESCO skill URIs, declared by the source
    source_id: str | None = None


@dataclass(slots=True)
class ProviderRecord:
    names: LangMap
    source_id: str | None = None  # the source's IRI of the organisation
    country: str | None = None  # ISO 3166 alpha-2 or alpha-3, as the source gives it
    homepage: str | None = None


@dataclass(slots=True)
class CredentialRecord:
    """A credential (offer or specification, or the achievement of an issued credential).

    Numbers only where the source states a number (``ects``, ``hours``); text stays text
    (``volume_text``, ``ects_text``, ``price``). ``location`` says where in the file the
    record comes from ("$.credentialSubject.hasClaim", "line 3", "@graph[2]")."""

    format: str  # elm | qdr | openbadges-2 | openbadges-3 | ctdl | csv
    location: str
    title: LangMap
    source_id: str | None = None  # IRI / id in the source
    record_id: str | None = None  # a plain record id (CSV template), used as mc:<record_id>
    document_kind: DocumentKind = "offer"
    source_type: str | None = None  # the source's type name (Qualification, Course, …)
    description: LangMap = field(default_factory=dict)
    provider: ProviderRecord | None = None
    ects: float | None = None
    ects_text: str | None = None
    hours: float | None = None
    volume_text: str | None = None  # as the source states it, e.g. "PT60H"
    eqf_level: int | None = None
    nqf_level: str | None = None
    mode: str | None = None  # online | onsite | blended (else the source's text)
    language: str | None = None  # ISO 639-1 of instruction, when one code is given
    languages: list[str] = field(default_factory=list)
    outcomes: list[OutcomeRecord] = field(default_factory=list)
    skills: list[str] = field(default_factory=list)  # credential-level ESCO skill URIs
    occupations: list[str] = field(default_factory=list)  # ESCO occupation URIs
    assessment: str | None = None
    quality_assurance: str | None = None
    accreditation_id: str | None = None
    prerequisites: str | None = None  # entry requirements as text
    prerequisite_ids: list[str] = field(default_factory=list)  # source IRIs of credentials
    stacks_into_ids: list[str] = field(default_factory=list)  # source IRIs (or nsk: ids)
    price: str | None = None
    country: str | None = None
    issued_on: str | None = None
    valid_from: str | None = None
    valid_until: str | None = None
    url: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CompetenceRecord:
    """A competence described on its own (a CTDL competency, alone or in a framework)."""

    format: str
    location: str
    texts: LangMap  # the competence as a label (competencyLabel, else competencyText)
    description: LangMap = field(default_factory=dict)
    source_id: str | None = None
    skills: list[str] = field(default_factory=list)  # ESCO skill URIs, declared
    props: dict[str, Any] = field(default_factory=dict)  # framework, notation, position …


@dataclass(slots=True)
class DeclaredLink:
    """An edge a document declares between credentials it may only name by IRI (or by a
    stored id ``mc:…`` / ``nsk:…``): stored when both ends are in the file or the graph."""

    source: str
    kind: EdgeKind
    target: str
    location: str
    format: str = "ctdl"
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class DocumentContent:
    """Everything a credential document gives; ``note`` says why it gives nothing."""

    records: list[CredentialRecord] = field(default_factory=list)
    competences: list[CompetenceRecord] = field(default_factory=list)
    links: list[DeclaredLink] = field(default_factory=list)
    note: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.records or self.competences)


def credential_id(record: CredentialRecord) -> str:
    if record.record_id:
        return f"mc:{record.record_id}"
    return iri_credential_id(record.source_id or f"{record.location}|{_first(record.title)}")


def iri_credential_id(iri: str) -> str:
    """The node id of a credential known by its source IRI (also for references)."""
    return f"mc:{short_hash(iri.strip(), length=16)}"


def reference_id(ref: str) -> str:
    """The node id a reference names: a stored id as it is, else a credential's IRI."""
    return ref if ref.startswith(STORED_PREFIXES) else iri_credential_id(ref)


def competence_id(competence: CompetenceRecord) -> str:
    key = competence.source_id or "\x1f".join(
        [competence.location, *(f"{k}={v}" for k, v in sorted(competence.texts.items()))]
    )
    return f"competency:{short_hash(key.strip(), length=16)}"


def _first(texts: LangMap) -> str:
    return next(iter(texts.values()), "")


def outcome_node_id(credential: str, outcome: OutcomeRecord) -> str:
    key = outcome.source_id or "\x1f".join(
        f"{k}={clean_text(v)}" for k, v in sorted(outcome.texts.items())
    )
    return f"{credential}#lo-{short_hash(key)}"


def _props(record: CredentialRecord) -> dict[str, Any]:
    props: dict[str, Any] = {
        "source": record.format,
        "source_iri": record.source_id,
        "source_type": record.source_type,
        "document_kind": record.document_kind,
        "title": _first(record.title),
        "provider": _first(record.provider.names) if record.provider else None,
        "ects": record.ects,
        "ects_text": record.ects_text,
        "hours": record.hours,
        "workload_text": record.volume_text,
        "eqf_level": record.eqf_level if _valid_eqf(record.eqf_level) else None,
        "nqf_level": record.nqf_level,
        "mode": record.mode,
        "language": record.language,
        "languages": list(record.languages),
        "assessment": record.assessment,
        "quality_assurance": record.quality_assurance,
        "accreditation_id": record.accreditation_id,
        "prerequisites": record.prerequisites,
        "price": record.price,
        "country": record.country,
        "issued_on": record.issued_on,
        "valid_from": record.valid_from,
        "valid_until": record.valid_until,
        "url": record.url,
    }
    props.update(record.extra)
    return props


def _valid_eqf(level: int | None) -> bool:
    return level is not None and 1 <= level <= 8


@dataclass(slots=True)
class _Batch:
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    providers: dict[str, Node] = field(default_factory=dict)
    wanted: list[tuple[Edge, str]] = field(default_factory=list)  # edge, location


def map_credentials(
    records: Sequence[CredentialRecord],
    competences: Sequence[CompetenceRecord] = (),
    links: Sequence[DeclaredLink] = (),
) -> _Batch:
    """Nodes and edges of a document (references not yet checked against the store)."""
    batch = _Batch()
    _map_records(batch, records)
    for competence in competences:
        _map_competence(batch, competence)
    for link in links:
        edge = Edge(
            reference_id(link.source),
            link.kind,
            reference_id(link.target),
            {
                "method": "declared",
                "source": link.format,
                "ref": link.target,
                "from": link.source,
                **link.props,
            },
        )
        if edge.source != edge.target:
            batch.wanted.append((edge, link.location))
    return batch


def _map_competence(batch: _Batch, competence: CompetenceRecord) -> None:
    cid = competence_id(competence)
    labels = _clean_map(competence.texts)
    if cid in batch.nodes or not labels:
        return
    node = Node(cid, NodeKind.COMPETENCE, labels=labels)
    node.descriptions = _clean_map(competence.description)
    node.props = {
        "source": competence.format,
        "source_iri": competence.source_id,
        **competence.props,
    }
    batch.nodes[cid] = node
    for skill in dict.fromkeys(competence.skills):
        batch.wanted.append((_declared(cid, skill, competence.format), competence.location))


def _map_records(batch: _Batch, records: Sequence[CredentialRecord]) -> None:
    for record in records:
        cid = credential_id(record)
        node = Node(cid, NodeKind.CREDENTIAL, labels=_clean_map(record.title))
        node.descriptions = _clean_map(record.description)
        node.props = _props(record)
        if cid in batch.nodes:  # the same credential twice in one file: keep the first
            continue
        batch.nodes[cid] = node
        if record.provider and _clean_map(record.provider.names):
            names = _clean_map(record.provider.names)
            pid = provider_id(_first(names))
            provider = Node(
                pid,
                NodeKind.PROVIDER,
                labels=names,
                props={
                    "role": "provider",
                    "roles": ["provider"],
                    "source_iri": record.provider.source_id,
                    "country": record.provider.country,
                    "homepage": record.provider.homepage,
                },
            )
            batch.providers[pid] = merge_provider(batch.providers.get(pid), provider)
            batch.edges.append(Edge(cid, EdgeKind.OFFERED_BY, pid, {}))
        for position, outcome in enumerate(record.outcomes, start=1):
            texts = _clean_map(outcome.texts)
            if not texts:
                continue
            oid = outcome_node_id(cid, outcome)
            if oid in batch.nodes:
                continue
            batch.nodes[oid] = Node(
                oid,
                NodeKind.LEARNING_OUTCOME,
                labels=texts,
                props={
                    "source": record.format,
                    "credential": cid,
                    "position": position,
                    "source_iri": outcome.source_id,
                },
            )
            batch.edges.append(Edge(cid, EdgeKind.HAS_OUTCOME, oid, {"position": position}))
            for skill in dict.fromkeys(outcome.skills):
                batch.wanted.append((_declared(oid, skill, record.format), record.location))
        for skill in dict.fromkeys(record.skills):
            batch.wanted.append((_declared(cid, skill, record.format), record.location))
        for occupation in dict.fromkeys(record.occupations):
            edge = Edge(cid, EdgeKind.RELATES_TO_OCCUPATION, occupation, {"source": record.format})
            batch.wanted.append((edge, record.location))
        for kind, refs in (
            (EdgeKind.PREREQUISITE, record.prerequisite_ids),
            (EdgeKind.STACKS_INTO, record.stacks_into_ids),
        ):
            for ref in dict.fromkeys(refs):
                edge = Edge(
                    cid,
                    kind,
                    reference_id(ref),
                    {"method": "declared", "source": record.format, "ref": ref},
                )
                batch.wanted.append((edge, record.location))


def _declared(source: str, skill: str, fmt: str) -> Edge:
    return Edge(
        source,
        EdgeKind.ALIGNS_TO,
        skill,
        {"score": 1.0, "method": "declared", "source": fmt, "model": None},
    )


def _clean_map(texts: LangMap) -> LangMap:
    return {lang: text.strip() for lang, text in texts.items() if clean_text(text)}


def store_credentials(
    store: GraphStore,
    path: Path | str,
    records: Sequence[CredentialRecord],
    settings: Settings,
    report: IngestReport,
    *,
    competences: Sequence[CompetenceRecord] = (),
    links: Sequence[DeclaredLink] = (),
) -> IngestReport:
    """Map a document and write it in one transaction; an edge with an end that is neither
    in this file nor stored is skipped and counted in ``report`` (no stub nodes)."""
    from credgraph.ingest.records import stale_children

    batch = map_credentials(records, competences, links)
    for record in records:
        if record.eqf_level is not None and not _valid_eqf(record.eqf_level):
            report.skip(
                f"{path} {record.location}",
                f"EQF level {record.eqf_level} is outside 1–8: the level is not stored",
                key="eqf_level_invalid",
            )
    ends = {i for e, _ in batch.wanted for i in (e.source, e.target)} - set(batch.nodes)
    present = store.has_nodes(sorted(ends)) if ends else set()
    known = set(batch.nodes) | present
    edges = list(batch.edges)
    for edge, location in batch.wanted:
        if edge.target in known and edge.source in known:
            edges.append(edge)
            continue
        what = {
            EdgeKind.ALIGNS_TO: "ESCO skill",
            EdgeKind.RELATES_TO_OCCUPATION: "ESCO occupation",
        }.get(edge.kind, "credential")
        if edge.source not in known:  # a declared link from a credential described elsewhere
            report.skip(
                f"{path} {location}",
                f"{edge.kind.value} from {edge.props.get('from') or edge.source}: "
                "credential not in the graph",
                key=f"{edge.kind.value.lower()}_source_absent",
            )
            continue
        report.skip(
            f"{path} {location}",
            f"{edge.kind.value} to {edge.props.get('ref') or edge.target}: {what} not in the graph",
            key=f"{edge.kind.value.lower()}_target_absent",
        )
    nodes = [*batch.nodes.values(), *merge_stored_providers(store, batch.providers)]
    parents = [n.id for n in nodes if n.kind is NodeKind.CREDENTIAL]
    stale = stale_children(store, parents, EdgeKind.HAS_OUTCOME, set(batch.nodes))
    with store.transaction():
        if stale:
            store.delete_nodes(stale)
        write_batches(store, nodes, edges, report, batch_size=settings.write_batch_size)
    report.rows_stored += len(parents) + sum(n.kind is NodeKind.COMPETENCE for n in nodes)
    return report
