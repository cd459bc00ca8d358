"""Reading compact JSON-LD by property names: values that may be one item or a list, language
maps, controlled-vocabulary concepts, ISO 8601 durations. No context is ever expanded or
fetched: the documents are read as their producers wrote them (DESIGN.md, Ingest)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from credgraph.ingest.common import clean_text
from credgraph.models import LangMap

# ISO 639-3 / 639-2 (as in the EU language authority table) -> ISO 639-1, for the languages
# of the EU and its neighbours that credentials name
ISO639_3_TO_1 = {
    "BUL": "bg", "CES": "cs", "CZE": "cs", "DAN": "da", "DEU": "de", "GER": "de", "ELL": "el",
    "GRE": "el", "ENG": "en", "EST": "et", "FIN": "fi", "FRA": "fr", "FRE": "fr", "GLE": "ga",
    "HRV": "hr", "HUN": "hu", "ITA": "it", "LAV": "lv", "LIT": "lt", "MLT": "mt", "NLD": "nl",
    "DUT": "nl", "POL": "pl", "POR": "pt", "RON": "ro", "RUM": "ro", "SLK": "sk", "SLO": "sk",
    "SLV": "sl", "SPA": "es", "SWE": "sv", "NOR": "no", "NOB": "nb", "ISL": "is", "ICE": "is",
    "UKR": "uk", "RUS": "ru", "TUR": "tr", "SRP": "sr", "MKD": "mk", "SQI": "sq", "ALB": "sq",
    "CAT": "ca", "EUS": "eu", "GLG": "gl", "LTZ": "lb",
}  # fmt: skip
ISO639_1_TO_3 = {v: k for k, v in reversed(list(ISO639_3_TO_1.items()))}

_LANG_KEY = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")


def as_list(value: Any) -> list[Any]:
    """A JSON-LD value that may be one item, a list or absent, as a list."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def objects(value: Any) -> list[dict[str, Any]]:
    """The JSON objects among ``value`` (one or a list); other items are left out."""
    return [v for v in as_list(value) if isinstance(v, dict)]


def first_object(value: Any) -> dict[str, Any] | None:
    found = objects(value)
    return found[0] if found else None


def types_of(node: Any) -> set[str]:
    """The node's ``type``/``@type`` names, without a prefix (``ceterms:Course`` -> Course)."""
    if not isinstance(node, dict):
        return set()
    names = as_list(node.get("type")) + as_list(node.get("@type"))
    return {n.rsplit(":", 1)[-1].rsplit("/", 1)[-1] for n in names if isinstance(n, str)}


def lang_key(key: str) -> str:
    """A language map key as a two-letter code where possible (``en-US`` -> ``en``)."""
    base = key.split("-", 1)[0].split("_", 1)[0].lower()
    return base if len(base) == 2 else key.lower()


def lang_map(value: Any, default_lang: str = "und") -> LangMap:
    """Texts of a language map ``{"en": "..."}`` (values may be lists, or ``@value`` objects),
    a plain string (filed under ``default_lang``) or a list of ``{"@language", "@value"}``."""
    out: LangMap = {}
    if isinstance(value, str):
        if clean_text(value):
            out[default_lang] = value.strip()
        return out
    if isinstance(value, list):
        for item in value:
            for lang, text in lang_map(item, default_lang).items():
                out.setdefault(lang, text)
        return out
    if not isinstance(value, dict):
        return out
    if "@value" in value:
        literal, tag = value.get("@value"), value.get("@language")
        if isinstance(literal, str) and clean_text(literal):
            out[lang_key(tag) if isinstance(tag, str) else default_lang] = literal.strip()
        return out
    for key, text in value.items():
        if not isinstance(key, str) or not _LANG_KEY.match(key):
            continue
        for item in as_list(text):
            if isinstance(item, str) and clean_text(item):
                out.setdefault(lang_key(key), item.strip())
                break
    return out


def iri(node: Any) -> str | None:
    """The ``id``/``@id`` of a node (or the node itself when it is an IRI string)."""
    if isinstance(node, str):
        return node.strip() or None
    if isinstance(node, dict):
        for key in ("id", "@id"):
            value = node.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


def concept_label(node: Any) -> str | None:
    """A controlled-vocabulary concept's English (else any) preferred label, else notation."""
    if isinstance(node, str):
        return clean_text(node) or None
    if not isinstance(node, dict):
        return None
    labels = lang_map(node.get("prefLabel"))
    if labels:
        return labels.get("en") or next(iter(labels.values()))
    notation = node.get("notation")
    if isinstance(notation, str | int) and not isinstance(notation, bool):
        return str(notation)
    return None


def walk(value: Any, path: str = "$") -> Iterator[tuple[str, Any]]:
    """Every (JSON path, value) in a document, depth first (for finding nested nodes)."""
    stack: list[tuple[str, Any]] = [(path, value)]
    while stack:
        where, item = stack.pop()
        yield where, item
        if isinstance(item, dict):
            stack.extend((f"{where}.{k}", v) for k, v in reversed(list(item.items())))
        elif isinstance(item, list):
            stack.extend((f"{where}[{i}]", v) for i, v in reversed(list(enumerate(item))))


# ISO 8601 durations ("PT60H", "P60M", "P1Y2M10DT2H30M", "P3W")

_DURATION = re.compile(
    r"^P(?!$)(?:(?P<years>\d+(?:[.,]\d+)?)Y)?(?:(?P<months>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<weeks>\d+(?:[.,]\d+)?)W)?(?:(?P<days>\d+(?:[.,]\d+)?)D)?"
    r"(?:T(?=\d)(?:(?P<hours>\d+(?:[.,]\d+)?)H)?(?:(?P<minutes>\d+(?:[.,]\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:[.,]\d+)?)S)?)?$"
)


@dataclass(frozen=True, slots=True)
class Duration:
    text: str
    years: float = 0
    months: float = 0
    weeks: float = 0
    days: float = 0
    hours: float = 0
    minutes: float = 0
    seconds: float = 0

    @property
    def calendar(self) -> bool:
        """Stated in years, months, weeks or days (calendar time, not hours of learning)."""
        return bool(self.years or self.months or self.weeks or self.days)

    @property
    def total_hours(self) -> float | None:
        """Hours, when the duration is stated in hours/minutes/seconds only."""
        if self.calendar:
            return None
        return round(self.hours + self.minutes / 60 + self.seconds / 3600, 4)

    @property
    def calendar_days(self) -> float:
        return self.years * 365 + self.months * 30.44 + self.weeks * 7 + self.days


def parse_duration(text: Any) -> Duration | None:
    """An ISO 8601 duration, or None when ``text`` is not one."""
    if not isinstance(text, str):
        return None
    m = _DURATION.match(text.strip().upper())
    if not m:
        return None
    parts = {k: float(v.replace(",", ".")) for k, v in m.groupdict().items() if v}
    return Duration(text.strip(), **parts)
