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
    """A row that cannot be stored; the message names the column."""


def is_credential_csv_header(header: list[str]) -> bool:
    return set(REQUIRED) <= set(header)


def parse_credential_csv(path: Path) -> tuple[list[CredentialRecord], int]:
    """The rows' records and the number of rows read. Rows that cannot be stored are
    returned as records with ``extra["problem"]`` set, for the caller to count."""
    records: list[CredentialRecord] = []
    seen: set[str] = set()
    rows = 0
    for line, row in iter_csv(path, required=REQUIRED):
        rows += 1
        try:
            record = _record(row, line)
            if record.record_id in seen:
                raise RowProblem(f"column id: {record.record_id!r} appears on an earlier row")
            seen.add(record.record_id or "")
        except RowProblem as exc:
            record = CredentialRecord(format="csv", location=f"line {line}", title={})
            record.extra["problem"] = str(exc)
        records.append(record)
    return records, rows


def _cell(row: dict[str, str], column: str) -> str | None:
    text = clean_text(row.get(column))
    return text or None


def _number(row: dict[str, str], column: str, low: float, high: float) -> float | None:
    text = _cell(row, column)
    if text is None:
        return None
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        raise RowProblem(f"column {column}: {text[:40]!r} is not a number") from None
    if not (low <= value <= high):
        raise RowProblem(f"column {column}: {text[:40]} is outside {low:g}–{high:g}")
    return value


def _record(row: dict[str, str], line: int) -> CredentialRecord:
    for column in ("id", "title", "awarding_body"):
        if not _cell(row, column):
            raise RowProblem(f"column {column} is empty")
    rid = _cell(row, "id") or ""
    if not _ID.match(rid):
        raise RowProblem(
            f"column id: {rid[:40]!r} is not a plain id (letters, digits, . _ -, ≤ 100)"
        )
    language = (_cell(row, "language") or "").lower() or None
    if language is not None and not re.fullmatch(r"[a-z]{2}", language):
        raise RowProblem(f"column language: {language[:20]!r} is not an ISO 639-1 code")
    lang = language or "und"
    title = {lang: _cell(row, "title") or ""}
    if _cell(row, "title_en"):
        title["en"] = _cell(row, "title_en") or ""
    mode = (_cell(row, "participation_form") or "").lower() or None
    if mode is not None and mode not in _MODES:
        raise RowProblem(
            f"column participation_form: {mode[:20]!r} is not online, onsite or blended"
        )
    eqf = _number(row, "eqf_level", 1, 8)
    if eqf is not None and eqf != int(eqf):
        raise RowProblem("column eqf_level: must be a whole number 1–8")
    skills = split_pipes(row.get("esco_skills"))
    for skill in skills:
        if not skill.startswith(ESCO_SKILL):
            raise RowProblem(f"column esco_skills: {skill[:60]!r} is not an ESCO skill URI")
    occupations = split_pipes(row.get("esco_occupations"))
    for occupation in occupations:
        if not occupation.startswith(ESCO_OCCUPATION):
            raise RowProblem(f"column esco_occupations: {occupation[:60]!r} is not an ESCO URI")
    country = _cell(row, "country")
    description = _cell(row, "description")
    record = CredentialRecord(
        format="csv",
        location=f"line {line}",
        title=title,
        record_id=rid,
        description={lang: description} if description else {},
        provider=ProviderRecord(names={lang: _cell(row, "awarding_body") or ""}, country=country),
        ects=_number(row, "ects", 0, 10_000),
        hours=_number(row, "hours", 0, 100_000),
        eqf_level=int(eqf) if eqf is not None else None,
        mode=mode,
        language=language,
        languages=[language] if language else [],
        outcomes=[
            OutcomeRecord(texts={lang: t}) for t in split_pipes(row.get("learning_outcomes"))
        ],
        occupations=occupations,
        assessment=_cell(row, "assessment_type"),
        quality_assurance=_cell(row, "quality_assurance"),
        prerequisites=_cell(row, "prerequisites"),
        price=_cell(row, "price"),
        country=country,
        url=_cell(row, "further_information"),
    )
    # skills declared for the whole offer (the template has no per-outcome skill column)
    record.skills = skills
    # ids (nsk:…, mc:…) become STACKS_INTO edges; NSK codes ("69-030-M") are declared the
    # way offers declare them, through ``issued_as`` (credgraph.reasoning.view)
    stacks = split_pipes(row.get("stacks_into"))
    record.stacks_into_ids = [s for s in stacks if s.startswith(("nsk:", "mc:"))]
    codes = [s for s in stacks if not s.startswith(("nsk:", "mc:"))]
    if codes:
        record.extra["issued_as"] = "; ".join(codes)
    for column in ("supervision_identity_verification", "stackability", "location"):
        if _cell(row, column):
            record.extra[column] = _cell(row, column)
    return record
