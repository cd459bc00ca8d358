"""Request dependencies: the app's store, search service and settings; the API key check;
id and language parameters shared by several routes."""

from __future__ import annotations

import hmac
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, HTTPException, Query, Request
from fastapi.security import APIKeyHeader

from credgraph.api.errors import ParameterError
from credgraph.config import Settings
from credgraph.errors import NotFoundError, StoreUnavailableError
from credgraph.graph.base import GraphStore
from credgraph.models import Node, expand_id
from credgraph.search.service import SearchService

if TYPE_CHECKING:
    from credgraph.reasoning.service import Reasoner

API_KEY_HEADER = "X-API-Key"

# Query parameters that may be repeated (each value may also be a comma-separated list).
LIST_PARAMETERS = frozenset({"kind", "edge_kind"})


@dataclass(slots=True)
class ApiContext:
    """What the routes work with; set on ``app.state.credgraph``."""

    settings: Settings
    store: GraphStore
    search: SearchService
    _reasoner: Reasoner | None = None

    @property
    def reasoner(self) -> Reasoner:
        """Built on first use (loads the reasoning view of the graph)."""
        if self._reasoner is None:
            from credgraph.reasoning.service import Reasoner

            self._reasoner = Reasoner(self.store, self.settings, self.search.embedder)
        return self._reasoner


def get_context(request: Request) -> ApiContext:
    context = getattr(request.app.state, "credgraph", None)
    if not isinstance(context, ApiContext):
        # create_app() without store/search opens them at startup; a client that skipped
        # the lifespan (TestClient outside `with`) gets this instead of an AttributeError
        raise StoreUnavailableError(
            "the API has not finished starting up", hint="retry in a moment"
        )
    return context


Context = Annotated[ApiContext, Depends(get_context)]


def single_valued_parameters(request: Request) -> None:
    """Refuse a repeated query parameter (``limit=5&limit=7``) other than the list ones:
    taking the first or the last would be a silent guess."""
    seen: set[str] = set()
    for name, _ in request.query_params.multi_items():
        if name in seen and name not in LIST_PARAMETERS:
            raise ParameterError(
                name,
                f"parameter {name} is given more than once",
                hint=f"give it once; only {' and '.join(sorted(LIST_PARAMETERS))} may repeat",
            )
        seen.add(name)


_api_key_header = APIKeyHeader(
    name=API_KEY_HEADER, auto_error=False, description="Needed by endpoints that change data."
)


def require_api_key(
    context: Context, key: Annotated[str | None, Depends(_api_key_header)] = None
) -> None:
    """Allow the request only with the configured ``X-API-Key``.

    No key configured (``CREDGRAPH_API_KEY`` unset) → 403: writing is switched off.
    Missing or wrong key → 401.
    """
    expected = context.settings.api_key
    if expected is None or not expected.get_secret_value():
        raise HTTPException(
            403, "this server accepts no changes: no API key is configured (set CREDGRAPH_API_KEY)"
        )
    if key is None or not hmac.compare_digest(key.encode(), expected.get_secret_value().encode()):
        raise HTTPException(
            401,
            f"a valid {API_KEY_HEADER} header is required",
            headers={"WWW-Authenticate": API_KEY_HEADER},
        )


def display_lang(
    lang: Annotated[
        str | None,
        Query(
            description="Display language of labels (ISO 639 code, e.g. `cs`, `en`); search "
            "always matches every language. Fallback: lang → cs → en → any.",
            pattern=r"^[A-Za-z]{2,3}$",
            examples=["cs"],
        ),
    ] = None,
) -> str | None:
    return lang.lower() if lang else None


Lang = Annotated[str | None, Depends(display_lang)]

_COLLAPSED_SCHEME = re.compile(r"^(https?):/(?!/)")


def resolve_id(raw: str) -> str:
    """The stored id for a path parameter: full URI, ``esco:`` prefixed id, or stored id.

    Proxies sometimes collapse ``//`` in paths; ``http:/data...`` is read as ``http://data...``.
    """
    return expand_id(_COLLAPSED_SCHEME.sub(r"\1://", raw.strip()))


def load_node(store: GraphStore, raw_id: str) -> Node:
    node_id = resolve_id(raw_id)
    node = store.get_node(node_id) if node_id else None
    if node is None:
        raise NotFoundError(
            f"no node with id {node_id!r}",
            hint="use a full URI, an esco: prefixed id, or an id from search",
        )
    return node
