"""Ingest: recognise each input file's format and load it into the graph store.

``ingest_paths`` loads files and folders in dependency order (ESCO concepts → ESCO
relations → NSK qualifications → school VET → ÚPK compositions → offers), each file in its
own transaction; the first file that cannot be read stops the run with an ``InputError``
naming the file and position, and nothing of that file is stored.
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
from credgraph.ingest.esco import ORDER as ESCO_ORDER
from credgraph.ingest.esco import detect_esco_file, ingest_esco_file, ingest_esco_zip
from credgraph.ingest.report import IngestReport

FORMATS = ("esco", "esco-zip", "nsk", "offers")


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


def _nsk_detect(path: Path) -> str | None:
    from credgraph.ingest.nsk import detect_nsk_file

    return detect_nsk_file(path)


def _offers_detect(path: Path) -> bool:
    from credgraph.ingest.offers import detect_offers_file

    return detect_offers_file(path)


def _plan_file(path: Path, forced: str | None) -> PlannedFile:
    name = path.name.lower()
    if forced not in (None, *FORMATS):
        raise UnsupportedFormatError(
            f"unknown format {forced!r}", hint=f"use one of: {', '.join(FORMATS)}"
        )
    if forced == "esco-zip" or (forced in (None, "esco") and name.endswith(".zip")):
        return PlannedFile(path, "esco-zip", None, (0, 0, name))
    if name.endswith((".csv", ".csv.gz")) and forced in (None, "esco"):
        sub = detect_esco_file(path)
        if sub is None:
            raise UnsupportedFormatError(
                "CSV file not recognised (not an ESCO CSV)",
                source=str(path),
                position="1",
                hint="credgraph reads ESCO CSV bundles",
            )
        return PlannedFile(path, "esco", sub, (1, ESCO_ORDER.index(sub), name))
    if name.endswith((".jsonl", ".jsonl.gz")) and forced in (None, "nsk", "offers"):
        if forced in (None, "nsk"):
            from credgraph.ingest.nsk import NSK_ORDER

            sub = _nsk_detect(path)
            if sub is not None:
                return PlannedFile(path, "nsk", sub, (2, NSK_ORDER.index(sub), name))
        if forced in (None, "offers") and _offers_detect(path):
            return PlannedFile(path, "offers", None, (3, 0, name))
        from credgraph.ingest.readers import iter_jsonl

        next(iter_jsonl(path), None)  # a file broken from its first line raises its own error
        raise UnsupportedFormatError(
            "JSONL file not recognised (neither NSK nor offers)",
            source=str(path),
            position="1",
            hint="see docs/data-formats.md for the expected fields",
        )
    raise UnsupportedFormatError(
        "file format not supported",
        source=str(path),
        hint="credgraph reads ESCO CSV (.csv, .csv.gz, .zip), "
        "NSK and offers JSONL (.jsonl); see docs/data-formats.md",
    )


def plan(paths: Sequence[Path], forced: str | None = None) -> list[PlannedFile]:
    """Every file to load, in load order. Folders are walked; hidden and *.md files ignored."""
    files: list[Path] = []
    for path in paths:
        if not path.exists():
            raise InputError("no such file or folder", source=str(path))
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and not child.name.startswith(".")
                    and child.suffix.lower() not in (".md", ".txt")
                ):
                    files.append(child)
        else:
            files.append(path)
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
        else:
            from credgraph.ingest.offers import ingest_offers_file

            reports = [ingest_offers_file(store, item.path, settings)]
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
