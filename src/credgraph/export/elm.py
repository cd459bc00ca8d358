"""A credential as an ELM v3 / EDC JSON-LD document: ``credential_to_elm(store, id)``.

The document describes the offer, never a learner: it is wrapped as an EDC credential (so
EDC tools and ``credgraph.ingest.elm.parse_elm`` read it) whose ``credentialSubject`` holds
only the claim::

    {"@context": [VC v1, EDC], "id": <source_iri, else urn:credgraph:<id>>,
     "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
     "credentialSubject": {"hasClaim": {"type": "LearningAchievement", "title",
         "awardedBy": {AwardingProcess: awardingBody = the OFFERED_BY provider},
         "specifiedBy": {Qualification | LearningAchievementSpecification: title,
             description, learningOutcome[] (title, relatedESCOSkill from declared
             ALIGNS_TO), volumeOfLearning, creditPoint (ECTS), eqfLevel, mode, language,
             entryRequirement, ...}}}}

Property names are those of the EDC application profile context (bundled as
``ontologies/contexts/edc-ap-context.jsonld``); the context is named by URL as EDC documents
do, and is never fetched. No ``issuer`` and no proof: credgraph does not issue credentials.
Values the graph holds only as text (NQF level, assessment, quality assurance, learning
setting) become concepts with that text as their label, under the language ``und`` where
the graph does not know the language. A ``mode`` other than online/onsite/blended is left
out (ELM states modes as EU vocabulary concepts).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from credgraph.errors import NotFoundError, QueryError
from credgraph.export.vocab import MODE_BASE, MODE_CONCEPTS, hours_duration, node_iri, number_text
from credgraph.graph.base import Direction, GraphStore
from credgraph.ingest.elm import COUNTRY_BASE, ECTS_FRAMEWORK, EQF_BASE, LANGUAGE_BASE
from credgraph.ingest.jsonld import ISO639_1_TO_3, parse_duration
from credgraph.models import EdgeKind, LangMap, Node, NodeKind, expand_id, kind_phrase, short_id

VC_CONTEXT = "https://www.w3.org/2018/credentials/v1"
EDC_CONTEXT = "http://data.europa.eu/snb/model/context/edc-ap"
ESCO_SKILLS_SCHEME = "http://data.europa.eu/esco/concept-scheme/skills"
SCHEME = "25831c2"  # the EU vocabularies' concept scheme id (…/eqf/25831c2, …)
NON_FORMAL = "http://data.europa.eu/snb/learning-setting/e207a81fc7"
UNDETERMINED = "und"  # ISO 639-2: a text whose language the graph does not record

_SPEC_TYPES = ("Qualification", "LearningAchievementSpecification")
# ISO 3166 alpha-2 → alpha-3 (the EU country authority table uses alpha-3)
_COUNTRIES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "HR": "HRV", "CY": "CYP", "CZ": "CZE", "DK": "DNK",
    "EE": "EST", "FI": "FIN", "FR": "FRA", "DE": "DEU", "GR": "GRC", "EL": "GRC", "HU": "HUN",
    "IE": "IRL", "IT": "ITA", "LV": "LVA", "LT": "LTU", "LU": "LUX", "MT": "MLT", "NL": "NLD",
    "PL": "POL", "PT": "PRT", "RO": "ROU", "SK": "SVK", "SI": "SVN", "ES": "ESP", "SE": "SWE",
    "IS": "ISL", "LI": "LIE", "NO": "NOR", "CH": "CHE", "GB": "GBR", "UK": "GBR", "UA": "UKR",
    "US": "USA",
}  # fmt: skip


def credential_to_elm(store: GraphStore, credential_id: str) -> dict[str, Any]:
    node = store.get_node(expand_id(credential_id))
    if node is None:
        raise NotFoundError(
            f"no node with id {short_id(credential_id)}",
            hint="give a credential id (mc:…) from `credgraph search --kind credential`",
        )
    if node.kind is not NodeKind.CREDENTIAL:
        raise QueryError(
            f"{short_id(node.id)} is {kind_phrase(node.kind)}, not a credential",
            hint="ELM export is for credentials (mc:…); use `credgraph export` for others",
        )
    props = node.props
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT, EDC_CONTEXT],
        "id": _text(props.get("source_iri")) or f"urn:credgraph:{quote(node.id, safe=':')}",
        "type": ["VerifiableCredential", "EuropeanDigitalCredential"],
    }
    for field, prop in (("issued", "issued_on"), ("validFrom", "valid_from")):
        if _text(props.get(prop)):
            doc[field] = props[prop]
    if _text(props.get("valid_until")):
        doc["validUntil"] = props["valid_until"]
    doc["credentialSubject"] = {"hasClaim": _claim(store, node)}
    return doc


def _claim(store: GraphStore, node: Node) -> dict[str, Any]:
    props = node.props
    base = str(node_iri(node.id))
    title = _ordered(node.labels, props.get("title"))
    claim: dict[str, Any] = {"id": base + "#achievement", "type": "LearningAchievement"}
    claim["title"] = title
    provider = _provider(store, node)
    if provider is not None:
        claim["awardedBy"] = {
            "id": base + "#awarding",
            "type": "AwardingProcess",
            "awardingBody": _organisation(provider, props.get("provider")),
        }
    verification = _text(props.get("id_verification"))
    if verification:
        claim["provenBy"] = {
            "id": base + "#assessment",
            "type": "LearningAssessment",
            "idVerification": _concept(None, verification),
        }
    durations = _durations(props)
    if durations.get("claim_workload"):
        claim["workload"] = durations["claim_workload"]
    activity = _text(props.get("activity_volume_text"))
    if activity:
        claim["influencedBy"] = {
            "id": base + "#activity",
            "type": "LearningActivity",
            "specifiedBy": {
                "id": base + "#activity-specification",
                "type": "LearningActivitySpecification",
                "volumeOfLearning": activity,
            },
        }
    claim["specifiedBy"] = _specification(store, node, title, durations)
    return claim


def _specification(
    store: GraphStore, node: Node, title: LangMap, durations: dict[str, str]
) -> dict[str, Any]:
    props = node.props
    base = str(node_iri(node.id))
    source_type = props.get("source_type")
    spec_type = source_type if source_type in _SPEC_TYPES else "LearningAchievementSpecification"
    spec: dict[str, Any] = {"id": base, "type": spec_type, "title": title}
    if node.descriptions:
        spec["description"] = dict(node.descriptions)
    outcomes = _outcomes(store, node)
    if outcomes:
        spec["learningOutcome"] = outcomes
    skills = _declared_skills(store, node.id)
    if skills:
        spec["relatedESCOSkill"] = skills
    for field in ("volumeOfLearning", "workload"):
        if durations.get(field):
            spec[field] = durations[field]
    ects = _number(props.get("ects"))
    if ects is not None and ects >= 0:
        spec["creditPoint"] = {
            "id": base + "#credit",
            "type": "CreditPoint",
            "framework": _concept(
                ECTS_FRAMEWORK, "European Credit Transfer System", "en", _scheme(ECTS_FRAMEWORK)
            ),
            "point": number_text(ects),
        }
    level = props.get("eqf_level")
    if isinstance(level, int) and not isinstance(level, bool) and 1 <= level <= 8:
        spec["eqfLevel"] = _concept(f"{EQF_BASE}{level}", f"Level {level}", "en", EQF_BASE + SCHEME)
    if _text(props.get("nqf_level")):
        spec["nqfLevel"] = _concept(None, props["nqf_level"])
    mode = MODE_CONCEPTS.get(str(props.get("mode")))
    if mode:
        spec["mode"] = _concept(mode[0], mode[1], "en", MODE_BASE + SCHEME)
    languages = _languages(props)
    if languages:
        spec["language"] = languages[0] if len(languages) == 1 else languages
    _add_texts(spec, props, base)
    return spec


def _add_texts(spec: dict[str, Any], props: dict[str, Any], base: str) -> None:
    """The elements the graph holds as text: entry requirements, assessment, QA, …"""
    if _text(props.get("prerequisites")):
        spec["entryRequirement"] = {
            "id": base + "#entry-requirement",
            "type": "Note",
            "noteLiteral": {UNDETERMINED: props["prerequisites"]},
        }
    setting = _text(props.get("learning_setting"))
    if setting:
        known = setting == "non-formal learning"
        spec["learningSetting"] = _concept(
            NON_FORMAL if known else None, setting, "en" if known else UNDETERMINED
        )
    if _text(props.get("maximum_duration")):
        spec["maximumDuration"] = props["maximum_duration"]
    if isinstance(props.get("partial_qualification"), bool):
        spec["isPartialQualification"] = props["partial_qualification"]
    assessments = _parts(props.get("assessment"))
    if assessments:
        spec["provenBy"] = [
            {
                "id": f"{base}#assessment-specification-{n}",
                "type": "LearningAssessmentSpecification",
                "dcType": _concept(None, text),
            }
            for n, text in enumerate(assessments, start=1)
        ]
    accreditations = _parts(props.get("quality_assurance"))
    if accreditations:
        spec["accreditation"] = [
            {"id": f"{base}#accreditation-{n}", "type": "Accreditation", "title": {UNDETERMINED: t}}
            for n, t in enumerate(accreditations, start=1)
        ]
    url = _text(props.get("url"))
    if url and props.get("source") != "offers":  # an offer's url is where it was found
        spec["homepage"] = {"id": base + "#homepage", "type": "WebResource", "contentURL": url}


def _outcomes(store: GraphStore, node: Node) -> list[dict[str, Any]]:
    pairs = store.neighbours(node.id, [EdgeKind.HAS_OUTCOME], Direction.OUT)
    pairs.sort(key=lambda p: (_position(p[0].props.get("position")), p[1].id))
    out = []
    for _, outcome in pairs:
        item: dict[str, Any] = {"type": "LearningOutcome", "title": dict(outcome.labels)}
        source_iri = _text(outcome.props.get("source_iri"))
        if source_iri:  # else no id: an invented one would change the outcome's identity
            item = {"id": source_iri, **item}
        skills = _declared_skills(store, outcome.id)
        if skills:
            item["relatedESCOSkill"] = skills
        out.append(item)
    return out


def _declared_skills(store: GraphStore, node_id: str) -> list[dict[str, Any]]:
    pairs = store.neighbours(node_id, [EdgeKind.ALIGNS_TO], Direction.OUT)
    return [
        {
            "id": skill.id,
            "type": "Concept",
            "inScheme": {"id": ESCO_SKILLS_SCHEME, "type": "ConceptScheme"},
            **({"prefLabel": dict(skill.labels)} if skill.labels else {}),
        }
        for edge, skill in pairs
        if edge.props.get("method") == "declared" and edge.source == node_id
    ]


def _provider(store: GraphStore, node: Node) -> Node | None:
    for kind in (EdgeKind.OFFERED_BY, EdgeKind.AWARDED_BY):
        pairs = store.neighbours(node.id, [kind], Direction.OUT)
        if pairs:
            return pairs[0][1]
    return None


def _organisation(provider: Node, name: Any) -> dict[str, Any]:
    props = provider.props
    org: dict[str, Any] = {
        "id": _text(props.get("source_iri")) or str(node_iri(provider.id)),
        "type": "Organisation",
        "legalName": _ordered(provider.labels, name),
    }
    country = _text(props.get("country"))
    code = country.upper() if country else None
    code = _COUNTRIES.get(code, code) if code and len(code) == 2 else code
    if code and len(code) == 3 and code.isalpha():
        org["location"] = {
            "id": str(node_iri(provider.id)) + "#location",
            "type": "Location",
            "address": {
                "id": str(node_iri(provider.id)) + "#address",
                "type": "Address",
                "countryCode": {
                    "id": COUNTRY_BASE + code,
                    "type": "Concept",
                    "inScheme": {"id": COUNTRY_BASE.rstrip("/"), "type": "ConceptScheme"},
                },
            },
        }
    homepage = _text(props.get("homepage"))
    if homepage:
        org["homepage"] = {
            "id": str(node_iri(provider.id)) + "#homepage",
            "type": "WebResource",
            "contentURL": homepage,
        }
    return org


def _durations(props: dict[str, Any]) -> dict[str, str]:
    """Where each stated duration goes: ``volumeOfLearning`` and ``workload`` of the
    specification, ``claim_workload``. The durations as the source stated them when the graph
    has them (in the order parse_elm lists them), else the hours as ISO 8601."""
    out: dict[str, str] = {}
    stated = props.get("durations")
    if isinstance(stated, list) and stated:
        workloads = []
        for item in stated:
            if not (isinstance(item, dict) and _text(item.get("text"))):
                continue
            if item.get("field") == "volumeOfLearning":
                out.setdefault("volumeOfLearning", item["text"])
            elif item.get("field") == "workload":
                workloads.append(item["text"])
        # parse_elm reads the claim's workload before the specification's
        for field, text in zip(("claim_workload", "workload"), workloads, strict=False):
            out[field] = text
        return out
    hours = _number(props.get("hours"))
    text = hours_duration(hours) if hours is not None else None
    workload = _text(props.get("workload_text"))
    if text is None and workload and parse_duration(workload) is not None:
        text = workload
    if text:
        out["volumeOfLearning"] = text
    return out


def _languages(props: dict[str, Any]) -> list[dict[str, Any]]:
    codes = props.get("languages")
    if not isinstance(codes, list) or not codes:
        codes = [props["language"]] if _text(props.get("language")) else []
    out = []
    for code in codes:
        if not isinstance(code, str) or not code.isalpha() or len(code) not in (2, 3):
            continue
        iso3 = ISO639_1_TO_3.get(code.lower(), code.upper() if len(code) == 3 else None)
        if iso3:
            out.append(
                {
                    "id": LANGUAGE_BASE + iso3,
                    "type": "Concept",
                    "inScheme": {"id": LANGUAGE_BASE.rstrip("/"), "type": "ConceptScheme"},
                }
            )
    return out


def _concept(
    iri: str | None, label: str, lang: str = UNDETERMINED, scheme: str | None = None
) -> dict[str, Any]:
    concept: dict[str, Any] = {"id": iri} if iri else {}
    concept["type"] = "Concept"
    if scheme:
        concept["inScheme"] = {"id": scheme, "type": "ConceptScheme"}
    concept["prefLabel"] = {lang: label}
    return concept


def _scheme(concept_iri: str) -> str:
    return concept_iri.rsplit("/", 1)[0] + "/" + SCHEME


def _ordered(texts: LangMap, first: Any) -> LangMap:
    """``texts`` with the language whose text is ``first`` first: a reader takes the first
    language as the main one (the graph's ``title`` / ``provider`` props)."""
    lead = [lang for lang, text in texts.items() if text == first][:1]
    return {**{lang: texts[lang] for lang in lead}, **texts}


def _parts(value: Any) -> list[str]:
    """A "; "-joined text (as parse_elm joins several assessments) as its parts."""
    text = _text(value)
    return [p for p in (part.strip() for part in text.split("; ")) if p] if text else []


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def _number(value: Any) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def _position(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 1_000_000
