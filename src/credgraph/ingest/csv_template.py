"""The provider CSV template: one micro-credential offer per row, columns that mirror the
elements of the Council Recommendation on micro-credentials (2022, Annex I) and the
national rule of stating the volume in ECTS *and* hours. Documented with an example in
docs/data-formats.md (``docs/examples/credentials-template.csv``).

UTF-8, comma-separated, a header row; lists inside a cell are separated by " | ". Required
columns: ``id``, ``title``, ``awarding_body``, ``learning_outcomes``; every other column may
be absent or empty. A row with an empty ``id``/``title``/``awarding_body``, a repeated
``id``, or a value of the wrong shape (ECTS not a number, EQF not 1–8, a skill that is not
an ESCO skill URI) is counted as failed with "line N: column C …" and left out; the rest of
the file is stored. Malformed CSV (quoting, NUL bytes, not UTF-8) stops the file.

Such a row is still returned, for template validation to report: every problem of the row
(``extra["problems"]``: ``{"line", "column", "reason"}``; ``extra["problem"]`` joins them)
and what could be read of the rest (a value that is wrong is left out).
"""

from __future__ import annotations

import re
from pathlib import Path

from credgraph.ingest.common import clean_text, split_pipes
from credgraph.ingest.credentials import (
    ESCO_OCCUPATION,
    ESCO_SKILL,
    CredentialRecord,
    OutcomeRecord,
    ProviderRecord,
)
from credgraph.ingest.readers import iter_csv

REQUIRED = ("id", "title", "awarding_body", "learning_outcomes")
COLUMNS = (
    *REQUIRED,
    "title_en",
    "description",
    "country",
    "language",
    "esco_skills",
    "esco_occupations",
    "ects",
    "hours",
    "eqf_level",
    "assessment_type",
    "participation_form",
    "quality_assurance",
    "prerequisites",
    "supervision_identity_verification",
    "stackability",
    "stacks_into",
    "further_information",
    "price",
    "location",
)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
_MODES = {"online", "onsite", "blended"}


class RowProblem(ValueError):
    """A cell that cannot be stored; the message names the column."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"column {column}{message}")
        self.column = column


def is_credential_csv_header(header: list[str]) -> bool:
    return set(REQUIRED) <= set(header)


def parse_credential_csv(path: Path) -> tuple[list[CredentialRecord], int]:
    """The rows' records and the number of rows read. Rows that cannot be stored are
    returned with ``extra["problem"]`` set, for the caller to count."""
    records: list[CredentialRecord] = []
    seen: set[str] = set()
    rows = 0
    for line, row in iter_csv(path, required=REQUIRED):
        rows += 1
        problems: list[RowProblem] = []
        record = _record(row, line, problems)
        if record.record_id in seen:
            problems.append(RowProblem("id", f": {record.record_id!r} appears on an earlier row"))
        if record.record_id and not problems:  # a row that is not stored takes no id
            seen.add(record.record_id)
        if problems:
            record.extra["problem"] = "; ".join(str(p) for p in problems)
            record.extra["problems"] = [
                {"line": line, "column": p.column, "reason": str(p)} for p in problems
            ]
        records.append(record)
    return records, rows


class _Row:
    """The cells of one row; a cell that is wrong is recorded and read as empty."""

    def __init__(self, row: dict[str, str], problems: list[RowProblem]) -> None:
        self.row = row
        self.problems = problems

    def cell(self, column: str) -> str | None:
        text = clean_text(self.row.get(column))
        return text or None

    def bad(self, column: str, message: str) -> None:
        self.problems.append(RowProblem(column, message))

    def number(self, column: str, low: float, high: float) -> float | None:
        text = self.cell(column)
        if text is None:
            return None
        try:
            value = float(text.replace(",", "."))
        except ValueError:
            self.bad(column, f": {text[:40]!r} is not a number")
            return None
        if not (low <= value <= high):
            self.bad(column, f": {text[:40]} is outside {low:g}–{high:g}")
            return None
        return value

    def uris(self, column: str, prefix: str, what: str) -> list[str]:
        values = split_pipes(self.row.get(column))
        for value in values:
            if not value.startswith(prefix):
                self.bad(column, f": {value[:60]!r} is not an {what} URI")
        return [v for v in values if v.startswith(prefix)]


def _record(raw: dict[str, str], line: int, problems: list[RowProblem]) -> CredentialRecord:
    row = _Row(raw, problems)
    for column in ("id", "title", "awarding_body"):
        if not row.cell(column):
            row.bad(column, " is empty")
    rid = row.cell("id")
    if rid is not None and not _ID.match(rid):
        row.bad("id", f": {rid[:40]!r} is not a plain id (letters, digits, . _ -, ≤ 100)")
        rid = None
    language = (row.cell("language") or "").lower() or None
    if language is not None and not re.fullmatch(r"[a-z]{2}", language):
        row.bad("language", f": {language[:20]!r} is not an ISO 639-1 code")
        language = None
    lang = language or "und"
    title = {lang: row.cell("title")} if row.cell("title") else {}
    if row.cell("title_en"):
        title["en"] = row.cell("title_en") or ""
    mode = (row.cell("participation_form") or "").lower() or None
    if mode is not None and mode not in _MODES:
        row.bad("participation_form", f": {mode[:20]!r} is not online, onsite or blended")
        mode = None
    eqf = row.number("eqf_level", 1, 8)
    if eqf is not None and eqf != int(eqf):
        row.bad("eqf_level", ": must be a whole number 1–8")
        eqf = None
    skills = row.uris("esco_skills", ESCO_SKILL, "ESCO skill")
    occupations = row.uris("esco_occupations", ESCO_OCCUPATION, "ESCO occupation")
    country = row.cell("country")
    description = row.cell("description")
    body = row.cell("awarding_body")
    record = CredentialRecord(
        format="csv",
        location=f"line {line}",
        title={k: v for k, v in title.items() if v},
        record_id=rid,
        description={lang: description} if description else {},
        provider=ProviderRecord(names={lang: body}, country=country) if body else None,
        ects=row.number("ects", 0, 10_000),
        hours=row.number("hours", 0, 100_000),
        eqf_level=int(eqf) if eqf is not None else None,
        mode=mode,
        language=language,
        languages=[language] if language else [],
        outcomes=[
            OutcomeRecord(texts={lang: t}) for t in split_pipes(raw.get("learning_outcomes"))
        ],
        occupations=occupations,
        assessment=row.cell("assessment_type"),
        quality_assurance=row.cell("quality_assurance"),
        prerequisites=row.cell("prerequisites"),
        price=row.cell("price"),
        country=country,
        url=row.cell("further_information"),
    )
    # skills declared for the whole offer (the template has no per-outcome skill column)
    record.skills = skills
    # ids (nsk:…, mc:…) become STACKS_INTO edges; NSK codes ("69-030-M") are declared the
    # way offers declare them, through ``issued_as`` (credgraph.reasoning.view)
    stacks = split_pipes(raw.get("stacks_into"))
    record.stacks_into_ids = [s for s in stacks if s.startswith(("nsk:", "mc:"))]
    codes = [s for s in stacks if not s.startswith(("nsk:", "mc:"))]
    if codes:
        record.extra["issued_as"] = "; ".join(codes)
    for column in ("supervision_identity_verification", "stackability", "location"):
        if row.cell(column):
            record.extra[column] = row.cell(column)
    return record
