"""CTDL / CTDL-ASN JSON-LD (Credential Engine), read in compact form by property names.

Detection (``is_ctdl``): the ``@context`` names ``credreg.net/ctdl`` (or ``purl.org/ctdl``),
or keys / types use the ``ceterms:`` / ``ceasn:`` prefixes (plain, ``@graph``, a top-level
list, CTDL inside a W3C VC's ``credentialSubject.achievement``, a registry envelope's
``decoded_resource``), or the document is CTDL in expanded form (``https://purl.org/ctdl/
terms/…`` keys). A document that ``is_openbadges`` accepts is never CTDL.

What a document gives (``parse_ctdl``): one ``CredentialRecord`` per *described* item among
the document's top nodes (``@graph`` members, the document itself, or the achievements of a
VC, which are then ``document_kind="issued"``; location ``$.@graph[2]``, ``$``,
``$.credentialSubject.achievement[1]``). Items are credentials (every ``ceterms:`` class
named …Degree, …Certificate, …Diploma, …Badge, …Certification, …License, …Doctorate,
…Credential, e.g. ``MicroCredential``), ``LearningProgram``, ``Course``,
``AssessmentProfile`` and ``LearningOpportunityProfile``; an item without a name is only a
reference and gives no record. Documents without an item give ``[]`` (the caller counts
"no credential in document"): organisations, competency frameworks alone, qualifications
frameworks and their level descriptors, alignment maps, transfer values or agreements whose
items are not in the document, a pathway without the credentials it points to.
``InputError`` (position = JSON path): a field that is read has the wrong JSON type (a name
that is a number, ``@graph`` that is a string, a reference that is a number).

| CTDL | CredentialRecord |
|---|---|
| ``ceterms:name`` / ``description`` (language maps, ``en-US`` -> ``en``) | ``title`` / ``description`` |
| ``@id`` (compact IRIs with an inline prefix expanded) / ``ceterms:ctid`` | ``source_id`` / ``extra.ctid`` |
| ``ownedBy`` (else ``offeredBy``, else an organisation's ``offers``/``owns``) | ``provider`` (resolved in the document; else ``extra.provider_ref``) |
| ``accreditedBy`` / ``approvedBy`` / ``recognizedBy`` / ``regulatedBy`` | ``quality_assurance`` ("accredited by X") |
| ``estimatedDuration[].exactDuration`` / ``timeRequired`` | ``volume_text``; ``hours`` when in hours (``PT60H``) |
| ``creditValue`` (ValueProfile: ``schema:value``, ``creditUnitType``) | ``ects_text``; ``ects`` when the unit is ECTS |
| ``estimatedCost[]`` (``price``, ``currency``) | ``price`` ("995 US Dollar") |
| ``inLanguage`` | ``languages``, ``language`` (one code) |
| ``deliveryType`` / ``learningDeliveryType`` | ``mode`` online / onsite / blended (else ``extra.delivery_type``) |
| ``atLevel`` / ``audienceLevelType`` / ``hasEQFLevel``: EQF node or framework | ``eqf_level``; another framework's level: ``nqf_level``; ``extra.audience_level`` |
| ``teaches`` / ``assesses`` / ``requires[].targetCompetency`` / competency refs | ``outcomes`` (``ceasn:competencyText``; ESCO skill alignments -> ``OutcomeRecord.skills``) |
| ESCO skill IRIs among those | ``skills``; unresolved competency IRIs: ``extra.competency_refs`` |
| ``occupationType`` ESCO occupation / other | ``occupations`` / ``extra.occupation_types`` |
| ``requires`` / ``entryCondition`` (ConditionProfile description + conditions, ``target…`` IRIs) | ``prerequisites`` / ``prerequisite_ids`` (competencies required to earn the item are outcomes instead) |
| ``alternativeCondition`` groups; ``recommends`` | ``extra.alternative_prerequisites``; ``prerequisites`` ("Recommended: …"), ``extra.recommended_ids`` |
| ``isPartOf``, ``isPreparationFor``, a parent's ``hasPart`` | ``stacks_into_ids`` (course -> programme); a Pathway: ``extra.pathways``; parts not in the file: ``extra.has_part`` |
| ``isRequiredFor`` of X | X in the target's ``prerequisite_ids`` |
| TransferValueProfile (``transferValueFrom`` X, ``…For`` Y, ``transferValue``) | Y in X's ``stacks_into_ids``; ``extra.transfer_values`` (X) / ``transfer_values_in`` (Y) |
| Pathway components (``hasChild``, ``hasCondition.targetComponent``, ``precedes``) between items | ``prerequisite_ids`` (a child / target / predecessor comes first) |
| ``subjectWebpage`` (else ``availableOnlineAt``); ``dateEffective``; ``expirationDate``; a VC's ``issuanceDate`` | ``url``; ``valid_from``; ``valid_until``; ``issued_on`` |
"""  # noqa: E501

