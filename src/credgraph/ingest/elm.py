"""European Learning Model v3 / European Digital Credentials (EDC) JSON-LD.

Three wrappings of one credential are read alike (so they map to the same node):
- plain: the W3C Verifiable Credential itself (``credentialSubject.hasClaim`` …);
- signed: ``{"payload": "<the credential as a JSON string>", "signatures": [...]}`` (JAdES;
  verification is ``credgraph.trust``'s business, not the ingester's);
- "uploadable": ``{"credential": {...}}`` (the EDC issuer's upload form).

A bare specification (``Qualification``, ``LearningAchievementSpecification``,
``LearningActivitySpecification``, ``LearningOpportunity``) is read as an offer.

Each claim (``LearningAchievement``, ``LearningActivity``, ``LearningAssessment``) becomes one
``CredentialRecord`` from the claim and its specification (``specifiedBy``): title, awarding
body, ECTS (``creditPoint`` in the ECTS framework; other frameworks stay text), volume of
learning as ISO 8601 (hours only when stated in hours: ``PT60H`` = 60 h; ``P60M`` is 60
*months* and stays text), EQF level, mode, language, learning outcomes with their
``relatedESCOSkill`` (declared ALIGNS_TO), entry requirements, assessment, accreditation.
The learner (``credentialSubject`` other than its claims) is never read into a record,
except whether one is identified (a boolean the template validation needs).
"""

from __future__ import annotations

import json
import re
from typing import Any

from credgraph.errors import InputError
from credgraph.ingest.common import clean_text
from credgraph.ingest.credentials import (
    ESCO_OCCUPATION,
    ESCO_SKILL,
    CredentialRecord,
    OutcomeRecord,
    ProviderRecord,
)
from credgraph.ingest.jsonld import (
    ISO639_3_TO_1,
    as_list,
    concept_label,
    first_object,
    iri,
    lang_map,
    objects,
    parse_duration,
    types_of,
)

ECTS_FRAMEWORK = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
EQF_BASE = "http://data.europa.eu/snb/eqf/"
LANGUAGE_BASE = "http://publications.europa.eu/resource/authority/language/"
COUNTRY_BASE = "http://publications.europa.eu/resource/authority/country/"
# DC4EU's electronic attestations of attributes (EAA) rulebooks: ELM-derived VCs whose
# subject carries the attested facts directly (no hasClaim)
EAA_RULEBOOK = "eaa-rulebook.europa.eu"

CLAIM_TYPES = {
    "LearningAchievement",
    "LearningActivity",
    "LearningAssessment",
    "LearningEntitlement",
}
SPEC_TYPES = {
    "Qualification",
    "LearningAchievementSpecification",
    "LearningActivitySpecification",
    "LearningAssessmentSpecification",
    "LearningEntitlementSpecification",
    "LearningOpportunity",
}
_ELM_MARKERS = ("data.europa.eu/snb", "ec.europa.eu/credentials", "europass", EAA_RULEBOOK)


def unwrap(doc: Any, source: str) -> tuple[dict[str, Any], str]:
    """The credential inside a signed or uploadable wrapper, and the wrapping's name."""
    if isinstance(doc, dict) and isinstance(doc.get("payload"), str) and "signatures" in doc:
        try:
            inner = json.loads(doc["payload"])
        except json.JSONDecodeError as exc:
            raise InputError(
                f"the signed payload is not JSON ({exc.msg} at its character {exc.pos})",
                source=source,
                position="$.payload",
                hint="the payload of a signed EDC is the credential as a JSON string",
            ) from exc
        if not isinstance(inner, dict):
            raise InputError(
                "the signed payload is not a JSON object", source=source, position="$.payload"
            )
        return inner, "signed"
    if isinstance(doc, dict) and isinstance(doc.get("credential"), dict) and len(doc) <= 3:
        return doc["credential"], "uploadable"
    if not isinstance(doc, dict):
        raise InputError("an ELM document must be a JSON object", source=source, position="$")
    return doc, "plain"


def is_elm(doc: Any) -> bool:
    """An EDC/ELM credential (any wrapping) or a bare ELM specification."""
    if not isinstance(doc, dict):
        return False
    if isinstance(doc.get("payload"), str) and "signatures" in doc:
        return True
    if isinstance(doc.get("credential"), dict) and len(doc) <= 3:
        doc = doc["credential"]
    kinds = types_of(doc)
    if "EuropeanDigitalCredential" in kinds or kinds & SPEC_TYPES:
        return True
    subject = first_object(doc.get("credentialSubject"))
    if subject is not None and objects(subject.get("hasClaim")):
        return True
    contexts = [c for c in as_list(doc.get("@context")) if isinstance(c, str)]
    return any(m in c for c in contexts for m in _ELM_MARKERS) and "VerifiableCredential" in kinds


