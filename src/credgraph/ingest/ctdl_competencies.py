"""CTDL-ASN competencies described on their own: a competency framework, or competencies
that are the achievements of a VC. They become ``CompetenceRecord`` s (``Competence``
nodes ``competency:<hash of the IRI>``).

Which ``ceasn:Competency`` top nodes count: those that are not already the learning
outcomes of an item of the same document (a degree that ``requires`` them keeps them as its
outcomes) and are not level descriptors of a qualifications framework (a competency with
``asn:hasProgressionLevel`` describes a level, not something a person learns).

| CTDL-ASN | Competence node |
|---|---|
| ``ceasn:competencyLabel`` (else ``competencyText``, else ``ceterms:name``) | label |
| ``ceasn:competencyText`` when there is a label | description |
| ``@id`` / ``ceterms:ctid`` / ``ceasn:codedNotation`` | ``source_iri`` / ``ctid`` / ``code`` |
| ``ceasn:isPartOf`` (else ``isTopChildOf``) the framework: its ``ceasn:name``, ``@id``, ``ceasn:publisherName`` | ``framework``, ``framework_iri``, ``publisher`` |
| position in the framework's ``ceasn:hasTopChild`` | ``position`` |
| ``ceasn:exactAlignment`` … / its own IRI, to an ESCO skill | ``ALIGNS_TO {method: declared}`` |
"""  # noqa: E501

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from credgraph.ingest.credentials import CompetenceRecord
from credgraph.ingest.ctdl_terms import is_competency
from credgraph.ingest.jsonld_util import UNDETERMINED, Node, esco_target, language_code

if TYPE_CHECKING:
    from credgraph.ingest.ctdl import _Parser

_ALIGNED = tuple(f"ceasn:{k}Alignment" for k in ("exact", "major", "minor", "broad", "narrow"))


def standalone_competences(p: _Parser, tops: list[tuple[str, Node]]) -> list[CompetenceRecord]:
    d = p.d
    used = {o.source_id for r in p.ordered for o in r.outcomes if o.source_id}
    used |= {ref for r in p.ordered for ref in r.extra.get("competency_refs", [])}
    out = []
    for path, node in tops:
        ref = d.ref(node, path)
        if not is_competency(node) or ref in used or "asn:hasProgressionLevel" in node:
            continue
        framework_ref = d.field_ref(node, "ceasn:isPartOf", path) or d.field_ref(
            node, "ceasn:isTopChildOf", path
        )
        framework = d.index.get(framework_ref or "") or {}
        codes = d.field_strings(node, "ceasn:inLanguage", path) or d.field_strings(
            framework, "ceasn:inLanguage", path
        )
        languages = list(dict.fromkeys(c for c in map(language_code, codes) if c))
        lang = languages[0] if len(languages) == 1 else UNDETERMINED
        label = d.field_texts(node, "ceasn:competencyLabel", path, lang)
        text = d.field_texts(node, "ceasn:competencyText", path, lang)
        texts = label or text or d.field_texts(node, "ceterms:name", path, lang)
        if not texts:
            continue
        props: dict[str, Any] = {
            "ctid": d.field_string(node, "ceterms:ctid", path),
            "code": d.field_string(node, "ceasn:codedNotation", path),
            "lang": lang if lang != UNDETERMINED else None,
        }
        if framework_ref:
            tops_of = d.field_refs(framework, "ceasn:hasTopChild", path)
            props["framework"] = d.field_text(framework, "ceasn:name", path)
            props["framework_iri"] = framework_ref
            props["publisher"] = d.field_text(framework, "ceasn:publisherName", path)
            props["position"] = tops_of.index(ref) + 1 if ref in tops_of else None
        skills = []
        for target in [ref, *(t for key in _ALIGNED for t in d.field_refs(node, key, path))]:
            hit = esco_target(target)
            skills += [hit[1]] if hit and hit[0] == "skill" else []
        out.append(
            CompetenceRecord(
                format="ctdl",
                location=path,
                texts=texts,
                description=text if label else {},
                source_id=ref,
                skills=list(dict.fromkeys(skills)),
                props={k: v for k, v in props.items() if v is not None},
            )
        )
    return out
