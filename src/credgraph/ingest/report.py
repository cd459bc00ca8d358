"""Ingest reports: what each file gave, with locations for everything not stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MAX_LISTED = 50  # problems listed per file; the counters always hold the full numbers


@dataclass(slots=True)
class Problem:
    location: str  # "file:line" or "file record N"
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"location": self.location, "reason": self.reason}


@dataclass(slots=True)
class IngestReport:
    """The outcome of ingesting one file.

    ``rows_read``: records read from the file (a CSV record, a JSONL line, a document).
    ``rows_stored``: records that became nodes/edges; ``rows_skipped``: records left out on
    purpose (e.g. pointing to a concept absent from the graph); ``rows_failed``: records that
    could not be read (missing required field). ``nodes_written``/``edges_written`` count
    store writes (a record may write several).
    """

    source: str
    format: str
    rows_read: int = 0
    rows_stored: int = 0
    rows_skipped: int = 0
    rows_failed: int = 0
    nodes_written: int = 0
    edges_written: int = 0
    skipped: list[Problem] = field(default_factory=list)
    failed: list[Problem] = field(default_factory=list)
    skip_reasons: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def skip(self, location: str, reason: str, *, key: str | None = None) -> None:
        self.rows_skipped += 1
        tag = key or reason
        self.skip_reasons[tag] = self.skip_reasons.get(tag, 0) + 1
        if len(self.skipped) < MAX_LISTED:
            self.skipped.append(Problem(location, reason))

    def fail(self, location: str, reason: str) -> None:
        self.rows_failed += 1
        if len(self.failed) < MAX_LISTED:
            self.failed.append(Problem(location, reason))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "format": self.format,
            "rows_read": self.rows_read,
            "rows_stored": self.rows_stored,
            "rows_skipped": self.rows_skipped,
            "rows_failed": self.rows_failed,
            "nodes_written": self.nodes_written,
            "edges_written": self.edges_written,
            "skip_reasons": dict(self.skip_reasons),
            "seconds": round(self.seconds, 3),
            "skipped": [p.to_dict() for p in self.skipped],
            "failed": [p.to_dict() for p in self.failed],
        }