def parse_elm(doc: Any, source: str) -> list[CredentialRecord]:
    """Records of an ELM/EDC document; ``InputError`` when it holds nothing to read."""
    credential, wrapping = unwrap(doc, source)
    cred_iri = iri(credential)
    kinds = types_of(credential)
    if kinds & SPEC_TYPES and "credentialSubject" not in credential:
        record = _record(credential, None, credential, "$", cred_iri, "offer")
        record.extra["wrapping"] = wrapping
        return [record]
    subject = first_object(credential.get("credentialSubject"))
    if _is_eaa(credential):
        return _eaa_records(credential, subject, cred_iri, wrapping)
    if subject is None:
        raise InputError(
            "no credentialSubject (an ELM credential describes its claims there)",
            source=source,
            position="$.credentialSubject",
            hint="is this an EDC credential?",
        )
    claims = objects(subject.get("hasClaim"))
    if not claims:
        raise InputError(
            "the credential has no claim (credentialSubject.hasClaim)",
            source=source,
            position="$.credentialSubject.hasClaim",
            hint="an EDC states what was achieved as a LearningAchievement claim",
        )
    learner = any(k for k in subject if k not in ("hasClaim", "type", "@type"))
    records = []
    for index, claim in enumerate(claims):
        where = "$.credentialSubject.hasClaim" + (f"[{index}]" if len(claims) > 1 else "")
        spec = _spec_of(claim)
        key = cred_iri if len(claims) == 1 else f"{cred_iri}#{iri(claim) or index}"
        record = _record(claim, spec, credential, where, key, "issued")
        record.extra.update(wrapping=wrapping, learner_identified=learner)
        records.append(record)
    return records


def _is_eaa(credential: dict[str, Any]) -> bool:
    contexts = [c for c in as_list(credential.get("@context")) if isinstance(c, str)]
    return any(EAA_RULEBOOK in c for c in contexts)


def _eaa_records(
    credential: dict[str, Any], subject: dict[str, Any] | None, key: str | None, wrapping: str
) -> list[CredentialRecord]:
    """A DC4EU attestation: a professional training certificate states its training as
    ``credentialSubject.qualification`` (ELM-like fields); attestations of a person's
    professional suitability or development state no learning achievement, so they give no
    record (and nothing about the person is read)."""
    qualification = first_object((subject or {}).get("qualification"))
    if qualification is None:
        return []
    spec = dict(qualification)
    spec["eqfLevel"] = (first_object(spec.get("level")) or {}).get("eqfLevel")
    spec["learningOutcome"] = [
        {"title": lo.get("description")} for lo in objects(spec.get("learningOutcomes"))
    ]
    claim = {"awardedBy": {"awardingBody": credential.get("issuer")}}
    record = _record(claim, spec, credential, "$.credentialSubject.qualification", key, "issued")
    accreditations = [
        str(a.get("accreditationBody"))
        for body in objects(credential.get("issuer"))
        for a in objects(body.get("accreditation"))
        if isinstance(a.get("accreditationBody"), str)
    ]
    if accreditations:
        record.quality_assurance = "accredited by " + ", ".join(accreditations)
    record.extra.update(wrapping=wrapping, learner_identified=subject is not None)
    return [record]


def no_claim_reason(doc: Any) -> str:
    """Why an ELM document gives no record (``parse_elm`` returned [])."""
    try:
        credential, _ = unwrap(doc, "document")
    except InputError:
        return "no credential in the document"
    if _is_eaa(credential):
        kinds = sorted(types_of(credential) - {"VerifiableCredential"})
        named = " ".join(kinds) or "VerifiableCredential"
        return (
            f"a DC4EU {named} (an attestation about a person): it states no learning "
            "achievement, and nothing about the person is read"
        )
    return "an ELM document with no learning achievement or specification"


def _spec_of(claim: dict[str, Any]) -> dict[str, Any] | None:
    return first_object(claim.get("specifiedBy"))


