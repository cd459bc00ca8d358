"""The certificates a signature names (JWS ``x5c``): the signer, the chain, trust, expiry.

- chain: each certificate in ``x5c`` must be signed by the next one (RFC 7515 4.1.6) and
  each issuer must be a CA; a single certificate is reported as not checked;
- trust: only against root certificates the caller gives (there is no EU trust list
  offline). Trusted means: the chain is intact, its last certificate is one of the roots or
  is signed by one, and every certificate above the signer was within its validity period at
  the signing time. No revocation, policy or qualified-status check is made;
- expiry: the signer's validity period at the given time and at the claimed signing time.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives.serialization import Encoding

from credgraph.trust.encoding import Malformed, Unsupported, b64_decode, json_type
from credgraph.trust.keys import describe_key
from credgraph.trust.result import Chain, Expiry, Signer, Trust, Validity, iso

MAX_CHAIN = 10
MAX_CERT_CHARS = 64 * 1024  # base64 of one certificate; real ones are 1-3 KB


def load_x5c(value: object) -> list[x509.Certificate]:
    """The ``x5c`` header: a non-empty array of base64 DER certificates, signer first."""
    if not isinstance(value, list):
        raise Malformed(f"x5c is {json_type(value)}, not an array of certificates")
    if not value:
        raise Malformed("x5c is an empty array")
    if len(value) > MAX_CHAIN:
        raise Unsupported(f"x5c holds {len(value)} certificates, more than {MAX_CHAIN}")
    certs = []
    for number, item in enumerate(value, start=1):
        der = b64_decode(item, f"x5c certificate {number}", MAX_CERT_CHARS)
        try:
            certs.append(parse_certificate(der))
        except ValueError as exc:
            raise Malformed(f"x5c certificate {number} is not an X.509 certificate") from exc
    return certs


def parse_certificate(der: bytes) -> x509.Certificate:
    """A DER certificate whose fields are all readable (``cryptography`` parses them lazily,
    so a broken name or extension would otherwise fail later); raises ``ValueError``."""
    try:
        cert = x509.load_der_x509_certificate(der)
        for _ in (cert.subject, cert.issuer, cert.serial_number, cert.extensions):
            pass
    except (x509.InvalidVersion, x509.DuplicateExtension, x509.UnsupportedGeneralNameType) as exc:
        raise ValueError(str(exc)) from exc
    if cert.not_valid_after_utc < cert.not_valid_before_utc:
        raise ValueError("validity period ends before it starts")
    return cert


def cert_der(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(Encoding.DER)


def fingerprint(cert: x509.Certificate) -> bytes:
    return hashlib.sha256(cert_der(cert)).digest()


def public_key(cert: x509.Certificate) -> object:
    try:
        return cert.public_key()
    except (ValueError, UnsupportedAlgorithm) as exc:
        raise Unsupported(f"the certificate's public key type is not supported ({exc})") from exc


def name(value: x509.Name) -> str:
    try:
        return value.rfc4514_string()
    except ValueError:  # an attribute cryptography cannot render
        return "(unreadable name)"


def common_name(value: x509.Name) -> str:
    found = value.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    text = found[0].value if found else None
    return f"CN={text!s}" if text else name(value)


def _hex(number: int) -> str:
    """Upper-case hex in whole bytes, as openssl prints a serial (``03378F…``)."""
    text = f"{number:X}"
    return text.zfill(len(text) + len(text) % 2)


def label(cert: x509.Certificate) -> str:
    """A short name for reasons: ``CN=TEST SEAL, O=ORGANIZACION TEST``."""
    text = common_name(cert.subject)
    org = cert.subject.get_attributes_for_oid(x509.NameOID.ORGANIZATION_NAME)
    if org and text.startswith("CN="):
        text += f", O={org[0].value!s}"
    return text


def describe_signer(cert: x509.Certificate) -> Signer:
    try:
        key = describe_key(cert.public_key())
    except (ValueError, UnsupportedAlgorithm):
        key = "unsupported key type"
    return Signer(
        subject=name(cert.subject),
        issuer=name(cert.issuer),
        serial=_hex(cert.serial_number),
        not_before=iso(cert.not_valid_before_utc) or "",
        not_after=iso(cert.not_valid_after_utc) or "",
        sha256=fingerprint(cert).hex().upper(),
        key=key,
    )


def validity(cert: x509.Certificate, moment: datetime | None) -> Validity:
    if moment is None:
        return "unknown"
    if moment < cert.not_valid_before_utc:
        return "not_yet_valid"
    if moment > cert.not_valid_after_utc:
        return "expired"
    return "valid"


def check_expiry(cert: x509.Certificate, now: datetime, signed_at: datetime | None) -> Expiry:
    status = validity(cert, now)
    at_signing = validity(cert, signed_at)
    not_after = iso(cert.not_valid_after_utc)
    if status == "expired":
        text = f"the signing certificate expired on {not_after}"
    elif status == "not_yet_valid":
        text = f"the signing certificate is valid only from {iso(cert.not_valid_before_utc)}"
    else:
        text = f"the signing certificate is valid until {not_after}"
    if signed_at is None:
        text += "; the signature states no signing time"
    elif at_signing == "valid":
        text += f"; it was valid at the stated signing time {iso(signed_at)}"
    else:
        text += f"; it was NOT valid at the stated signing time {iso(signed_at)}"
    return Expiry(status, text, not_after, iso(now), at_signing)


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> str | None:
    """None when ``issuer`` signed ``cert``, else why not."""
    try:
        cert.verify_directly_issued_by(issuer)
    except ValueError:
        return f"{common_name(cert.subject)} names issuer {name(cert.issuer)}"
    except InvalidSignature:
        return f"the signature on {common_name(cert.subject)} does not match its issuer's key"
    except (TypeError, UnsupportedAlgorithm) as exc:
        return f"the signature on {common_name(cert.subject)} cannot be checked ({exc})"
    return None


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except (x509.ExtensionNotFound, ValueError):
        return False
    return constraints.ca


def check_chain(certs: Sequence[x509.Certificate]) -> Chain:
    if len(certs) == 1:
        return Chain(
            "not_checked",
            1,
            f"x5c holds only the signer's certificate; its issuer ({name(certs[0].issuer)}) "
            "is not in the document",
        )
    for lower, upper in itertools.pairwise(certs):
        problem = _issued_by(lower, upper)
        if problem is None and not _is_ca(upper):
            problem = f"{common_name(upper.subject)} is not a CA certificate"
        if problem:
            return Chain("invalid", len(certs), f"x5c chain is broken: {problem}")
    return Chain(
        "valid", len(certs), f"each of the {len(certs)} certificates is signed by the next"
    )


def check_trust(
    certs: Sequence[x509.Certificate],
    chain: Chain,
    roots: Sequence[x509.Certificate],
    at: datetime,
) -> Trust:
    signer = certs[0]
    if not roots:
        return Trust(
            "unknown",
            "signer not checked against a trust list: no trust list is available offline "
            f"and no trusted root certificates were given (issuer: {name(signer.issuer)})",
        )
    if chain.status == "invalid":
        return Trust("untrusted", chain.reason)
    try:
        usage = signer.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        usage = None
    except ValueError:
        return Trust("untrusted", "the signer's key usage extension is malformed")
    if usage is not None and not (usage.digital_signature or usage.content_commitment):
        return Trust("untrusted", "the signer's key usage does not allow signatures")
    top = certs[-1]
    top_der = cert_der(top)
    anchor = next((r for r in roots if cert_der(r) == top_der), None)
    path = list(certs)
    if anchor is None:
        anchor = next(
            (r for r in roots if r.subject == top.issuer and _issued_by(top, r) is None), None
        )
        if anchor is None:
            return Trust(
                "untrusted",
                f"the chain ends at {common_name(top.subject)}, issued by {name(top.issuer)}, "
                f"which is none of the {len(roots)} trusted root(s)",
            )
        path.append(anchor)
    for cert in path[1:]:
        state = validity(cert, at)
        if state != "valid":
            return Trust(
                "untrusted",
                f"{common_name(cert.subject)} in the chain was {state.replace('_', ' ')} "
                f"at {iso(at)}",
            )
    return Trust(
        "trusted",
        f"the chain leads to the trusted root {common_name(anchor.subject)}; "
        "revocation not checked",
    )
