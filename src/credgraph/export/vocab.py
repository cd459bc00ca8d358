"""The vocabularies of the RDF export and the two small bijections it rests on.

- Node ids ↔ IRIs: an ESCO id (``http://data.europa.eu/esco/…``) is its own IRI; every other
  id (``nsk:…``, ``mc:…#lo-…``, ``provider:…``) is ``https://credgraph.invalid/id/`` plus the
  id percent-encoded (everything but letters, digits, ``-._~`` and ``:``). ``.invalid`` is a
  top-level domain reserved never to resolve (RFC 2606): these IRIs name, they do not locate.
- JSON values ↔ literals: str → plain literal, bool → xsd:boolean, int → xsd:integer, a
  finite float → xsd:decimal (the decimal of its shortest repr; rdflib writes xsd:double in
  Turtle with six digits, which would lose precision), anything else (None, lists, objects,
  NaN, floats too small or large for a short decimal) → its JSON text typed rdf:JSON.

Both are exact inverses, so an export read back gives the same ids and the same values.
"""

from __future__ import annotations

import json
import math
import re
from decimal import Decimal
from typing import Any
from urllib.parse import quote, unquote

from rdflib import Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

from credgraph.errors import InputError
from credgraph.models import ESCO_BASE, EdgeKind, NodeKind

CG = Namespace("https://credgraph.invalid/vocab/")
CGP = Namespace("https://credgraph.invalid/vocab/prop/")
CG_ID = "https://credgraph.invalid/id/"
ESCO = Namespace("http://data.europa.eu/esco/model#")
ELM = Namespace("http://data.europa.eu/snb/model/elm/")

ESCO_SKILL_TYPE = "http://data.europa.eu/esco/skill-type/"
ESCO_REUSE_LEVEL = "http://data.europa.eu/esco/skill-reuse-level/"
MODE_BASE = "http://data.europa.eu/snb/learning-assessment/"
# The EU "learning assessment" (mode) concepts named by the EDC samples; label as published.
MODE_CONCEPTS = {
    "online": (MODE_BASE + "920fbb3cbe", "Online"),
    "onsite": (MODE_BASE + "9191af2ed9", "Presential"),
    "blended": (MODE_BASE + "e92d221e4d", "Blended"),
}

# Prefixes of Turtle output and the inline JSON-LD @context (no remote context, ever).
PREFIXES: dict[str, str] = {
    "cg": str(CG),
    "cgp": str(CGP),
    "cgid": CG_ID,
    "esco": str(ESCO),
    "elm": str(ELM),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "foaf": str(FOAF),
    "rdf": str(RDF),
    "xsd": str(XSD),
}
JSONLD_CONTEXT: dict[str, str] = dict(PREFIXES)

# Node kind → credgraph class (the record) and the standard classes (a view).
KIND_CLASSES: dict[NodeKind, URIRef] = {
    kind: CG["".join(part.capitalize() for part in kind.value.split("_"))] for kind in NodeKind
}
CLASS_KINDS: dict[URIRef, NodeKind] = {iri: kind for kind, iri in KIND_CLASSES.items()}
STANDARD_CLASSES: dict[NodeKind, tuple[URIRef, ...]] = {
    NodeKind.SKILL: (ESCO.Skill, SKOS.Concept),
    NodeKind.SKILL_GROUP: (SKOS.Concept,),
    NodeKind.OCCUPATION: (ESCO.Occupation, SKOS.Concept),
    NodeKind.ISCO_GROUP: (SKOS.Concept,),
    NodeKind.QUALIFICATION: (ELM.Qualification,),
    NodeKind.COMPETENCE: (ELM.LearningOutcome,),
    NodeKind.CREDENTIAL: (ELM.LearningAchievementSpecification,),
    NodeKind.LEARNING_OUTCOME: (ELM.LearningOutcome,),
    NodeKind.PROVIDER: (ELM.Organisation,),
}


def standard_classes(kind: NodeKind, source_type: Any = None) -> tuple[URIRef, ...]:
    """A credential its source calls a Qualification (ELM/QDR) is an elm:Qualification."""
    if kind is NodeKind.CREDENTIAL and source_type == "Qualification":
        return (ELM.Qualification,)
    return STANDARD_CLASSES.get(kind, ())


# ELM titles its specifications and outcomes with dcterms:title; ESCO and organisations
# use skos:prefLabel.
_TITLED = {
    NodeKind.QUALIFICATION,
    NodeKind.COMPETENCE,
    NodeKind.CREDENTIAL,
    NodeKind.LEARNING_OUTCOME,
}


def label_predicate(kind: NodeKind) -> URIRef:
    return DCTERMS.title if kind in _TITLED else SKOS.prefLabel


# Edge kind → the predicate of its direct triple. Each predicate names one edge kind, so a
# direct triple alone says which edge it is; edges with props are also reified (rdf.py).
_EDGE_PREDICATES: dict[EdgeKind, URIRef] = {
    EdgeKind.BROADER: SKOS.broader,
    EdgeKind.REQUIRES: CG.requires,
    EdgeKind.RELATED_SKILL: CG.relatedSkill,
    EdgeKind.HAS_COMPETENCE: CG.hasCompetence,
    EdgeKind.PART_OF: ELM.isPartOf,
    EdgeKind.RELATES_TO_OCCUPATION: CG.relatesToOccupation,
    EdgeKind.HAS_OUTCOME: ELM.learningOutcome,
    EdgeKind.ALIGNS_TO: CG.alignsTo,
    EdgeKind.OFFERED_BY: ELM.providedBy,
    EdgeKind.AWARDED_BY: ELM.awardingBody,
    EdgeKind.PREREQUISITE: CG.prerequisite,
    EdgeKind.STACKS_INTO: CG.stacksInto,
    EdgeKind.RECOGNISED_AS: CG.recognisedAs,
}
_REQUIRES = {"essential": ESCO.relatedEssentialSkill, "optional": ESCO.relatedOptionalSkill}
_FACT_METHODS = ("declared", "curated")  # alignments stated by a person, not computed


