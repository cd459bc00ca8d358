"""Reading Open Badges and CTDL JSON-LD documents in compact form, by property names, with
errors that name the JSON path ("$.credentialSubject.achievement.name").

Nothing is expanded against a remote context and nothing is fetched. Two small pieces of
JSON-LD processing are done locally because the samples need them:

- compact IRIs whose prefix the document defines inline (``{"res": "https://…/resources/"}``
  in its ``@context``) are expanded, so ``res:ce-1`` and ``https://…/resources/ce-1`` are the
  same reference; blank node labels (``_:x``) are scoped to the document
  (``LinkedDocument.iri``);
- a document in *expanded* form (full IRIs as keys, values as ``[{"@value": …}]``, as some
  CTDL tools write it) is rewritten to the compact names (``compact_expanded``).

Type errors: ``JsonReader`` / ``LinkedDocument`` methods raise ``InputError`` (position =
the JSON path) when a field that is read has a JSON type the format does not allow (a name
that is a number, an alignment that is a string); absent fields are simply absent.
Detection helpers (``context_strings``, ``type_names``, ``uses_vocabulary``) never raise.
"""

from __future__ import annotations

import json
import re
from typing import Any

from credgraph.errors import InputError
from credgraph.ingest.common import clean_text, short_hash
from credgraph.ingest.credentials import ESCO_OCCUPATION, ESCO_SKILL
from credgraph.ingest.jsonld import ISO639_3_TO_1
from credgraph.models import LangMap

UNDETERMINED = "und"  # ISO 639-2: the text's language is not stated
Node = dict[str, Any]

_LANG_TAG = re.compile(r"^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*$")
_PREFIX = re.compile(r"[A-Za-z][\w.-]*")  # a term that may be a prefix ("res")
_ABSOLUTE = re.compile(r"[a-z][a-z0-9+.-]*:")  # an IRI with a scheme
_ESCO = re.compile(r"^https?://data\.europa\.eu/esco/(skill|occupation)/([^\s/#?]+)$")

# namespaces of expanded CTDL documents -> the prefixes the compact form uses
NAMESPACES = {
    f"{scheme}://{base}": prefix
    for scheme in ("https", "http")
    for base, prefix in (
        ("purl.org/ctdl/terms/", "ceterms:"),
        ("purl.org/ctdlasn/terms/", "ceasn:"),
        ("purl.org/ASN/schema/core/", "asn:"),
        ("www.w3.org/2004/02/skos/core#", "skos:"),
        ("schema.org/", "schema:"),
    )
}


def json_type(value: Any) -> str:
    if isinstance(value, bool):  # before int: bool is an int subclass
        return "a boolean"
    names = {dict: "an object", list: "an array", str: "a string", type(None): "null"}
    return "a number" if isinstance(value, int | float) else names.get(type(value), "a value")


def language_code(tag: Any) -> str | None:
    """A BCP 47 / ISO 639 language tag as ISO 639-1 (``en-US`` -> ``en``, ``ces`` -> ``cs``)."""
    if not isinstance(tag, str) or not _LANG_TAG.match(tag.strip()):
        return None
    base = re.split(r"[-_]", tag.strip(), maxsplit=1)[0]
    if len(base) == 2:
        return base.lower()
    return ISO639_3_TO_1.get(base.upper())


def text_language(tag: Any) -> str:
    """The key a text is filed under: its two-letter language, else the tag lower-cased."""
    code = language_code(tag)
    if code:
        return code
    return tag.strip().lower() if isinstance(tag, str) and tag.strip() else UNDETERMINED


def esco_target(url: Any) -> tuple[str, str] | None:
    """("skill" | "occupation", canonical http URI) when ``url`` is an ESCO concept URI."""
    if not isinstance(url, str):
        return None
    m = _ESCO.match(url.strip())
    if not m:
        return None
    base = ESCO_SKILL if m.group(1) == "skill" else ESCO_OCCUPATION
    return m.group(1), base + m.group(2)


def context_strings(doc: Any) -> list[str]:
    """The IRIs named in a document's ``@context`` (strings only, inline objects skipped)."""
    if not isinstance(doc, dict):
        return []
    ctx = doc.get("@context")
    items = ctx if isinstance(ctx, list) else [ctx]
    return [c for c in items if isinstance(c, str)]


def type_names(node: Any) -> list[str]:
    """The ``type`` / ``@type`` strings of a node as written (never raises)."""
    if not isinstance(node, dict):
        return []
    out: list[str] = []
    for key in ("@type", "type"):
        value = node.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and item.strip():
                out.append(item.strip())
    return out


