"""Low-level file reading shared by the ingesters: decompression, strict UTF-8 decoding and
CSV/JSONL parsing with errors that name the file and the position.

Files are read as a stream of lines (split at ``\\n`` only, so a U+2028 or a form feed
inside a text stays in its line), each line decoded on its own: memory stays near the size
of the records kept, not several times the file size, and an error names ``line:column``.
Limits: ``MAX_FILE_BYTES`` per file (after decompression), ``MAX_LINE_BYTES`` per line,
``MAX_JSON_DEPTH`` levels of JSON nesting.
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import re
import zlib
from collections.abc import Generator, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO

from credgraph.errors import InputError

MIB = 1024 * 1024
# refuse larger inputs (decompressed) instead of exhausting memory
MAX_FILE_BYTES = 512 * MIB
MAX_LINE_BYTES = 16 * MIB
MAX_JSON_LINE_BYTES = MAX_LINE_BYTES
# the bundled records nest at most 6 levels; JSON responses fail beyond ~250
MAX_JSON_DEPTH = 100
MAX_JSON_INT_DIGITS = 100

_BOM = b"\xef\xbb\xbf"
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_JSON_NAMES = {
    dict: "an object",
    list: "an array",
    str: "a string",
    bool: "a boolean",
    int: "a number",
    float: "a number",
    type(None): "null",
}


def _open_binary(path: Path) -> gzip.GzipFile | BinaryIO:
    if path.name.lower().endswith(".gz"):
        return gzip.open(path, "rb")
    return path.open("rb")


def _read_error(path: Path, exc: BaseException) -> InputError:
    if isinstance(exc, gzip.BadGzipFile):
        return InputError(
            f"not a gzip file ({exc})",
            source=str(path),
            hint="a .gz file must be gzip-compressed; rename it if it is plain text",
        )
    if isinstance(exc, EOFError | zlib.error):
        return InputError(
            f"damaged or truncated compressed data ({exc})",
            source=str(path),
            hint="download or copy the file again",
        )
    reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
    return InputError(
        f"cannot read file: {reason}",
        source=str(path),
        hint="check that the file exists and is readable",
    )


def iter_lines(path: Path, max_line_bytes: int = MAX_LINE_BYTES) -> Iterator[tuple[int, str]]:
    """Yield (line number, text with its line end) of a UTF-8 file (gunzipped when its name
    ends in .gz). A BOM is allowed; invalid UTF-8 names ``line:column`` (column in bytes)."""
    total = 0
    number = 0
    try:
        with _open_binary(path) as fh:
            while True:
                raw = fh.readline(max_line_bytes + 1)
                if not raw:
                    return
                number += 1
                total += len(raw)
                if total > MAX_FILE_BYTES:
                    raise InputError(
                        f"file larger than {MAX_FILE_BYTES // MIB} MiB",
                        source=str(path),
                        position=str(number),
                        hint="split the file",
                    )
                if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
                    raise InputError(
                        f"line longer than {max_line_bytes // MIB} MiB",
                        source=str(path),
                        position=str(number),
                        hint="is this a text file? a record must fit on one line",
                    )
                if number == 1 and raw.startswith(_BOM):
                    raw = raw[len(_BOM) :]
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise InputError(
                        f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
                        source=str(path),
                        position=f"{number}:{exc.start + 1}",
                        hint="save the file as UTF-8",
                    ) from exc
                yield number, text
    except (OSError, EOFError, zlib.error) as exc:
        raise _read_error(path, exc) from exc


def _csv_lines(path: Path) -> Generator[str, None, None]:
    for number, text in iter_lines(path):
        nul = text.find("\x00")
        if nul >= 0:
            raise InputError(
                "NUL byte in CSV",
                source=str(path),
                position=f"{number}:{nul + 1}",
                hint="the file is binary or damaged",
            )
        yield text


def _read_header(reader: Any, path: Path) -> list[str]:
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(
            "empty CSV file (no header)", source=str(path), hint="is this the right file?"
        ) from None
    except csv.Error as exc:
        raise InputError(
            f"malformed CSV header: {exc}",
            source=str(path),
            position="1",
            hint="check quoting in the first line",
        ) from exc
    return [h.strip() for h in header]


def iter_csv(path: Path, required: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the record starts, row) with every value as text."""
    with closing(_csv_lines(path)) as lines:
        reader = csv.reader(lines, strict=True)
        header = _read_header(reader, path)
        missing = [c for c in required if c not in header]
        if missing:
            raise InputError(
                f"missing column(s) {', '.join(missing)}",
                source=str(path),
                position="1",
                hint="is this the right kind of file?",
            )
        repeated = sorted({h for h in header if h and header.count(h) > 1})
        if repeated:
            raise InputError(
                f"column(s) {', '.join(repeated)} appear more than once in the header",
                source=str(path),
                position="1",
                hint="every column name must be unique",
            )
        width = len(header)
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                began = (
                    f" (in the record that starts at line {start})"
                    if start < reader.line_num
                    else ""
                )
                raise InputError(
                    f"malformed CSV: {exc}{began}",
                    source=str(path),
                    position=str(reader.line_num),
                    hint="check quoting: a quote may be missing or unclosed",
                ) from exc
            if not values:
                start = reader.line_num + 1
                continue
            if len(values) < width:
                # trailing empty columns are often left out (ESCO's skillsHierarchy does it)
                values = values + [""] * (width - len(values))
            if len(values) > width:
                raise InputError(
                    f"record has {len(values)} fields, header has {width}",
                    source=str(path),
                    position=str(start),
                    hint="check quoting and separators around this line",
                )
            yield start, dict(zip(header, values, strict=True))
            start = reader.line_num + 1


