"""POST /v1/stacking: options that prove a qualification (same JSON as `credgraph stack`)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from credgraph.api.deps import Context, resolve_id
from credgraph.api.schemas import problem_responses
from credgraph.reasoning.stacking import stack_options

ItemId = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]


class StackingRequest(BaseModel):
    """No personal data is stored: what the person holds is sent with the request."""

    model_config = ConfigDict(extra="forbid")

    target: ItemId = Field(description="Target qualification id, e.g. `nsk:upk-26-99-H-08`.")
    have: list[ItemId] = Field(
        default_factory=list, max_length=200, description="Qualification ids the person holds."
    )
    lang: Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}$")] | None = Field(
        default=None, description="Display language of labels."
    )


def reasoning_router() -> APIRouter:
    router = APIRouter(tags=["reasoning"])

    @router.post(
        "/stacking",
        responses=problem_responses(400, 404, 413, 422, 503),
        summary="Stacking toward a qualification through the NSK composition (PK → ÚPK)",
    )
    def stacking(body: StackingRequest, context: Context) -> dict[str, Any]:
        return stack_options(
            context.store,
            resolve_id(body.target),
            [resolve_id(h) for h in body.have],
            body.lang.lower() if body.lang else None,
        )

    return router
