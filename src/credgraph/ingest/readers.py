"""Low-level file reading shared by the ingesters: decompression, strict UTF-8 decoding and
CSV/JSONL parsing with errors that name the file and the position."""

from __future__ import annotations

import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from credgraph.errors import InputError

# refuse larger inputs (decompressed) instead of exhausting memory
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_JSON_LINE_BYTES = 16 * 1024 * 1024


def read_bytes(path: Path) -> bytes:
    """Whole file, gunzipped when it ends in .gz; size-limited."""
    try:
        if path.suffix == ".gz":
            with gzip.open(path, "rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        else:
            with path.open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(
            f"cannot read file: {exc}",
            source=str(path),
            hint="check that the file exists and is not a damaged archive",
        ) from exc
    if len(data) > MAX_FILE_BYTES:
        raise InputError(
            f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB",
            source=str(path),
            hint="split the file",
        )
    return data


def decode_utf8(data: bytes, path: Path) -> str:
    """Strict UTF-8 (a BOM is allowed); an error names line and column."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise InputError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x})",
            source=str(path),
            position=f"{line}:{col}",
            hint="save the file as UTF-8",
        ) from exc


def read_text(path: Path) -> str:
    return decode_utf8(read_bytes(path), path)


def iter_csv(path: Path, required: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield (line number where the record starts, row) with every value as text."""
    text = read_text(path)
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InputError(
            "NUL byte in CSV",
            source=str(path),
            position=str(line),
            hint="the file is binary or damaged",
        )
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError("empty CSV file (no header)", source=str(path)) from None
    except csv.Error as exc:
        raise InputError(f"malformed CSV header: {exc}", source=str(path), position="1") from exc
    header = [h.strip() for h in header]
    missing = [c for c in required if c not in header]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)}",
            source=str(path),
            position="1",
            hint="is this the right kind of file?",
        )
    width = len(header)
    start = reader.line_num + 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(
                f"malformed CSV: {exc}",
                source=str(path),
                position=str(reader.line_num),
                hint="check quoting around this line",
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
    """The header of a CSV file (first record), for format detection."""
    text = read_text(path)
    first = next(csv.reader(io.StringIO(text[:65536], newline="")), [])
    return [h.strip() for h in first]


def iter_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield (line number, object); a bad line stops the file with its line and column."""
    text = read_text(path)
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        if len(line) > MAX_JSON_LINE_BYTES:
            raise InputError("JSON line too long", source=str(path), position=str(number))
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(
                f"invalid JSON: {exc.msg}",
                source=str(path),
                position=f"{number}:{exc.colno}",
                hint="each line must be one JSON object",
            ) from exc
        except RecursionError as exc:
            raise InputError(
                "JSON nested too deeply", source=str(path), position=str(number)
            ) from exc
        if not isinstance(value, dict):
            raise InputError(
                f"expected a JSON object, got {type(value).__name__}",
                source=str(path),
                position=str(number),
            )
        yield number, value