def edge_predicate(kind: EdgeKind, props: dict[str, Any]) -> URIRef:
    """ESCO's essential/optional skill for REQUIRES by relation; ELM's relatedESCOSkill for
    declared or curated ALIGNS_TO (computed ones stay cg:alignsTo: a guess is no claim)."""
    if kind is EdgeKind.REQUIRES and props.get("relation") in _REQUIRES:
        return _REQUIRES[props["relation"]]
    if kind is EdgeKind.ALIGNS_TO and props.get("method") in _FACT_METHODS:
        return ELM.relatedESCOSkill
    return _EDGE_PREDICATES.get(kind) or CG["edge/" + kind.value]


# predicate → (edge kind, props of an edge known only by its direct triple)
PREDICATE_EDGES: dict[URIRef, tuple[EdgeKind, dict[str, Any]]] = {
    **{p: (kind, {}) for kind, p in _EDGE_PREDICATES.items()},
    **{CG["edge/" + kind.value]: (kind, {}) for kind in EdgeKind},
    **{p: (EdgeKind.REQUIRES, {"relation": rel}) for rel, p in _REQUIRES.items()},
    ELM.relatedESCOSkill: (EdgeKind.ALIGNS_TO, {}),
}

# -- ids -----------------------------------------------------------------------------------

_PLAIN_IRI = re.compile(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+")


def is_plain_iri(text: str) -> bool:
    """Only characters an IRI may hold unescaped (ASCII; no spaces, quotes or brackets)."""
    return _PLAIN_IRI.fullmatch(text) is not None


def node_iri(node_id: str) -> URIRef:
    if node_id.startswith(ESCO_BASE) and is_plain_iri(node_id):
        return URIRef(node_id)
    return URIRef(CG_ID + quote(node_id, safe=":"))


def iri_node_id(iri: str) -> str:
    if iri.startswith(CG_ID):
        return unquote(iri[len(CG_ID) :])
    return iri


def prop_predicate(key: str) -> URIRef:
    return CGP[quote(key, safe="")]


def predicate_prop(iri: str) -> str | None:
    """The prop key of a ``cgp:`` predicate, None for any other predicate."""
    return unquote(iri[len(CGP) :]) if iri.startswith(str(CGP)) else None


# -- values --------------------------------------------------------------------------------


def json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def json_literal(value: Any) -> Literal:
    return Literal(json_text(value), datatype=RDF.JSON)


_MAX_DECIMAL_CHARS = 40  # 1e-300 as a decimal is 300 digits: such floats go as JSON ("1e-300")


def value_literal(value: Any) -> Literal:
    if isinstance(value, bool):
        return Literal(value)
    if isinstance(value, int):
        return Literal(str(value), datatype=XSD.integer)
    if isinstance(value, float) and math.isfinite(value):
        decimal = format(Decimal(repr(value)), "f")
        if len(decimal) <= _MAX_DECIMAL_CHARS:
            return Literal(decimal, datatype=XSD.decimal)
    if isinstance(value, str):
        return Literal(value)
    return json_literal(value)


_INTEGER_TYPES = {
    XSD.integer,
    XSD.int,
    XSD.long,
    XSD.short,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
}
_FLOAT_TYPES = {XSD.decimal, XSD.double, XSD.float}


def literal_value(literal: Literal, where: str) -> Any:
    """The JSON value of a literal (``where`` names it in an error)."""
    text = str(literal)
    try:
        if literal.datatype == RDF.JSON:
            return json.loads(text)
        if literal.datatype == XSD.boolean:
            if text not in ("true", "false", "1", "0"):
                raise ValueError(f"{text!r} is not a boolean")
            return text in ("true", "1")
        if literal.datatype in _INTEGER_TYPES:
            return int(text)
        if literal.datatype in _FLOAT_TYPES:
            return float(text)
    except ValueError as exc:
        raise InputError(f"{where}: bad {literal.datatype} value: {exc}") from exc
    return text


def lang_literal(text: str, lang: str) -> Literal | None:
    """``text@lang``, or None when ``lang`` is no language tag RDF keeps as it is."""
    try:
        literal = Literal(text, lang=lang)
    except ValueError:
        return None
    return literal if literal.language == lang else None


# -- numbers as ELM states them ------------------------------------------------------------


def hours_duration(hours: float) -> str | None:
    """ISO 8601 / xsd:duration of a number of hours: 60 → PT60H, 7.5 → PT7H30M."""
    if not math.isfinite(hours) or hours <= 0:
        return None
    seconds = round(hours * 3600)
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    parts = (f"{h}H" if h else "") + (f"{m}M" if m else "") + (f"{s}S" if s else "")
    return "PT" + parts if parts else None


def number_text(value: float) -> str:
    """2.0 → "2", 7.5 → "7.5" (ELM states credit points as strings)."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))
