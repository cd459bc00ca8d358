"""RFC 3161 timestamp tokens as carried by JAdES (``adoTst``, ``sigTst``): a minimal check.

For each token: the CMS ``SignedData`` must hold a ``TSTInfo``; its message imprint must be
the hash of the data the caller says was stamped; the ``messageDigest`` signed attribute
must be the hash of the ``TSTInfo``; and the signed attributes must carry a signature that
verifies with a certificate included in the token. The TSA is NOT checked against a trust
list, and its certificate's revocation is not checked: ``valid`` means "the token is
intact and covers this data at this time, as claimed by the TSA named".
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding

from credgraph.trust import der
from credgraph.trust.certs import common_name, parse_certificate, validity
from credgraph.trust.encoding import Malformed, Unsupported, b64_decode, json_type
from credgraph.trust.result import Timestamp, iso

MAX_TOKEN_CHARS = 128 * 1024
MAX_TOKENS = 4

_SIGNED_DATA = "1.2.840.113549.1.7.2"
_TST_INFO = "1.2.840.113549.1.9.16.1.4"
_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_CERT = "1.2.840.113549.1.9.16.2.12"  # ESSCertID (SHA-1), RFC 2634
_SIGNING_CERT_V2 = "1.2.840.113549.1.9.16.2.47"  # ESSCertIDv2, RFC 5035
_DIGESTS: dict[str, hashes.HashAlgorithm] = {
    "2.16.840.1.101.3.4.2.1": hashes.SHA256(),
    "2.16.840.1.101.3.4.2.2": hashes.SHA384(),
    "2.16.840.1.101.3.4.2.3": hashes.SHA512(),
}
_RSA_WITH: dict[str, hashes.HashAlgorithm | None] = {
    "1.2.840.113549.1.1.1": None,  # rsaEncryption: the SignerInfo digest algorithm applies
    "1.2.840.113549.1.1.11": hashes.SHA256(),
    "1.2.840.113549.1.1.12": hashes.SHA384(),
    "1.2.840.113549.1.1.13": hashes.SHA512(),
}
_ECDSA_WITH: dict[str, hashes.HashAlgorithm] = {
    "1.2.840.10045.4.3.2": hashes.SHA256(),
    "1.2.840.10045.4.3.3": hashes.SHA384(),
    "1.2.840.10045.4.3.4": hashes.SHA512(),
}
_ED25519 = "1.3.101.112"


def _digest(algorithm: hashes.HashAlgorithm, data: bytes) -> bytes:
    h = hashes.Hash(algorithm)
    h.update(data)
    return h.finalize()


def _digest_algorithm(item: der.Tlv, what: str) -> hashes.HashAlgorithm:
    identifier = der.oid(item.expect(der.SEQUENCE, what).children()[0])
    found = _DIGESTS.get(identifier)
    if found is None:
        raise Unsupported(f"{what} {identifier} is not SHA-256/384/512")
    return found


class _Token:
    """The parts of one token that the check needs."""

    def __init__(self, encoded: bytes) -> None:
        content_info = der.parse(encoded).expect(der.SEQUENCE, "token").children()
        if len(content_info) != 2 or der.oid(content_info[0]) != _SIGNED_DATA:
            raise Malformed("the token is not CMS SignedData")
        explicit = content_info[1].expect(der.context(0), "token content").children()
        signed_data = explicit[0].expect(der.SEQUENCE, "SignedData").children()
        encap = signed_data[2].expect(der.SEQUENCE, "encapsulated content").children()
        if der.oid(encap[0]) != _TST_INFO:
            raise Malformed("the token does not hold a TSTInfo")
        wrapped = encap[1].expect(der.context(0), "TSTInfo").children()
        self.tst_info = wrapped[0].expect(der.OCTET_STRING, "TSTInfo").content
        info = der.parse(self.tst_info).expect(der.SEQUENCE, "TSTInfo").children()
        imprint = info[2].expect(der.SEQUENCE, "message imprint").children()
        self.imprint_hash = _digest_algorithm(imprint[0], "message imprint hash")
        self.imprint = imprint[1].expect(der.OCTET_STRING, "message imprint").content
        self.time: datetime = der.generalized_time(info[4])
        self.certs: list[x509.Certificate] = []
        rest = signed_data[3:]
        if rest and rest[0].tag == der.context(0):
            for item in rest[0].children():
                if item.tag == der.SEQUENCE:  # other certificate formats are skipped
                    try:
                        self.certs.append(parse_certificate(item.encoded))
                    except ValueError as exc:
                        raise Malformed("a certificate in the token is malformed") from exc
        signer_infos = rest[-1].expect(der.SET, "signer infos").children() if rest else []
        if len(signer_infos) != 1:
            raise Malformed(f"the token has {len(signer_infos)} signer infos, not one")
        self.signer = signer_infos[0].expect(der.SEQUENCE, "signer info").children()


def _signer_cert(token: _Token, sid: der.Tlv) -> x509.Certificate:
    if sid.tag == der.SEQUENCE:  # issuerAndSerialNumber
        issuer, serial = sid.children()
        number = der.integer(serial)
        for cert in token.certs:
            if cert.serial_number == number and cert.issuer.public_bytes() == issuer.encoded:
                return cert
    elif sid.tag == der.context(0, constructed=False):  # subjectKeyIdentifier
        for cert in token.certs:
            try:
                ski = cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)
            except (x509.ExtensionNotFound, ValueError):
                continue
            if ski.value.digest == sid.content:
                return cert
    raise Unsupported("the TSA certificate is not included in the token")


def _bound_hash(values: dict[str, list[der.Tlv]]) -> tuple[hashes.HashAlgorithm, bytes] | None:
    """The hash of the TSA certificate that the signed attributes name (RFC 3161 requires
    one, so that the unsigned certificate list cannot be swapped), or None."""
    for identifier in (_SIGNING_CERT_V2, _SIGNING_CERT):
        found = values.get(identifier)
        if not found:
            continue
        ids = found[0].expect(der.SEQUENCE, "signing certificate").children()[0]
        first = ids.expect(der.SEQUENCE, "certificate ids").children()[0]
        parts = first.expect(der.SEQUENCE, "certificate id").children()
        if identifier == _SIGNING_CERT:
            return hashes.SHA1(), parts[0].expect(der.OCTET_STRING, "certificate hash").content
        if parts[0].tag == der.SEQUENCE:
            algorithm = _digest_algorithm(parts[0], "certificate hash algorithm")
            return algorithm, parts[1].expect(der.OCTET_STRING, "certificate hash").content
        return hashes.SHA256(), parts[0].expect(der.OCTET_STRING, "certificate hash").content
    return None


def _verify_signer(token: _Token) -> tuple[x509.Certificate, bool]:
    """The TSA certificate whose key verifies the token, and whether the signed attributes
    bind that certificate."""
    bound: tuple[hashes.HashAlgorithm, bytes] | None = None
    parts = token.signer
    sid, digest_alg = parts[1], _digest_algorithm(parts[2], "signer digest algorithm")
    index = 3
    signed: bytes = token.tst_info
    if parts[index].tag == der.context(0):
        attributes = parts[index]
        index += 1
        values: dict[str, list[der.Tlv]] = {}
        for attribute in attributes.children():
            oid_item, value_set = attribute.expect(der.SEQUENCE, "attribute").children()
            values[der.oid(oid_item)] = value_set.expect(der.SET, "attribute").children()
        digest = values.get(_MESSAGE_DIGEST)
        if not digest or digest[0].expect(der.OCTET_STRING, "digest").content != _digest(
            digest_alg, token.tst_info
        ):
            raise Malformed("the token's messageDigest does not match its TSTInfo")
        content_type = values.get(_CONTENT_TYPE)
        if content_type and der.oid(content_type[0]) != _TST_INFO:
            raise Malformed("the token's contentType attribute is not TSTInfo")
        bound = _bound_hash(values)
        # the signature covers the attributes encoded as a SET, not as [0]
        signed = bytes([der.SET]) + attributes.encoded[1:]
    algorithm = der.oid(parts[index].expect(der.SEQUENCE, "signature algorithm").children()[0])
    signature = parts[index + 1].expect(der.OCTET_STRING, "signature").content
    cert = _signer_cert(token, sid)
    if bound is not None and _digest(bound[0], cert.public_bytes(Encoding.DER)) != bound[1]:
        raise Malformed("the token's signing-certificate attribute names another certificate")
    try:
        key = cert.public_key()
        if algorithm in _RSA_WITH and isinstance(key, rsa.RSAPublicKey):
            key.verify(signature, signed, padding.PKCS1v15(), _RSA_WITH[algorithm] or digest_alg)
        elif algorithm in _ECDSA_WITH and isinstance(key, ec.EllipticCurvePublicKey):
            key.verify(signature, signed, ec.ECDSA(_ECDSA_WITH[algorithm]))
        elif algorithm == _ED25519 and isinstance(key, ed25519.Ed25519PublicKey):
            key.verify(signature, signed)
        else:
            raise Unsupported(f"TSA signature algorithm {algorithm} with {type(key).__name__}")
    except InvalidSignature as exc:
        raise Malformed("the TSA's signature on the token does not verify") from exc
    except UnsupportedAlgorithm as exc:
        raise Unsupported(f"the TSA's signature cannot be checked ({exc})") from exc
    return cert, bound is not None


def _check_one(value: bytes, data: bytes) -> Timestamp:
    try:
        token = _Token(value)
    except (IndexError, ValueError) as exc:  # a missing part, or a value cryptography refuses
        raise Malformed(f"the token is not a well-formed RFC 3161 token ({exc})") from exc
    matches = token.imprint == _digest(token.imprint_hash, data)
    try:
        cert, bound = _verify_signer(token)
    except (IndexError, ValueError) as exc:
        raise Malformed(f"the token's signer info is incomplete or malformed ({exc})") from exc
    except Unsupported as exc:
        return Timestamp("not_checked", str(exc), iso(token.time), None, _imprint(matches))
    tsa = common_name(cert.subject)
    if not matches:
        return Timestamp(
            "invalid",
            "the token's imprint does not match the data",
            iso(token.time),
            tsa,
            "does_not_match",
        )
    state = validity(cert, token.time)
    if state != "valid":
        why = f"the TSA certificate of {tsa} was {state.replace('_', ' ')} at {iso(token.time)}"
        return Timestamp("invalid", why, iso(token.time), tsa, "matches")
    return Timestamp(
        "valid",
        f"token signed by {tsa} (certificate valid at {iso(token.time)}) covers the data; "
        + ("" if bound else "the token does not bind its certificate; ")
        + "TSA not checked against a trust list",
        iso(token.time),
        tsa,
        "matches",
    )


def _imprint(matches: bool) -> Literal["matches", "does_not_match"]:
    return "matches" if matches else "does_not_match"


def check_container(container: object, data: bytes, what: str) -> Timestamp:
    """A JAdES timestamp container ``{"tstTokens": [{"val": <base64 DER>}, ...]}`` over
    ``data``; every token must be good, the first one is reported."""
    try:
        if not isinstance(container, dict):
            raise Malformed(f"{what} is {json_type(container)}, not an object")
        if container.get("canonAlg") is not None:
            raise Unsupported(f"{what} names a canonicalisation algorithm; not supported")
        tokens = container.get("tstTokens")
        if not isinstance(tokens, list) or not tokens:
            raise Malformed(f"{what} has no tstTokens array")
        if len(tokens) > MAX_TOKENS:
            raise Unsupported(f"{what} holds {len(tokens)} tokens, more than {MAX_TOKENS}")
        results = []
        for number, token in enumerate(tokens, start=1):
            if not isinstance(token, dict):
                raise Malformed(f"{what} token {number} is not an object")
            if token.get("type", "DER") != "DER" or token.get("encoding") is not None:
                raise Unsupported(f"{what} token {number} is not a DER token")
            raw = b64_decode(token.get("val"), f"{what} token {number}", MAX_TOKEN_CHARS)
            results.append(_check_one(raw, data))
    except Malformed as exc:
        return Timestamp("invalid", f"{what}: {exc}")
    except Unsupported as exc:
        return Timestamp("not_checked", f"{what}: {exc}")
    worst = next((r for r in results if r.status == "invalid"), None)
    worst = worst or next((r for r in results if r.status == "not_checked"), results[0])
    first = results[0]
    return Timestamp(worst.status, f"{what}: {worst.reason}", first.time, first.tsa, first.imprint)