def _record(
    claim: dict[str, Any],
    spec: dict[str, Any] | None,
    credential: dict[str, Any],
    where: str,
    key: str | None,
    kind: str,
) -> CredentialRecord:
    spec = spec or {}
    title = lang_map(spec.get("title")) or lang_map(claim.get("title"))
    if not title:
        title = lang_map(credential.get("title")) or lang_map(credential.get("name"))
    if not title:
        raise InputError(
            "the claim has no title (title of the claim or its specification)",
            position=f"{where}.title",
            hint="every ELM learning achievement and specification has a title",
        )
    record = CredentialRecord(
        format="elm",
        location=where,
        title=title,
        source_id=key,
        document_kind="issued" if kind == "issued" else "offer",
        source_type=next(iter(sorted(types_of(spec) or types_of(claim))), None),
        description=lang_map(spec.get("description")) or lang_map(claim.get("description")),
    )
    record.provider = _provider(claim, credential)
    record.country = record.provider.country if record.provider else None
    _volume(record, claim, spec)
    _levels(record, spec)
    record.mode = _mode(spec.get("mode"))
    languages = [code for code in (_language(v) for v in as_list(spec.get("language"))) if code]
    record.languages = languages
    record.language = languages[0] if len(languages) == 1 else None
    record.outcomes = [o for o in (_outcome(x) for x in objects(spec.get("learningOutcome"))) if o]
    record.skills = _esco(spec.get("relatedESCOSkill"), ESCO_SKILL)
    record.occupations = _esco(spec.get("relatedESCOOccupation"), ESCO_OCCUPATION)
    record.assessment = _assessment(claim, spec)
    record.quality_assurance = _accreditation(spec, claim)
    record.prerequisites = _note(spec.get("entryRequirement"))
    record.issued_on = _date(credential.get("issued") or credential.get("issuanceDate"))
    record.valid_from = _date(credential.get("validFrom"))
    record.valid_until = _date(credential.get("validUntil") or credential.get("expirationDate"))
    record.url = _homepage(spec) or _homepage(claim)
    record.extra.update(_optional_elements(claim, spec))
    return record


def _provider(claim: dict[str, Any], credential: dict[str, Any]) -> ProviderRecord | None:
    awarded = first_object(claim.get("awardedBy")) or {}
    bodies = objects(awarded.get("awardingBody")) or objects(credential.get("issuer"))
    for body in bodies:
        names = (
            lang_map(body.get("legalName"))
            or lang_map(body.get("prefLabel"))
            or lang_map(body.get("name"))
            or lang_map(body.get("altLabel"))
        )
        if not names:
            continue
        return ProviderRecord(
            names=names,
            source_id=iri(body),
            country=_country(body),
            homepage=_homepage(body),
        )
    return None


def _country(body: dict[str, Any]) -> str | None:
    for loc in objects(body.get("location")):
        for address in objects(loc.get("address")):
            code = iri(address.get("countryCode"))
            if code and code.startswith(COUNTRY_BASE):
                return code.rsplit("/", 1)[-1]
    for ident in objects(body.get("eIDASIdentifier")) + objects(body.get("registration")):
        spatial = first_object(ident.get("spatial"))
        code = iri(spatial) or (spatial or {}).get("notation")
        if isinstance(code, str) and code:
            return code.rsplit("/", 1)[-1]
    return None


def _homepage(node: dict[str, Any]) -> str | None:
    for page in objects(node.get("homepage")):
        url = page.get("contentURL")
        if isinstance(url, str) and url.strip():
            return url.strip()
    return None


def _volume(record: CredentialRecord, claim: dict[str, Any], spec: dict[str, Any]) -> None:
    # the specification's volume of learning, else the claim's workload; hours only from a
    # duration stated in hours (the first one that is); every stated duration is kept
    durations = []
    for field, node in (("volumeOfLearning", spec), ("workload", claim), ("workload", spec)):
        text = node.get(field)
        if isinstance(text, str) and text.strip():
            durations.append({"field": field, "text": text.strip()})
            record.volume_text = record.volume_text or text.strip()
            duration = parse_duration(text)
            if record.hours is None and duration is not None:
                record.hours = duration.total_hours
    record.extra["durations"] = durations
    credits: list[str] = []
    for point in objects(spec.get("creditPoint")) or objects(claim.get("creditReceived")):
        value = point.get("point")
        framework = first_object(point.get("framework")) or {}
        name = concept_label(framework) or iri(framework) or "credits"
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            credits.append(f"{value} {name}")
            if _is_ects(framework) and record.ects is None:
                record.ects = _number(value)
    record.ects_text = "; ".join(credits) or None


def _is_ects(framework: dict[str, Any]) -> bool:
    label = (concept_label(framework) or "").lower()
    return (
        iri(framework) == ECTS_FRAMEWORK or "ects" in label or "european credit transfer" in label
    )


def _number(value: Any) -> float | None:
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e6 else None


