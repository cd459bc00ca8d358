"""Open Badges 2.0 and 3.0 documents (JSON-LD, read in compact form by property names).

Detection (``is_openbadges``): the ``@context`` names an Open Badges context
(``purl.imsglobal.org/spec/ob…``, ``w3id.org/openbadges…``), or the document has no context
other than the W3C VC ones and its ``type`` is an Open Badges type (``OpenBadgeCredential``,
``AchievementCredential``, ``Assertion``, ``BadgeClass``, ``Achievement``, ``Profile``, …).
A document whose context names CTDL and not Open Badges (CTDL embedded in a plain W3C VC) is
CTDL's (``credgraph.ingest.ctdl``); an Open Badges document that aligns to CTDL stays an Open
Badges document. ``is_openbadges`` and ``is_ctdl`` are never both true.

What a document gives (``parse_openbadges``):

- OB 3.0 ``OpenBadgeCredential`` / ``AchievementCredential``: one record per
  ``credentialSubject[*].achievement`` (``document_kind="issued"``, location
  ``$.credentialSubject.achievement``); a ``ClrCredential``: the records of each credential
  in ``credentialSubject.verifiableCredential``; a bare ``Achievement``: an offer (``$``).
- OB 2.0 ``Assertion`` with its ``badge`` embedded: the badge class, issued (``$.badge``);
  a ``BadgeClass``: an offer (``$``).
- A document that describes no achievement gives ``[]`` (the caller counts "no credential in
  document"): an issuer ``Profile``, ``CryptographicKey``, ``RevocationList``, endorsements,
  untyped linked-data fragments, and an ``Assertion`` whose ``badge`` is only an IRI (the
  badge class is not in the document, so there is nothing to describe).
- ``InputError`` (position = JSON path): the document is not an object, a field that is read
  has the wrong JSON type (a name that is a number or a list, an alignment that is a string,
  an OB 3.0 ``achievement`` that is not an object), an achievement or badge without a name.

Mapping (OB 3.0 ``Achievement`` / OB 2.0 ``BadgeClass`` -> ``CredentialRecord``):

| source | field |
|---|---|
| ``name``, ``description`` | ``title``, ``description`` (language: ``inLanguage`` when it |
|  | is one code, else ``@language``, else ``und``) |
| ``id`` | ``source_id`` (the achievement's; never the issued credential's or the learner's) |
| ``achievementType`` | ``source_type`` (else ``Achievement`` / ``BadgeClass``) |
| ``issuer`` (else the achievement's | ``provider`` (name, id, ``url``, address country) and |
| ``creator``; OB 2 badge ``issuer``) | ``country``; another creator's name: ``extra.creator`` |
| ``criteria.narrative`` / criteria URL | ``assessment`` / ``extra.criteria_url`` |
| ``alignment[].targetUrl`` ESCO skill / | ``skills`` / ``occupations`` |
| occupation URI | |
| other alignments | ``extra.alignments`` (name, url, code, framework, type, description) |
| ``creditsAvailable`` | ``ects_text`` ("36 credits"); ``ects`` only where a credit-unit field |
|  | of the achievement (``creditUnit``, ``creditsUnit`` …) names ECTS |
| ``inLanguage`` | ``language`` (one code), ``languages`` |
| ``fieldOfStudy``, ``specialization``, | ``extra.field_of_study``, ``extra.specialization``, |
| ``humanCode``, ``tag`` / ``tags`` | ``extra.human_code``, ``extra.tags`` |
| ``resultDescription[].name`` | ``extra.result_descriptions`` (the results that exist) |
| ``awardedDate`` / ``issuanceDate`` / | ``issued_on`` (first present); ``valid_from``; |
| ``validFrom``; ``validUntil``; OB 2 | ``valid_until``; OB 2: ``issued_on``, ``valid_until`` |
| ``issuedOn``, ``expires`` | |

Never read: the learner (``credentialSubject`` other than its ``achievement``: ids, names,
emails, identifiers, results, credits earned, role, licence number; OB 2.0 ``recipient``),
``evidence``, proofs and endorsements. Only whether they are there is kept, for template
validation: ``extra.learner_identified`` (the subject has more than its achievement; an OB
2.0 ``recipient``) and ``extra.grade_stated`` (a ``result`` with a value or level).
"""

