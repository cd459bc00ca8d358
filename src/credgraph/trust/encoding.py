"""Strict decoding of the pieces a signature is made of, and the two internal outcomes of a
check that cannot finish.

``Malformed`` (the signature or its header is broken: status ``invalid``) and ``Unsupported``
(a well-formed signature this code cannot check: status ``could_not_check``) never leave the
``credgraph.trust`` package; the verifiers turn them into a ``Verification``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any


class Malformed(Exception):
    """The signature, its header or its key material is broken."""


class Unsupported(Exception):
    """A signature this code cannot check (algorithm, key location, critical header)."""


_B64URL = re.compile(r"[A-Za-z0-9_-]*")
_B64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")


def b64url_decode(value: object, what: str, limit: int) -> bytes:
    """Unpadded base64url (RFC 7515 section 2) of at most ``limit`` characters."""
    if not isinstance(value, str):
        raise Malformed(f"{what} is {json_type(value)}, not a base64url string")
    if len(value) > limit:
        raise Unsupported(f"{what} is {len(value)} characters long, more than the {limit} allowed")
    if not _B64URL.fullmatch(value) or len(value) % 4 == 1:
        bad = next((c for c in value if not (c.isascii() and (c.isalnum() or c in "-_"))), None)
        detail = f" (character {bad!r})" if bad else " (wrong length)"
        raise Malformed(f"{what} is not valid base64url{detail}")
    data = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    # unused low bits in the last character must be zero, so one value has one spelling
    if base64.urlsafe_b64encode(data).rstrip(b"=") != value.encode("ascii"):
        raise Malformed(f"{what} is not canonical base64url (stray bits in its last character)")
    return data


def b64_decode(value: object, what: str, limit: int) -> bytes:
    """Standard padded base64, as in x5c and timestamp tokens."""
    if not isinstance(value, str):
        raise Malformed(f"{what} is {json_type(value)}, not a base64 string")
    if len(value) > limit:
        raise Unsupported(f"{what} is {len(value)} characters long, more than the {limit} allowed")
    if not _B64.fullmatch(value):
        raise Malformed(f"{what} is not valid base64")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error as exc:
        raise Malformed(f"{what} is not valid base64 ({exc})") from exc


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise Malformed(f"header parameter {key!r} appears more than once")
        result[key] = value
    return result


def _no_constant(name: str) -> Any:
    raise Malformed(f"{name} is not a JSON value")


def strict_json_object(data: bytes, what: str) -> dict[str, Any]:
    """A JSON object in UTF-8 with unique member names (RFC 7515 section 5.2)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Malformed(f"{what} is not UTF-8 text") from exc
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise Malformed(f"{what} is not JSON ({exc.msg} at column {exc.colno})") from exc
    except RecursionError as exc:
        raise Malformed(f"{what} is nested too deeply") from exc
    if not isinstance(value, dict):
        raise Malformed(f"{what} is {json_type(value)}, not a JSON object")
    return value


def json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def parse_time(value: object, what: str) -> datetime:
    """An ISO 8601 date-time with a UTC offset (``2023-09-27T11:54:17Z``)."""
    if not isinstance(value, str) or len(value) > 40:
        raise Malformed(f"{what} is {json_type(value)}, not an ISO 8601 date-time")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise Malformed(f"{what} {value!r} is not an ISO 8601 date-time") from exc
    if moment.tzinfo is None:
        raise Malformed(f"{what} {value!r} has no time zone")
    return moment.astimezone(UTC)


def as_utc(moment: datetime | None) -> datetime:
    """``moment`` in UTC (a naive value is taken as UTC); the current time when None."""
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def short(text: str, limit: int = 80) -> str:
    """A value quoted in a reason, cut so that hostile input cannot flood the report."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
