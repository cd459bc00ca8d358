"""Files of a retrieval evaluation: corpus and queries (TSV), judgements (TREC qrels) and
the ranking written back (TREC run).

- corpus: ``id<TAB>text`` per line. An id may appear on several lines: each line is one
  text of that item (say its English and its Czech label), as an entity of the graph has
  several labels; the item scores by its best text. The same id with the same text twice
  is an error.
- queries: ``qid<TAB>text`` per line; a qid appears once.
- qrels: ``qid iteration docid relevance`` separated by spaces or tabs (the iteration
  column is ignored, usually ``0``); relevance is an integer, graded allowed, > 0 means
  relevant; every qid must be in the queries and every docid in the corpus; a (qid,
  docid) pair appears once.
- run (written): ``qid Q0 docid rank score tag``, rank from 1.

Blank lines and lines starting with ``#`` are skipped in all three inputs. Ids must not
contain whitespace (the TREC formats separate fields by whitespace). Files are UTF-8
(a byte-order mark is accepted). Every problem is an ``InputError`` naming the file and,
where there is one, the line.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from credgraph.errors import InputError

TSV_HINT = "each line holds an id, one tab, then the text"
QRELS_HINT = "each qrels line holds: query id, 0, document id, relevance (an integer)"


@dataclass(slots=True)
class Corpus:
    """Texts per item id, in the order the ids first appear."""

    texts: dict[str, list[str]] = field(default_factory=dict)
    lines: int = 0  # rows read (one per text)

    def __len__(self) -> int:
        return len(self.texts)


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, text) of the lines that are not blank or comments."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError("file not found", source=str(path), hint="check the path") from exc
    except IsADirectoryError as exc:
        raise InputError("is a folder, not a file", source=str(path), hint=TSV_HINT) from exc
    except OSError as exc:
        raise InputError(
            f"cannot read: {exc.strerror or exc}", source=str(path), hint="check the path"
        ) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    for number, chunk in enumerate(raw.split(b"\n"), start=1):
        try:
            line = chunk.decode("utf-8").rstrip("\r")
        except UnicodeDecodeError as exc:
            raise InputError(
                "not valid UTF-8", source=str(path), position=str(number), hint="save it as UTF-8"
            ) from exc
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        yield number, line


def _check_id(value: str, what: str, path: Path, number: int) -> str:
    if not value:
        raise InputError(f"empty {what}", source=str(path), position=str(number), hint=TSV_HINT)
    if any(c.isspace() for c in value):
        raise InputError(
            f"{what} {value!r} contains whitespace",
            source=str(path),
            position=str(number),
            hint="ids must not contain spaces or tabs (the TREC qrels and run formats "
            "separate fields by whitespace)",
        )
    return value


def _id_and_text(line: str, what: str, path: Path, number: int) -> tuple[str, str]:
    parts = line.split("\t")
    if len(parts) != 2:
        raise InputError(
            f"expected 2 tab-separated fields ({what}, text), found {len(parts)}",
            source=str(path),
            position=str(number),
            hint=TSV_HINT,
        )
    ident = _check_id(parts[0].strip(), what, path, number)
    text = parts[1].strip()
    if not text:
        raise InputError(
            f"empty text for {what} {ident!r}",
            source=str(path),
            position=str(number),
            hint=TSV_HINT,
        )
    return ident, text


def read_corpus(path: Path) -> Corpus:
    corpus = Corpus()
    first_line: dict[tuple[str, str], int] = {}
    for number, line in _lines(path):
        ident, text = _id_and_text(line, "id", path, number)
        earlier = first_line.setdefault((ident, text), number)
        if earlier != number:
            raise InputError(
                f"duplicate row: id {ident!r} already has this text on line {earlier}",
                source=str(path),
                position=str(number),
                hint="give each text of an item once",
            )
        corpus.texts.setdefault(ident, []).append(text)
        corpus.lines += 1
    if not corpus.texts:
        raise InputError("the corpus has no rows", source=str(path), hint=TSV_HINT)
    return corpus


@dataclass(slots=True)
class Queries:
    """Query texts by id, in file order, and the line each came from."""

    texts: dict[str, str] = field(default_factory=dict)
    line: dict[str, int] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.texts)


def read_queries(path: Path) -> Queries:
    queries = Queries()
    for number, line in _lines(path):
        qid, text = _id_and_text(line, "query id", path, number)
        if qid in queries.texts:
            raise InputError(
                f"duplicate query id {qid!r} (first on line {queries.line[qid]})",
                source=str(path),
                position=str(number),
                hint="give every query its own id",
            )
        queries.texts[qid] = text
        queries.line[qid] = number
    if not queries.texts:
        raise InputError("the queries file has no rows", source=str(path), hint=TSV_HINT)
    return queries


def read_qrels(path: Path, queries: Queries, corpus: Corpus) -> dict[str, dict[str, int]]:
    """Judgements per query id: {qid: {docid: relevance}}, checked against the inputs."""
    qrels: dict[str, dict[str, int]] = {}
    for number, line in _lines(path):
        where = {"source": str(path), "position": str(number)}
        parts = line.split()
        if len(parts) != 4:
            raise InputError(
                f"expected 4 whitespace-separated fields, found {len(parts)}",
                hint=QRELS_HINT,
                **where,
            )
        qid, _, docid, grade = parts
        try:
            relevance = int(grade)
        except ValueError as exc:
            raise InputError(
                f"relevance {grade!r} is not an integer", hint=QRELS_HINT, **where
            ) from exc
        if qid not in queries.texts:
            raise InputError(
                f"query id {qid!r} is not in the queries file",
                hint="judge only the queries given with --queries",
                **where,
            )
        if docid not in corpus.texts:
            raise InputError(
                f"document id {docid!r} is not in the corpus",
                hint="judge only documents of the corpus given with --corpus",
                **where,
            )
        judged = qrels.setdefault(qid, {})
        if docid in judged:
            raise InputError(
                f"query {qid!r} judges document {docid!r} twice",
                hint="give each (query, document) pair once",
                **where,
            )
        judged[docid] = relevance
    if not qrels:
        raise InputError("the qrels file has no judgements", source=str(path), hint=QRELS_HINT)
    return qrels


def write_run(path: Path, rankings: Mapping[str, Sequence[tuple[str, float]]], tag: str) -> None:
    """A TREC run file that appears only once complete (a failed write leaves none)."""
    folder = path.parent if str(path.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise InputError(
            f"cannot write the run file: {exc.strerror or exc}",
            source=str(path),
            hint="give --run-out a path in an existing, writable folder",
        ) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            for qid, ranking in rankings.items():
                for rank, (docid, score) in enumerate(ranking, start=1):
                    fh.write(f"{qid} Q0 {docid} {rank} {score:.6f} {tag}\n")
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp makes the file private
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise InputError(
            f"cannot write the run file: {exc.strerror or exc}",
            source=str(path),
            hint="give --run-out a path in an existing, writable folder",
        ) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
