"""ESCO CSV bundles (any language; a folder of .csv/.csv.gz files, or the official zip).

Files are recognised by their header, not their name:
- concept files (``conceptType, conceptUri, preferredLabel``): skills, skill groups,
  occupations, ISCO groups; the language is the file name's ``_xx`` suffix (default en);
  a concept that exists already gets this language's labels merged in;
- collection files (``broaderConceptPT``): the collection becomes a tag on its concepts;
- ``skillsHierarchy`` (``Level 0 URI``): BROADER between the levels;
- ``broaderRelations*`` (``broaderUri``), ``occupationSkillRelations``,
  ``skillSkillRelations``: edges;
- the Czech occupation label file (``corpus_element_id, surface_form, conceptUri``; suffix
  ``_000`` is the preferred label) and the partial Czech skill label file.

Rows pointing to a concept absent from the graph are skipped and counted (no stub nodes).
Within a folder, concept files are loaded first so relations can find their ends.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.base import GraphStore
from credgraph.ingest.common import (
    clean_text,
    dedupe,
    progress,
    split_lines,
    split_pipes,
    write_batches,
)
from credgraph.ingest.readers import MAX_FILE_BYTES, MIB, csv_header, iter_csv
from credgraph.ingest.report import IngestReport
from credgraph.models import Edge, EdgeKind, Node, NodeKind

CONCEPT_KINDS = {
    "KnowledgeSkillCompetence": NodeKind.SKILL,
    "SkillGroup": NodeKind.SKILL_GROUP,
    "Occupation": NodeKind.OCCUPATION,
    "ISCOGroup": NodeKind.ISCO_GROUP,
}

# Load order inside a bundle: concepts before everything that points at them.
ORDER = [
    "concepts",
    "cs_occupation_labels",
    "cs_skill_labels",
    "collection",
    "hierarchy",
    "broader",
    "occupation_skill",
    "skill_skill",
]

MAX_ZIP_BYTES = 2048 * MIB  # all CSV members of a zip together, decompressed

_LANG_SUFFIX = re.compile(r"_([a-z]{2}(?:-[a-z]{2})?)\.csv(?:\.gz)?$", re.IGNORECASE)
_COLLECTION = re.compile(r"^([A-Za-z]+?)(?:Skills|Occupations)?Collection", re.IGNORECASE)


def detect_esco_file(path: Path) -> str | None:
    """The ESCO file type of a CSV from its header, or None when it is not an ESCO file.
    A file whose start cannot be read (not UTF-8, damaged gzip) raises ``InputError``."""
    header = set(csv_header(path))
    if "occupationUri" in header and "skillUri" in header:
        return "occupation_skill"
    if "originalSkillUri" in header:
        return "skill_skill"
    if "broaderUri" in header and "conceptUri" in header:
        return "broader"
    if "Level 0 URI" in header:
        return "hierarchy"
    if {"corpus_element_id", "surface_form", "conceptUri"} <= header:
        return "cs_occupation_labels"
    if "preferredLabel_cs" in header and "conceptUri" in header:
        return "cs_skill_labels"
    if "broaderConceptPT" in header and "conceptUri" in header:
        return "collection"
    if {"conceptType", "conceptUri"} <= header:
        return "concepts"  # the loader names any other missing column
    return None


def file_language(path: Path) -> str:
    match = _LANG_SUFFIX.search(path.name)
    return match.group(1).lower() if match else "en"


def collection_tag(path: Path) -> str:
    match = _COLLECTION.match(path.name)
    return match.group(1).lower() if match else path.name.split(".")[0]


def ingest_esco_file(
    store: GraphStore, path: Path, settings: Settings, file_type: str | None = None
) -> IngestReport:
    kind = file_type or detect_esco_file(path)
    if kind is None:
        raise InputError(
            "not an ESCO CSV file (header not recognised)", source=str(path), position="1"
        )
    handler = _HANDLERS[kind]
    report = IngestReport(source=str(path), format=f"esco:{kind}")
    handler(store, path, settings, report)
    return report


def ingest_esco_zip(store: GraphStore, path: Path, settings: Settings) -> list[IngestReport]:
    """The official ESCO download zip: its CSV files extracted to a temporary folder (sizes
    checked on the archive's directory first), then loaded like a folder. Reports and errors
    name ``archive.zip!member.csv``."""
    with tempfile.TemporaryDirectory() as tmp:
        files = _extract_csv_members(path, Path(tmp))
        reports = ingest_esco_files(store, files, settings, display_root=path)
    if not reports:
        raise InputError(
            "no ESCO CSV file in the zip archive",
            source=str(path),
            hint="use the CSV download of ESCO (classification, any language)",
        )
    return reports


def _extract_csv_members(path: Path, folder: Path) -> list[Path]:
    try:
        with zipfile.ZipFile(path) as archive:
            members = [
                m
                for m in archive.infolist()
                if m.filename.lower().endswith(".csv") and ".." not in m.filename
            ]
            for member in members:
                if member.file_size > MAX_FILE_BYTES:
                    raise InputError(
                        f"{member.filename} expands to {member.file_size // MIB} MiB, more "
                        f"than {MAX_FILE_BYTES // MIB} MiB",
                        source=str(path),
                        hint="is this the ESCO download?",
                    )
            if sum(m.file_size for m in members) > MAX_ZIP_BYTES:
                raise InputError(
                    f"zip expands to more than {MAX_ZIP_BYTES // MIB} MiB",
                    source=str(path),
                    hint="is this the ESCO download?",
                )
            for member in members:
                archive.extract(member, folder)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise InputError(
            f"not a valid zip archive: {exc}",
            source=str(path),
            hint="download the zip again",
        ) from exc
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
        raise InputError(
            f"cannot extract from the zip archive: {exc}",
            source=str(path),
            hint="use an unencrypted zip (stored or deflate)",
        ) from exc
    return sorted(folder.rglob("*.csv"))


def ingest_esco_files(
    store: GraphStore, files: list[Path], settings: Settings, display_root: Path | None = None
) -> list[IngestReport]:
    """ESCO CSV files in load order (files of no ESCO type are left out). With
    ``display_root`` (a zip), reports and errors name ``display_root!file``."""

    def shown(path: Path) -> str:
        return f"{display_root}!{path.name}" if display_root is not None else str(path)

    reports = []
    try:
        typed = [(f, detect_esco_file(f)) for f in files]
        known = [(f, t) for f, t in typed if t is not None]
        known.sort(key=lambda ft: (ORDER.index(ft[1] or ""), ft[0].name))
        for f, t in known:
            report = ingest_esco_file(store, f, settings, t)
            if display_root is not None:
                _rename_source(report, str(f), shown(f))
            reports.append(report)
    except InputError as exc:
        if display_root is None or exc.source is None:
            raise
        raise type(exc)(
            exc.reason, source=shown(Path(exc.source)), position=exc.position, hint=exc.hint
        ) from exc
    return reports


def _rename_source(report: IngestReport, old: str, new: str) -> None:
    report.source = new
    for problem in (*report.skipped, *report.failed):
        if problem.location.startswith(old):
            problem.location = new + problem.location[len(old) :]


# -- concept files ------------------------------------------------------------------------


def _concept_node(row: dict[str, str], kind: NodeKind, lang: str) -> Node:
    uri = row["conceptUri"].strip()
    node = Node(id=uri, kind=kind)
    label = row.get("preferredLabel", "")
    if label.strip():
        node.labels[lang] = label
    alts = split_lines(row.get("altLabels"))
    if alts:
        node.alt_labels[lang] = alts
    hidden = split_lines(row.get("hiddenLabels"))
    if hidden:
        node.hidden_labels[lang] = hidden
    desc = (row.get("description") or "").strip()
    if desc:
        node.descriptions[lang] = desc
    props: dict[str, object] = {"source": "esco", "esco_version": "v1.1.1"}
    for column, prop in (
        ("status", "status"),
        ("skillType", "skill_type"),
        ("reuseLevel", "reuse_level"),
        ("code", "code"),
        ("iscoGroup", "isco_code"),
        ("scopeNote", "scope_note"),
        ("regulatedProfessionNote", "regulated_profession_note"),
    ):
        value = clean_text(row.get(column))
        if value:
            props[prop] = value
    node.props = props
    return node


def _merge_language(old: Node, new: Node, lang: str) -> Node:
    """``old`` with ``new``'s ``lang`` texts and props; other languages untouched."""
    merged = Node.from_dict(old.to_dict())
    for field in ("labels", "alt_labels", "hidden_labels", "descriptions"):
        target = getattr(merged, field)
        target.pop(lang, None)
        value = getattr(new, field).get(lang)
        if value:
            target[lang] = value
    keep = {k: merged.props[k] for k in ("collections",) if k in merged.props}
    merged.props = {**merged.props, **new.props, **keep}
    return merged


def _load_concepts(store: GraphStore, path: Path, settings: Settings, report: IngestReport) -> None:
    lang = file_language(path)
    rows = list(iter_csv(path, required=("conceptType", "conceptUri", "preferredLabel")))
    nodes: dict[str, Node] = {}
    for line, row in progress(rows, path.name, settings.progress):
        report.rows_read += 1
        where = f"{path}:{line}"
        uri = row["conceptUri"].strip()
        kind = CONCEPT_KINDS.get(row["conceptType"].strip())
        if not uri:
            report.fail(where, "empty conceptUri")
            continue
        if kind is None:
            report.fail(where, f"unknown conceptType {row['conceptType']!r}")
            continue
        nodes[uri] = _concept_node(row, kind, lang)
        report.rows_stored += 1
    existing = {n.id: n for n in store.get_nodes(list(nodes))}
    out = [_merge_language(existing[i], n, lang) if i in existing else n for i, n in nodes.items()]
    write_batches(store, out, [], report, batch_size=settings.write_batch_size)


def _load_label_rows(
    store: GraphStore,
    path: Path,
    settings: Settings,
    report: IngestReport,
    rows: list[tuple[int, str, str, bool]],
    lang: str,
) -> None:
    """Merge (line, uri, label, is_preferred) rows as ``lang`` labels of existing concepts."""
    per_concept: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
    lines: dict[str, list[int]] = defaultdict(list)
    for line, uri, label, preferred in rows:
        per_concept[uri][0 if preferred else 1].append(label)
        if line not in lines[uri]:  # one CSV record may hold several labels
            lines[uri].append(line)
    existing = {n.id: n for n in store.get_nodes(list(per_concept))}
    out: list[Node] = []
    for uri, (prefs, alts) in per_concept.items():
        node = existing.get(uri)
        if node is None:
            for line in lines[uri]:
                report.skip(
                    f"{path}:{line}",
                    f"concept {uri} is not in the graph",
                    key="concept absent from the graph",
                )
            continue
        update = Node(id=uri, kind=node.kind)
        labels = dedupe(prefs)
        alt = [a for a in dedupe(alts) if a not in labels]
        if labels:
            update.labels[lang] = labels[0]
            alt = labels[1:] + alt
        elif alt:
            update.labels[lang] = alt.pop(0)
        if alt:
            update.alt_labels[lang] = alt
        merged = _merge_language(node, update, lang)
        merged.props = node.props
        merged.hidden_labels = node.hidden_labels
        merged.descriptions = node.descriptions
        out.append(merged)
        report.rows_stored += len(lines[uri])
    write_batches(store, out, [], report, batch_size=settings.write_batch_size)


def _load_cs_occupation_labels(
    store: GraphStore, path: Path, settings: Settings, report: IngestReport
) -> None:
    rows: list[tuple[int, str, str, bool]] = []
    for line, row in iter_csv(path, required=("corpus_element_id", "surface_form", "conceptUri")):
        report.rows_read += 1
        uri, label = row["conceptUri"].strip(), row["surface_form"]
        if not uri or not label.strip():
            report.fail(f"{path}:{line}", "empty conceptUri or surface_form")
            continue
        rows.append((line, uri, label.strip(), row["corpus_element_id"].strip().endswith("_000")))
    _load_label_rows(store, path, settings, report, rows, "cs")


def _load_cs_skill_labels(
    store: GraphStore, path: Path, settings: Settings, report: IngestReport
) -> None:
    rows: list[tuple[int, str, str, bool]] = []
    for line, row in iter_csv(path, required=("conceptUri", "preferredLabel_cs")):
        report.rows_read += 1
        uri, label = row["conceptUri"].strip(), row["preferredLabel_cs"].strip()
        if not uri or not label:
            report.fail(f"{path}:{line}", "empty conceptUri or preferredLabel_cs")
            continue
        rows.append((line, uri, label, True))
        rows.extend((line, uri, alt, False) for alt in split_lines(row.get("altLabels_cs")))
    _load_label_rows(store, path, settings, report, rows, "cs")


def _load_collection(
    store: GraphStore, path: Path, settings: Settings, report: IngestReport
) -> None:
    tag = collection_tag(path)
    lines: dict[str, int] = {}
    for line, row in iter_csv(path, required=("conceptUri",)):
        report.rows_read += 1
        uri = row["conceptUri"].strip()
        if not uri:
            report.fail(f"{path}:{line}", "empty conceptUri")
            continue
        lines.setdefault(uri, line)
        split_pipes(row.get("altLabels"))  # validated shape only; labels come from main files
    existing = {n.id: n for n in store.get_nodes(list(lines))}
    out = []
    for uri, line in lines.items():
        node = existing.get(uri)
        if node is None:
            report.skip(
                f"{path}:{line}",
                f"concept {uri} is not in the graph",
                key="concept absent from the graph",
            )
            continue
        tags = list(node.props.get("collections") or [])
        if tag not in tags:
            tags.append(tag)
            node.props["collections"] = sorted(tags)
        out.append(node)
        report.rows_stored += 1
    write_batches(store, out, [], report, batch_size=settings.write_batch_size)


# -- relation files -----------------------------------------------------------------------


def _load_edges(
    store: GraphStore,
    path: Path,
    settings: Settings,
    report: IngestReport,
    rows: list[tuple[int, Edge | None]],
) -> None:
    ends = {e.source for _, e in rows if e} | {e.target for _, e in rows if e}
    present = store.has_nodes(ends)
    edges: dict[tuple[str, str, str], Edge] = {}
    for line, edge in rows:
        if edge is None:
            continue
        missing = [x for x in (edge.source, edge.target) if x not in present]
        if missing:
            report.skip(
                f"{path}:{line}",
                f"{missing[0]} is not in the graph",
                key="concept absent from the graph",
            )
            continue
        edges[edge.key] = edge
        report.rows_stored += 1
    write_batches(store, [], list(edges.values()), report, batch_size=settings.write_batch_size)


def _relation_loader(
    columns: tuple[str, str], kind: EdgeKind, props: Callable[[dict[str, str]], dict[str, object]]
) -> Callable[[GraphStore, Path, Settings, IngestReport], None]:
    def load(store: GraphStore, path: Path, settings: Settings, report: IngestReport) -> None:
        rows: list[tuple[int, Edge | None]] = []
        for line, row in progress(
            list(iter_csv(path, required=columns)), path.name, settings.progress
        ):
            report.rows_read += 1
            source, target = row[columns[0]].strip(), row[columns[1]].strip()
            if not source or not target:
                report.fail(f"{path}:{line}", f"empty {columns[0]} or {columns[1]}")
                rows.append((line, None))
                continue
            rows.append((line, Edge(source, kind, target, props(row))))
        _load_edges(store, path, settings, report, rows)

    return load


def _relation_props(row: dict[str, str]) -> dict[str, object]:
    relation = row.get("relationType", "").strip()
    return {"relation": relation} if relation else {}


def _load_hierarchy(
    store: GraphStore, path: Path, settings: Settings, report: IngestReport
) -> None:
    rows: list[tuple[int, Edge | None]] = []
    for line, row in iter_csv(path, required=("Level 0 URI",)):
        report.rows_read += 1
        uris = [row.get(f"Level {i} URI", "").strip() for i in range(4)]
        uris = [u for u in uris if u]
        if len(uris) < 2:
            # a top-level group: nothing to link; counted as stored (its node exists)
            rows.append((line, None))
            report.rows_stored += 1
            continue
        rows.append((line, Edge(uris[-1], EdgeKind.BROADER, uris[-2], {})))
    _load_edges(store, path, settings, report, rows)


_HANDLERS: dict[str, Callable[[GraphStore, Path, Settings, IngestReport], None]] = {
    "concepts": _load_concepts,
    "cs_occupation_labels": _load_cs_occupation_labels,
    "cs_skill_labels": _load_cs_skill_labels,
    "collection": _load_collection,
    "hierarchy": _load_hierarchy,
    "broader": _relation_loader(("conceptUri", "broaderUri"), EdgeKind.BROADER, lambda row: {}),
    "occupation_skill": _relation_loader(
        ("occupationUri", "skillUri"), EdgeKind.REQUIRES, _relation_props
    ),
    "skill_skill": _relation_loader(
        ("originalSkillUri", "relatedSkillUri"), EdgeKind.RELATED_SKILL, _relation_props
    ),
}
