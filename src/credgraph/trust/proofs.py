"""Proofs that cannot be checked offline here, described precisely: W3C VC Data Integrity /
Linked Data proofs (``proof``) and Open Badges 2.0 ``verification``.

A Linked Data proof signs the RDF-canonicalised form of the JSON-LD document (RDFC-1.0),
which needs every ``@context`` the document names (several are not bundled) and is not
implemented; its key is almost always outside the document (a DID to resolve, a URL).
So every such proof is ``could_not_check``, with the reason naming where the key is and
why, and flagging a ``proofValue`` that cannot be a signature (a placeholder). A proof that
is not even shaped like one (not an object, no type) is ``invalid``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from credgraph.trust.encoding import Malformed, json_type, parse_time, short
from credgraph.trust.result import Integrity

MAX_PROOFS = 8
_BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_MIN_SIGNATURE_BYTES = 32  # the shortest signature any VC proof suite makes is 64 bytes
_JCS_SUITES = frozenset({"eddsa-jcs-2022", "ecdsa-jcs-2019"})


@dataclass(frozen=True)
class ProofCheck:
    method: str
    integrity: Integrity
    signed_at: datetime | None


def _base58_length(text: str) -> int | None:
    """Bytes encoded by a base58btc text, or None when it is not base58."""
    value = 0
    for char in text:
        digit = _BASE58.find(char)
        if digit < 0:
            return None
        value = value * 58 + digit
    zeros = len(text) - len(text.lstrip("1"))
    return zeros + (value.bit_length() + 7) // 8


def _value_problem(proof: dict[str, Any]) -> str | None:
    """Why the proof's signature value cannot be a signature, or None when it could be."""
    value = proof.get("proofValue", proof.get("jws", proof.get("signatureValue")))
    if value is None:
        return "the proof carries no proofValue or jws"
    if not isinstance(value, str):
        return f"proofValue is {json_type(value)}, not a string"
    if "jws" in proof and "proofValue" not in proof:
        return None  # a detached JWS "header..signature"; its shape is checked by its suite
    text = value[1:] if value[:1] == "z" else value  # multibase base58btc prefix
    length = _base58_length(text) if len(text) < 4096 else None
    if length is None or length < _MIN_SIGNATURE_BYTES:
        return f"proofValue {short(value, 40)!r} is not a signature value (a placeholder?)"
    return None


def _key_location(method: object) -> str:
    if isinstance(method, dict):
        if any(k.startswith("publicKey") for k in method):
            return "its key is embedded in the proof"
        method = method.get("id")
    if not isinstance(method, str) or not method:
        return "the proof names no verificationMethod (no key)"
    shown = short(method, 100)
    if method.startswith("did:ebsi:"):
        return (
            f"its key {shown} is registered in the EBSI DID registry (did:ebsi), "
            "not in the document"
        )
    if method.startswith("did:key:"):
        return f"its key is encoded in {shown} itself"
    if method.startswith(("did:web:", "http://", "https://")):
        return f"its key {shown} is published online, not in the document"
    if method.startswith("did:"):
        kind = method.split(":", 2)[1]
        return (
            f"its key {shown} must be resolved by the DID method did:{short(kind, 20)}, "
            "not in the document"
        )
    return f"its key {shown} is not in the document"


def _one(proof: object) -> ProofCheck:
    if not isinstance(proof, dict):
        raise Malformed(f"proof is {json_type(proof)}, not an object")
    kind = proof.get("type")
    if isinstance(kind, list) and kind and all(isinstance(k, str) for k in kind):
        kind = kind[0] if len(kind) == 1 else ", ".join(kind)
    if not isinstance(kind, str) or not kind:
        raise Malformed("the proof has no type")
    suite = proof.get("cryptosuite")
    method = f"VC proof {short(kind, 60)}"
    if isinstance(suite, str):
        method += f" ({short(suite, 40)})"
    try:
        signed_at = parse_time(proof["created"], "created") if "created" in proof else None
    except Malformed:
        signed_at = None
    if suite in _JCS_SUITES:
        needs = "the proof signs the JCS-canonicalised document, which is not implemented"
    else:
        needs = (
            "the proof signs the RDF-canonicalised (RDFC-1.0) JSON-LD, which needs every "
            "@context it names and is not implemented"
        )
    reasons = [_key_location(proof.get("verificationMethod")), needs]
    problem = _value_problem(proof)
    if problem:
        reasons.append(problem)
    text = "could not check the proof: " + "; ".join(reasons) + " (no network)"
    return ProofCheck(method, Integrity("not_checked", text), signed_at)


def check_vc_proof(value: object) -> ProofCheck:
    """``proof`` of a W3C VC (one object or an array of them)."""
    proofs = value if isinstance(value, list) else [value]
    if not proofs:
        return ProofCheck("VC proof", Integrity("invalid", "malformed proof: an empty array"), None)
    if len(proofs) > MAX_PROOFS:
        why = f"{len(proofs)} proofs, more than the {MAX_PROOFS} checked"
        return ProofCheck("VC proof", Integrity("not_checked", f"could not check: {why}"), None)
    checks = []
    for proof in proofs:
        try:
            checks.append(_one(proof))
        except Malformed as exc:
            return ProofCheck("VC proof", Integrity("invalid", f"malformed proof: {exc}"), None)
    if len(checks) == 1:
        return checks[0]
    method = "; ".join(c.method for c in checks)
    reason = " | ".join(c.integrity.reason for c in checks)
    return ProofCheck(method, Integrity("not_checked", reason), checks[0].signed_at)


def is_ob2_verification(doc: dict[str, Any]) -> bool:
    verification = doc.get("verification")
    return isinstance(verification, dict) and "type" in verification


def check_ob2_verification(doc: dict[str, Any]) -> ProofCheck:
    """Open Badges 2.0 ``verification``: hosted (fetch the assertion from its id and compare)
    or signed (the badge travels as a JWS; this document is only its payload)."""
    verification = doc["verification"]
    kind = verification.get("type")
    if not isinstance(kind, str):
        return ProofCheck(
            "OB 2.0 verification",
            Integrity("invalid", "malformed verification: its type is not a string"),
            None,
        )
    assertion = doc.get("id")
    where = short(assertion, 100) if isinstance(assertion, str) else "(no id)"
    if kind in ("hosted", "HostedBadge"):
        text = (
            "could not check: a hosted badge is verified by fetching the assertion from its "
            f"id {where} and comparing it (no network)"
        )
        return ProofCheck("OB 2.0 hosted verification", Integrity("not_checked", text), None)
    if kind in ("signed", "SignedBadge"):
        creator = verification.get("creator")
        key = f"; the issuer's key is published at {short(str(creator), 100)}" if creator else ""
        text = (
            "could not check: the badge declares signed verification but this document is the "
            f"bare assertion, without the JWS that carries the signature{key} (no network)"
        )
        return ProofCheck("OB 2.0 signed verification", Integrity("not_checked", text), None)
    text = f"could not check: OB 2.0 verification type {short(kind, 40)!r} is not known"
    return ProofCheck(
        f"OB 2.0 verification {short(kind, 40)}", Integrity("not_checked", text), None
    )
