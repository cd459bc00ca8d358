"""GET /v1/search: hybrid search over every node kind, cursor-paginated."""

# No `from __future__ import annotations` here: the route's annotations use this server's
# settings (query length, limit bound), which FastAPI cannot resolve from a string.
from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Query

from credgraph.api.cursor import decode_cursor, encode_cursor
from credgraph.api.deps import Context, Lang
from credgraph.api.errors import ParameterError
from credgraph.api.schemas import SearchResponse, problem_responses
from credgraph.config import Settings
from credgraph.errors import QueryError
from credgraph.models import NodeKind

# SearchService refuses offset + limit beyond this: deep pages are not ranked usefully.
MAX_RESULT_WINDOW = 1000


def parse_kinds(values: Sequence[str] | None) -> list[NodeKind] | None:
    """``kind`` may repeat and each value may be a comma-separated list."""
    if not values:
        return None
    kinds: list[NodeKind] = []
    for value in values:
        for part in value.split(","):
            if not part.strip():
                continue
            try:
                kind = NodeKind.parse(part)
            except QueryError as exc:
                raise ParameterError("kind", exc.message, hint=exc.hint) from exc
            if kind not in kinds:
                kinds.append(kind)
    return kinds or None


def search_router(settings: Settings) -> APIRouter:
    """Built per app so the documented bounds are this server's settings."""
    router = APIRouter(tags=["search"])
    max_limit = settings.search_max_limit

    @router.get(
        "/search",
        response_model=SearchResponse,
        responses=problem_responses(400, 422, 503),
        summary="Search nodes of every kind in every language",
    )
    def search(
        context: Context,
        q: Annotated[
            str,
            Query(
                min_length=1,
                max_length=settings.search_max_query_chars,
                description="Words or a phrase, any language.",
                examples=["svářeč"],
            ),
        ],
        lang: Lang,
        kind: Annotated[
            list[str] | None,
            Query(
                description="Node kinds to keep (`skill`, `occupation`, `qualification`, ...); "
                "repeat the parameter or separate with commas. Case-insensitive."
            ),
        ] = None,
        eqf_min: Annotated[int | None, Query(ge=1, le=8, description="Lowest EQF level.")] = None,
        eqf_max: Annotated[int | None, Query(ge=1, le=8, description="Highest EQF level.")] = None,
        limit: Annotated[int, Query(ge=1, le=max_limit, description="Results per page.")] = min(
            10, max_limit
        ),
        cursor: Annotated[
            str | None, Query(max_length=64, description="`next_cursor` of the previous page.")
        ] = None,
    ) -> dict[str, Any]:
        kinds = parse_kinds(kind)
        if eqf_min is not None and eqf_max is not None and eqf_min > eqf_max:
            raise ParameterError("eqf_min", "eqf_min is greater than eqf_max")
        offset = decode_cursor(cursor)
        if offset + limit > MAX_RESULT_WINDOW:
            raise ParameterError(
                "cursor",
                f"results beyond the first {MAX_RESULT_WINDOW} are not served",
                hint="refine the query",
            )
        # Ask for one more than a page, when allowed, to know whether a next page exists.
        more_allowed = offset + limit < MAX_RESULT_WINDOW
        peek = limit + 1 if more_allowed and limit < max_limit else limit
        hits = context.search.search(
            q, kinds=kinds, eqf_min=eqf_min, eqf_max=eqf_max, lang=lang, limit=peek, offset=offset
        )
        has_more = more_allowed and (len(hits) > limit if peek > limit else len(hits) == limit)
        return {
            "query": q,
            "lang": lang,
            "results": [hit.to_dict() for hit in hits[:limit]],
            "next_cursor": encode_cursor(offset + limit) if has_more else None,
        }

    return router
