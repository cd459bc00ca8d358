"""Verification of signed credentials, offline.

``verify_document`` (bytes) and ``verify_value`` (parsed JSON) return a ``Verification``
whose ``status`` is ``valid`` only when a signature was actually checked and matched;
integrity, trust in the signer and expiry of the signing certificate are reported
separately (see ``credgraph.trust.result`` and docs/verification.md).
"""

from credgraph.trust.result import (
    Chain,
    Embedded,
    Expiry,
    Integrity,
    Revocation,
    Signer,
    Timestamp,
    Trust,
    Verification,
)
from credgraph.trust.verify import verify_document, verify_file, verify_value

__all__ = [
    "Chain",
    "Embedded",
    "Expiry",
    "Integrity",
    "Revocation",
    "Signer",
    "Timestamp",
    "Trust",
    "Verification",
    "verify_document",
    "verify_file",
    "verify_value",
]
