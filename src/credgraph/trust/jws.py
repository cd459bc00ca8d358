"""JWS signatures (RFC 7515, RFC 7797 ``b64:false``) and their JAdES profile (ETSI TS 119 182-1)
as used by European Digital Credentials, in JSON serialization (general or flattened) and
compact form.

What is checked for each signature:

- the protected header: unpadded base64url of a JSON object with unique names; ``alg`` is a
  supported algorithm; ``crit`` lists only parameters we understand (``b64``, ``sigT``,
  ``adoTst``) that are present; ``b64`` is a boolean and, when present, critical; protected
  and unprotected header names do not overlap;
- the key: the first ``x5c`` certificate (``x5t#S256``/``x5t`` must match it) or a ``jwk``;
  a key only referenced (``kid``, ``x5u``, ``jku``) cannot be checked offline;
- the signature over ASCII(protected) "." payload, where the payload is the base64url text,
  or with ``b64:false`` the payload's own bytes;
- separately: the x5c chain, trust (``certs``), certificate expiry at ``now`` and at ``sigT``,
  the ``adoTst`` timestamp over the payload and the ``etsiU`` ``sigTst`` timestamp over the
  signature value (``timestamp``).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from cryptography import x509

from credgraph.trust import certs as certificates
from credgraph.trust.encoding import (
    Malformed,
    Unsupported,
    b64url_decode,
    json_type,
    parse_time,
    short,
    strict_json_object,
)
from credgraph.trust.headers import check_crit, unsigned_properties
from credgraph.trust.keys import ALGORITHMS, key_from_jwk, verify_jws_signature
from credgraph.trust.result import (
    NO_CHAIN,
    NO_EXPIRY,
    NO_TIMESTAMP,
    Chain,
    Expiry,
    Integrity,
    Revocation,
    Signer,
    Timestamp,
    Trust,
    Verification,
    iso,
    overall_status,
)
from credgraph.trust.timestamp import check_container

MAX_HEADER_CHARS = 256 * 1024  # the EDC samples' protected headers are ~9 KB
MAX_SIGNATURE_CHARS = 4096  # an RSA 16384 signature is 2731 characters
MAX_SIGNATURES = 8
_JADES = frozenset({"sigT", "adoTst", "sigX5ts", "x5t#o", "srCms", "sigPl", "sigD", "etsiU"})
_COMPACT = re.compile(r"eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")
_NOT_CHECKED = Integrity("not_checked", "the signature was not checked")
_NO_KEY_TRUST = Trust("unknown", "no certificate in the document, so no signer to trust")


def looks_compact(text: str) -> bool:
    """A compact JWS: base64url of a JSON header (``eyJ`` = '{"'), payload, signature."""
    return len(text) <= 16 * 1024 * 1024 and _COMPACT.fullmatch(text) is not None


def has_jws_header(text: str) -> bool:
    """Whether the first part of a compact-looking text is a JSON header naming an alg."""
    try:
        header = strict_json_object(
            b64url_decode(text.split(".")[0], "header", MAX_HEADER_CHARS), "header"
        )
    except (Malformed, Unsupported):
        return False
    return "alg" in header


def is_json_serialization(doc: dict[str, Any]) -> bool:
    return "payload" in doc and ("signatures" in doc or "signature" in doc)


@dataclass
class _Findings:
    """What is known about one signature so far (filled in as the check proceeds)."""

    method: str = "JWS"
    integrity: Integrity = _NOT_CHECKED
    signer: Signer | None = None
    signer_label: str = ""
    chain: Chain = NO_CHAIN
    trust: Trust = _NO_KEY_TRUST
    expiry: Expiry = NO_EXPIRY
    signed_at: datetime | None = None
    timestamp: Timestamp = NO_TIMESTAMP
    signature_timestamp: Timestamp = NO_TIMESTAMP
    revocation: str = "no OCSP or CRL look-up is made (no network)"


def _signer_key(
    header: dict[str, Any],
    unprotected: dict[str, Any],
    f: _Findings,
    now: datetime,
    roots: Sequence[x509.Certificate],
) -> object:
    """The key from ``x5c`` or ``jwk``; fills in the signer, chain, trust and expiry."""
    for name in ("x5c", "jwk"):
        if name in unprotected and name not in header:
            raise Unsupported(
                f"{name} is only in the unprotected header, where the signature does not "
                "cover it; not supported"
            )
    if "x5c" in header:
        chain = certificates.load_x5c(header["x5c"])
        signer = chain[0]
        f.signer = certificates.describe_signer(signer)
        f.signer_label = certificates.label(signer)
        der = certificates.cert_der(signer)
        for name, digest in (("x5t#S256", hashlib.sha256), ("x5t", hashlib.sha1)):
            if name in header:
                wanted = b64url_decode(header[name], name, 200)
                if wanted != digest(der).digest():
                    raise Malformed(f"{name} does not match the first x5c certificate")
        f.chain = certificates.check_chain(chain)
        f.expiry = certificates.check_expiry(signer, now, f.signed_at)
        f.trust = certificates.check_trust(chain, f.chain, roots, f.signed_at or now)
        return certificates.public_key(signer)
    if "jwk" in header:
        f.trust = Trust("unknown", "the key is a bare jwk in the header: no certificate names it")
        return key_from_jwk(header["jwk"])
    refs = [f"{n} {short(str(header[n]), 60)!r}" for n in ("kid", "x5u", "jku") if n in header]
    where = "; it is only referenced by " + ", ".join(refs) if refs else ""
    raise Unsupported(f"the signing key is not in the document{where} (no network)")


def _check_one(
    f: _Findings,
    protected: object,
    unprotected: object,
    payload: str,
    signature: object,
    now: datetime,
    roots: Sequence[x509.Certificate],
) -> None:
    if protected is None:
        raise Unsupported(
            "the signature has no protected header; unprotected algorithms are refused"
        )
    if not isinstance(protected, str):
        raise Malformed(f"protected header is {json_type(protected)}, not a base64url string")
    header = strict_json_object(
        b64url_decode(protected, "protected header", MAX_HEADER_CHARS), "protected header"
    )
    if unprotected is None:
        unprotected = {}
    if not isinstance(unprotected, dict):
        raise Malformed(f"the unprotected header is {json_type(unprotected)}, not an object")
    overlap = sorted(set(header) & set(unprotected))
    if overlap:
        raise Malformed(f"header parameter(s) {', '.join(overlap)} both protected and unprotected")
    alg = header.get("alg")
    if not isinstance(alg, str):
        raise Malformed("the protected header has no alg")
    b64 = header.get("b64", True)
    jades = bool(_JADES & (set(header) | set(unprotected)))
    flag = ", b64:false" if b64 is False else ""
    f.method = f"JAdES (JWS, {short(alg, 20)}{flag})" if jades else f"JWS ({short(alg, 20)}{flag})"
    if alg == "none":
        raise Malformed("alg 'none' is an unsecured JWS: it carries no signature")
    if alg.startswith("HS"):
        raise Unsupported(
            f"alg {short(alg, 20)} is a shared-secret MAC, not a public-key signature"
        )
    if alg not in ALGORITHMS:
        raise Unsupported(f"signature algorithm {short(alg, 40)!r} is not supported")
    if not isinstance(b64, bool):
        raise Malformed(f"b64 is {json_type(b64)}, not a boolean")
    check_crit(header)
    if "b64" in header and "b64" not in header.get("crit", []):
        raise Malformed("b64 is used but not listed in crit (RFC 7797 section 6)")
    if "sigT" in header:
        f.signed_at = parse_time(header["sigT"], "sigT")
    key = _signer_key(header, unprotected, f, now, roots)
    if b64:
        b64url_decode(payload, "payload", len(payload))
        payload_part = payload.encode("ascii")
    else:
        try:
            payload_part = payload.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise Malformed("the payload is not valid Unicode text") from exc
    if not isinstance(signature, str):
        raise Malformed(f"signature is {json_type(signature)}, not a base64url string")
    raw_signature = b64url_decode(signature, "signature", MAX_SIGNATURE_CHARS)
    if "adoTst" in header:
        f.timestamp = check_container(header["adoTst"], payload_part, "adoTst")
    try:
        properties = unsigned_properties(unprotected)
    except Malformed as exc:
        f.signature_timestamp = Timestamp("invalid", f"etsiU: {exc}")
    except Unsupported as exc:
        f.signature_timestamp = Timestamp("not_checked", f"etsiU: {exc}")
    else:
        if "sigTst" in properties:
            f.signature_timestamp = check_container(
                properties["sigTst"], signature.encode("ascii"), "sigTst"
            )
        if "rVals" in properties:
            f.revocation += "; the revocation values in etsiU (rVals) are not evaluated"
    data = protected.encode("ascii") + b"." + payload_part
    if verify_jws_signature(alg, key, raw_signature, data):
        what = (
            f"the key of the certificate {f.signer_label} in the document"
            if f.signer
            else "the jwk in the header"
        )
        f.integrity = Integrity("valid", f"signature matches the signed data and {what}")
    else:
        f.integrity = Integrity(
            "invalid",
            "signature does not match: the data was changed after signing, or it was "
            "signed with another key",
        )


def _run(
    protected: object,
    unprotected: object,
    payload: str,
    signature: object,
    now: datetime,
    roots: Sequence[x509.Certificate],
) -> _Findings:
    f = _Findings()
    try:
        _check_one(f, protected, unprotected, payload, signature, now, roots)
    except Malformed as exc:
        f.integrity = _malformed(str(exc))
    except Unsupported as exc:
        f.integrity = _cannot(str(exc))
    return f


def _malformed(why: str) -> Integrity:
    return Integrity("invalid", f"malformed signature: {why}")


def _cannot(why: str) -> Integrity:
    return Integrity("not_checked", f"could not check the signature: {why}")


def _headline(f: _Findings) -> str:
    if f.integrity.status != "valid":
        return f.integrity.reason
    parts = [f.integrity.reason]
    if f.signer:
        parts.append(f.expiry.reason)
    if f.trust.status == "unknown":
        parts.append("signer not checked against a trust list")
    else:
        parts.append(f"signer {f.trust.status}: {f.trust.reason}")
    if f.timestamp.status in ("invalid", "not_checked"):
        parts.append(f"content timestamp {f.timestamp.status.replace('_', ' ')}")
    return "; ".join(parts) + " (integrity, trust and expiry are reported separately)"


def _verification(f: _Findings, source: str, note: str = "") -> Verification:
    return Verification(
        status=overall_status(f.method, f.integrity),
        reason=_headline(f) + note,
        source=source,
        method=f.method,
        integrity=f.integrity,
        trust=f.trust,
        chain=f.chain,
        expiry=f.expiry,
        signer=f.signer,
        signed_at=iso(f.signed_at),
        timestamp=f.timestamp,
        signature_timestamp=f.signature_timestamp,
        revocation=Revocation(f.revocation),
    )


def _failure(method: str, integrity: Integrity, source: str) -> Verification:
    return _verification(replace(_Findings(), method=method, integrity=integrity), source)


def verify_json_serialization(
    doc: dict[str, Any], source: str, now: datetime, roots: Sequence[x509.Certificate]
) -> Verification:
    """A JWS in JSON serialization: general (``signatures``) or flattened (``signature``).
    Every signature must verify; the first failing one (else the first) is reported."""
    method = "JWS (JSON serialization)"
    payload = doc.get("payload")
    if payload is None:
        return _failure(method, _cannot("the payload is detached (not in the document)"), source)
    if not isinstance(payload, str):
        return _failure(
            method, _malformed(f"payload is {json_type(payload)}, not a string"), source
        )
    if "signatures" in doc:
        entries = doc["signatures"]
        if not isinstance(entries, list) or not entries:
            return _failure(method, _malformed("signatures is not a non-empty array"), source)
        if len(entries) > MAX_SIGNATURES:
            why = f"{len(entries)} signatures, more than the {MAX_SIGNATURES} checked"
            return _failure(method, _cannot(why), source)
    else:
        entries = [doc]
    results: list[_Findings] = []
    for entry in entries:
        if not isinstance(entry, dict):
            f = _Findings(method, _malformed("a signature entry is not an object"))
        elif "signature" not in entry:
            f = _Findings(method, _malformed("a signature entry has no signature value"))
        else:
            f = _run(
                entry.get("protected"), entry.get("header"), payload, entry["signature"], now, roots
            )
        results.append(f)
    order = {"invalid": 0, "not_checked": 1, "valid": 2}
    index = min(range(len(results)), key=lambda i: order[results[i].integrity.status])
    note = f" (signature {index + 1} of {len(results)})" if len(results) > 1 else ""
    return _verification(results[index], source, note)


def verify_compact(
    text: str, source: str, now: datetime, roots: Sequence[x509.Certificate]
) -> Verification:
    protected, payload, signature = text.split(".")
    if not payload:
        why = "the payload is detached (empty in the compact JWS)"
        return _failure("JWS (compact)", _cannot(why), source)
    f = _run(protected, None, payload, signature, now, roots)
    f.method = f.method.replace("JWS (", "JWS compact (", 1)
    if f.signed_at is None:
        f.signed_at = _issued_at(payload)
    return _verification(f, source)


def _issued_at(payload: str) -> datetime | None:
    """A JWT's ``iat`` claim, when the payload is a JSON object that has one."""
    try:
        claims = strict_json_object(b64url_decode(payload, "payload", len(payload)), "payload")
    except (Malformed, Unsupported):
        return None
    iat = claims.get("iat")
    if isinstance(iat, int) and not isinstance(iat, bool) and 0 < iat < 2**34:
        return datetime.fromtimestamp(iat, UTC)
    return None