def local_name(name: str) -> str:
    """``ceterms:Course`` / ``https://…/terms/Course`` -> ``Course``."""
    return re.split(r"[:/#]", name)[-1]


def inline_prefixes(doc: Any) -> dict[str, str]:
    """Prefix definitions in the document's inline ``@context`` objects."""
    if not isinstance(doc, dict):
        return {}
    ctx = doc.get("@context")
    out: dict[str, str] = {}
    for item in ctx if isinstance(ctx, list) else [ctx]:
        if not isinstance(item, dict):
            continue
        for key, value in item.items():
            if isinstance(value, str) and _PREFIX.fullmatch(key) and _ABSOLUTE.match(value):
                out[key] = value
    return out


def compact_expanded(value: Any) -> Any:
    """An expanded JSON-LD value rewritten with the compact CTDL names: full-IRI keys and
    types become ``ceterms:name`` …, ``{"@value": v}`` without a language becomes ``v``;
    language-tagged values and ``{"@id": …}`` references stay objects (the readers take them).
    Compact documents pass through unchanged (apart from keys that are full CTDL IRIs)."""
    if isinstance(value, list):
        return [compact_expanded(v) for v in value]
    if not isinstance(value, dict):
        return value
    if "@value" in value and "@language" not in value:
        return value["@value"]
    out: Node = {}
    for key, item in value.items():
        name = _compact_name(key) if isinstance(key, str) else key
        if name in ("@type", "type"):
            types = item if isinstance(item, list) else [item]
            out[name] = [_compact_name(t) if isinstance(t, str) else t for t in types]
            continue
        if name != key and isinstance(item, list) and len(item) == 1:
            item = item[0]  # expanded form wraps every value in an array
        out[name] = compact_expanded(item)
    return out


def _compact_name(name: str) -> str:
    for base, prefix in NAMESPACES.items():
        if name.startswith(base) and len(name) > len(base):
            return prefix + name[len(base) :]
    return name


