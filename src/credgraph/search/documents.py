"""What of each node is searchable, and how much a match in it counts.

Lexical index: every label (preferred, alternative, hidden; every language), every
description, qualification codes and related-occupation texts.
Dense index (the embedding budget, see DATA-NOTES.md): preferred labels in every language,
every Czech label, and the texts of NSK qualifications, competences, credentials and their
outcomes (titles and descriptions). ESCO alternative/hidden labels and descriptions stay
lexical only: embedding them would take ~28 min on 2 cores.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from credgraph.models import Node, NodeKind

# field weights: a match in a preferred label counts fully, a description match less
W_PREFERRED = 1.0
W_ALT = 0.95
W_HIDDEN = 0.85
W_CODE = 1.0
W_RELATED = 0.6
W_DESCRIPTION = 0.45
W_DENSE_DESCRIPTION = 0.9
W_PART = 0.8  # an outcome of a credential, a competence of a qualification

# node kinds whose descriptions are embedded (few, long, and not labelled elsewhere)
_DENSE_DESCRIPTION_KINDS = {NodeKind.CREDENTIAL, NodeKind.QUALIFICATION}


@dataclass(slots=True)
class SearchDoc:
    entity: int
    field: str
    lang: str
    text: str
    weight: float


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def lexical_docs(entity: int, node: Node) -> Iterable[SearchDoc]:
    for lang, text in node.labels.items():
        if _text(text):
            yield SearchDoc(entity, "label", lang, text.strip(), W_PREFERRED)
    for lang, texts in node.alt_labels.items():
        for text in texts:
            if _text(text):
                yield SearchDoc(entity, "alt_label", lang, text.strip(), W_ALT)
    for lang, texts in node.hidden_labels.items():
        for text in texts:
            if _text(text):
                yield SearchDoc(entity, "hidden_label", lang, text.strip(), W_HIDDEN)
    for lang, text in node.descriptions.items():
        if _text(text):
            yield SearchDoc(entity, "description", lang, text.strip(), W_DESCRIPTION)
    for key in ("code", "upk_code"):
        code = _text(node.props.get(key))
        if code and node.kind in (NodeKind.QUALIFICATION, NodeKind.OCCUPATION, NodeKind.ISCO_GROUP):
            yield SearchDoc(entity, key, "und", code, W_CODE)
    for key, lang in (("related_occupation", "cs"), ("related_occupation_en", "en")):
        values = node.props.get(key)
        if isinstance(values, list):
            for value in values:
                if _text(value):
                    yield SearchDoc(entity, key, lang, _text(value), W_RELATED)
    if node.kind is NodeKind.CREDENTIAL:
        field = _text(node.props.get("field"))
        if field:
            yield SearchDoc(entity, "field", "und", field, W_RELATED)


def dense_docs(entity: int, node: Node) -> Iterable[SearchDoc]:
    seen: set[str] = set()

    def once(doc: SearchDoc) -> Iterable[SearchDoc]:
        key = doc.text.casefold()
        if key not in seen:
            seen.add(key)
            yield doc

    for lang, text in node.labels.items():
        if _text(text):
            yield from once(SearchDoc(entity, "label", lang, text.strip(), W_PREFERRED))
    for text in node.alt_labels.get("cs", []):
        if _text(text):
            yield from once(SearchDoc(entity, "alt_label", "cs", text.strip(), W_ALT))
    if node.kind in _DENSE_DESCRIPTION_KINDS:
        for lang, text in node.descriptions.items():
            if _text(text):
                yield from once(
                    SearchDoc(entity, "description", lang, text.strip()[:1000], W_DENSE_DESCRIPTION)
                )
