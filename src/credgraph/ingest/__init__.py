"""Ingest: recognise each input file's format and load it into the graph store.

``ingest_paths`` loads files and folders in dependency order (ESCO concepts → ESCO
relations → NSK qualifications → school VET → ÚPK compositions → offers → credential
documents: ELM/EDC, Open Badges, CTDL, QDR XML, the provider CSV template → credgraph RDF
exports), each file in its own transaction; the first file that cannot be read stops the
run with an ``InputError`` naming the file and position, and nothing of that file is stored.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from credgraph.config import Settings, bundled_data_dir
from credgraph.errors import InputError, UnsupportedFormatError
from credgraph.graph.base import GraphStore
from credgraph.ingest.documents import DOCUMENT_FORMATS, JSON_FORMATS, JSON_SUFFIXES, XML_SUFFIXES
from credgraph.ingest.esco import ORDER as ESCO_ORDER
from credgraph.ingest.esco import detect_esco_file, ingest_esco_file, ingest_esco_zip
from credgraph.ingest.readers import csv_header
from credgraph.ingest.report import IngestReport

FORMATS = ("esco", "esco-zip", "nsk", "offers", *DOCUMENT_FORMATS, "rdf")


@dataclass(slots=True)
class PlannedFile:
    path: Path
    format: str  # one of FORMATS
    subtype: str | None
    rank: tuple[int, int, str]


@dataclass(slots=True)
class IngestRun:
    reports: list[IngestReport] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"files": [r.to_dict() for r in self.reports]}


def _columns(header: list[str]) -> str:
    shown = [h[:40] for h in header[:6] if h]
    more = ", …" if len(header) > len(shown) else ""
    return ", ".join(shown) + more if shown else "none"


def _plan_file(path: Path, forced: str | None) -> PlannedFile:
    name = path.name.lower()
    if forced not in (None, *FORMATS):
        raise UnsupportedFormatError(
            f"unknown format {forced!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    if forced == "esco-zip" or (forced in (None, "esco") and name.endswith(".zip")):
        return PlannedFile(path, "esco-zip", None, (0, 0, name))
    if forced in DOCUMENT_FORMATS or forced == "rdf":
        return PlannedFile(path, forced, None, (4, 0, name))
    if name.endswith((".csv", ".csv.gz")) and forced in (None, "esco"):
        sub = detect_esco_file(path)  # an unreadable start of file raises its own error
        if sub is None and forced is None and _is_credential_csv(path):
            return PlannedFile(path, "credential-csv", None, (4, 0, name))
        if sub is None:
            raise UnsupportedFormatError(
                f"CSV header not recognised as ESCO (columns: {_columns(csv_header(path))})",
                source=str(path),
                position="1",
                hint="credgraph reads the CSV files of the ESCO download",
            )
        return PlannedFile(path, "esco", sub, (1, ESCO_ORDER.index(sub), name))
    if name.endswith((".jsonl", ".jsonl.gz")) and forced in (None, "nsk", "offers"):
        return _plan_jsonl(path, forced)
    if forced is None and name.endswith(XML_SUFFIXES):
        return PlannedFile(path, "qdr", None, (4, 0, name))
    if forced is None and name.endswith((".ttl", ".ttl.gz")):
        return PlannedFile(path, "rdf", None, (5, 0, name))
    if forced is None and name.endswith(JSON_SUFFIXES):
        return _plan_json(path)
    raise UnsupportedFormatError(
        "file format not supported",
        source=str(path),
        hint="credgraph reads ESCO CSV (.csv, .csv.gz, .zip), NSK and offers JSONL (.jsonl), "
        "credential documents (.json, .jsonld, .xml, provider .csv) and its own RDF exports "
        "(.ttl, .jsonld); see docs/data-formats.md",
    )


def _is_credential_csv(path: Path) -> bool:
    from credgraph.ingest.csv_template import is_credential_csv_header

    return is_credential_csv_header(csv_header(path))


def _plan_json(path: Path) -> PlannedFile:
    """A JSON document: a credential format (detected from its content) or a credgraph RDF
    export in JSON-LD. The document is read whole here: a broken one fails the plan."""
    from credgraph.ingest.documents import json_document_format
    from credgraph.ingest.readers import read_json_document

    doc = read_json_document(path)
    name = path.name.lower()
    if _is_rdf_export(doc):
        return PlannedFile(path, "rdf", None, (5, 0, name))
    fmt = json_document_format(doc, str(path))
    return PlannedFile(path, fmt, None, (4, JSON_FORMATS.index(fmt), name))


def _is_rdf_export(doc: object) -> bool:
    try:
        from credgraph.export.rdf import is_credgraph_jsonld
    except ImportError:
        return False
    return bool(is_credgraph_jsonld(doc))


def _plan_jsonl(path: Path, forced: str | None) -> PlannedFile:
    """NSK or offers, from the keys of the first record (``forced`` narrows the choice)."""
    from credgraph.ingest.nsk import NSK_ORDER, nsk_file_type
    from credgraph.ingest.offers import is_offer_record
    from credgraph.ingest.readers import iter_jsonl

    name = path.name.lower()
    first = next(iter_jsonl(path), None)  # a file broken from its first line raises here
    if first is None:
        raise InputError(
            "no records (the file is empty or has only blank lines)",
            source=str(path),
            hint="remove the file or put one JSON object per line in it",
        )
    line, record = first
    if forced in (None, "nsk"):
        sub = nsk_file_type(record)
        if sub is not None:
            return PlannedFile(path, "nsk", sub, (2, NSK_ORDER.index(sub), name))
    # forced "offers": ingest_offers_file refuses a file with nothing of an offer itself
    if forced == "offers" or (forced is None and is_offer_record(record)):
        return PlannedFile(path, "offers", None, (3, 0, name))
    expected = {None: "neither NSK nor offers", "nsk": "not an NSK file"}[forced]
    raise UnsupportedFormatError(
        f"JSONL file not recognised ({expected}; first record has keys: "
        f"{_columns(sorted(record))})",
        source=str(path),
        position=str(line),
        hint="see docs/data-formats.md for the expected fields",
    )


def _files_of(path: Path) -> list[Path]:
    """``path`` itself, or the files under a folder (hidden, *.md and *.txt left out)."""
    try:
        if path.is_symlink() and not path.exists():
            raise InputError(
                "broken or looping symbolic link",
                source=str(path),
                hint="point the link at an existing file",
            )
        if not path.exists():
            raise InputError("no such file or folder", source=str(path), hint="check the path")
        if path.is_dir():
            found = [
                child
                for child in sorted(path.rglob("*"))
                if child.is_file()
                and not child.name.startswith(".")
                and child.suffix.lower() not in (".md", ".txt")
            ]
            if not found:
                raise InputError(
                    "no files to load in this folder",
                    source=str(path),
                    hint="credgraph reads .csv, .csv.gz, .zip and .jsonl files",
                )
            return found
        if not path.is_file():
            raise InputError(
                "not a regular file (a pipe, socket or device)",
                source=str(path),
                hint="copy the data into a file first",
            )
    except OSError as exc:
        raise InputError(
            f"cannot access: {exc.strerror or exc}", source=str(path), hint="check permissions"
        ) from exc
    return [path]


def plan(paths: Sequence[Path], forced: str | None = None) -> list[PlannedFile]:
    """Every file to load, in load order. Folders are walked; hidden and *.md files ignored.
    Nothing is written here: a path or first line that cannot be read fails the run first."""
    files = [f for path in paths for f in _files_of(path)]
    planned = [_plan_file(f, forced) for f in dict.fromkeys(files)]
    planned.sort(key=lambda p: p.rank)
    return planned


def ingest_paths(
    store: GraphStore,
    paths: Sequence[Path],
    settings: Settings,
    forced: str | None = None,
    on_file: Callable[[IngestReport], None] | None = None,
) -> IngestRun:
    run = IngestRun()
    for item in plan(paths, forced):
        started = time.perf_counter()
        if item.format == "esco-zip":
            reports = ingest_esco_zip(store, item.path, settings)
        elif item.format == "esco":
            reports = [ingest_esco_file(store, item.path, settings, item.subtype)]
        elif item.format == "nsk":
            from credgraph.ingest.nsk import ingest_nsk_file

            reports = [ingest_nsk_file(store, item.path, settings)]
        elif item.format == "offers":
            from credgraph.ingest.offers import ingest_offers_file

            reports = [ingest_offers_file(store, item.path, settings)]
        elif item.format == "rdf":
            from credgraph.export.rdf import ingest_rdf_file

            reports = [ingest_rdf_file(store, item.path, settings)]
        else:
            from credgraph.ingest.documents import ingest_credential_file

            reports = [ingest_credential_file(store, item.path, settings, item.format)]
        elapsed = time.perf_counter() - started
        for report in reports:
            report.seconds = report.seconds or elapsed / max(len(reports), 1)
            run.reports.append(report)
            if on_file is not None:
                on_file(report)
    return run


def bundled_paths() -> list[Path]:
    root = bundled_data_dir()
    return [root / "esco", root / "nsk", root / "microcredentials"]


__all__ = ["IngestReport", "IngestRun", "bundled_paths", "ingest_paths", "plan"]