def _levels(record: CredentialRecord, spec: dict[str, Any]) -> None:
    level = first_object(spec.get("eqfLevel"))
    candidates = [iri(level), (level or {}).get("notation"), concept_label(level)]
    if isinstance(spec.get("eqfLevel"), str | int) and not isinstance(spec["eqfLevel"], bool):
        candidates.insert(0, str(spec["eqfLevel"]))
    for text in candidates:
        if isinstance(text, int) and not isinstance(text, bool):
            text = str(text)
        if not isinstance(text, str):
            continue
        m = re.search(r"(?:eqf/|level\s*|^)(\d{1,2})\s*$", text.strip(), re.IGNORECASE)
        if m:
            record.eqf_level = int(m.group(1))
            record.extra["eqf_text"] = text.strip()
            break
    nqf = first_object(spec.get("nqfLevel"))
    record.nqf_level = concept_label(nqf) if nqf else None


_MODES = {
    "online": "online",
    "on-line": "online",
    "e-learning": "online",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "in person": "onsite",
    "face-to-face": "onsite",
    "face to face": "onsite",
    "presential": "onsite",
    "blended": "blended",
    "hybrid": "blended",
}


def _mode(value: Any) -> str | None:
    labels = [concept_label(v) for v in as_list(value)]
    found = [lab for lab in labels if lab]
    if not found:
        return None
    mapped = [_MODES.get(clean_text(lab).lower()) for lab in found]
    return mapped[0] or clean_text(found[0]).lower()


def _language(value: Any) -> str | None:
    code = iri(value)
    if code and code.startswith(LANGUAGE_BASE):
        return ISO639_3_TO_1.get(code.rsplit("/", 1)[-1].upper(), code.rsplit("/", 1)[-1].lower())
    label = concept_label(value)
    if label and re.fullmatch(r"[A-Za-z]{2}", label):
        return label.lower()
    return None


def _outcome(node: dict[str, Any]) -> OutcomeRecord | None:
    texts = lang_map(node.get("title")) or lang_map(node.get("description"))
    # placeholders ("...") are no outcome
    texts = {k: v for k, v in texts.items() if any(ch.isalnum() for ch in v)}
    if not texts:
        return None
    return OutcomeRecord(
        texts=texts, skills=_esco(node.get("relatedESCOSkill"), ESCO_SKILL), source_id=iri(node)
    )


def _esco(value: Any, base: str) -> list[str]:
    return [u for u in (iri(v) for v in as_list(value)) if u and u.startswith(base)]


def _assessment(claim: dict[str, Any], spec: dict[str, Any]) -> str | None:
    texts = []
    for assessment in objects(claim.get("provenBy")):
        aspec = first_object(assessment.get("specifiedBy")) or {}
        kind = concept_label(first_object(aspec.get("dcType")))
        title = lang_map(aspec.get("title")) or lang_map(assessment.get("title"))
        label = kind or (title.get("en") or next(iter(title.values()), None) if title else None)
        if label:
            texts.append(label)
    for aspec in objects(spec.get("provenBy")):
        kind = concept_label(first_object(aspec.get("dcType")))
        if kind:
            texts.append(kind)
    return "; ".join(dict.fromkeys(texts)) or None


def _accreditation(spec: dict[str, Any], claim: dict[str, Any]) -> str | None:
    found = []
    for node in (spec, claim):
        for acc in objects(node.get("accreditation")):
            kind = concept_label(first_object(acc.get("dcType")))
            title = lang_map(acc.get("title"))
            found.append(kind or (next(iter(title.values())) if title else "accreditation"))
    return "; ".join(dict.fromkeys(found)) or None


def _note(value: Any) -> str | None:
    for note in as_list(value):
        texts = lang_map(note.get("noteLiteral")) if isinstance(note, dict) else lang_map(note)
        if texts:
            return texts.get("en") or next(iter(texts.values()))
    return None


def _date(value: Any) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _optional_elements(claim: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
    """What the template validation needs beyond the record's fields (no personal data)."""
    out: dict[str, Any] = {}
    setting = concept_label(first_object(spec.get("learningSetting")))
    if setting:
        out["learning_setting"] = setting
    proven = objects(claim.get("provenBy"))
    grades = [_note(p.get("grade")) for p in proven]
    out["grade_stated"] = any(grades)
    checks = [concept_label(first_object(p.get("idVerification"))) for p in proven]
    out["id_verification"] = next((c for c in checks if c), None)
    out["partial_qualification"] = spec.get("isPartialQualification")
    max_duration = spec.get("maximumDuration")
    out["maximum_duration"] = max_duration if isinstance(max_duration, str) else None
    activity = first_object(claim.get("influencedBy"))
    aspec = first_object((activity or {}).get("specifiedBy")) or {}
    volume = aspec.get("volumeOfLearning")
    out["activity_volume_text"] = volume if isinstance(volume, str) else None
    if not out.get("learning_setting"):
        out.pop("learning_setting", None)
    return out
