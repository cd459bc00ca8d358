"""CTDL class names shared by the CTDL readers (``ctdl``, ``ctdl_links``,
``ctdl_competencies``): which nodes are items, competencies, pathway components."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from credgraph.ingest.jsonld_util import Node, local_name, type_names

ITEM = re.compile(
    r"^(?:\w*(?:Degree|Certificate|Diploma|Badge|Certification|License|Doctorate|Credential)"
    r"|GeneralEducationDevelopment|LearningProgram|Program|Course|AssessmentProfile"
    r"|LearningOpportunityProfile)$"
)
COMPONENT = re.compile(r"^\w*Component$")
PATHWAY = "Pathway"
TRANSFER_VALUE = "TransferValueProfile"
TRANSFER_AGREEMENT = "TransferAgreement"
# records that describe a route or a recognition, not a credential: not template-validated
NOT_CREDENTIALS = (PATHWAY, TRANSFER_VALUE, TRANSFER_AGREEMENT)


def ctdl_types(node: Node) -> list[str]:
    """The node's CTDL class names (``ceterms:Course`` -> ``Course``)."""
    return [local_name(t) for t in type_names(node) if t.startswith(("ceterms:", "ceasn:"))]


def item_type(node: Node) -> str | None:
    return next((t for t in ctdl_types(node) if ITEM.match(t)), None)


def is_competency(node: Node | None) -> bool:
    return node is not None and "Competency" in ctdl_types(node)


def is_component(node: Node | None) -> bool:
    return node is not None and any(COMPONENT.match(t) for t in ctdl_types(node))


def unique(values: list[str], drop: str | None) -> list[str]:
    return [v for v in dict.fromkeys(values) if v != drop]


def described_types(nodes: Sequence[Node]) -> str:
    """What a document's top nodes are, for a person: "QualificationsFramework,
    4 ProgressionLevel, skos:Concept" (CTDL names without their prefix, others as written)."""
    names: Counter[str] = Counter()
    for node in nodes:
        types = ctdl_types(node) or type_names(node) or ["an untyped node"]
        names[types[0]] += 1
    return ", ".join(f"{n} {name}" if n > 1 else name for name, n in names.items())
