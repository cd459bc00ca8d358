"""Credential documents: one file, one document (JSON-LD, XML) or a provider CSV.

``read_credential_document`` recognises the format, unwraps it and returns its
``CredentialRecord`` s; ``ingest_credential_file`` stores them (one transaction for the
file). Recognised:

- ``elm``: EDC/ELM v3 JSON-LD: signed ``{"payload", "signatures"}``, uploadable
  ``{"credential"}``, a VC with ``credentialSubject.hasClaim``, or a bare ELM specification;
- ``openbadges``: Open Badges 2.0 / 3.0 (``credgraph.ingest.openbadges``);
- ``ctdl``: Credential Engine CTDL / CTDL-ASN JSON-LD, plain or ``@graph``;
- ``qdr``: Europass QDR XML (learning opportunities and qualifications, both ``elm``
  namespaces);
- ``credential-csv``: the provider CSV template (docs/data-formats.md).

Refused with a one-line error naming the file (and the position where there is one): invalid
JSON or XML, a JSON-LD context file, ELM v2 XML, a JSON document of none of the formats above.
A document of a known format that holds nothing to store (an Open Badges key, revocation
list or an assertion whose badge is only a URL, a CTDL qualifications framework, a DC4EU
attestation about a person) is read and reported as skipped with the reason, not an error.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from credgraph.config import Settings
from credgraph.errors import InputError, UnsupportedFormatError
from credgraph.graph.base import GraphStore
from credgraph.ingest.credentials import CredentialRecord, DocumentContent, store_credentials
from credgraph.ingest.report import IngestReport
from credgraph.ontologies import is_bundled_context

JSON_SUFFIXES = (".json", ".jsonld", ".json.gz", ".jsonld.gz", ".json.txt")
XML_SUFFIXES = (".xml", ".xml.gz")
JSON_FORMATS = ("elm", "openbadges", "ctdl")
DOCUMENT_FORMATS = (*JSON_FORMATS, "qdr", "credential-csv")


def _shape(doc: Any) -> str:
    if isinstance(doc, list):
        return f"a JSON array of {len(doc)} item(s)"
    if not isinstance(doc, dict):
        return "not a JSON object"
    shown = [k[:30] for k in list(doc)[:6]]
    return "keys: " + (", ".join(shown) + (", …" if len(doc) > 6 else "") if shown else "none")


def detect_json_format(doc: Any) -> str | None:
    """``elm``, ``openbadges``, ``ctdl``, or None."""
    from credgraph.ingest.elm import is_elm

    if is_elm(doc):
        return "elm"
    from credgraph.ingest.openbadges import is_openbadges

    if is_openbadges(doc):
        return "openbadges"
    from credgraph.ingest.ctdl import is_ctdl

    return "ctdl" if is_ctdl(doc) else None


def _parser(fmt: str) -> Callable[[Any, str], DocumentContent]:
    if fmt == "elm":
        from credgraph.ingest.elm import no_claim_reason, parse_elm

        return lambda doc, source: _content(parse_elm(doc, source), no_claim_reason(doc))
    if fmt == "openbadges":
        from credgraph.ingest.openbadges import no_achievement_reason, parse_openbadges

        return lambda doc, source: _content(
            parse_openbadges(doc, source), no_achievement_reason(doc)
        )
    from credgraph.ingest.ctdl import parse_ctdl_document

    return parse_ctdl_document


def _content(records: list[CredentialRecord], note: str) -> DocumentContent:
    return DocumentContent(records, note=None if records else note)


def _refuse_json(doc: Any, source: str) -> UnsupportedFormatError:
    if isinstance(doc, dict) and set(doc) == {"@context"}:
        return UnsupportedFormatError(
            "a JSON-LD context, not a credential",
            source=source,
            hint="contexts are used offline as they are bundled; ingest credential documents",
        )
    return UnsupportedFormatError(
        f"JSON document not recognised as ELM/EDC, Open Badges or CTDL ({_shape(doc)})",
        source=source,
        hint="see docs/data-formats.md for the credential formats credgraph reads",
    )


def json_document_format(doc: Any, source: str, forced: str | None = None) -> str:
    fmt = detect_json_format(doc)
    if forced is not None and forced in JSON_FORMATS:
        if fmt not in (None, forced):
            raise UnsupportedFormatError(
                f"this document is {fmt}, not {forced}",
                source=source,
                hint=f"use --format {fmt}, or leave --format out",
            )
        return forced
    if fmt is None:
        raise _refuse_json(doc, source)
    return fmt


def parse_json_credentials(
    doc: Any, source: str, forced: str | None = None
) -> tuple[str, list[CredentialRecord]]:
    """The format and the records of a parsed JSON document (``parse_json_content``)."""
    fmt, content = parse_json_content(doc, source, forced)
    return fmt, content.records


def parse_json_content(
    doc: Any, source: str, forced: str | None = None
) -> tuple[str, DocumentContent]:
    """The format and everything a parsed JSON document gives. Parsers raise
    ``InputError`` without a source; the source is added here so every error names the
    file."""
    fmt = json_document_format(doc, source, forced)
    content = _with_source(lambda: _parser(fmt)(doc, source), source)
    contexts = context_urls(doc)
    for record in content.records:
        record.extra["contexts"] = contexts
        record.extra["contexts_not_bundled"] = [c for c in contexts if not is_bundled_context(c)]
    return fmt, content


def context_urls(doc: Any) -> list[str]:
    """The remote ``@context`` URLs a document names (also inside a signed payload), in
    order. They are recorded, never fetched: bundled ones are known offline."""
    from credgraph.ingest.elm import unwrap
    from credgraph.ingest.jsonld import as_list

    found: list[str] = []
    docs = [doc]
    try:
        inner, wrapping = unwrap(doc, "document")
        if wrapping != "plain":
            docs.append(inner)
    except InputError:
        pass
    for item in docs:
        if isinstance(item, dict):
            found += [c for c in as_list(item.get("@context")) if isinstance(c, str)]
    return list(dict.fromkeys(found))


def read_credential_document(
    path: Path, forced: str | None = None
) -> tuple[str, DocumentContent, int]:
    """(format, what the document gives, documents or rows read) of a credential file."""
    from credgraph.ingest.readers import read_json_document

    name = path.name.lower()
    if forced == "credential-csv" or (forced is None and name.endswith((".csv", ".csv.gz"))):
        from credgraph.ingest.csv_template import parse_credential_csv

        records, rows = parse_credential_csv(path)
        return "credential-csv", _content(records, "the CSV has a header and no rows"), rows
    if forced == "qdr" or (forced is None and name.endswith(XML_SUFFIXES)):
        from credgraph.ingest.qdr import parse_qdr, read_xml

        root = read_xml(path)
        records = _with_source(lambda: parse_qdr(root, str(path)), str(path))
        return "qdr", _content(records, "no learning opportunity or qualification"), 1
    doc = read_json_document(path)
    fmt, content = parse_json_content(doc, str(path), forced)
    return fmt, content, 1


_T = TypeVar("_T")


def _with_source(call: Callable[[], _T], source: str) -> _T:
    try:
        return call()
    except InputError as exc:
        if exc.source:
            raise
        raise InputError(exc.reason, source=source, position=exc.position, hint=exc.hint) from exc


def ingest_credential_file(
    store: GraphStore, path: Path, settings: Settings, forced: str | None = None
) -> IngestReport:
    """Read the whole document first (a bad one raises and stores nothing), then store it.
    A document that gives nothing to store is reported as skipped, with the reason."""
    fmt, content, read = read_credential_document(path, forced)
    report = IngestReport(source=str(path), format=fmt)
    report.rows_read = max(read, len(content.records) + len(content.competences))
    good = []
    for record in content.records:
        problem = record.extra.get("problem")
        if problem:
            report.fail(f"{path}:{record.location.removeprefix('line ')}", str(problem))
        else:
            good.append(record)
    if not good and not content.competences:
        if not report.rows_failed:
            why = content.note or "no credential in the document"
            report.skip(str(path), f"nothing stored: {why}", key="no_credential")
        return report
    return store_credentials(
        store, path, good, settings, report, competences=content.competences, links=content.links
    )
