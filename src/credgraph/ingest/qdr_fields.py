"""Field readers for the Europass QDR XML binding of ELM v3 (``loq.xsd``, ``ams.xsd``).

The binding writes every node once, under a ``…References`` section of the root, and links
nodes by ``idref`` attributes pointing to an ``id`` (``rdf:about`` / ``rdf:resource`` are read
alike). A node may also be written inline where it is used. Texts are elements repeated per
language (``<title language="en">``); controlled-vocabulary concepts are elements with a
``uri`` attribute and, sometimes, ``skos:prefLabel`` children.

Elements are matched by local name only: the producers' namespaces differ (the default
``…/ap/loq-constraints/``, ``elm`` bound to ``…/model/elm/`` or to ``…/model#``) while the
element names are the XSD's. The field semantics follow ``credgraph.ingest.elm``: ECTS only
from the ECTS credit framework, hours only from a duration stated in hours, EQF level from
the EQF concept URI, mode as online/onsite/blended, languages as ISO 639-1.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from xml.etree.ElementTree import Element

from credgraph.ingest.common import clean_text
from credgraph.ingest.credentials import ESCO_SKILL, OutcomeRecord, ProviderRecord
from credgraph.ingest.jsonld import ISO639_3_TO_1, lang_key, parse_duration
from credgraph.models import LangMap

RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
LANGUAGE_BASE = "http://publications.europa.eu/resource/authority/language/"
COUNTRY_BASE = "http://publications.europa.eu/resource/authority/country/"
CURRENCY_BASE = "http://publications.europa.eu/resource/authority/currency/"

# The EU "learning assessment" vocabulary (mode of learning and assessment); the XML binding
# gives only the concept URI, so the labels are needed here to say online/onsite/blended.
MODE_CONCEPTS = {
    "http://data.europa.eu/snb/learning-assessment/920fbb3cbe": ("online", "online"),
    "http://data.europa.eu/snb/learning-assessment/9191af2ed9": ("onsite", "presential"),
    "http://data.europa.eu/snb/learning-assessment/e92d221e4d": ("blended", "blended"),
    "http://data.europa.eu/snb/learning-assessment/c_3a90b26d": ("blended", "hybrid"),
    "http://data.europa.eu/snb/learning-assessment/729f3bed4b": (None, "workbased"),
    "http://data.europa.eu/snb/learning-assessment/7813801c77": (None, "project based"),
    "http://data.europa.eu/snb/learning-assessment/ed4c557045": (None, "research-lab based"),
}
_MODE_LABELS = {
    "online": "online",
    "on-line": "online",
    "e-learning": "online",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "presential": "onsite",
    "in person": "onsite",
    "face-to-face": "onsite",
    "face to face": "onsite",
    "blended": "blended",
    "hybrid": "blended",
}


def local(tag: object) -> str:
    """An element's name without its namespace ('' for comments and processing instructions)."""
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def kids(node: Element, *names: str) -> list[Element]:
    """The direct children named any of ``names`` (local names), in document order."""
    return [child for child in node if local(child.tag) in names]


def kid(node: Element, *names: str) -> Element | None:
    found = kids(node, *names)
    return found[0] if found else None


def text(node: Element | None) -> str | None:
    """The element's text (with any nested text), stripped; None when blank."""
    if node is None:
        return None
    value = "".join(node.itertext()).strip()
    return value if clean_text(value) else None


def child_text(node: Element, *names: str) -> str | None:
    for child in kids(node, *names):
        value = text(child)
        if value:
            return value
    return None


def texts(node: Element, *names: str) -> LangMap:
    """A language map from repeated ``<name language="xx">`` children (first text per language;
    a text without a language goes under "und")."""
    out: LangMap = {}
    for child in kids(node, *names):
        value = text(child)
        if not value:
            continue
        lang = child.get("language") or child.get(XML_LANG) or child.get("lang")
        out.setdefault(lang_key(lang) if lang else "und", value)
    return out


def node_id(node: Element) -> str | None:
    value = node.get("id") or node.get(RDF + "about")
    return value.strip() if value and value.strip() else None


