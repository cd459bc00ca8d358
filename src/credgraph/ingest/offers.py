"""Learning offers (micro-credentials, micro-degrees, retraining courses, NSK exams) as
harvested into ``data/microcredentials/offers.jsonl`` (fields in docs/data-formats.md,
provenance in SOURCES-offers.md).

Each record becomes a Credential ``mc:<id>``, its provider a Provider
``provider:<slug>`` (OFFERED_BY), and each learning outcome a LearningOutcome
``mc:<id>#lo-<hash>`` (HAS_OUTCOME {position}).

Contract (as for every JSON record file, see ``records``): the file is parsed whole before
anything is written, then written in one transaction; invalid JSON raises ``InputError``
and stores nothing; a record without ``id``, ``title`` or ``provider`` (strings) or with a
field of the wrong type is counted as failed ("file:line", naming the field) and the rest
is stored. Values are kept as the source gives them: a number only where the source has a
number (``ects`` may be a float), text stays text (``ects_text``, ``workload_text``,
``price``) and is never parsed for numbers, null stays None. ``language`` is free text in
places: texts are filed under it only when it is a two-letter code, else under ``und``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.base import GraphStore
from credgraph.ingest.common import clean_text, short_hash, write_batches
from credgraph.ingest.readers import iter_jsonl
from credgraph.ingest.records import (
    NULL,
    Record,
    TypeSpec,
    first_record,
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

UNDETERMINED = "und"  # ISO 639-2 "undetermined": the record's language is not a code
ELLIPSIS = "…"

_S, _I, _B = (str, NULL), (int, NULL), (bool, NULL)
_N = (float, NULL)  # a number: integers fit too (7.5 and 8 are both ECTS values)
_L, _D = (list, NULL), (dict, NULL)

_OFFER_SPEC: TypeSpec = {
    "title": (str,),
    "provider": (str,),
    "title_en": _S,
    "title_cs": _S,
    "title_local": _D,
    "country": _S,
    "language": _S,
    "offer_type": _S,
    "credential_category": _S,
    "ects": _N,
    "ects_text": _S,
    "hours": _N,
    "workload_text": _S,
    "duration_text": _S,
    "eqf_level": _I,
    "eqf_text": _S,
    "qualification_level": _D,
    "level_text": _S,
    "learning_outcomes": _L,
    "learning_outcomes_note": _S,
    "assessment": _S,
    "mode": _S,
    "mode_text": _S,
    "price": _S,
    "prerequisites": _S,
    "target_group": _S,
    "field": _S,
    "quality_assurance": _S,
    "accreditation_id": _S,
    "stackability": _S,
    "recognition": _S,
    "issued_as": _S,
    "dates": _S,
    "location": _S,
    "capacity": _S,
    "description_excerpt": _S,
    "url": _S,
    "other_urls": _L,
    "source_type": _S,
    "source_kind": _S,
    "truncated": _B,
}
_OFFER_KEYS = {"id", "title", "provider"}
_OFFER_MARKERS = {"credential_category", "ects", "learning_outcomes", "offer_type"}
_LANG_CODE = re.compile(r"[a-z]{2}")


def offer_id(record_id: str) -> str:
    return f"mc:{record_id}"


def outcome_id(credential: str, text: str) -> str:
    return f"{credential}#lo-{short_hash(clean_text(text))}"


def is_offer_record(record: Record) -> bool:
    """Has the keys of an offer (for detecting the file type among JSONL files). ``id`` is
    not needed: a first record without one is counted as failed, not a reason to refuse
    the whole file."""
    keys = set(record)
    return keys >= _OFFER_KEYS - {"id"} and bool(_OFFER_MARKERS & keys)


def detect_offers_file(path: Path) -> bool:
    """Whether the first record of a JSONL file looks like an offer."""
    first = first_record(path)
    return first is not None and is_offer_record(first)


def ingest_offers_file(store: GraphStore, path: Path, settings: Settings) -> IngestReport:
    first = next(iter_jsonl(path), None)  # an unreadable file raises its own error
    # refuse only a file that has nothing of an offer; a bad first record just fails
    if first is not None and not set(first[1]) & (_OFFER_KEYS - {"id"} | _OFFER_MARKERS):
        raise InputError(
            "not an offers JSONL file (first record has no title, provider or offer fields)",
            source=str(path),
            position=str(first[0]),
            hint="see docs/data-formats.md for the offer fields",
        )
    report = IngestReport(source=str(path), format="offers")
    nodes: list[Node] = []
    edges: list[Edge] = []
    providers: dict[str, Node] = {}
    for _, record in read_records(path, settings, report, _check_offer):
        lang = record_language(record)
        credential = _credential(record, lang)
        outcomes = _outcomes(record, credential.id, lang)
        provider = _provider(record, lang)
        providers[provider.id] = merge_provider(providers.get(provider.id), provider)
        nodes += [credential, *outcomes]
        edges.append(Edge(credential.id, EdgeKind.OFFERED_BY, provider.id, {}))
        edges += [
            Edge(credential.id, EdgeKind.HAS_OUTCOME, o.id, {"position": o.props["position"]})
            for o in outcomes
        ]
        report.rows_stored += 1
    nodes += merge_stored_providers(store, providers)
    parents = [n.id for n in nodes if n.kind is NodeKind.CREDENTIAL]
    stale = stale_children(store, parents, EdgeKind.HAS_OUTCOME, {n.id for n in nodes})
    with store.transaction():
        if stale:
            store.delete_nodes(stale)
        write_batches(store, nodes, edges, report, batch_size=settings.write_batch_size)
    return report


def _check_offer(record: Record) -> str | None:
    problem = type_problem(record, _OFFER_SPEC) or text_list_problem(
        record, ("learning_outcomes", "other_urls")
    )
    if problem:
        return problem
    for field in ("title", "provider"):
        if not clean_text(record[field]):
            return f"field {field} is empty"
    for lang, text in (record.get("title_local") or {}).items():
        if not isinstance(text, str):
            return f"field title_local.{lang} must be a string"
    return None


def record_language(record: Record) -> str:
    """The record's ``language`` when it is a two-letter code, else ``und``."""
    value = (record.get("language") or "").strip().lower()
    return value if _LANG_CODE.fullmatch(value) else UNDETERMINED


