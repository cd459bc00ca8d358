"""Verify one credential document: find what it is signed with, check what can be checked
offline, and say plainly what could not be.

Recognised, in this order:

1. a compact JWS (``eyJ…``), as the whole document or as a JSON string, or inside a VC 2.0
   ``EnvelopedVerifiableCredential`` (``data:application/vc+jwt,…``);
2. a JWS in JSON serialization (``{"payload", "signatures"}``): the EDC JAdES seal;
3. a W3C VC ``proof`` (Data Integrity / Linked Data proofs): described, never checked;
4. an Open Badges 2.0 ``verification`` (hosted or signed): described, never checked;
5. anything else is ``unsigned``; proofs, OB 2.0 verifications and compact JWS found deeper
   inside (endorsements, nested badges) are listed under ``embedded`` and do not change
   the document's own status.

Only input that is not JSON at all (nor a compact JWS) raises ``InputError``; every other
problem is a ``Verification`` with a reason.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography import x509

from credgraph.errors import InputError
from credgraph.ingest.readers import MAX_DOCUMENT_BYTES, MIB, parse_json_document
from credgraph.trust import jws
from credgraph.trust.encoding import as_utc, json_type, short
from credgraph.trust.proofs import (
    ProofCheck,
    check_ob2_verification,
    check_vc_proof,
    is_ob2_verification,
)
from credgraph.trust.result import (
    NO_CHAIN,
    NO_EXPIRY,
    NOT_REVOKED_UNKNOWN,
    Embedded,
    Integrity,
    Revocation,
    Trust,
    Verification,
    iso,
    overall_status,
)

MAX_EMBEDDED = 50
MAX_NODES = 200_000  # JSON values visited when looking for embedded proofs
_ENVELOPE_TYPES = ("application/vc+jwt", "application/vc-ld+jwt", "application/jwt")
_ENVELOPE_SD_TYPES = ("application/vc+sd-jwt", "application/vc-ld+sd-jwt")
_UNSIGNED = Integrity("not_checked", "the document carries no signature or proof")
_NO_SIGNER = Trust("unknown", "the signing key is not in the document, so no signer to trust")


def verify_document(
    raw: bytes,
    source: str = "document",
    now: datetime | None = None,
    *,
    trusted_roots: Sequence[x509.Certificate] = (),
) -> Verification:
    """Verify a credential document given as bytes (JSON, gzip-compressed JSON, or a
    compact JWS). ``now`` (default: the current time; naive means UTC) judges certificate
    expiry; ``trusted_roots`` are the only certificates a signer can be trusted through.
    Raises ``InputError`` only when the bytes are not JSON (nor a compact JWS) at all."""
    data = _gunzip(raw, source) if raw[:2] == b"\x1f\x8b" else raw
    head = data[:16].lstrip()
    if head.startswith(b"eyJ"):
        text = data.strip().decode("ascii", "replace")
        if jws.looks_compact(text):
            return jws.verify_compact(text, source, as_utc(now), trusted_roots)
    value = parse_json_document(data, source)
    return verify_value(value, source, now, trusted_roots=trusted_roots)


def verify_file(
    path: Path, now: datetime | None = None, *, trusted_roots: Sequence[x509.Certificate] = ()
) -> Verification:
    """``verify_document`` of a file (gzip is recognised by its content)."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    except OSError as exc:
        raise InputError(
            f"cannot read file: {exc.strerror or exc}", source=str(path), hint="check the path"
        ) from exc
    return verify_document(raw, str(path), now, trusted_roots=trusted_roots)


def verify_value(
    value: Any,
    source: str = "document",
    now: datetime | None = None,
    *,
    trusted_roots: Sequence[x509.Certificate] = (),
) -> Verification:
    """Verify an already parsed JSON value (the same rules as ``verify_document``)."""
    moment = as_utc(now)
    if isinstance(value, str) and jws.looks_compact(value):
        return jws.verify_compact(value, source, moment, trusted_roots)
    if isinstance(value, dict) and jws.is_json_serialization(value):
        return jws.verify_json_serialization(value, source, moment, trusted_roots)
    envelope = _enveloped_jwt(value) if isinstance(value, dict) else None
    if envelope is not None:
        found = jws.verify_compact(envelope, source, moment, trusted_roots)
        return found.with_method(f"VC 2.0 envelope, {found.method}")
    inner = list(_embedded(value, moment, trusted_roots))
    if not isinstance(value, dict):
        what = f"the document is {json_type(value)}, not a credential"
        return _unsigned(value, source, f"{what}; it carries no signature", inner)
    if "proof" in value and not _empty(value["proof"]):
        return _from_proof(check_vc_proof(value["proof"]), value, source, inner)
    if is_ob2_verification(value):
        return _from_proof(check_ob2_verification(value), value, source, inner)
    return _unsigned(value, source, _unsigned_reason(value), inner)


def _gunzip(raw: bytes, source: str) -> bytes:
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(raw, MAX_DOCUMENT_BYTES + 1)
    except zlib.error as exc:
        raise InputError(
            f"damaged gzip data ({exc})", source=source, hint="copy the file again"
        ) from exc
    if len(data) > MAX_DOCUMENT_BYTES or inflater.unconsumed_tail:
        raise InputError(
            f"document larger than {MAX_DOCUMENT_BYTES // MIB} MiB once decompressed",
            source=source,
            hint="a credential document is a few MiB at most",
        )
    if not inflater.eof:
        raise InputError("truncated gzip data", source=source, hint="copy the file again")
    return data