from __future__ import annotations

import re
from typing import Any

from credgraph.ingest import ctdl_links
from credgraph.ingest.credentials import (
    CredentialRecord,
    DeclaredLink,
    DocumentContent,
    DocumentKind,
    OutcomeRecord,
    ProviderRecord,
)
from credgraph.ingest.ctdl_competencies import standalone_competences
from credgraph.ingest.ctdl_terms import (
    PATHWAY,
    TRANSFER_AGREEMENT,
    TRANSFER_VALUE,
    ctdl_types,
    described_types,
    is_competency,
    item_type,
    unique,
)
from credgraph.ingest.jsonld import parse_duration
from credgraph.ingest.jsonld_util import (
    UNDETERMINED,
    JsonReader,
    LinkedDocument,
    Node,
    compact_expanded,
    esco_target,
    first_text,
    language_code,
    number_text,
    uses_vocabulary,
)
from credgraph.ingest.openbadges import is_openbadges
from credgraph.models import LangMap

CTDL_CONTEXT_MARKERS = ("credreg.net/ctdl", "purl.org/ctdl")
_PREFIXES = ("ceterms:", "ceasn:", "https://purl.org/ctdl", "http://purl.org/ctdl")
_EQF_NODE = re.compile(r"/eqf/(?:level[-_/]?)?([1-8])/?$", re.IGNORECASE)
_EQF_NAME = re.compile(r"\bEQF\b|european qualifications? framework", re.IGNORECASE)
_LEVEL = re.compile(r"\b(?:level\s*)?([1-8])\b", re.IGNORECASE)
_QA = {f"ceterms:{v}By": f"{v} by" for v in ("accredited", "approved", "recognized", "regulated")}
_TARGETS = tuple(f"ceterms:target{k}" for k in ("LearningOpportunity", "Credential", "Assessment"))
_ALIGNED = tuple(f"ceasn:{k}Alignment" for k in ("exact", "major", "minor", "broad", "narrow"))
_COMPETENCY_TEXTS = ("ceasn:competencyText", "ceasn:competencyLabel", "ceterms:name")
_ALIGNMENT_TEXTS = ("ceterms:targetNodeName", "ceterms:targetNodeDescription")
_MODES = {"blended": r"blend|hybrid", "online": "online", "onsite": r"inperson|onsite|facetoface"}
_NODE_NAMES = ("ceterms:targetNodeName", "ceterms:targetName", "skos:prefLabel", "skos:notation")


def is_ctdl(doc: Any) -> bool:
    """Whether ``doc`` (parsed JSON) is a CTDL document (never raises)."""
    return not is_openbadges(doc) and uses_vocabulary(doc, CTDL_CONTEXT_MARKERS, _PREFIXES)


_types = ctdl_types
_item_type = item_type
_is_competency = is_competency


def parse_ctdl(doc: Any, source: str) -> list[CredentialRecord]:
    """The records a CTDL document gives (``parse_ctdl_document`` has the rest)."""
    return parse_ctdl_document(doc, source).records


