"""Response schemas: the JSON shapes the routes return (the CLI's ``--json`` shapes).

They document the API in OpenAPI and check what the routes return. Models whose source
dict may grow (search hits, nodes) allow extra members so a new field is passed through
rather than silently dropped.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class NodeRef(BaseModel):
    """A node as a list item: id, kind and the label in the display language."""

    id: str
    kind: str
    label: str
    label_lang: str | None = Field(
        description="Language of `label`; null if the node has no label and `label` is its id."
    )


class SearchHitOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    kind: str
    label: str
    label_lang: str | None
    score: float = Field(description="Fused score; only its order is meaningful.")
    eqf_level: int | None
    matched: dict[str, Any] = Field(
        description="The text that matched best: `text`, `field`, `lang`, `by`."
    )
    scores: dict[str, float] = Field(description="Per retriever: `lexical`, `dense`.")


class SearchResponse(BaseModel):
    query: str
    lang: str | None
    results: list[SearchHitOut]
    next_cursor: str | None = Field(
        description="Pass as `cursor` for the next page; null when there is none."
    )


class EdgeOut(BaseModel):
    source: str
    kind: str
    target: str
    props: dict[str, Any]


class NodeOut(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    kind: str
    labels: dict[str, str]
    alt_labels: dict[str, list[str]]
    hidden_labels: dict[str, list[str]]
    descriptions: dict[str, str]
    props: dict[str, Any]
    label: str
    label_lang: str | None


class Neighbour(BaseModel):
    edge: EdgeOut
    direction: Literal["out", "in"] = Field(
        description="`out`: the node is the edge's source; `in`: its target."
    )
    node: NodeRef


class NodeResponse(BaseModel):
    node: NodeOut
    neighbours: list[Neighbour]
    neighbour_counts: dict[str, int] = Field(
        description="Neighbours per edge kind, before `limit`."
    )
    truncated: bool = Field(description="True when `neighbours` was cut at `limit`.")


class Via(BaseModel):
    edge: EdgeOut = Field(description="The ALIGNS_TO edge into the skill.")
    through: str | None = Field(
        description="The learning outcome or competence the edge "
        "starts from; null when it starts at the result."
    )


class CredentialResult(NodeRef):
    via: list[Via]


class SkillCredentialsResponse(BaseModel):
    skill: NodeRef
    results: list[CredentialResult]
    truncated: bool


class CountsResponse(BaseModel):
    nodes: dict[str, int]
    edges: dict[str, int]


class IndexInfo(BaseModel):
    model_id: str | None
    entities: int | None
    built_at: str | None


class HealthResponse(BaseModel):
    status: Literal["ok", "stale"] = Field(
        description='"stale": the search index on disk is not the one this server loaded '
        "(an ingest rebuilt it meanwhile): restart `credgraph serve` to load the new one."
    )
    backend: str
    index: IndexInfo


class ProblemItem(BaseModel):
    loc: list[str | int] = Field(description='Where: e.g. ["query", "limit"].')
    msg: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = Field(examples=["urn:credgraph:problem:not-found"])
    title: str
    status: int
    detail: str
    instance: str = Field(description="The request path.")
    errors: list[ProblemItem]


_PROBLEM_DESCRIPTIONS = {
    400: "Invalid parameter or a query that cannot be answered as asked",
    401: "Missing or wrong API key",
    403: "Changes are switched off on this server",
    404: "No node with this id",
    413: "Request body too large",
    422: "Parameters failed validation",
    503: "Store or search index unavailable",
}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route for these error statuses (application/problem+json;
    app.py moves the schema under that media type when it builds the OpenAPI document)."""
    return {code: {"model": Problem, "description": _PROBLEM_DESCRIPTIONS[code]} for code in codes}