def ref_id(node: Element) -> str | None:
    value = node.get("idref") or node.get(RDF + "resource")
    return value.strip() if value and value.strip() else None


class Index:
    """The document's nodes by id, to follow ``idref`` links; remembers links that lead
    nowhere (``missing``) so a record can say what it could not resolve."""

    def __init__(self, root: Element) -> None:
        self.nodes: dict[str, Element] = {}
        for node in root.iter():
            key = node_id(node)
            if key is not None:
                self.nodes.setdefault(key, node)  # an id used twice: the first one counts
        self.missing: list[str] = []

    def follow(self, node: Element) -> Element | None:
        """The node a reference element stands for: its ``idref`` target, or itself when the
        node is written inline (has children or an id)."""
        target = ref_id(node)
        if target is not None:
            found = self.nodes.get(target)
            if found is None:
                self.missing.append(target)
            return found
        if len(node) or node_id(node):
            return node
        return None

    def linked(self, node: Element, *names: str) -> list[Element]:
        found = (self.follow(child) for child in kids(node, *names))
        return [f for f in found if f is not None]


def concept_uri(node: Element | None) -> str | None:
    if node is None:
        return None
    value = node.get("uri") or node.get(RDF + "resource")
    return value.strip() if value and value.strip() else None


def concept_label(node: Element | None) -> str | None:
    """A concept's English (else any) ``skos:prefLabel``, else its notation."""
    if node is None:
        return None
    labels = texts(node, "prefLabel")
    if labels:
        return labels.get("en") or next(iter(labels.values()))
    return child_text(node, "notation")


def outcome(node: Element) -> OutcomeRecord | None:
    found = texts(node, "title") or texts(node, "description")
    if not found:
        return None
    return OutcomeRecord(
        texts=found, skills=esco_uris(kids(node, "relatedESCOSkill")), source_id=node_id(node)
    )


def esco_uris(nodes: Iterable[Element], base: str = ESCO_SKILL) -> list[str]:
    found = (concept_uri(n) or text(n) for n in nodes)
    return list(dict.fromkeys(u for u in found if u and u.startswith(base)))


def credits(spec: Element) -> tuple[float | None, str | None]:
    """(ECTS, all credit points as text): a number only from the ECTS framework."""
    ects: float | None = None
    stated: list[str] = []
    for point in kids(spec, "creditPoint"):
        value = child_text(point, "point")
        if value is None:
            continue
        framework = kid(point, "framework")
        is_ects = _is_ects(framework)
        name = concept_label(framework) or ("ECTS" if is_ects else concept_uri(framework))
        stated.append(f"{value} {name or 'credits'}")
        if is_ects and ects is None:
            ects = _number(value)
    return ects, "; ".join(stated) or None


def _is_ects(framework: Element | None) -> bool:
    label = (concept_label(framework) or "").lower()
    return (
        concept_uri(framework) == ECTS_FRAMEWORK
        or "ects" in label
        or "european credit transfer" in label
    )


