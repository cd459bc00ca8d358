"""Reasoning endpoints (same JSON as the CLI commands): POST /v1/stacking
(`credgraph stack`), /v1/pathways (`credgraph pathway`), /v1/recognition
(`credgraph recognise`) and /v1/recognition/decisions (API key)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from credgraph.api.deps import Context, require_api_key, resolve_id
from credgraph.api.schemas import problem_responses
from credgraph.reasoning.requirements import Constraints

ItemId = Annotated[str, StringConstraints(min_length=1, max_length=1000, strip_whitespace=True)]
LangCode = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2,3}$")]
HELD_DOC = "What the person holds (credential / qualification ids); sent, never stored."


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: LangCode | None = Field(default=None, description="Display language of labels.")


class ReasoningConstraints(BaseModel):
    """What a person would obtain must meet these (stacking and pathways alike); what is
    held is never filtered. Items that do not state a value are kept and counted."""

    model_config = ConfigDict(extra="forbid")

    mode: (
        Annotated[str, StringConstraints(min_length=1, max_length=40, strip_whitespace=True)] | None
    ) = Field(default=None, description="Only credentials in this mode (online, onsite, blended…).")
    language: LangCode | None = Field(default=None, description="Teaching/exam language.")
    max_hours: float | None = Field(
        default=None, ge=0, le=100_000, description="Only items of at most this many hours."
    )
    max_eqf: int | None = Field(
        default=None, ge=1, le=8, description="Only items at or below this EQF level."
    )

    def to_constraints(self) -> Constraints:
        return Constraints(
            mode=self.mode,
            language=_lang(self.language),
            max_hours=self.max_hours,
            max_eqf=self.max_eqf,
        )


class StackingRequest(_Body):
    """No personal data is stored: what the person holds is sent with the request."""

    target: ItemId = Field(description="Target qualification id, e.g. `nsk:upk-26-99-H-08`.")
    have: list[ItemId] = Field(default_factory=list, max_length=200, description=HELD_DOC)
    constraints: ReasoningConstraints = Field(default_factory=ReasoningConstraints)


class PathwayRequest(_Body):
    target: ItemId = Field(
        description="Target qualification id or ESCO occupation URI (its essential skills)."
    )
    have: list[ItemId] = Field(default_factory=list, max_length=200, description=HELD_DOC)
    skills: list[ItemId] = Field(
        default_factory=list, max_length=500, description="ESCO skill URIs the person has."
    )
    constraints: ReasoningConstraints = Field(default_factory=ReasoningConstraints)
    k: int | None = Field(default=None, ge=1, le=20, description="Alternatives to return.")


class RecognitionRequest(_Body):
    a: ItemId = Field(description="The credential or qualification presented.")
    b: ItemId = Field(description="The qualification, competence or credential asked for.")


class DecisionRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    a: ItemId
    b: ItemId
    verdict: Literal["equivalent", "covers", "partially_covers", "related", "not_comparable"]
    decided_by: Annotated[
        str,
        StringConstraints(
            min_length=1, max_length=200, strip_whitespace=True, pattern=r"^[^\x00-\x1f\x7f]+$"
        ),
    ] = Field(description="Who decided (an office, not a learner: no personal data).")
    note: (
        Annotated[
            str,
            StringConstraints(
                max_length=2000, strip_whitespace=True, pattern=r"^[^\x00-\x08\x0b-\x1f\x7f]*$"
            ),
        ]
        | None
    ) = Field(default=None, description="Reasons, references (newlines and tabs allowed).")


def _lang(value: str | None) -> str | None:
    return value.lower() if value else None


def reasoning_router() -> APIRouter:
    router = APIRouter(tags=["reasoning"])

    @router.post(
        "/stacking",
        responses=problem_responses(400, 404, 413, 422, 503),
        summary="Options that, with what is held, prove a qualification",
    )
    def stacking(body: StackingRequest, context: Context) -> dict[str, Any]:
        return context.reasoner.stack(
            resolve_id(body.target),
            [resolve_id(h) for h in body.have],
            _lang(body.lang),
            body.constraints.to_constraints(),
        )

    @router.post(
        "/pathways",
        responses=problem_responses(400, 404, 413, 422, 503),
        summary="Ordered steps from what is held to a qualification or occupation",
    )
    def pathways(body: PathwayRequest, context: Context) -> dict[str, Any]:
        return context.reasoner.pathways(
            resolve_id(body.target),
            [resolve_id(h) for h in body.have],
            [resolve_id(s) for s in body.skills],
            body.constraints.to_constraints(),
            body.k,
            _lang(body.lang),
        )

    @router.post(
        "/recognition",
        responses=problem_responses(400, 404, 413, 422, 503),
        summary="Does A cover B? Verdict, coverage both ways, level, volume, QA, evidence",
    )
    def recognition(body: RecognitionRequest, context: Context) -> dict[str, Any]:
        return context.reasoner.recognise(resolve_id(body.a), resolve_id(body.b), _lang(body.lang))

    @router.post(
        "/recognition/decisions",
        status_code=201,
        dependencies=[Depends(require_api_key)],
        responses=problem_responses(400, 401, 403, 404, 413, 422, 503),
        summary="Record a recognition decision A → B (API key); it overrides the computed verdict",
    )
    def decisions(body: DecisionRequest, context: Context) -> dict[str, Any]:
        return context.reasoner.record_decision(
            resolve_id(body.a), resolve_id(body.b), body.verdict, body.decided_by, body.note
        )

    return router