def parse_ctdl_document(doc: Any, source: str) -> DocumentContent:
    """The items, pathways, transfer values and agreements (records), competencies and
    declared links a CTDL document describes; ``note`` says why there is nothing."""
    reader = JsonReader(source)
    base = "$"
    if isinstance(doc, dict) and isinstance(doc.get("decoded_resource"), dict):
        doc, base = doc["decoded_resource"], "$.decoded_resource"  # a registry envelope
    doc = compact_expanded(doc)
    parser = _Parser(LinkedDocument(reader, doc))
    tops, dates = parser.d.top_nodes(base)
    kind: DocumentKind = "issued" if dates else "offer"
    for path, node in tops:
        if _item_type(node):
            parser.item(node, path, kind, dates)
    # after the items: whether a transfer value is carried by an item depends on them
    for build, name in (
        (ctdl_links.transfer_value_record, TRANSFER_VALUE),
        (ctdl_links.agreement_record, TRANSFER_AGREEMENT),
        (ctdl_links.pathway_record, PATHWAY),
    ):
        for path, node in tops:
            if name in _types(node):
                build(parser, node, path)
    for path, node in tops:
        parser.relations(node, path)
    if dates:  # a VC: whether its subject names a learner, for template validation
        subjects = doc.get("credentialSubject") if isinstance(doc, dict) else None
        learner = any(
            k not in ("achievement", "type", "@type")
            for subject in (subjects if isinstance(subjects, list) else [subjects])
            if isinstance(subject, dict)
            for k in subject
        )
        for record in parser.ordered:
            record.extra["learner_identified"] = learner
    for record in parser.ordered:  # each link once, never to itself
        record.prerequisite_ids = unique(record.prerequisite_ids, record.source_id)
        record.stacks_into_ids = unique(record.stacks_into_ids, record.source_id)
        record.skills = unique(record.skills, None)
    content = DocumentContent(parser.ordered, links=parser.links)
    content.competences = standalone_competences(parser, tops)
    if content.empty:
        content.note = (
            "no credential, learning opportunity, competency, pathway or transfer value: "
            f"the document describes {described_types([n for _, n in tops]) or 'nothing'}"
        )
    return content