def _enveloped_jwt(doc: dict[str, Any]) -> str | None:
    kind = doc.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    target = doc.get("id")
    if "EnvelopedVerifiableCredential" not in kinds or not isinstance(target, str):
        return None
    media, _, body = target.partition(",")
    media = media.removeprefix("data:").split(";")[0]
    if media in _ENVELOPE_SD_TYPES:
        body = body.split("~")[0]  # the issuer-signed JWT; disclosures follow "~"
    elif media not in _ENVELOPE_TYPES:
        return None
    return body if jws.looks_compact(body) else None


def _revocation(doc: dict[str, Any]) -> Revocation:
    entries = doc.get("credentialStatus", doc.get("status"))
    items = entries if isinstance(entries, list) else [entries]
    named = []
    for item in items:
        if isinstance(item, dict) and ("type" in item or "id" in item):
            where = item.get("statusListCredential") or item.get("id")
            named.append(f"{short(str(item.get('type')), 40)} at {short(str(where), 100)}")
    if not named:
        return NOT_REVOKED_UNKNOWN
    return Revocation(
        f"the credential names status list(s) {'; '.join(named)}: not consulted (no network)"
    )


def _from_proof(
    check: ProofCheck, doc: dict[str, Any], source: str, embedded: list[Embedded]
) -> Verification:
    return Verification(
        status=overall_status(check.method, check.integrity),
        reason=check.integrity.reason,
        source=source,
        method=check.method,
        integrity=check.integrity,
        trust=_NO_SIGNER,
        chain=NO_CHAIN,
        expiry=NO_EXPIRY,
        signed_at=iso(check.signed_at),
        revocation=_revocation(doc),
        embedded=tuple(embedded),
    )


def _empty(proof: object) -> bool:
    """A ``proof`` slot left empty (``{}``, ``[]``, null): a template, not a proof."""
    return proof is None or proof == {} or proof == []


def _unsigned_reason(doc: dict[str, Any]) -> str:
    text = "the document carries no signature, proof or verification method"
    if "proof" in doc:
        text += f" (its proof is an empty placeholder: {json.dumps(doc['proof'])})"
    if isinstance(doc.get("credential"), dict) and len(doc) == 1:
        text += " (an EDC 'uploadable' wrapper around an unsigned credential)"
    if "cnf" in doc:
        text += "; cnf names a holder key, it is not an issuer signature"
    return text


def _unsigned(value: Any, source: str, reason: str, embedded: list[Embedded]) -> Verification:
    if embedded:
        states = sorted({e.status.replace("_", " ") for e in embedded})
        reason += (
            f"; {len(embedded)} embedded credential(s) or endorsement(s) carry their own "
            f"signature or proof ({', '.join(states)}: see embedded)"
        )
    return Verification(
        status="unsigned",
        reason=reason,
        source=source,
        method=None,
        integrity=_UNSIGNED,
        trust=Trust("unknown", "the document is not signed, so there is no signer"),
        chain=NO_CHAIN,
        expiry=NO_EXPIRY,
        revocation=_revocation(value) if isinstance(value, dict) else NOT_REVOKED_UNKNOWN,
        embedded=tuple(embedded),
    )


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    """(path, value) of every JSON value below the root, depth first, bounded."""
    stack: list[tuple[str, Any]] = [("", value)]
    seen = 0
    while stack and seen < MAX_NODES:
        path, item = stack.pop()
        seen += 1
        if path:
            yield path, item
        if isinstance(item, dict):
            children = [(f"{path}.{k}" if path else str(k), v) for k, v in item.items()]
            if path and "proof" in item:  # an embedded proof is reported with its holder
                children = [c for c in children if not c[0].endswith(".proof")]
            elif not path:
                children = [c for c in children if c[0] != "proof"]
            stack.extend(reversed(children))
        elif isinstance(item, list):
            stack.extend(reversed([(f"{path}[{i}]", v) for i, v in enumerate(item)]))


def _embedded(value: Any, now: datetime, roots: Sequence[x509.Certificate]) -> Iterator[Embedded]:
    count = 0
    for path, item in _walk(value):
        if count >= MAX_EMBEDDED:
            return
        found: Embedded | None = None
        if isinstance(item, dict) and "proof" in item and not _empty(item["proof"]):
            check = check_vc_proof(item["proof"])
            status = overall_status(check.method, check.integrity)
            found = Embedded(path, status, check.method, check.integrity.reason)
        elif isinstance(item, dict) and is_ob2_verification(item):
            check = check_ob2_verification(item)
            status = overall_status(check.method, check.integrity)
            found = Embedded(path, status, check.method, check.integrity.reason)
        elif isinstance(item, str) and jws.looks_compact(item) and jws.has_jws_header(item):
            result = jws.verify_compact(item, path, now, roots)
            found = Embedded(path, result.status, result.method, result.reason)
        if found is not None:
            count += 1
            yield found