class JsonReader:
    """Typed access to the fields of one document; errors name ``source`` and the path."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, path: str, message: str) -> InputError:
        return InputError(message, source=self.source, position=path)

    def wrong(self, path: str, expected: str, value: Any) -> InputError:
        return self.error(path, f"expected {expected}, got {json_type(value)}")

    def items(self, value: Any, path: str) -> list[tuple[str, Any]]:
        """One value or a list of values, each with its path; null/absent is no value."""
        if value is None:
            return []
        if isinstance(value, list):
            return [(f"{path}[{i}]", v) for i, v in enumerate(value) if v is not None]
        return [(path, value)]

    def objects(self, value: Any, path: str) -> list[tuple[str, Node]]:
        """Objects (one or a list); any other item is an error."""
        out: list[tuple[str, Node]] = []
        for where, item in self.items(value, path):
            if not isinstance(item, dict):
                raise self.wrong(where, "an object", item)
            out.append((where, item))
        return out

    def string(self, value: Any, path: str) -> str | None:
        """A string (trimmed; empty is None); ``{"@value": "…"}`` and ``{"@id": "…"}`` too."""
        if isinstance(value, dict) and ("@value" in value or "@id" in value):
            value = value.get("@value", value.get("@id"))
        if value is None:
            return None
        if not isinstance(value, str):
            raise self.wrong(path, "a string", value)
        return value.strip() or None

    def strings(self, value: Any, path: str) -> list[str]:
        out = [self.string(v, p) for p, v in self.items(value, path)]
        return [s for s in out if s]

    def number(self, value: Any, path: str) -> float | None:
        """A JSON number, or a string that is one ("3", "7.5"); anything else is an error."""
        if isinstance(value, dict) and "@value" in value:
            value = value.get("@value")
        if value is None:
            return None
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                pass
        raise self.wrong(path, "a number", value)

    def plain_text(self, value: Any, path: str, lang: str) -> LangMap:
        """A text given as one string (filed under ``lang``) or one ``@value`` object."""
        if value is None:
            return {}
        if isinstance(value, dict) and isinstance(value.get("@value"), str):
            tag = value.get("@language")
            return self._put({}, text_language(tag) if tag else lang, value["@value"])
        if not isinstance(value, str):
            raise self.wrong(path, "a string", value)
        return self._put({}, lang, value)

    def lang_texts(self, value: Any, path: str, lang: str = UNDETERMINED) -> LangMap:
        """A language map (``{"en-US": "…"}``, values may be lists), a string (filed under
        ``lang``), ``@value`` objects, or a list of these. Several texts in one language are
        joined by a new line; language keys become two-letter codes (``en-US`` -> ``en``)."""
        out: LangMap = {}
        for tag, text in self.text_items(value, path, lang):
            out[tag] = f"{out[tag]}\n{text}" if tag in out and text not in out[tag] else text
        return out

    def text_items(self, value: Any, path: str, lang: str = UNDETERMINED) -> list[tuple[str, str]]:
        """(language, text) pairs of a text field, in document order."""
        out: list[tuple[str, str]] = []
        for where, item in self.items(value, path):
            if isinstance(item, str):
                if clean_text(item):
                    out.append((lang, item.strip()))
            elif isinstance(item, dict) and "@value" in item:
                text, tag = item.get("@value"), item.get("@language")
                if not isinstance(text, str):
                    raise self.wrong(f"{where}.@value", "a string", text)
                if clean_text(text):
                    out.append((text_language(tag) if tag else lang, text.strip()))
            elif isinstance(item, dict) and not ({"@id", "id", "@type", "type"} & item.keys()):
                for key, texts in item.items():
                    if not _LANG_TAG.match(key):
                        raise self.error(where, f"{key[:40]!r} is not a language tag")
                    for sub, text in self.items(texts, f"{where}.{key}"):
                        if not isinstance(text, str):
                            raise self.wrong(sub, "a string", text)
                        if clean_text(text):
                            out.append((text_language(key), text.strip()))
            else:
                raise self.wrong(where, "a text or a language map", item)
        return out

    @staticmethod
    def _put(out: LangMap, lang: str, text: str) -> LangMap:
        if clean_text(text):
            out[lang] = text.strip()
        return out


def first_text(texts: LangMap, prefer: tuple[str, ...] = ("en", "cs")) -> str | None:
    """One text of a language map for messages and joins (English, Czech, else any)."""
    for lang in prefer:
        if texts.get(lang):
            return texts[lang]
    return next(iter(texts.values()), None)


def number_text(value: float) -> str:
    """3.0 -> "3", 7.5 -> "7.5" (as the source wrote the number, without a trailing .0)."""
    return f"{value:g}" if abs(value) < 1e15 else str(value)


class LinkedDocument:
    """One document's nodes by IRI, for resolving references inside it.

    IRIs are normalised the same way everywhere (``iri``): compact IRIs with a prefix the
    document defines inline are expanded, blank node labels become
    ``urn:credgraph:blank:<hash of the document>:<label>`` (a blank label means nothing
    outside its document, so two files that both say ``_:LOP_1`` are two things)."""

    def __init__(self, reader: JsonReader, doc: Any) -> None:
        self.reader = reader
        self.doc = doc
        self.prefixes = inline_prefixes(doc)
        self._scope: str | None = None
        self.index: dict[str, Node] = {}
        stack: list[Any] = [doc]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                ident = item.get("@id", item.get("id"))
                if isinstance(ident, str) and ident.strip():
                    key = self.iri(ident)
                    known = self.index.get(key)
                    if known is None or len(item) > len(known):
                        self.index[key] = item
                stack.extend(reversed(list(item.values())))

    def iri(self, raw: str) -> str:
        raw = raw.strip()
        if raw.startswith("_:"):
            if self._scope is None:
                self._scope = short_hash(json.dumps(self.doc, sort_keys=True, default=str))
            return f"urn:credgraph:blank:{self._scope}:{raw[2:]}"
        prefix, sep, rest = raw.partition(":")
        if sep and prefix in self.prefixes and not rest.startswith("//"):
            return self.prefixes[prefix] + rest
        return raw

    def ref(self, value: Any, path: str) -> str | None:
        """The IRI of a reference: a string, or an object's ``@id`` / ``id``."""
        if value is None:
            return None
        if isinstance(value, str):
            return self.iri(value) if value.strip() else None
        if isinstance(value, dict):
            ident = value.get("@id", value.get("id"))
            if ident is None:
                return None
            if not isinstance(ident, str):
                raise self.reader.wrong(f"{path}.@id", "an IRI (a string)", ident)
            return self.iri(ident) if ident.strip() else None
        raise self.reader.wrong(path, "an IRI or an object", value)

    def refs(self, value: Any, path: str) -> list[str]:
        found = [self.ref(v, p) for p, v in self.reader.items(value, path)]
        return list(dict.fromkeys(r for r in found if r))

    def node(self, value: Any, path: str) -> Node | None:
        """The object a value describes: itself when embedded, else the indexed node."""
        if isinstance(value, dict) and not set(value) <= {"@id", "id"}:
            return value
        ident = self.ref(value, path)
        return self.index.get(ident) if ident else None

    # a node's fields by key, with the JSON path of the field for errors

    def field(self, node: Node, key: str, path: str) -> list[tuple[str, Any]]:
        return self.reader.items(node.get(key), f"{path}.{key}")

    def field_objects(self, node: Node, key: str, path: str) -> list[tuple[str, Node]]:
        return self.reader.objects(node.get(key), f"{path}.{key}")

    def field_string(self, node: Node, key: str, path: str) -> str | None:
        return self.reader.string(node.get(key), f"{path}.{key}")

    def field_strings(self, node: Node, key: str, path: str) -> list[str]:
        return self.reader.strings(node.get(key), f"{path}.{key}")

    def field_number(self, node: Node, key: str, path: str) -> float | None:
        return self.reader.number(node.get(key), f"{path}.{key}")

    def field_texts(self, node: Node, key: str, path: str, lang: str = UNDETERMINED) -> LangMap:
        return self.reader.lang_texts(node.get(key), f"{path}.{key}", lang)

    def field_text(self, node: Node, key: str, path: str) -> str | None:
        """One text of a text field (English, Czech, else any language)."""
        return first_text(self.field_texts(node, key, path))

    def field_refs(self, node: Node, key: str, path: str) -> list[str]:
        return self.refs(node.get(key), f"{path}.{key}")

    def field_ref(self, node: Node, key: str, path: str) -> str | None:
        found = self.field_refs(node, key, path)
        return found[0] if found else None

    def top_nodes(self, base: str = "$") -> tuple[list[tuple[str, Node]], dict[str, str | None]]:
        """The document's top nodes (``@graph`` members, a top-level array's items, a W3C
        VC's ``credentialSubject[*].achievement``, else the document itself) and, for a VC,
        its dates (``issuanceDate`` …; the VC is then an issued credential). Nothing else of a
        VC's subject is read: it is the learner."""
        doc = self.doc
        if isinstance(doc, list):
            return self.reader.objects(doc, base), {}
        if not isinstance(doc, dict):
            raise self.reader.wrong(base, "a JSON-LD document (an object or an array)", doc)
        if "@graph" in doc:
            if not isinstance(doc["@graph"], list | dict):
                raise self.reader.wrong(f"{base}.@graph", "an array of nodes", doc["@graph"])
            return self.field_objects(doc, "@graph", base), {}
        if "credentialSubject" not in doc:
            return [(base, doc)], {}
        keys = ("issuanceDate", "validFrom", "validUntil", "expirationDate")
        dates = {key: self.field_string(doc, key, base) for key in keys}
        tops = []
        for spath, subject in self.field_objects(doc, "credentialSubject", base):
            tops += self.field_objects(subject, "achievement", spath)
        return tops, dates

    def concept(self, value: Any, path: str, labels: tuple[str, ...]) -> str | None:
        """A controlled-vocabulary value as text: the term itself, else the first of the
        ``labels`` fields of the concept / alignment object, else its IRI."""
        for where, item in self.reader.items(value, path):
            if isinstance(item, str):
                return item.strip() or None
            node = self.node(item, where) or {}
            for key in labels:
                text = self.field_text(node, key, where)
                if text:
                    return text
            return self.ref(item, where)
        return None


def uses_vocabulary(doc: Any, contexts: tuple[str, ...], prefixes: tuple[str, ...]) -> bool:
    """Whether a document names one of ``contexts`` in its ``@context``, or its top nodes
    (the document, ``@graph`` members, array items, a VC's achievements, a registry
    envelope's ``decoded_resource``) use keys or types starting with ``prefixes``."""
    stack: list[tuple[Any, int]] = [(doc, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, list):
            stack.extend((n, depth) for n in node[:100])
        if not isinstance(node, dict) or depth > 3:
            continue
        if any(m in c for c in context_strings(node) for m in contexts):
            return True
        names = [k for k in node if isinstance(k, str)] + type_names(node)
        if any(name.startswith(prefixes) for name in names):
            return True
        for key in ("@graph", "credentialSubject", "achievement", "decoded_resource"):
            stack.append((node.get(key), depth + 1))
    return False