def _number(value: str) -> float | None:
    try:
        number = float(value.replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e6 else None


def volume(node: Element) -> tuple[str | None, float | None]:
    """(``volumeOfLearning`` as stated, hours when it is stated in hours: PT60H = 60 h;
    P60M is 60 months and gives no hours)."""
    stated = child_text(node, "volumeOfLearning")
    if stated is None:
        return None, None
    duration = parse_duration(stated)
    return stated, duration.total_hours if duration else None


_EQF = re.compile(r"(?:eqf/|level\s*|^)(\d{1,2})\s*$", re.IGNORECASE)


def eqf_level(spec: Element) -> tuple[int | None, str | None]:
    """(EQF level, the text it was read from) from ``EQFLevel``'s concept URI or label."""
    for level in kids(spec, "EQFLevel", "eqfLevel"):
        for candidate in (concept_uri(level), concept_label(level), text(level)):
            if not candidate:
                continue
            m = _EQF.search(candidate.strip())
            if m and 1 <= int(m.group(1)) <= 8:
                return int(m.group(1)), candidate.strip()
    return None, None


def nqf_level(spec: Element) -> str | None:
    level = kid(spec, "NQFLevel", "nqfLevel")
    return concept_label(level) or concept_uri(level) or text(level)


def modes(node: Element) -> tuple[str | None, list[str]]:
    """(delivery mode online/onsite/blended, every mode's label). The first mode that is a
    delivery mode wins ("workbased, blended" is blended); with none, the first label."""
    mapped: list[str] = []
    labels: list[str] = []
    for mode in kids(node, "mode"):
        uri = concept_uri(mode)
        known = MODE_CONCEPTS.get(uri or "")
        label = concept_label(mode) or (known[1] if known else None) or uri
        if not label:
            continue
        labels.append(label)
        delivery = known[0] if known else _MODE_LABELS.get(clean_text(label).lower())
        if delivery:
            mapped.append(delivery)
    if mapped:
        return mapped[0], labels
    return (clean_text(labels[0]).lower() if labels else None), labels


def languages(node: Element) -> list[str]:
    """ISO 639-1 codes of the ``language`` concepts (other codes lower-cased as given)."""
    found: list[str] = []
    for lang in kids(node, "language"):
        uri = concept_uri(lang)
        if uri and uri.startswith(LANGUAGE_BASE):
            code = uri.rsplit("/", 1)[-1]
            found.append(ISO639_3_TO_1.get(code.upper(), code.lower()))
            continue
        label = concept_label(lang) or text(lang)
        if label and re.fullmatch(r"[A-Za-z]{2}", label):
            found.append(label.lower())
    return list(dict.fromkeys(found))


def provider(index: Index, bodies: Iterable[Element]) -> ProviderRecord | None:
    """The first organisation (or agent) with a name: legal name, else preferred/alt label."""
    for body in bodies:
        names = texts(body, "legalName") or texts(body, "prefLabel") or texts(body, "altLabel")
        if not names:
            continue
        return ProviderRecord(
            names=names, source_id=node_id(body), country=country(index, body), homepage=url(body)
        )
    return None


def country(index: Index, body: Element) -> str | None:
    for place in index.linked(body, "location"):
        for address in kids(place, "address"):
            code = concept_uri(kid(address, "countryCode"))
            if code and code.startswith(COUNTRY_BASE):
                return code.rsplit("/", 1)[-1]
    return None


def url(node: Element) -> str | None:
    for page in kids(node, "homepage"):
        value = child_text(page, "contentUrl", "contentURL")
        if value:
            return value
    return None


def note(node: Element, *names: str) -> str | None:
    """The English (else any) ``noteLiteral`` of the first note among ``names``."""
    for child in kids(node, *names):
        literal = texts(child, "noteLiteral")
        if literal:
            return literal.get("en") or next(iter(literal.values()))
    return None


def titled(nodes: Iterable[Element]) -> str | None:
    """The type labels (else English titles) of assessments or accreditations, joined."""
    found: list[str] = []
    for node in nodes:
        kind = concept_label(kid(node, "type"))
        title = texts(node, "title")
        label = kind or (title.get("en") or next(iter(title.values())) if title else None)
        if label:
            found.append(label)
    return "; ".join(dict.fromkeys(found)) or None


def prices(node: Element) -> str | None:
    """Each ``priceDetail``'s amount with its currency code, as stated ("120.00 EUR")."""
    found: list[str] = []
    for detail in kids(node, "priceDetail"):
        amount = kid(detail, "amount")
        value = child_text(amount, "value") if amount is not None else None
        if value is not None and amount is not None:
            unit = concept_uri(kid(amount, "unit")) or ""
            code = unit.rsplit("/", 1)[-1] if unit.startswith(CURRENCY_BASE) else unit
            found.append(f"{value} {code}".strip())
            continue
        label = texts(detail, "prefLabel")
        if label:
            found.append(label.get("en") or next(iter(label.values())))
    return "; ".join(found) or None


def flag(node: Element, name: str) -> bool | None:
    value = child_text(node, name)
    if value is None:
        return None
    return {"true": True, "1": True, "false": False, "0": False}.get(value.lower())
