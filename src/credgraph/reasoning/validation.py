"""Template validation: does a credential document state what the Council Recommendation on
micro-credentials (2022, Annex I) and the national template ask for?

``validate_document(raw, filename, settings)`` reads any credential format credgraph ingests
(ELM/EDC, Open Badges, CTDL, QDR XML, the provider CSV template), checks each credential in
it and verifies its signature (``credgraph.trust``). Nothing is stored.

Each element (``ontologies/template_elements.json``) is ``present``, ``missing`` or
``invalid`` with a reason. Elements that apply only to an issued credential (the learner,
the date of issuing, the grade) have ``applies: false`` for an offer and do not count.
How each element is read from the formats, and the volume rules: docs/validation.md.

Every credential of the document is answered, including CSV template rows that ingest
would refuse: the element a refused cell fills is ``invalid`` (``missing`` for an empty
required cell) with the reason naming the line and column, and the row's ``problems`` list
every such reason. CTDL pathways, transfer values and agreements are not credentials and
are not checked.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.ingest.credentials import CredentialRecord, DocumentContent
from credgraph.ingest.ctdl_terms import NOT_CREDENTIALS
from credgraph.ingest.jsonld import parse_duration
from credgraph.ontologies import template_elements

Check = tuple[str, str]  # status, detail
PARTICIPATION = {"online", "onsite", "blended", "volunteering", "work experience"}


def _present(value: Any, what: str) -> Check:
    if value in (None, "", [], {}):
        return "missing", f"no {what} stated"
    return "present", str(value) if not isinstance(value, dict | list) else what


def _first(texts: dict[str, str]) -> str:
    return next(iter(texts.values()), "")


def _learner(r: CredentialRecord, s: Settings) -> Check:
    if r.extra.get("learner_identified"):
        return "present", "the credential subject is identified (not shown: personal data)"
    return "missing", "no credential subject (learner) in the document"


def _title(r: CredentialRecord, s: Settings) -> Check:
    return _present(_first(r.title), "title")


def _country(r: CredentialRecord, s: Settings) -> Check:
    return _present(r.country or (r.provider.country if r.provider else None), "issuer country")


def _awarding_body(r: CredentialRecord, s: Settings) -> Check:
    reference = r.extra.get("provider_ref") or r.extra.get("issuer_ref")
    if not (r.provider and _first(r.provider.names)) and isinstance(reference, str):
        return "missing", f"the awarding body is only referenced ({reference}), not described"
    return _present(_first(r.provider.names) if r.provider else None, "awarding body")


def _date_of_issue(r: CredentialRecord, s: Settings) -> Check:
    if r.issued_on:
        return "present", r.issued_on
    if r.valid_from:
        return (
            "missing",
            f"no issuance date (only validFrom {r.valid_from}; an EDC gets its issuance date "
            "when it is sealed)",
        )
    return "missing", "no issuance date"


def _outcomes(r: CredentialRecord, s: Settings) -> Check:
    if not r.outcomes:
        return "missing", "no learning outcomes listed"
    skills = sum(len(o.skills) for o in r.outcomes) + len(r.skills)
    return "present", f"{len(r.outcomes)} learning outcome(s), {skills} ESCO skill link(s)"


def _implausible(r: CredentialRecord) -> list[str]:
    """Durations stated as calendar time where a volume of learning (hours) is meant."""
    found = []
    stated = list(r.extra.get("durations") or [])  # ELM: every duration it states
    if not stated and r.volume_text:  # other formats: the volume they state
        stated.append({"field": "volume of learning", "text": r.volume_text})
    if r.extra.get("activity_volume_text"):
        stated.append(
            {"field": "learning activity volumeOfLearning", "text": r.extra["activity_volume_text"]}
        )
    for item in stated:
        d = parse_duration(item.get("text"))
        if d is not None and d.calendar:
            parts = [
                f"{v:g} {unit}"
                for v, unit in (
                    (d.years, "years"),
                    (d.months, "months"),
                    (d.weeks, "weeks"),
                    (d.days, "days"),
                )
                if v
            ]
            found.append(
                f"{item['field']} {d.text} means {', '.join(parts)} (≈ {d.calendar_days:.0f} days "
                "of calendar time), not hours of learning: implausible as a workload"
            )
    return found


def _workload(r: CredentialRecord, s: Settings) -> Check:
    flags = _implausible(r)
    if r.ects is None and r.hours is None:
        text = r.ects_text or (None if flags else r.volume_text)
        if text:
            flags.append(f"stated only as {text!r}, which gives neither ECTS nor hours")
        if flags:
            return "invalid", "; ".join(flags)
        return "missing", "neither ECTS nor hours stated"
    parts = [f"{r.ects:g} ECTS" if r.ects is not None else None]
    parts.append(f"{r.hours:g} h" if r.hours is not None else None)
    detail = " and ".join(p for p in parts if p)
    if r.ects is None:
        detail += " (not in ECTS, which the Recommendation asks for where possible)"
    if flags:
        detail += "; also: " + "; ".join(flags)
    return "present", detail


def _level(r: CredentialRecord, s: Settings) -> Check:
    if r.eqf_level is None:
        if r.nqf_level:
            return "missing", f"no EQF level (a national level is stated: {r.nqf_level})"
        return "missing", "no EQF level stated"
    if not 1 <= r.eqf_level <= 8:
        return "invalid", f"EQF level {r.eqf_level} is not 1–8"
    return "present", f"EQF {r.eqf_level}" + (f" (national: {r.nqf_level})" if r.nqf_level else "")


def _assessment(r: CredentialRecord, s: Settings) -> Check:
    return _present(r.assessment, "type of assessment")


def _participation(r: CredentialRecord, s: Settings) -> Check:
    if not r.mode:
        return "missing", "no form of participation (online, onsite, blended) stated"
    if r.mode not in PARTICIPATION:
        return (
            "invalid",
            f"{r.mode!r} is not online, onsite, blended, volunteering or work experience",
        )
    return "present", r.mode


def _quality(r: CredentialRecord, s: Settings) -> Check:
    if r.quality_assurance:
        return "present", r.quality_assurance
    setting = r.extra.get("learning_setting")
    detail = "no accreditation or quality-assurance statement"
    return "missing", detail + (f" (the learning setting is {setting!r})" if setting else "")


def _prerequisites(r: CredentialRecord, s: Settings) -> Check:
    return _present(r.prerequisites or (r.prerequisite_ids or None), "prerequisites")


def _supervision(r: CredentialRecord, s: Settings) -> Check:
    return _present(
        r.extra.get("id_verification") or r.extra.get("supervision_identity_verification"),
        "supervision / identity verification",
    )


def _grade(r: CredentialRecord, s: Settings) -> Check:
    return (
        ("present", "a grade is stated") if r.extra.get("grade_stated") else ("missing", "no grade")
    )


def _stackability(r: CredentialRecord, s: Settings) -> Check:
    said = r.extra.get("stackability") or r.stacks_into_ids or r.extra.get("issued_as")
    partial = r.extra.get("partial_qualification")
    if said:
        return "present", str(said) if isinstance(said, str) else ", ".join(said)
    if isinstance(partial, bool):
        return (
            "present",
            "part of a qualification" if partial else "stand-alone (not a partial qualification)",
        )
    return "missing", "no integration/stackability option stated"


def _further(r: CredentialRecord, s: Settings) -> Check:
    return _present(r.url or (_first(r.description) or None), "further information")


def _ects_and_hours(r: CredentialRecord, s: Settings) -> Check:
    if r.ects is None or r.hours is None:
        missing = [n for n, v in (("ECTS", r.ects), ("hours", r.hours)) if v is None]
        return "missing", f"not stated in {' and '.join(missing)}"
    if r.ects <= 0:
        return "invalid", f"{r.ects:g} ECTS"
    per = r.hours / r.ects
    low, high = s.template_hours_per_ects_min, s.template_hours_per_ects_max
    if not low <= per <= high:
        return (
            "invalid",
            f"{r.hours:g} h for {r.ects:g} ECTS is {per:.1f} h per ECTS, outside {low:g}–{high:g}",
        )
    return (
        "present",
        f"{r.hours:g} h for {r.ects:g} ECTS = {per:.1f} h per ECTS (within {low:g}–{high:g})",
    )


def _national_volume(r: CredentialRecord, s: Settings) -> Check:
    low, high = s.template_min_ects, s.template_max_ects
    if r.ects is not None:
        value, unit, lo, hi = r.ects, "ECTS", low, high
    elif r.hours is not None:
        value, unit = r.hours, "h"
        lo, hi = low * s.template_hours_per_ects_min, high * s.template_hours_per_ects_max
    else:
        return "missing", "no volume in ECTS or hours to compare"
    if value < lo:
        return "invalid", f"{value:g} {unit} is below the national minimum of {lo:g} {unit}"
    if value > hi:
        return "invalid", f"{value:g} {unit} is above the national maximum of {hi:g} {unit}"
    return "present", f"{value:g} {unit} within {lo:g}–{hi:g} {unit}"


CHECKS: dict[str, Callable[[CredentialRecord, Settings], Check]] = {
    "learner": _learner,
    "title": _title,
    "issuer_country": _country,
    "awarding_body": _awarding_body,
    "date_of_issue": _date_of_issue,
    "learning_outcomes": _outcomes,
    "workload": _workload,
    "level": _level,
    "assessment": _assessment,
    "participation": _participation,
    "quality_assurance": _quality,
    "prerequisites": _prerequisites,
    "supervision": _supervision,
    "grade": _grade,
    "stackability": _stackability,
    "further_information": _further,
    "ects_and_hours": _ects_and_hours,
    "national_volume": _national_volume,
}


# the template elements a provider CSV column states: a refused cell makes them invalid
CSV_COLUMN_ELEMENTS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "title_en": ("title",),
    "awarding_body": ("awarding_body",),
    "country": ("issuer_country",),
    "learning_outcomes": ("learning_outcomes",),
    "esco_skills": ("learning_outcomes",),
    "ects": ("workload", "ects_and_hours"),
    "hours": ("workload", "ects_and_hours"),
    "eqf_level": ("level",),
    "assessment_type": ("assessment",),
    "participation_form": ("participation",),
    "quality_assurance": ("quality_assurance",),
    "prerequisites": ("prerequisites",),
    "supervision_identity_verification": ("supervision",),
    "stackability": ("stackability",),
    "stacks_into": ("stackability",),
    "further_information": ("further_information",),
}


def _row_problems(record: CredentialRecord, elements: list[dict[str, Any]]) -> list[str]:
    """Mark the elements of refused cells (CSV rows ingest would not store); the reasons,
    each naming the line and the column."""
    by_id = {e["id"]: e for e in elements}
    marked: set[str] = set()
    reasons = []
    for problem in record.extra.get("problems") or []:
        reason = f"line {problem['line']}, {problem['reason']}"
        reasons.append(reason)
        for element_id in CSV_COLUMN_ELEMENTS.get(problem["column"], ()):
            element = by_id[element_id]
            empty = problem["reason"].endswith(" is empty")
            element["status"] = "missing" if empty else "invalid"
            element["detail"] = f"{element['detail']}; {reason}" if element_id in marked else reason
            marked.add(element_id)
    return reasons


def validate_record(record: CredentialRecord, settings: Settings) -> dict[str, Any]:
    kind = record.document_kind
    elements = []
    for spec in template_elements():
        applies = spec["applies_to"] in ("both", kind)
        status, detail = CHECKS[spec["id"]](record, settings)
        elements.append(
            {
                "id": spec["id"],
                "name": spec["name"],
                "mandatory": bool(spec["mandatory"]) and applies,
                "applies": applies,
                "status": status,
                "detail": detail if applies else f"applies to issued credentials only ({detail})",
                "source": spec["source"],
            }
        )
    problems = _row_problems(record, elements)
    mandatory = [e for e in elements if e["mandatory"]]
    eu = [e for e in mandatory if e["source"].startswith(("Council", "Annex"))]
    return {
        "title": _first(record.title),
        "kind": kind,
        "format": record.format,
        "location": record.location,
        "elements": elements,
        "summary": {
            "mandatory": len(mandatory),
            "present": sum(e["status"] == "present" for e in mandatory),
            "missing": [e["id"] for e in mandatory if e["status"] == "missing"],
            "invalid": [e["id"] for e in mandatory if e["status"] == "invalid"],
            "eu_mandatory_complete": all(e["status"] == "present" for e in eu),
            "complete": all(e["status"] == "present" for e in mandatory),
        },
        "warnings": _implausible(record),
        "problems": problems,
    }


def _records(raw: bytes, filename: str) -> tuple[str, DocumentContent]:
    """Parse a document the way ingest does; CSV and XML go through a temporary file, as
    their readers stream from disk."""
    from credgraph.ingest.documents import parse_json_content, read_credential_document
    from credgraph.ingest.readers import parse_json_document

    name = filename or "document"
    lowered = Path(name).name.lower()
    if lowered.endswith((".csv", ".xml", ".csv.gz", ".xml.gz")) or raw.lstrip()[:1] == b"<":
        suffix = next(
            (s for s in (".csv.gz", ".xml.gz", ".csv", ".xml") if lowered.endswith(s)), ".xml"
        )
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / f"document{suffix}"
            path.write_bytes(raw)
            try:
                fmt, content, _ = read_credential_document(path)
            except InputError as exc:
                raise InputError(
                    exc.reason, source=name, position=exc.position, hint=exc.hint
                ) from exc
        return fmt, content
    doc = parse_json_document(raw, name)
    return parse_json_content(doc, name)


def _nothing_to_validate(content: DocumentContent) -> str:
    if content.note:
        return content.note
    kinds = sorted({r.source_type or "record" for r in content.records})
    if kinds:
        return f"the document describes {', '.join(kinds)}, not a credential"
    return f"the document describes {len(content.competences)} competence(s), not a credential"


def validate_document(raw: bytes, filename: str, settings: Settings) -> dict[str, Any]:
    """The validation answer (DESIGN.md's shape: ``kind``, ``elements``, ``verification``)
    for the first credential of the document, and every credential under ``credentials``
    (CSV rows that ingest would refuse included, with their ``problems``)."""
    fmt, content = _records(raw, filename)
    records = [
        r for r in content.records if not (r.format == "ctdl" and r.source_type in NOT_CREDENTIALS)
    ]
    if not records:
        raise InputError(
            f"no credential in the document to validate: {_nothing_to_validate(content)}",
            source=filename or "document",
            hint="validate a credential, badge, learning opportunity or template row",
        )
    checked = [validate_record(r, settings) for r in records]
    verification = _verify(raw, filename, fmt)
    first = checked[0]
    return {
        "kind": first["kind"],
        "format": fmt,
        "title": first["title"],
        "elements": first["elements"],
        "summary": first["summary"],
        "warnings": first["warnings"],
        "problems": [p for c in checked for p in c["problems"]],
        "verification": verification,
        "credentials": checked,
    }


def _verify(raw: bytes, filename: str, fmt: str) -> dict[str, Any]:
    if fmt in ("credential-csv", "qdr"):
        return {"status": "unsigned", "reason": f"a {fmt} document carries no signature"}
    from credgraph.trust import verify_document

    result: dict[str, Any] = verify_document(raw, filename or "document").to_dict()
    return result
