"""Rules for JWS header parameters that need more than a type check: ``crit`` (RFC 7515)
and the JAdES unsigned properties ``etsiU`` (ETSI TS 119 182-1, 5.3).
"""

from __future__ import annotations

from typing import Any

from credgraph.trust.encoding import (
    Malformed,
    Unsupported,
    b64url_decode,
    json_type,
    short,
    strict_json_object,
)

MAX_ETSIU = 16
MAX_ETSIU_CHARS = 1024 * 1024  # one entry; the samples' CRL entry is ~1 KB, tokens ~5 KB
UNDERSTOOD_CRIT = frozenset({"b64", "sigT", "adoTst"})
# RFC 7515 4.1.11: names defined by the JWS spec must not be listed in crit
_REGISTERED = frozenset(
    {"alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit"}
)


def check_crit(header: dict[str, Any]) -> None:
    """RFC 7515 4.1.11: ``crit`` lists names that are in the header, are not defined by
    JWS itself, and are understood here; else ``Malformed`` / ``Unsupported``."""
    if "crit" not in header:
        return
    crit = header["crit"]
    if not isinstance(crit, list) or not crit or not all(isinstance(c, str) for c in crit):
        raise Malformed("crit is not a non-empty array of names")
    if len(set(crit)) != len(crit):
        raise Malformed("crit names a parameter twice")
    for entry in crit:
        if entry in _REGISTERED:
            raise Malformed(f"crit lists {entry!r}, a parameter every JWS reader must know")
        if entry not in header:
            raise Malformed(f"crit lists {short(entry, 40)!r}, which is not in the header")
    unknown = [c for c in crit if c not in UNDERSTOOD_CRIT]
    if unknown:
        raise Unsupported(
            f"critical header parameter(s) {', '.join(repr(short(c, 40)) for c in unknown)} "
            "not supported"
        )


def unsigned_properties(unprotected: dict[str, Any]) -> dict[str, Any]:
    """The JAdES unsigned properties (``etsiU``: each entry a one-member object, given as
    base64url JSON or as JSON), merged by name; the first of a name wins."""
    items = unprotected.get("etsiU")
    if items is None:
        return {}
    if not isinstance(items, list) or len(items) > MAX_ETSIU:
        raise Malformed("etsiU is not an array of a few unsigned properties")
    merged: dict[str, Any] = {}
    for item in items:
        value = item
        if isinstance(item, str):
            value = strict_json_object(
                b64url_decode(item, "etsiU entry", MAX_ETSIU_CHARS), "etsiU entry"
            )
        if not isinstance(value, dict):
            raise Malformed(f"an etsiU entry is {json_type(value)}, not an object")
        for name, content in value.items():
            merged.setdefault(name, content)
    return merged