from __future__ import annotations

from typing import Any

from credgraph.ingest.credentials import CredentialRecord, DocumentKind, ProviderRecord
from credgraph.ingest.jsonld_util import (
    UNDETERMINED,
    JsonReader,
    Node,
    context_strings,
    esco_target,
    language_code,
    local_name,
    number_text,
    text_language,
    type_names,
)

OB_CONTEXT_MARKERS = ("purl.imsglobal.org/spec/ob", "w3id.org/openbadges", "openbadgespec.org")
W3C_VC_CONTEXTS = ("www.w3.org/2018/credentials", "www.w3.org/ns/credentials")
OB3_CREDENTIALS = {"OpenBadgeCredential", "AchievementCredential"}
_NOT_LEARNER = {"achievement", "type", "@type"}  # keys of a subject that are not the learner
OB_TYPES = OB3_CREDENTIALS | {
    "ClrCredential",
    "EndorsementCredential",
    "Achievement",
    "Assertion",
    "BadgeClass",
    "Profile",
    "Issuer",
    "Endorsement",
    "CryptographicKey",
    "RevocationList",
}


def is_openbadges(doc: Any) -> bool:
    """Whether ``doc`` (parsed JSON) is an Open Badges document (never raises)."""
    if not isinstance(doc, dict):
        return False
    contexts = context_strings(doc)
    if any(marker in c for c in contexts for marker in OB_CONTEXT_MARKERS):
        return True
    if any(not any(vc in c for vc in W3C_VC_CONTEXTS) for c in contexts):
        return False  # another vocabulary's context (CTDL, ELM, …): its type names are its own
    if any(str(k).startswith(("ceterms:", "ceasn:")) for k in doc):
        return False
    return bool(set(type_names(doc)) & OB_TYPES)


def parse_openbadges(doc: Any, source: str) -> list[CredentialRecord]:
    """The achievements described in an Open Badges document (see the module docstring)."""
    reader = JsonReader(source)
    if not isinstance(doc, dict):
        raise reader.wrong("$", "an Open Badges document (a JSON object)", doc)
    return _document(reader, doc, "$")


def _types(node: Node) -> set[str]:
    return {local_name(t) for t in type_names(node)}


def _document(reader: JsonReader, doc: Node, path: str) -> list[CredentialRecord]:
    types = _types(doc)
    if types & OB3_CREDENTIALS:
        return _ob3_credential(reader, doc, path)
    if "ClrCredential" in types:
        records: list[CredentialRecord] = []
        for spath, subject in reader.objects(
            doc.get("credentialSubject"), f"{path}.credentialSubject"
        ):
            key = f"{spath}.verifiableCredential"
            for vpath, vc in reader.objects(subject.get("verifiableCredential"), key):
                records.extend(_document(reader, vc, vpath))
        return records
    if "Achievement" in types:
        return [_achievement(reader, doc, path, "openbadges-3", "offer", _doc_lang(doc))]
    if "BadgeClass" in types:
        return [_achievement(reader, doc, path, "openbadges-2", "offer", _doc_lang(doc))]
    if "Assertion" in types:
        badge = doc.get("badge")
        if badge is None or isinstance(badge, str):
            return []  # the badge class is only referenced: nothing here describes it
        if not isinstance(badge, dict):
            raise reader.wrong(f"{path}.badge", "a BadgeClass object or its IRI", badge)
        lang = _doc_lang(badge, _doc_lang(doc))
        record = _achievement(reader, badge, f"{path}.badge", "openbadges-2", "issued", lang)
        record.issued_on = reader.string(doc.get("issuedOn"), f"{path}.issuedOn")
        record.valid_until = reader.string(doc.get("expires"), f"{path}.expires")
        record.extra["learner_identified"] = doc.get("recipient") is not None
        return [record]
    return []


def _doc_lang(node: Node, default: str = UNDETERMINED) -> str:
    tag = node.get("@language")
    return text_language(tag) if isinstance(tag, str) and tag.strip() else default


