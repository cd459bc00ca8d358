"""Europass QDR XML: "Learning Opportunities & Qualifications" (LOQ, ELM v3 XSD binding).

Contract:

- ``read_xml`` / ``parse_xml`` parse with ``defusedxml`` and refuse, as ``InputError`` naming
  the file and ``line:column``: a DTD of any kind (so no entity expansion and no external
  entity or DTD is ever fetched), undefined entities, malformed or truncated XML, invalid
  UTF-8 (when the document is UTF-8, as declared or by default), nesting deeper than
  ``MAX_XML_DEPTH``, an empty document, files larger than ``max_bytes`` (decompressed; a
  ``.gz`` name is gunzipped). ``xsi:schemaLocation`` is never followed.
- ``detect_xml`` names what a root is: ``"qdr-loq"`` (``<Courses>``), ``"qdr-accreditation"``
  (``<Accreditations>``, QDR AMS), ``"elm-v2"`` (the retired Europass v2 XML: a
  ``vp:verifiablePresentation`` or bare v2 credential), else ``None``.
- ``parse_qdr`` reads a LOQ document into ``CredentialRecord`` s (format ``"qdr"``,
  document kind ``"offer"``) and refuses everything else with ``UnsupportedFormatError``:
  ELM v2 XML (re-issue as ELM v3 JSON-LD), accreditation records (they say who may award
  what, they are not credentials: raising rather than returning ``[]`` lets a caller tell
  "wrong kind of file" from "a LOQ file with nothing in it"), any other root (named).

Record set: one record per ``learningOpportunity``, merged with the specification it is an
instance of (its ``learningAchievementSpecification`` reference: a ``qualification`` or a
generic ``learningAchievementSpecification``) — title, description, provider (``providedBy``),
price and mode from the opportunity; outcomes, credits, EQF/NQF level, volume, languages,
entry requirements, assessment and accreditation from the specification — plus one record
per specification that no opportunity uses. A specification used by opportunities gets no
record of its own (it would duplicate them in search); its id stays in
``extra["specification_id"]``. ``isPartOf`` / ``hasPart`` between these become
``stacks_into_ids``; a link to a specification that is represented by its opportunities
points to those opportunities. Elements are matched by local name, so both ``elm``
namespace variants (``…/model/elm/`` and ``…/model#``) and prefixed or default-namespace
writing give the same records. ``location`` is an XPath-like path with the element's id,
e.g. ``/Courses/learningOpportunityReferences/learningOpportunity[@id='http://LOP-01']``.
"""

from __future__ import annotations

import re
import weakref
import zlib
from pathlib import Path
from typing import Any, Literal
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from credgraph.errors import InputError, UnsupportedFormatError
from credgraph.ingest import qdr_fields as f
from credgraph.ingest.credentials import ESCO_OCCUPATION, CredentialRecord
from credgraph.ingest.readers import MAX_DOCUMENT_BYTES, MIB, _open_binary, _read_error

XmlKind = Literal["qdr-loq", "qdr-accreditation", "elm-v2"]

MAX_XML_DEPTH = 100  # the samples nest 7 (QDR) and 12 (ELM v2) levels deep
SNB = "http://data.europa.eu/snb"
_V2_NAMESPACES = {SNB, SNB + "/vp"}  # v3 binds its elements under …/snb/model/…
_LOQ_SECTIONS = {"learningOpportunityReferences", "learningAchievementSpecificationReferences"}
OPPORTUNITY = "learningOpportunity"
SPECIFICATIONS = ("qualification", "learningAchievementSpecification")

_BOM = b"\xef\xbb\xbf"
_ENCODING = re.compile(rb"""^<\?xml[^>]*?\sencoding\s*=\s*["']([A-Za-z0-9._-]+)["']""")
# where the top elements (root, sections, records) start, for error positions
_POSITIONS: weakref.WeakKeyDictionary[Element, str] = weakref.WeakKeyDictionary()


class _TooDeep(Exception):
    pass


class _Builder:
    """A TreeBuilder target that limits nesting and remembers where top elements start."""

    def __init__(self) -> None:
        self._tree = TreeBuilder()
        self.expat: Any = None
        self.depth = 0

    def where(self) -> str | None:
        if self.expat is None:
            return None
        return f"{self.expat.CurrentLineNumber}:{self.expat.CurrentColumnNumber + 1}"

    def start(self, tag: str, attrs: dict[str, str]) -> Element:
        self.depth += 1
        if self.depth > MAX_XML_DEPTH:
            raise _TooDeep(self.where())
        element = self._tree.start(tag, attrs)
        where = self.where()
        if self.depth <= 3 and where:
            _POSITIONS[element] = where
        return element

    def end(self, tag: str) -> Element:
        self.depth -= 1
        return self._tree.end(tag)

    def data(self, data: str) -> None:
        self._tree.data(data)

    def close(self) -> Element:
        return self._tree.close()


