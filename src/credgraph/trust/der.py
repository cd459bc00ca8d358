"""Just enough DER to read an RFC 3161 timestamp token (CMS SignedData around a TSTInfo).

Only definite lengths and one-byte tags are accepted (DER requires definite lengths; the
structures read here use no high tag numbers). Any other encoding raises ``Malformed``.
Certificates inside are handed to ``cryptography`` whole, never parsed here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

from credgraph.trust.encoding import Malformed

SEQUENCE = 0x30
SET = 0x31
INTEGER = 0x02
OCTET_STRING = 0x04
OID = 0x06
GENERALIZED_TIME = 0x18


def context(number: int, constructed: bool = True) -> int:
    """The tag of ``[number]`` (context-specific)."""
    return 0x80 | (0x20 if constructed else 0) | number


@dataclass(frozen=True)
class Tlv:
    tag: int
    content: bytes
    encoded: bytes  # tag, length and content, as they appear in the input

    def children(self) -> list[Tlv]:
        if not self.tag & 0x20:
            raise Malformed(f"DER element with tag 0x{self.tag:02x} is not constructed")
        items = []
        pos = 0
        while pos < len(self.content):
            item, pos = read(self.content, pos)
            items.append(item)
        return items

    def expect(self, tag: int, what: str) -> Tlv:
        if self.tag != tag:
            raise Malformed(f"{what}: expected DER tag 0x{tag:02x}, found 0x{self.tag:02x}")
        return self


def read(data: bytes, pos: int = 0) -> tuple[Tlv, int]:
    """The element starting at ``pos`` and the position after it."""
    if pos + 2 > len(data):
        raise Malformed("DER data ends inside an element header")
    tag = data[pos]
    if tag & 0x1F == 0x1F:
        raise Malformed("DER element with a multi-byte tag")
    first = data[pos + 1]
    pos += 2
    if first < 0x80:
        length = first
    else:
        count = first & 0x7F
        if count == 0 or count > 4:
            raise Malformed("DER element with an indefinite or oversized length")
        if pos + count > len(data):
            raise Malformed("DER data ends inside a length")
        length = int.from_bytes(data[pos : pos + count], "big")
        pos += count
    end = pos + length
    if end > len(data):
        raise Malformed("DER element is longer than the data that holds it")
    start = pos - 2 - (0 if first < 0x80 else first & 0x7F)
    return Tlv(tag, data[pos:end], data[start:end]), end


def parse(data: bytes) -> Tlv:
    """Exactly one element, nothing after it."""
    item, end = read(data)
    if end != len(data):
        raise Malformed("extra bytes after the DER element")
    return item


def oid(item: Tlv) -> str:
    item.expect(OID, "object identifier")
    content = item.content
    if not content or content[-1] & 0x80:
        raise Malformed("malformed object identifier")
    arcs: list[int] = []
    value = 0
    for byte in content:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            arcs.append(value)
            value = 0
    head = arcs[0]
    first, second = (head // 40, head % 40) if head < 80 else (2, head - 80)
    return ".".join(str(a) for a in [first, second, *arcs[1:]])


def integer(item: Tlv) -> int:
    item.expect(INTEGER, "integer")
    if not item.content:
        raise Malformed("empty DER integer")
    return int.from_bytes(item.content, "big", signed=True)


_GENERALIZED = re.compile(r"(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(?:\.(\d{1,6})\d*)?Z")


def generalized_time(item: Tlv) -> datetime:
    item.expect(GENERALIZED_TIME, "time")
    match = _GENERALIZED.fullmatch(item.content.decode("ascii", "replace"))
    if not match:
        raise Malformed("GeneralizedTime is not YYYYMMDDHHMMSS[.f]Z")
    year, month, day, hour, minute, second = (int(p) for p in match.groups()[:6])
    micro = int((match.group(7) or "0").ljust(6, "0"))
    try:
        return datetime(year, month, day, hour, minute, second, micro, tzinfo=UTC)
    except ValueError as exc:
        raise Malformed(f"GeneralizedTime out of range ({exc})") from exc