def csv_header(path: Path) -> list[str]:
    """The header of a CSV file (first record), for format detection; reads no further.
    An unreadable start of file (not UTF-8, damaged gzip, malformed) raises ``InputError``."""
    with closing(_csv_lines(path)) as lines:
        return _read_header(csv.reader(lines, strict=True), path)


def _json_type(value: Any) -> str:
    for kind, name in _JSON_NAMES.items():
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _json_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _json_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number {text[:20]} is out of range")
    return value


def _json_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_JSON_INT_DIGITS:
        raise ValueError(f"integer with more than {MAX_JSON_INT_DIGITS} digits")
    return int(text)


def _json_problem(value: Any, line: str) -> str | None:
    """Why a parsed JSON value cannot be stored (too deep, unpaired surrogates), or None."""
    deep = line.count("{") + line.count("[") > MAX_JSON_DEPTH
    if not deep and not _SURROGATE_ESCAPE.search(line):
        return None
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_JSON_DEPTH:
                field = re.split(r"[.\[]", where, maxsplit=1)[0]
                return f"JSON nested more than {MAX_JSON_DEPTH} levels deep (in field {field})"
            pairs = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in pairs:
                if isinstance(key, str):
                    if _is_broken_text(key):
                        return f"a key in {where or 'the record'} is not valid Unicode"
                    path = f"{where}.{key}" if where else key
                else:
                    path = f"{where}[{key}]"
                stack.append((child, path, depth + 1))
        elif isinstance(item, str) and _is_broken_text(item):
            return f"field {where} is not valid Unicode (an unpaired surrogate \\ud800-\\udfff)"
    return None


def _is_broken_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object); a bad line stops the file with its line and column.
    Blank lines are skipped. Refused: invalid JSON, NaN/Infinity and out-of-range numbers,
    texts that are not valid Unicode, nesting deeper than ``MAX_JSON_DEPTH``."""
    for number, raw in iter_lines(path, MAX_JSON_LINE_BYTES):
        line = raw.rstrip("\r\n")  # so a JSON error's column is on this line
        if not line.strip():
            continue
        try:
            value = json.loads(
                line, parse_constant=_json_constant, parse_float=_json_float, parse_int=_json_int
            )
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}",
                source=str(path),
                position=f"{number}:{exc.colno}",
                hint="each line must be one JSON object",
            ) from exc
        except RecursionError as exc:
            raise InputError(
                f"JSON nested more than {MAX_JSON_DEPTH} levels deep",
                source=str(path),
                position=str(number),
                hint="flatten the record",
            ) from exc
        except ValueError as exc:
            raise InputError(
                f"invalid JSON: {exc}",
                source=str(path),
                position=str(number),
                hint="numbers must be finite JSON numbers",
            ) from exc
        if not isinstance(value, dict):
            raise InputError(
                f"expected a JSON object, got {_json_type(value)}",
                source=str(path),
                position=str(number),
                hint="each line must be one JSON object ({...}), not a list of them",
            )
        problem = _json_problem(value, line)
        if problem:
            raise InputError(
                problem, source=str(path), position=str(number), hint="fix this record"
            )
        yield number, value


# Whole JSON documents (JSON-LD credentials, badges, CTDL): one value per file.
MAX_DOCUMENT_BYTES = 64 * MIB


def read_json_document(path: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """The JSON value of a whole file (gunzipped when its name ends in .gz). Refused with
    an ``InputError`` naming ``line:column``: invalid UTF-8, invalid JSON, NaN/Infinity and
    out-of-range numbers, nesting deeper than ``MAX_JSON_DEPTH``, texts that are not valid
    Unicode, files larger than ``max_bytes`` (decompressed). A BOM is allowed; CRLF is fine."""
    try:
        with _open_binary(path) as fh:
            raw = fh.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise _read_error(path, exc) from exc
    return parse_json_document(raw, str(path), max_bytes)


def parse_json_document(raw: bytes, source: str, max_bytes: int = MAX_DOCUMENT_BYTES) -> Any:
    """``read_json_document`` for bytes already in memory (an upload); ``source`` names it."""
    if len(raw) > max_bytes:
        raise InputError(
            f"document larger than {max_bytes // MIB} MiB",
            source=source,
            hint="a credential document is a few MiB at most; is this the right file?",
        )
    if raw.startswith(_BOM):
        raw = raw[len(_BOM) :]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})",
            source=source,
            position=f"{line}:{column}",
            hint="save the file as UTF-8",
        ) from exc
    if not text.strip():
        raise InputError("empty document", source=source, hint="the file holds no JSON")
    try:
        value = json.loads(
            text, parse_constant=_json_constant, parse_float=_json_float, parse_int=_json_int
        )
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}",
            source=source,
            position=f"{exc.lineno}:{exc.colno}",
            hint="the file must be one JSON document (check quotes, commas and brackets)",
        ) from exc
    except RecursionError as exc:
        raise InputError(
            f"JSON nested more than {MAX_JSON_DEPTH} levels deep",
            source=source,
            hint="is this a credential document?",
        ) from exc
    except ValueError as exc:
        raise InputError(
            f"invalid JSON: {exc}", source=source, hint="numbers must be finite JSON numbers"
        ) from exc
    # the depth check must see the nesting, not a line's brackets: pass a deep marker
    problem = _json_problem(value, "{" * (MAX_JSON_DEPTH + 1))
    if problem:
        raise InputError(problem, source=source, hint="fix the document")
    return value
