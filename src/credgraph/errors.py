"""One exception hierarchy for credgraph.

    CredgraphError                 root; every error we raise on purpose
    ├── ConfigError                a setting is missing or invalid
    ├── InputError                 bad input data; names file, record and field
    │   └── UnsupportedFormatError the file's format is not one we read
    ├── NotFoundError              an id that is not in the graph
    ├── StoreError                 the graph store failed (I/O, driver, constraint)
    │   └── StoreUnavailableError  the store cannot be reached / opened
    ├── IndexMismatchError         a persisted search index does not fit the embedder/store
    └── QueryError                 a search/API request that cannot be answered as asked

Lower-level errors (sqlite3, json, csv, faiss, the neo4j driver) are translated at the
boundary into the most specific of these with ``raise ... from exc``. Every error carries a
one-line message and an optional ``hint`` that the CLI prints on a second line.
"""

from __future__ import annotations


class CredgraphError(Exception):
    """Root of all credgraph errors."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message


class ConfigError(CredgraphError):
    """A setting is missing or invalid."""


class InputError(CredgraphError):
    """Input data is malformed or inconsistent.

    ``location`` is "file[:line[:column]]" or "file record N field F" — whatever pins it down.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        position: str | None = None,
        hint: str | None = None,
    ) -> None:
        where = ""
        if source:
            where = source + (f":{position}" if position else "")
        full = f"{where}: {message}" if where else message
        super().__init__(full, hint=hint)
        self.source = source
        self.position = position
        self.reason = message


class UnsupportedFormatError(InputError):
    """The file is not in a format credgraph reads."""


class NotFoundError(CredgraphError):
    """An id that is not in the graph."""


class StoreError(CredgraphError):
    """The graph store failed."""


class StoreUnavailableError(StoreError):
    """The graph store cannot be reached or opened."""


class IndexMismatchError(CredgraphError):
    """A persisted search index was built with another model, dimension or graph."""


class QueryError(CredgraphError):
    """A query or request that cannot be answered as asked."""