def position_of(element: Element) -> str | None:
    """``line:column`` where a root, section or record element starts (when parsed here)."""
    return _POSITIONS.get(element)


def read_xml(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> Element:
    """The root element of an XML file (gunzipped when its name ends in .gz); see the module
    docstring for what is refused."""
    try:
        with _open_binary(path) as fh:
            raw = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise _read_error(path, exc) from exc
    return parse_xml(raw, str(path), max_bytes)


def parse_xml(raw: bytes, source: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> Element:
    """``read_xml`` for bytes already in memory (an upload); ``source`` names it."""
    if len(raw) > max_bytes:
        raise InputError(
            f"document larger than {max_bytes // MIB} MiB",
            source=source,
            hint="a QDR export is a few MiB at most; is this the right file?",
        )
    if not raw.strip():
        raise InputError(
            "empty document (no XML)", source=source, position="1:1", hint="is this the file?"
        )
    if raw.startswith(b"\x1f\x8b"):
        raise InputError(
            "gzip-compressed data in a file whose name does not end in .gz",
            source=source,
            position="1:1",
            hint="rename the file to *.xml.gz or decompress it",
        )
    _check_utf8(raw, source)
    builder = _Builder()
    parser = DefusedXMLParser(
        target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    builder.expat = getattr(parser, "parser", None)
    try:
        parser.feed(raw)
        root: Element = parser.close()
    except ParseError as exc:
        line, column = getattr(exc, "position", None) or (0, -1)
        reason = str(exc).split(": line ", 1)[0]
        raise InputError(
            f"malformed XML: {reason}",
            source=source,
            position=f"{line}:{column + 1}" if line else None,
            hint="the file is truncated or not well-formed XML",
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(
            f"XML with a DTD or entity declarations is refused ({type(exc).__name__})",
            source=source,
            position=_offset_position(raw, raw.find(b"<!DOCTYPE")) or builder.where(),
            hint="a QDR/ELM export has no DOCTYPE; remove it (entities and external "
            "DTDs are never expanded or fetched)",
        ) from exc
    except _TooDeep as exc:
        raise InputError(
            f"XML nested more than {MAX_XML_DEPTH} levels deep",
            source=source,
            position=exc.args[0] if exc.args else None,
            hint="is this a QDR export?",
        ) from exc
    return root


def _check_utf8(raw: bytes, source: str) -> None:
    """Name the first invalid byte of a UTF-8 document (expat only says "invalid token")."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a BOM: expat decodes it
    body = raw[len(_BOM) :] if raw.startswith(_BOM) else raw
    declared = _ENCODING.match(body[:200])
    if declared and declared.group(1).lower() not in (b"utf-8", b"utf8"):
        return
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not valid UTF-8 (byte 0x{body[exc.start]:02x})",
            source=source,
            position=_offset_position(body, exc.start),
            hint="save the file as UTF-8, or declare its encoding in <?xml … encoding=…?>",
        ) from exc


def _offset_position(raw: bytes, offset: int) -> str | None:
    """``line:column`` (column in bytes, from 1) of a byte offset; None for a negative one."""
    if offset < 0:
        return None
    line = raw.count(b"\n", 0, offset) + 1
    column = offset - (raw.rfind(b"\n", 0, offset) + 1) + 1
    return f"{line}:{column}"


def _namespace(tag: object) -> str:
    return tag[1:].split("}", 1)[0] if isinstance(tag, str) and tag.startswith("{") else ""


def detect_xml(root: Element) -> XmlKind | None:
    """What an XML document is, from its root element (and the root's sections)."""
    ns, name = _namespace(root.tag), f.local(root.tag)
    if ns in _V2_NAMESPACES:
        return "elm-v2"
    snb = ns.startswith(SNB + "/")
    sections = {f.local(child.tag) for child in root}
    if (name == "Courses" and snb) or sections & _LOQ_SECTIONS:
        return "qdr-loq"
    if (name == "Accreditations" and snb) or "accreditationReferences" in sections:
        return "qdr-accreditation"
    return None


def read_qdr(path: Path) -> list[CredentialRecord]:
    """The records of a QDR LOQ file (``read_xml`` then ``parse_qdr``)."""
    return parse_qdr(read_xml(path), str(path))


def parse_qdr(root: Element, source: str) -> list[CredentialRecord]:
    """Records of a QDR LOQ document; other documents are refused (module docstring)."""
    kind = detect_xml(root)
    at = position_of(root)
    if kind == "elm-v2":
        raise UnsupportedFormatError(
            f"Europass ELM v2 XML (verifiable presentation, <{f.local(root.tag)}>) is not "
            "read: the v2 XML model was retired with ELM v3",
            source=source,
            position=at,
            hint="re-issue the credential as ELM v3 JSON-LD (the EDC issuer exports it) and "
            "load that file",
        )
    if kind == "qdr-accreditation":
        count = sum(
            len(f.kids(section, "accreditation"))
            for section in f.kids(root, "accreditationReferences")
        )
        raise UnsupportedFormatError(
            f"accreditation records (QDR AMS, {count} accreditation(s)) are not "
            "credentials: they state which organisation may award what",
            source=source,
            position=at,
            hint="load the learning opportunities and qualifications (QDR LOQ XML, root "
            "<Courses>) instead",
        )
    if kind is None:
        raise UnsupportedFormatError(
            f"XML root element <{f.local(root.tag)}> (namespace "
            f"{_namespace(root.tag) or 'none'}) is not a QDR document",
            source=source,
            position=at,
            hint="credgraph reads QDR 'Learning Opportunities & Qualifications' XML (root "
            "<Courses>) and ELM v3 JSON-LD",
        )
    return _LoqReader(root, source).records()


class _LoqReader:
    def __init__(self, root: Element, source: str) -> None:
        self.root = root
        self.source = source
        self.index = f.Index(root)
        self.opportunities: list[tuple[Element, str]] = []
        self.specifications: list[tuple[Element, str]] = []
        top = f.local(root.tag)
        for section in root:
            name = f.local(section.tag)
            nodes = [(section, f"/{top}")] if name in (OPPORTUNITY, *SPECIFICATIONS) else []
            nodes += [(node, f"/{top}/{name}") for node in section]
            counts: dict[str, int] = {}
            for node, parent in nodes:
                local = f.local(node.tag)
                counts[local] = counts.get(local, 0) + 1
                key = f.node_id(node)
                where = f"{parent}/{local}" + (f"[@id='{key}']" if key else f"[{counts[local]}]")
                if local == OPPORTUNITY:
                    self.opportunities.append((node, where))
                elif local in SPECIFICATIONS:
                    self.specifications.append((node, where))

    def records(self) -> list[CredentialRecord]:
        built: list[tuple[CredentialRecord, Element, Element | None]] = []
        used: set[Element] = set()
        for node, where in self.opportunities:
            linked = self.index.linked(node, *SPECIFICATIONS)
            # an idref may point anywhere; only a specification element is one
            spec = next((n for n in linked if f.local(n.tag) in SPECIFICATIONS), None)
            if spec is not None:
                used.add(spec)
            built.append((self._record(node, spec, where), node, spec))
        for node, where in self.specifications:
            if node not in used:
                built.append((self._record(node, node, where), node, node))
        if not built:
            raise InputError(
                "no learningOpportunity, qualification or learningAchievementSpecification "
                "in the document",
                source=self.source,
                position=position_of(self.root),
                hint="a QDR LOQ export lists them under <learningOpportunityReferences> and "
                "<learningAchievementSpecificationReferences>",
            )
        self._stacks(built)
        return [record for record, _, _ in built]

    def _record(self, node: Element, spec: Element | None, where: str) -> CredentialRecord:
        index = self.index
        index.missing = []
        name = f.local(node.tag)
        activity = next(iter(index.linked(node, "learningActivitySpecification")), None)
        sources = [n for n in (spec, activity) if n is not None]  # what the offer is of
        title = f.texts(node, "title") or _first_map(sources, "title")
        if not title:
            raise InputError(
                f"the {name} at {where} has no title (nor has its specification)",
                source=self.source,
                position=position_of(node),
                hint="every QDR learning opportunity and qualification has a <title>",
            )
        record = CredentialRecord(
            format="qdr",
            location=where,
            title=title,
            source_id=f.node_id(node),
            document_kind="offer",
            source_type=name[:1].upper() + name[1:],
            description=f.texts(node, "description") or _first_map(sources, "description"),
        )
        awarding = [
            body
            for opportunity in (f.kids(spec, "awardingOpportunity") if spec is not None else [])
            for body in index.linked(opportunity, "awardingBody")
        ]
        record.provider = f.provider(index, [*index.linked(node, "providedBy"), *awarding])
        record.country = record.provider.country if record.provider else None
        for holder in sources:
            record.volume_text, record.hours = f.volume(holder)
            if record.volume_text:
                break
        if spec is not None:
            record.ects, record.ects_text = f.credits(spec)
            record.eqf_level, eqf_text = f.eqf_level(spec)
            record.nqf_level = f.nqf_level(spec)
            record.outcomes = [
                o for o in map(f.outcome, index.linked(spec, "learningOutcome")) if o
            ]
            record.skills = f.esco_uris(f.kids(spec, "relatedESCOSkill"))
            record.occupations = f.esco_uris(f.kids(spec, "relatedESCOOccupation"), ESCO_OCCUPATION)
            record.assessment = f.titled(index.linked(spec, "provenBy"))
        else:
            eqf_text = None
        mode, mode_labels = next(
            (m for m in (f.modes(n) for n in (node, *sources)) if m[1]), (None, [])
        )
        record.mode = mode
        record.languages = next((ls for ls in map(f.languages, sources) if ls), [])
        record.language = record.languages[0] if len(record.languages) == 1 else None
        accreditations = [
            acc
            for holder in dict.fromkeys([n for n in (spec, node) if n is not None])
            for acc in index.linked(holder, "accreditation")
        ]
        record.quality_assurance = f.titled(accreditations)
        record.accreditation_id = next(filter(None, map(f.node_id, accreditations)), None)
        record.prerequisites = next(
            filter(None, (f.note(n, "entryRequirement") for n in (*sources, node))), None
        )
        record.price = f.prices(node)
        record.url = f.url(node) or next(filter(None, map(f.url, sources)), None)
        temporal = f.kid(node, "temporal")
        record.extra.update(
            specification_id=f.node_id(spec) if spec is not None and spec is not node else None,
            specification_type=_type_name(spec) if spec is not None else None,
            eqf_text=eqf_text,
            modes=mode_labels,
            duration=f.child_text(node, "duration"),
            start_date=f.child_text(temporal, "startDate") if temporal is not None else None,
            end_date=f.child_text(temporal, "endDate") if temporal is not None else None,
        )
        if spec is not None:
            record.extra.update(
                partial_qualification=f.flag(spec, "isPartialQualification"),
                maximum_duration=f.child_text(spec, "maximumDuration"),
                learning_setting=f.concept_uri(f.kid(spec, "learningSetting")),
            )
        if index.missing:
            record.extra["unresolved_references"] = list(dict.fromkeys(index.missing))
        return record

    def _stacks(self, built: list[tuple[CredentialRecord, Element, Element | None]]) -> None:
        """``isPartOf`` / ``hasPart`` links as ``stacks_into_ids`` (part -> whole)."""
        represented: dict[str, list[str]] = {}  # element id -> source ids of its records
        for record, node, spec in built:
            for element in dict.fromkeys(n for n in (node, spec) if n is not None):
                key = f.node_id(element)
                if key and record.source_id:
                    represented.setdefault(key, []).append(record.source_id)
        wholes: dict[str, list[str]] = {}  # part id -> ids of what it is part of
        for element, _ in [*self.opportunities, *self.specifications]:
            key = f.node_id(element)
            for link in f.kids(element, "isPartOf"):
                target = f.ref_id(link) or f.node_id(link)
                if key and target:
                    wholes.setdefault(key, []).append(target)
            for link in f.kids(element, "hasPart"):
                part = f.ref_id(link) or f.node_id(link)
                if key and part:
                    wholes.setdefault(part, []).append(key)
        for record, node, spec in built:
            targets = [
                whole
                for element in dict.fromkeys(n for n in (node, spec) if n is not None)
                for whole in wholes.get(f.node_id(element) or "", [])
            ]
            resolved = [t for whole in targets for t in represented.get(whole, [whole])]
            record.stacks_into_ids = [
                t for t in dict.fromkeys(resolved) if t and t != record.source_id
            ]


def _first_map(nodes: list[Element], name: str) -> dict[str, str]:
    return next((m for m in (f.texts(n, name) for n in nodes) if m), {})


def _type_name(node: Element) -> str:
    name = f.local(node.tag)
    return name[:1].upper() + name[1:]
