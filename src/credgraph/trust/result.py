"""The result of verifying one credential document, and how its overall status is decided.

Integrity (does the signature match the data and the key), trust in the signer (does the
key chain to a root we were told to trust) and expiry of the signing certificate are
separate findings; ``overall_status`` derives the headline from integrity alone:

- ``unsigned``: the document carries no signature, proof or verification method;
- ``invalid``: an integrity check ran and failed, or the signature is malformed;
- ``valid``: an integrity check ran and passed (trust and expiry may still be bad);
- ``could_not_check``: there is a signature or proof but its check could not run.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, Literal

Status = Literal["valid", "invalid", "could_not_check", "unsigned"]
IntegrityStatus = Literal["valid", "invalid", "not_checked"]
TrustStatus = Literal["trusted", "untrusted", "unknown"]
ChainStatus = Literal["valid", "invalid", "not_checked"]
Validity = Literal["valid", "expired", "not_yet_valid", "unknown"]
TimestampStatus = Literal["valid", "invalid", "not_checked", "absent"]


def iso(moment: datetime | None) -> str | None:
    """``2025-05-10T14:31:15Z`` (UTC, whole seconds), or None."""
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Integrity:
    status: IntegrityStatus
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class Trust:
    status: TrustStatus
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason}


@dataclass(frozen=True)
class Chain:
    """The x5c chain checked internally: each certificate signed by the next one."""

    status: ChainStatus
    length: int
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "length": self.length, "reason": self.reason}


@dataclass(frozen=True)
class Signer:
    """The signing certificate as named in the document (not a statement of trust)."""

    subject: str
    issuer: str
    serial: str  # upper-case hex, as openssl prints it
    not_before: str
    not_after: str
    sha256: str  # fingerprint of the DER certificate, upper-case hex
    key: str  # e.g. "RSA 2048"

    def to_dict(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "issuer": self.issuer,
            "serial": self.serial,
            "not_before": self.not_before,
            "not_after": self.not_after,
            "sha256": self.sha256,
            "key": self.key,
        }


@dataclass(frozen=True)
class Expiry:
    """Validity period of the signing certificate at ``checked_at`` and at signing time."""

    status: Validity
    reason: str
    not_after: str | None = None
    checked_at: str | None = None
    at_signing: Validity = "unknown"

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "not_after": self.not_after,
            "checked_at": self.checked_at,
            "at_signing": self.at_signing,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Timestamp:
    """An RFC 3161 timestamp token: its own signature and its imprint over our data."""

    status: TimestampStatus
    reason: str
    time: str | None = None
    tsa: str | None = None
    imprint: Literal["matches", "does_not_match"] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "time": self.time,
            "tsa": self.tsa,
            "imprint": self.imprint,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Embedded:
    """A proof or signature found inside the document (an endorsement, a nested badge)."""

    path: str
    status: Status
    method: str | None
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "status": self.status,
            "method": self.method,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Revocation:
    """Always ``not_checked``: revocation needs OCSP, CRL or status-list look-ups online."""

    reason: str
    status: Literal["not_checked"] = "not_checked"

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason}


NO_TIMESTAMP = Timestamp("absent", "the signature carries no timestamp token")
NOT_REVOKED_UNKNOWN = Revocation("no OCSP, CRL or status-list look-up is made (no network)")


@dataclass(frozen=True)
class Verification:
    status: Status
    reason: str
    source: str
    method: str | None
    integrity: Integrity
    trust: Trust
    chain: Chain
    expiry: Expiry
    signer: Signer | None = None
    signed_at: str | None = None
    timestamp: Timestamp = NO_TIMESTAMP
    signature_timestamp: Timestamp = NO_TIMESTAMP
    revocation: Revocation = NOT_REVOKED_UNKNOWN
    embedded: tuple[Embedded, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "reason": self.reason,
            "source": self.source,
            "method": self.method,
            "integrity": self.integrity.to_dict(),
            "signer": self.signer.to_dict() if self.signer else None,
            "chain": self.chain.to_dict(),
            "trust": self.trust.to_dict(),
            "expiry": self.expiry.to_dict(),
            "signed_at": self.signed_at,
            "timestamp": self.timestamp.to_dict(),
            "signature_timestamp": self.signature_timestamp.to_dict(),
            "revocation": self.revocation.to_dict(),
            "embedded": [e.to_dict() for e in self.embedded],
        }

    def with_method(self, method: str) -> Verification:
        return replace(self, method=method)


def overall_status(method: str | None, integrity: Integrity) -> Status:
    if method is None:
        return "unsigned"
    if integrity.status == "valid":
        return "valid"
    if integrity.status == "invalid":
        return "invalid"
    return "could_not_check"


NO_CHAIN = Chain("not_checked", 0, "no certificate in the document")
NO_EXPIRY = Expiry("unknown", "no signing certificate in the document")
