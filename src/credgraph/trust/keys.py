"""JWS algorithms (RFC 7518) over ``cryptography`` public keys, and keys given as a JWK.

``verify_jws_signature`` raises ``Malformed`` for a key or signature that cannot belong to
the algorithm, ``Unsupported`` for an algorithm we do not implement, and returns False for
a well-formed signature that does not match (tampered data, another key).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from credgraph.trust.encoding import Malformed, Unsupported, b64url_decode, short

PublicKey = (
    rsa.RSAPublicKey | ec.EllipticCurvePublicKey | ed25519.Ed25519PublicKey | ed448.Ed448PublicKey
)


@dataclass(frozen=True)
class Algorithm:
    family: str  # "rsa" (PKCS#1 v1.5), "pss", "ec", "okp"
    hash: hashes.HashAlgorithm | None
    curve: str | None = None  # cryptography's curve name for "ec"
    size: int = 0  # bytes of r and of s for "ec"


ALGORITHMS: dict[str, Algorithm] = {
    "RS256": Algorithm("rsa", hashes.SHA256()),
    "RS384": Algorithm("rsa", hashes.SHA384()),
    "RS512": Algorithm("rsa", hashes.SHA512()),
    "PS256": Algorithm("pss", hashes.SHA256()),
    "PS384": Algorithm("pss", hashes.SHA384()),
    "PS512": Algorithm("pss", hashes.SHA512()),
    "ES256": Algorithm("ec", hashes.SHA256(), "secp256r1", 32),
    "ES384": Algorithm("ec", hashes.SHA384(), "secp384r1", 48),
    "ES512": Algorithm("ec", hashes.SHA512(), "secp521r1", 66),
    "ES256K": Algorithm("ec", hashes.SHA256(), "secp256k1", 32),
    "EdDSA": Algorithm("okp", None),
    "Ed25519": Algorithm("okp", None),
}
MIN_RSA_BITS = 1024  # below this a "signature" proves nothing; 2048 is today's minimum


def describe_key(key: object) -> str:
    if isinstance(key, rsa.RSAPublicKey):
        return f"RSA {key.key_size}"
    if isinstance(key, ec.EllipticCurvePublicKey):
        return f"EC {key.curve.name}"
    if isinstance(key, ed25519.Ed25519PublicKey):
        return "Ed25519"
    if isinstance(key, ed448.Ed448PublicKey):
        return "Ed448"
    return type(key).__name__


def verify_jws_signature(alg_name: str, key: object, signature: bytes, data: bytes) -> bool:
    alg = ALGORITHMS.get(alg_name)
    if alg is None:
        raise Unsupported(f"signature algorithm {short(alg_name, 40)!r} is not supported")
    try:
        if alg.family in ("rsa", "pss"):
            if not isinstance(key, rsa.RSAPublicKey):
                raise Malformed(f"alg {alg_name} needs an RSA key, the key is {describe_key(key)}")
            if key.key_size < MIN_RSA_BITS:
                raise Malformed(f"RSA key of {key.key_size} bits is too short to be trusted")
            if len(signature) != (key.key_size + 7) // 8:
                raise Malformed(
                    f"signature is {len(signature)} bytes, an RSA {key.key_size} signature "
                    f"is {(key.key_size + 7) // 8}"
                )
            assert alg.hash is not None
            pad: padding.AsymmetricPadding = (
                padding.PKCS1v15()
                if alg.family == "rsa"
                else padding.PSS(padding.MGF1(alg.hash), alg.hash.digest_size)
            )
            key.verify(signature, data, pad, alg.hash)
        elif alg.family == "ec":
            if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != alg.curve:
                raise Malformed(f"alg {alg_name} needs an {alg.curve} key, not {describe_key(key)}")
            if len(signature) != 2 * alg.size:
                raise Malformed(
                    f"signature is {len(signature)} bytes, {alg_name} needs {2 * alg.size}"
                )
            r = int.from_bytes(signature[: alg.size], "big")
            s = int.from_bytes(signature[alg.size :], "big")
            assert alg.hash is not None
            key.verify(encode_dss_signature(r, s), data, ec.ECDSA(alg.hash))
        else:
            if not isinstance(key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
                raise Malformed(
                    f"alg {alg_name} needs an Ed25519/Ed448 key, not {describe_key(key)}"
                )
            key.verify(signature, data)
    except InvalidSignature:
        return False
    except UnsupportedAlgorithm as exc:
        raise Unsupported(f"this build of cryptography cannot check {alg_name} ({exc})") from exc
    return True


_JWK_LIMIT = 2048  # characters of one base64url member (an RSA 8192 modulus is ~1366)
_CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
    "secp256k1": ec.SECP256K1(),
}


def _jwk_int(jwk: dict[str, Any], name: str) -> int:
    return int.from_bytes(b64url_decode(jwk.get(name), f"jwk member {name!r}", _JWK_LIMIT), "big")


def key_from_jwk(jwk: object) -> PublicKey:
    """The public key of a JWK (RFC 7517) given in a JWS header."""
    if not isinstance(jwk, dict):
        raise Malformed("the jwk header is not a JSON object")
    if "d" in jwk:
        raise Malformed("the jwk header holds a private key")
    kty = jwk.get("kty")
    try:
        if kty == "RSA":
            return rsa.RSAPublicNumbers(_jwk_int(jwk, "e"), _jwk_int(jwk, "n")).public_key()
        if kty == "EC":
            curve = _CURVES.get(str(jwk.get("crv")))
            if curve is None:
                raise Unsupported(f"jwk curve {short(str(jwk.get('crv')), 20)!r} is not supported")
            point = ec.EllipticCurvePublicNumbers(_jwk_int(jwk, "x"), _jwk_int(jwk, "y"), curve)
            return point.public_key()
        if kty == "OKP" and jwk.get("crv") in ("Ed25519", "Ed448"):
            raw = b64url_decode(jwk.get("x"), "jwk member 'x'", _JWK_LIMIT)
            if jwk["crv"] == "Ed25519":
                return ed25519.Ed25519PublicKey.from_public_bytes(raw)
            return ed448.Ed448PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise Malformed(f"the jwk header is not a valid public key ({exc})") from exc
    raise Unsupported(f"jwk key type {short(str(kty), 20)!r} is not supported")