def _ob3_credential(reader: JsonReader, doc: Node, path: str) -> list[CredentialRecord]:
    issuer, issuer_ref = _profile(reader, doc.get("issuer"), f"{path}.issuer", UNDETERMINED)
    dates = {
        key: reader.string(doc.get(key), f"{path}.{key}")
        for key in ("awardedDate", "issuanceDate", "validFrom", "validUntil", "expirationDate")
    }
    records = []
    for spath, subject in reader.objects(doc.get("credentialSubject"), f"{path}.credentialSubject"):
        # only the achievement is read: everything else in the subject is about the learner
        for apath, achievement in reader.objects(
            subject.get("achievement"), f"{spath}.achievement"
        ):
            lang = _doc_lang(doc)
            record = _achievement(reader, achievement, apath, "openbadges-3", "issued", lang)
            if issuer is not None:
                creator = record.provider
                if creator and set(creator.names.values()) != set(issuer.names.values()):
                    record.extra["creator"] = next(iter(creator.names.values()))
                record.provider = issuer
                record.country = issuer.country or record.country
            elif issuer_ref:
                record.extra["issuer_ref"] = issuer_ref
            record.issued_on = dates["awardedDate"] or dates["issuanceDate"] or dates["validFrom"]
            record.valid_from = dates["validFrom"]
            record.valid_until = dates["validUntil"] or dates["expirationDate"]
            # whether the subject names a learner / states a result, never what they are
            record.extra["learner_identified"] = any(k not in _NOT_LEARNER for k in subject)
            results = subject.get("result")
            record.extra["grade_stated"] = any(
                isinstance(r, dict) and (r.get("value") or r.get("achievedLevel"))
                for r in (results if isinstance(results, list) else [results])
            )
            records.append(record)
    return records


def _achievement(
    reader: JsonReader,
    node: Node,
    path: str,
    fmt: str,
    kind: DocumentKind,
    lang: str,
) -> CredentialRecord:
    """An OB 3.0 Achievement or an OB 2.0 BadgeClass."""
    codes = map(language_code, reader.strings(node.get("inLanguage"), f"{path}.inLanguage"))
    languages = list(dict.fromkeys(c for c in codes if c))
    if len(languages) == 1 and lang == UNDETERMINED:
        lang = languages[0]
    title = reader.plain_text(node.get("name"), f"{path}.name", lang)
    if not title:
        raise reader.error(f"{path}.name", "the achievement has no name")
    record = CredentialRecord(
        format=fmt,
        location=path,
        title=title,
        source_id=reader.string(node.get("id"), f"{path}.id"),
        document_kind=kind,
        source_type=reader.string(node.get("achievementType"), f"{path}.achievementType")
        or ("Achievement" if fmt == "openbadges-3" else "BadgeClass"),
        description=reader.plain_text(node.get("description"), f"{path}.description", lang),
        languages=languages,
        language=languages[0] if len(languages) == 1 else None,
    )
    _criteria(reader, record, node.get("criteria"), f"{path}.criteria")
    _alignments(reader, record, node.get("alignment"), f"{path}.alignment")
    key = "creator" if fmt == "openbadges-3" else "issuer"
    provider, ref = _profile(reader, node.get(key), f"{path}.{key}", lang)
    record.provider = provider
    record.country = provider.country if provider else None
    if ref and not provider:
        record.extra["issuer_ref"] = ref
    _credits(reader, record, node, path)
    for field, name in (
        ("fieldOfStudy", "field_of_study"),
        ("specialization", "specialization"),
        ("humanCode", "human_code"),
    ):
        value = reader.string(node.get(field), f"{path}.{field}")
        if value:
            record.extra[name] = value
    tags = reader.strings(node.get("tag"), f"{path}.tag") + reader.strings(
        node.get("tags"), f"{path}.tags"
    )
    if tags:
        record.extra["tags"] = tags
    results = []
    for rpath, result in reader.objects(node.get("resultDescription"), f"{path}.resultDescription"):
        label = reader.string(result.get("name"), f"{rpath}.name")
        if label:
            results.append(label)
    if results:
        record.extra["result_descriptions"] = list(dict.fromkeys(results))
    return record


def _criteria(reader: JsonReader, record: CredentialRecord, value: Any, path: str) -> None:
    if isinstance(value, str):
        value = {"id": value}
    for cpath, criteria in reader.objects(value, path):
        narrative = reader.string(criteria.get("narrative"), f"{cpath}.narrative")
        url = reader.string(criteria.get("id"), f"{cpath}.id")
        if narrative and not record.assessment:
            record.assessment = narrative
        if url and url.startswith(("http://", "https://")) and "criteria_url" not in record.extra:
            record.extra["criteria_url"] = url


