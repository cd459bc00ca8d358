"""Opaque pagination cursors: URL-safe base64 of ``o:<offset>``.

Clients pass back ``next_cursor`` unchanged; anything that does not decode to a
non-negative offset is a 400 ``invalid-parameter`` problem.
"""

from __future__ import annotations

import base64
import binascii

from credgraph.api.errors import ParameterError

_PREFIX = "o:"
_MAX_CURSOR_CHARS = 64


def encode_cursor(offset: int) -> str:
    raw = f"{_PREFIX}{offset}".encode("ascii")
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The offset a cursor stands for; no cursor is offset 0."""
    if cursor is None or cursor == "":
        return 0
    invalid = ParameterError(
        "cursor", "invalid cursor", hint="pass back next_cursor from the previous page unchanged"
    )
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise invalid
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        text = base64.urlsafe_b64decode(padded.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError) as exc:
        raise invalid from exc
    digits = text[len(_PREFIX) :]
    if not text.startswith(_PREFIX) or not digits.isdigit():
        raise invalid
    return int(digits)