def _credential(record: Record, lang: str) -> Node:
    labels: dict[str, str] = {}
    for code, text in (record.get("title_local") or {}).items():
        if clean_text(text):
            labels[code] = text.strip()
    for code in ("cs", "en"):
        text = record.get(f"title_{code}")
        if text and clean_text(text):
            labels[code] = text.strip()
    title = record["title"].strip()
    node = Node(id=offer_id(record["id"]), kind=NodeKind.CREDENTIAL, labels=labels)
    if not labels:
        labels[lang] = title
    elif title not in labels.values():
        # the source's title is often longer ("… (rekvalifikační kurz)"): searchable, not shown
        node.alt_labels[lang] = [title]
    description = clean_text(record.get("description_excerpt"))
    if description:
        node.descriptions[lang] = record["description_excerpt"].strip()
    props: dict[str, Any] = dict.fromkeys(k for k in _OFFER_SPEC if k != "learning_outcomes")
    props.update({k: v for k, v in record.items() if k not in {"id", "learning_outcomes"}})
    props.update(source="offers", text_language=lang)
    node.props = props
    return node


def _outcomes(record: Record, credential: str, lang: str) -> list[Node]:
    out: dict[str, Node] = {}
    for position, text in enumerate(record.get("learning_outcomes") or [], start=1):
        if not clean_text(text):
            continue
        node = Node(
            id=outcome_id(credential, text),
            kind=NodeKind.LEARNING_OUTCOME,
            labels={lang: text.strip()},
            props={
                "source": "offers",
                "credential": credential,
                "lang": lang,
                "position": position,
                "truncated": clean_text(text).endswith(ELLIPSIS),
            },
        )
        out.setdefault(node.id, node)  # an outcome listed twice is one outcome
    return list(out.values())


def _provider(record: Record, lang: str) -> Node:
    name = clean_text(record["provider"])
    return Node(
        id=provider_id(name),
        kind=NodeKind.PROVIDER,
        labels={lang: name},
        props={"role": "provider", "roles": ["provider"]},
    )
