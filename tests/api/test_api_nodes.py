"""GET /v1/nodes/{id} on real ESCO data and GET /v1/skills/{id}/credentials on a
hand-made graph.

Welder's neighbours, by hand from data/esco/v1.1.1_en/broaderRelationsOccPillar.csv.gz
(grep 7aedaa07): one BROADER edge out to ISCO group C7212, and four in, from spot welder
(97dadd59), pipe welder (2ff73126), laser beam welder (c81af273) and electron beam welder
(e9a65aca).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient

from tests.api.tinygraph import (
    COMPETENCE,
    CRED_DIRECT,
    CRED_VIA_OUTCOME,
    OCCUPATION,
    OTHER_SKILL,
    OUTCOME,
    QUAL,
    SKILL,
)

ESCO = "http://data.europa.eu/esco/"
WELDER_UUID = "7aedaa07-3884-4c5b-88f9-80997b2aa54b"
WELDER = ESCO + "occupation/" + WELDER_UUID
NARROWER = {
    ESCO + "occupation/" + u
    for u in (
        "97dadd59-d1cb-4fef-81a7-d92eb15572e2",
        "2ff73126-7aff-4233-9d9c-d8725e1c6822",
        "c81af273-1112-4b3f-a2a5-b85b1290ae22",
        "e9a65aca-64f6-450d-a637-1ecf86ba2a53",
    )
}

Problem = Callable[[Any, int], dict[str, Any]]


def get(client: TestClient, url: str, **params: Any) -> dict[str, Any]:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_full_uri_and_prefixed_id_give_the_same_node(esco_client: TestClient) -> None:
    by_uri = get(esco_client, f"/v1/nodes/{WELDER}")
    by_prefix = get(esco_client, f"/v1/nodes/esco:occupation/{WELDER_UUID}")
    by_encoded = get(esco_client, "/v1/nodes/" + quote(WELDER, safe=""))
    assert by_uri == by_prefix == by_encoded
    node = by_uri["node"]
    assert node["id"] == WELDER
    assert node["kind"] == "occupation"
    assert node["labels"]["en"] == "welder"
    assert node["labels"]["cs"] == "svářeč"
    assert node["props"]["isco_code"] == "7212"


def test_node_matches_the_store(esco_client: TestClient, esco_store: Any) -> None:
    body = get(esco_client, f"/v1/nodes/{WELDER}", lang="en")
    expected = esco_store.get_node(WELDER).to_dict()
    expected.update(label="welder", label_lang="en")
    assert body["node"] == expected


@pytest.mark.parametrize(
    ("lang", "label"),
    [("cs", "svářeč"), ("en", "welder"), ("EN", "welder"), ("de", "svářeč"), (None, "svářeč")],
)
def test_lang_chooses_the_label(esco_client: TestClient, lang: str | None, label: str) -> None:
    params = {"lang": lang} if lang else {}
    node = get(esco_client, f"/v1/nodes/{WELDER}", **params)["node"]
    assert node["label"] == label
    assert node["label_lang"] == ("en" if label == "welder" else "cs")


def test_neighbours(esco_client: TestClient) -> None:
    body = get(esco_client, f"/v1/nodes/{WELDER}", lang="en")
    assert body["neighbour_counts"] == {"BROADER": 5}
    assert body["truncated"] is False
    out = [n for n in body["neighbours"] if n["direction"] == "out"]
    into = [n for n in body["neighbours"] if n["direction"] == "in"]
    assert [n["node"]["id"] for n in out] == [ESCO + "isco/C7212"]
    assert out[0]["edge"] == {
        "source": WELDER,
        "kind": "BROADER",
        "target": ESCO + "isco/C7212",
        "props": out[0]["edge"]["props"],
    }
    assert {n["node"]["id"] for n in into} == NARROWER
    assert all(n["edge"]["target"] == WELDER for n in into)
    spot = next(
        n["node"] for n in into if n["node"]["id"].endswith("97dadd59-d1cb-4fef-81a7-d92eb15572e2")
    )
    assert spot == {
        "id": spot["id"],
        "kind": "occupation",
        "label": "spot welder",
        "label_lang": "en",
    }


def test_neighbours_limit_and_filters(esco_client: TestClient) -> None:
    body = get(esco_client, f"/v1/nodes/{WELDER}", limit=2)
    assert len(body["neighbours"]) == 2
    assert body["truncated"] is True
    assert body["neighbour_counts"] == {"BROADER": 5}
    out = get(esco_client, f"/v1/nodes/{WELDER}", direction="out")
    assert [n["node"]["id"] for n in out["neighbours"]] == [ESCO + "isco/C7212"]
    none = get(esco_client, f"/v1/nodes/{WELDER}", edge_kind="REQUIRES")
    assert none["neighbours"] == [] and none["neighbour_counts"] == {}


@pytest.mark.parametrize("node_id", ["esco:occupation/does-not-exist", "nsk:nsk-0", "x"])
def test_unknown_id_is_404(esco_client: TestClient, problem: Problem, node_id: str) -> None:
    body = problem(esco_client.get(f"/v1/nodes/{node_id}"), 404)
    assert body["type"] == "urn:credgraph:problem:not-found"


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"limit": 0}, 422),
        ({"limit": 1001}, 422),
        ({"edge_kind": "LIKES"}, 400),
        ({"direction": "up"}, 422),
    ],
)
def test_invalid_node_parameters(
    esco_client: TestClient, problem: Problem, params: dict[str, Any], status: int
) -> None:
    body = problem(esco_client.get(f"/v1/nodes/{WELDER}", params=params), status)
    assert body["errors"]


def test_no_aligned_credentials_in_esco_data(esco_client: TestClient, problem: Problem) -> None:
    # the occupation is not a skill
    problem(esco_client.get(f"/v1/skills/{WELDER}/credentials"), 400)
    problem(esco_client.get("/v1/skills/esco:skill/not-there/credentials"), 404)


# -- skills → credentials on a hand-made graph -------------------------------------------


def test_skill_credentials(tiny_client: TestClient) -> None:
    body = get(tiny_client, f"/v1/skills/{SKILL}/credentials", lang="en")
    assert body["skill"] == {
        "id": SKILL,
        "kind": "skill",
        "label": "weld metal",
        "label_lang": "en",
    }
    assert body["truncated"] is False
    results = body["results"]
    # credentials first, then qualifications; by label within a kind
    assert [(r["id"], r["kind"]) for r in results] == [
        (CRED_VIA_OUTCOME, "credential"),
        (CRED_DIRECT, "credential"),
        (QUAL, "qualification"),
    ]
    by_id = {r["id"]: r for r in results}
    assert by_id[CRED_DIRECT]["label"] == "Gas-shielded welding"
    assert by_id[CRED_DIRECT]["via"] == [
        {
            "edge": {
                "source": CRED_DIRECT,
                "kind": "ALIGNS_TO",
                "target": SKILL,
                "props": {"score": 0.9, "method": "declared", "source": "test"},
            },
            "through": None,
        }
    ]
    via_outcome = by_id[CRED_VIA_OUTCOME]["via"]
    assert [(v["edge"]["source"], v["through"]) for v in via_outcome] == [(OUTCOME, OUTCOME)]
    assert by_id[QUAL]["via"][0]["through"] == COMPETENCE
    assert by_id[QUAL]["via"][0]["edge"]["props"]["method"] == "curated"
    # the occupation REQUIRES the skill but teaches nothing; the orphan outcome has no
    # credential to show
    assert OCCUPATION not in by_id


def test_skill_credentials_by_prefix_and_lang(tiny_client: TestClient) -> None:
    prefixed = "esco:" + SKILL.removeprefix("http://data.europa.eu/esco/")
    body = get(tiny_client, f"/v1/skills/{prefixed}/credentials", lang="cs")
    assert body["skill"]["label"] == "svařovat kov"
    labels = {r["id"]: (r["label"], r["label_lang"]) for r in body["results"]}
    assert labels[CRED_DIRECT] == ("Svařování v ochranné atmosféře", "cs")
    assert labels[CRED_VIA_OUTCOME] == ("Arc welding basics", "en")


def test_skill_credentials_limit(tiny_client: TestClient) -> None:
    body = get(tiny_client, f"/v1/skills/{SKILL}/credentials", limit=1)
    assert len(body["results"]) == 1 and body["truncated"] is True
    other = get(tiny_client, f"/v1/skills/{OTHER_SKILL}/credentials")
    assert [r["id"] for r in other["results"]] == [CRED_DIRECT]


def test_skill_credentials_of_a_non_skill(tiny_client: TestClient, problem: Problem) -> None:
    body = problem(tiny_client.get(f"/v1/skills/{QUAL}/credentials"), 400)
    assert body["errors"][0]["loc"] == ["path", "id"]


def test_derived_ids_with_hash_work_when_encoded(tiny_client: TestClient) -> None:
    body = get(tiny_client, "/v1/nodes/" + quote(COMPETENCE, safe=":/"))
    assert body["node"]["id"] == COMPETENCE
    assert [n["node"]["id"] for n in body["neighbours"]] == [SKILL, QUAL]