class _Parser:
    def __init__(self, linked: LinkedDocument) -> None:
        self.d = linked
        self.r = linked.reader
        self.records: dict[str, CredentialRecord] = {}  # by source IRI
        self.ordered: list[CredentialRecord] = []
        self.links: list[DeclaredLink] = []

    def item(
        self,
        node: Node,
        path: str,
        kind: DocumentKind,
        dates: dict[str, str | None],
        source_type: str | None = None,
        title: LangMap | None = None,
    ) -> CredentialRecord | None:
        """The record of an item (or of a pathway, transfer value, agreement: ``source_type``
        and, where the source names none, ``title``); None for a bare reference."""
        d = self.d
        codes = map(language_code, d.field_strings(node, "ceterms:inLanguage", path))
        languages = list(dict.fromkeys(c for c in codes if c))
        lang = languages[0] if len(languages) == 1 else UNDETERMINED
        title = d.field_texts(node, "ceterms:name", path, lang) or title
        if not title:
            return None  # only a reference to an item described elsewhere
        record = CredentialRecord(
            format="ctdl",
            location=path,
            title=title,
            source_id=d.ref(node, path),
            document_kind=kind,
            source_type=source_type or _item_type(node),
            description=d.field_texts(node, "ceterms:description", path, lang),
            languages=languages,
            language=languages[0] if len(languages) == 1 else None,
        )
        extra = record.extra
        ctid = d.field_string(node, "ceterms:ctid", path)
        extra.update({"ctid": ctid} if ctid else {})
        pages = d.field_strings(node, "ceterms:subjectWebpage", path)
        pages += d.field_strings(node, "ceterms:availableOnlineAt", path)
        record.url = d.iri(pages[0]) if pages else None
        record.valid_from = d.field_string(node, "ceterms:dateEffective", path)
        record.valid_until = d.field_string(node, "ceterms:expirationDate", path)
        if kind == "issued":
            record.issued_on = dates.get("issuanceDate") or dates.get("validFrom")
            record.valid_until = dates.get("validUntil") or dates.get("expirationDate")
        self.provider(record, node, path)
        self.volume(record, node, path)
        self.levels(record, node, path)
        self.mode(record, node, path)
        self.conditions(record, node, path)
        for key in ("ceterms:teaches", "ceterms:assesses"):
            self.outcomes(record, node.get(key), f"{path}.{key}")
        for opath, occupation in d.field(node, "ceterms:occupationType", path):
            self.occupation(record, occupation, opath)
        for key in ("ceterms:isPartOf", "ceasn:isPartOf", "ceterms:isPreparationFor"):
            for ref in d.field_refs(node, key, path):
                target = d.index.get(ref)
                if target is not None and "Pathway" in _types(target):
                    extra.setdefault("pathways", []).append(ref)
                elif target is None or _item_type(target):
                    record.stacks_into_ids.append(ref)
        same = d.field_refs(node, "owl:sameAs", path)
        extra.update({"same_as": same} if same else {})
        self.ordered.append(record)
        if record.source_id and record.source_id not in self.records:
            self.records[record.source_id] = record
        return record

    def provider(self, record: CredentialRecord, node: Node, path: str) -> None:
        for key in ("ceterms:ownedBy", "ceterms:offeredBy"):
            for opath, value in self.d.field(node, key, path):
                record.provider = record.provider or self.organisation(value, opath)
                ref = self.d.ref(value, opath)
                if not record.provider and ref:
                    record.extra.setdefault("provider_ref", ref)
        if record.provider:
            record.extra.pop("provider_ref", None)
        qa = []
        for key, verb in _QA.items():
            for opath, value in self.d.field(node, key, path):
                org = self.organisation(value, opath)
                qa += [f"{verb} {first_text(org.names)}"] if org else []
        record.quality_assurance = "; ".join(qa) or None

    def organisation(self, value: Any, path: str) -> ProviderRecord | None:
        org = self.d.node(value, path)
        names = self.d.field_texts(org, "ceterms:name", path) if org else {}
        if org is None or not names:
            return None
        pages = self.d.field_strings(org, "ceterms:subjectWebpage", path)
        homepage = self.d.iri(pages[0]) if pages else None
        return ProviderRecord(names, source_id=self.d.ref(org, path), homepage=homepage)

    def volume(self, record: CredentialRecord, node: Node, path: str) -> None:
        d = self.d
        for dpath, duration in d.field_objects(node, "ceterms:estimatedDuration", path):
            for key in ("ceterms:exactDuration", "ceterms:timeRequired"):
                text = d.field_string(duration, key, dpath)
                if text and record.volume_text is None:
                    parsed = parse_duration(text)
                    record.volume_text = text
                    record.hours = parsed.total_hours if parsed else None
            if record.volume_text is None:
                record.volume_text = d.field_text(duration, "ceterms:description", dpath)
        credits = []
        for vpath, value in d.field(node, "ceterms:creditValue", path):
            amount, unit = self.value_profile(value, vpath)
            if amount is not None:
                credits.append(f"{number_text(amount)} {unit or 'credits'}")
                if re.search(r"ects|european credit transfer", unit or "", re.IGNORECASE):
                    record.ects = amount if record.ects is None else record.ects
        record.ects_text = "; ".join(credits) or None
        prices = []
        for cpath, cost in d.field_objects(node, "ceterms:estimatedCost", path):
            price = d.field_number(cost, "ceterms:price", cpath)
            currency = d.field_string(cost, "ceterms:currency", cpath)
            if price is not None:
                prices.append(f"{number_text(price)} {currency or ''}".strip())
        record.price = "; ".join(prices) or None

    def value_profile(self, value: Any, path: str) -> tuple[float | None, str | None]:
        profile = self.d.node(value, path) or {}
        amount = None
        for key in ("schema:value", "ceterms:value", "schema:minValue"):
            amount = amount if amount is not None else self.d.field_number(profile, key, path)
        return amount, self.d.concept(profile.get("ceterms:creditUnitType"), path, _NODE_NAMES)

    def alignment(self, item: Any, path: str) -> Node:
        """An alignment object (a bare term or IRI stands for its target node)."""
        if isinstance(item, str):
            return {"ceterms:targetNode": item}
        return self.d.node(item, path) or {}

    def levels(self, record: CredentialRecord, node: Node, path: str) -> None:
        d = self.d
        for key in ("ceterms:hasEQFLevel", "ceterms:atLevel", "ceterms:audienceLevelType"):
            for apath, item in d.field(node, key, path):
                if isinstance(item, int) and not isinstance(item, bool) and 1 <= item <= 8:
                    record.eqf_level = record.eqf_level or item
                    continue
                aligned = self.alignment(item, apath)
                target = d.field_ref(aligned, "ceterms:targetNode", apath) or ""
                label = d.field_text(d.index.get(target) or {}, "skos:prefLabel", apath)
                label = label or d.concept(aligned, apath, _NODE_NAMES)
                name = d.field_text(aligned, "ceterms:frameworkName", apath)
                framework = name or d.field_ref(aligned, "ceterms:framework", apath) or ""
                eqf = _EQF_NODE.search(target)
                number = _LEVEL.search(label or "")
                if not eqf and (key == "ceterms:hasEQFLevel" or _EQF_NAME.search(framework)):
                    eqf = number
                if eqf:
                    record.eqf_level = record.eqf_level or int(eqf.group(1))
                elif key == "ceterms:atLevel" and label:
                    record.nqf_level = record.nqf_level or label
                    record.extra.update({"level_framework": framework} if framework else {})
                elif label or target:
                    record.extra.setdefault("audience_level", []).append(label or target)

    def mode(self, record: CredentialRecord, node: Node, path: str) -> None:
        kinds: set[str] = set()
        names: list[str] = []
        for key in ("ceterms:deliveryType", "ceterms:learningDeliveryType"):
            for dpath, item in self.d.field(node, key, path):
                aligned = self.alignment(item, dpath)
                term = self.d.field_ref(aligned, "ceterms:targetNode", dpath) or ""
                name = self.d.concept(aligned, dpath, _NODE_NAMES)
                text = re.sub(r"[\s_-]", "", f"{term} {name}".lower())
                kinds |= {mode for mode, pattern in _MODES.items() if re.search(pattern, text)}
                names += [name or term] if name or term else []
        if kinds:
            record.mode = kinds.pop() if len(kinds) == 1 else "blended"
        elif names:
            record.extra["delivery_type"] = names

    def conditions(self, record: CredentialRecord, node: Node, path: str) -> None:
        d = self.d
        texts: list[str] = []
        for key in ("ceterms:requires", "ceterms:entryCondition", "ceterms:recommends"):
            recommended = key == "ceterms:recommends"
            for cpath, value in d.field(node, key, path):
                cond = d.node(value, cpath)
                if cond is None or _item_type(cond) or _is_competency(cond):
                    self.target(record, value, cpath, recommended, key == "ceterms:requires")
                    continue
                parts = [d.field_text(cond, "ceterms:description", cpath)]
                parts += [t for _, t in d.reader.text_items(cond.get("ceterms:condition"), cpath)]
                parts = [p for p in parts if p] or [d.field_text(cond, "ceterms:name", cpath)]
                texts += [("Recommended: " if recommended else "") + p for p in parts if p]
                for tkey in _TARGETS:
                    for tpath, target in d.field(cond, tkey, cpath):
                        self.target(record, target, tpath, recommended, outcome=False)
                if key == "ceterms:requires":
                    tkey = "ceterms:targetCompetency"
                    self.outcomes(record, cond.get(tkey), f"{cpath}.{tkey}")
                for apath, alt in d.field_objects(cond, "ceterms:alternativeCondition", cpath):
                    group = [ref for tkey in _TARGETS for ref in d.field_refs(alt, tkey, apath)]
                    if group:
                        record.extra.setdefault("alternative_prerequisites", []).append(group)
        record.prerequisites = "; ".join(dict.fromkeys(texts)) or None

    def target(
        self, record: CredentialRecord, value: Any, path: str, recommended: bool, outcome: bool
    ) -> None:
        """The target of a condition: a competency (an outcome when it must be shown to
        earn the item), else a credential / course / assessment that comes first."""
        if _is_competency(self.d.node(value, path)):
            if outcome:
                self.outcomes(record, value, path)
            return
        ref = self.d.ref(value, path)
        if ref and recommended:
            record.extra.setdefault("recommended_ids", []).append(ref)
        elif ref:
            record.prerequisite_ids.append(ref)

    def outcomes(self, record: CredentialRecord, value: Any, path: str) -> None:
        """Competencies (nodes, references or alignment objects) as learning outcomes."""
        d = self.d
        for where, item in self.r.items(value, path):
            node = d.node(item, where) or {}
            ref = d.ref(item, where)
            if "ceterms:targetNode" in node and not _is_competency(node):
                ref = d.field_ref(node, "ceterms:targetNode", where)
                node = d.index.get(ref or "") or node  # the competency, else the alignment
            texts: LangMap = {}
            for key in (*_COMPETENCY_TEXTS[:2], *_ALIGNMENT_TEXTS, _COMPETENCY_TEXTS[2]):
                texts = texts or d.field_texts(node, key, where, record.language or UNDETERMINED)
            skills = []
            for target in [ref, *(t for key in _ALIGNED for t in d.field_refs(node, key, where))]:
                hit = esco_target(target)
                skills += [hit[1]] if hit and hit[0] == "skill" else []
            if texts:
                record.outcomes.append(OutcomeRecord(texts, list(dict.fromkeys(skills)), ref))
            elif skills:
                record.skills += skills
            elif ref:
                record.extra.setdefault("competency_refs", []).append(ref)

    def occupation(self, record: CredentialRecord, value: Any, path: str) -> None:
        aligned = self.alignment(value, path)
        target = self.d.field_ref(aligned, "ceterms:targetNode", path)
        esco = esco_target(target)
        if esco and esco[0] == "occupation":
            record.occupations.append(esco[1])
            return
        name = self.d.field_text(aligned, "ceterms:targetNodeName", path)
        code = self.d.field_string(aligned, "ceterms:codedNotation", path)
        entry = {k: v for k, v in (("name", name), ("code", code), ("url", target)) if v}
        if entry:
            record.extra.setdefault("occupation_types", []).append(entry)

    # relations between the document's nodes

    def relations(self, node: Node, path: str) -> None:
        d = self.d
        ident = d.ref(node, path)
        own = self.records.get(ident or "")
        if own is not None and ident:
            for ref in d.field_refs(node, "ceterms:hasPart", path):
                if ref in self.records:
                    self.records[ref].stacks_into_ids.append(ident)
                else:
                    own.extra.setdefault("has_part", []).append(ref)
            for ref in d.field_refs(node, "ceterms:isRequiredFor", path):
                if ref in self.records:
                    self.records[ref].prerequisite_ids.append(ident)
        types = _types(node)
        if any(t.endswith("Organization") for t in types):
            org = self.organisation(node, path)
            for key in ("ceterms:offers", "ceterms:owns"):
                for ref in d.field_refs(node, key, path):
                    offered = self.records.get(ref)
                    if offered is not None and offered.provider is None and org:
                        offered.provider = org
                        offered.extra.pop("provider_ref", None)
        if TRANSFER_VALUE in types:
            ctdl_links.transfer_value(self, node, path)
        ctdl_links.pathway_links(self, node, path)