def _alignments(reader: JsonReader, record: CredentialRecord, value: Any, path: str) -> None:
    others: list[dict[str, str]] = []
    for apath, alignment in reader.objects(value, path):
        fields = {
            name: reader.string(alignment.get(key), f"{apath}.{key}")
            for key, name in (
                ("targetName", "name"),
                ("targetUrl", "url"),
                ("targetCode", "code"),
                ("targetFramework", "framework"),
                ("targetType", "type"),
                ("targetDescription", "description"),
            )
        }
        esco = esco_target(fields["url"])
        if esco and esco[0] == "skill":
            record.skills.append(esco[1])
        elif esco:
            record.occupations.append(esco[1])
        else:
            kept = {k: " ".join(v.split()) for k, v in fields.items() if v}
            if kept:
                others.append(kept)
    record.skills = list(dict.fromkeys(record.skills))
    record.occupations = list(dict.fromkeys(record.occupations))
    if others:
        record.extra["alignments"] = others


def _profile(
    reader: JsonReader, value: Any, path: str, lang: str
) -> tuple[ProviderRecord | None, str | None]:
    """(the issuer/creator profile, its IRI when the document only references it)."""
    if value is None:
        return None, None
    if isinstance(value, str):
        return None, value.strip() or None
    if not isinstance(value, dict):
        raise reader.wrong(path, "a Profile object or its IRI", value)
    ident = reader.string(value.get("id"), f"{path}.id")
    names = reader.plain_text(value.get("name"), f"{path}.name", lang)
    if not names:
        return None, ident
    country = None
    for apath, address in reader.objects(value.get("address"), f"{path}.address"):
        country = reader.string(
            address.get("addressCountryCode"), f"{apath}.addressCountryCode"
        ) or reader.string(address.get("addressCountry"), f"{apath}.addressCountry")
        break
    homepage = reader.string(value.get("url"), f"{path}.url")
    return ProviderRecord(names, source_id=ident, country=country, homepage=homepage), None


def _credits(reader: JsonReader, record: CredentialRecord, node: Node, path: str) -> None:
    credits = reader.number(node.get("creditsAvailable"), f"{path}.creditsAvailable")
    if credits is None:
        return
    units = [
        reader.string(value, f"{path}.{key}")
        for key, value in node.items()
        if "credit" in key.lower() and "unit" in key.lower()
    ]
    if any(unit and "ects" in unit.lower() for unit in units):
        record.ects = credits
        record.ects_text = f"{number_text(credits)} ECTS"
    else:
        record.ects_text = f"{number_text(credits)} credits"


def no_achievement_reason(doc: Any) -> str:
    """Why an Open Badges document gives no record (``parse_openbadges`` returned [])."""
    if not isinstance(doc, dict):
        return "not an Open Badges object"
    types = _types(doc)
    badge = doc.get("badge")
    if "Assertion" in types:
        if isinstance(badge, str) and badge.strip():
            return (
                f"an Open Badges 2.0 Assertion whose badge is only referenced ({badge.strip()}): "
                "the badge class it awards is not in the document"
            )
        return "an Open Badges Assertion without a badge"
    if types & OB3_CREDENTIALS:
        return "an Open Badges 3.0 credential with no achievement in its credentialSubject"
    if "ClrCredential" in types:
        return "a CLR credential with no achievement in its verifiable credentials"
    if types & {"Endorsement", "EndorsementCredential"}:
        claim = doc.get("claim") or doc.get("credentialSubject")
        about = claim.get("id") if isinstance(claim, dict) else None
        of = f" of {about}" if isinstance(about, str) else ""
        return f"an Open Badges endorsement{of}: it describes no achievement"
    if types & {"Profile", "Issuer"}:
        return "an Open Badges issuer profile: it describes no achievement"
    if types:
        return f"an Open Badges {', '.join(sorted(types))}: it describes no achievement"
    keys = ", ".join(str(k) for k in doc if k != "@context")
    return f"an untyped Open Badges fragment (keys: {keys}): it describes no achievement"
