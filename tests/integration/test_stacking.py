"""Stacking through the NSK composition, on the bundled data; answers computed by hand from
data/nsk/upk_compositions.jsonl:

- Elektrikář 26-99-H/08, rule all_of, five PKs: 26-017-H … 26-020-H (records code-26-0NN-H)
  and 26-021-H Montér hromosvodů (record nsk-574).
- Jemný mechanik 23-99-H/14, rule any_one_of, four PKs 23-030-H … 23-033-H.
- Zahradnické práce 41-52-E/01, rule any_of_groups, groups not visible.
- Kuchař (2009), all_of, three paraphrased members none of which is identified.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from credgraph.errors import NotFoundError, QueryError
from credgraph.reasoning.stacking import stack_options
from tests.conftest import Bundled

pytestmark = pytest.mark.slow
ELEKTRIKAR = "nsk:upk-26-99-H-08"
PKS = [
    "nsk:code-26-017-H",
    "nsk:code-26-018-H",
    "nsk:code-26-019-H",
    "nsk:code-26-020-H",
    "nsk:nsk-574",
]


def test_all_of_missing_members_are_the_option(bundled: Bundled) -> None:
    answer = stack_options(bundled.store, ELEKTRIKAR, ["nsk:code-26-017-H", "nsk:nsk-574"])
    assert answer["rule"] == "all_of"
    assert answer["held_coverage"]["members"] == 5
    assert answer["held_coverage"]["complete"] is False
    assert len(answer["options"]) == 1
    option = answer["options"][0]
    # 5 members, 2 held: the other three are the only way, coverage 2/5 before it
    assert option["credentials"] == ["nsk:code-26-018-H", "nsk:code-26-019-H", "nsk:code-26-020-H"]
    assert option["coverage"] == 0.4
    assert option["complete_after"] is True
    assert {c["id"] for c in option["covered"]} == {"nsk:code-26-017-H", "nsk:nsk-574"}
    # every covered member carries the PART_OF edge that makes it a member
    for item in option["covered"]:
        assert item["evidence"]["edge"]["kind"] == "PART_OF"
        assert item["evidence"]["edge"]["target"] == ELEKTRIKAR
    # exam fees are null in the source: totals say unknown instead of 0
    assert option["totals"]["exam_fee"] is None


def test_all_of_everything_held_is_complete(bundled: Bundled) -> None:
    answer = stack_options(bundled.store, ELEKTRIKAR, PKS)
    assert answer["held_coverage"]["complete"] is True
    assert answer["options"] == []


def test_any_one_of(bundled: Bundled) -> None:
    target = "nsk:upk-23-99-H-14"
    none_held = stack_options(bundled.store, target, [])
    assert none_held["rule"] == "any_one_of"
    assert [o["credentials"] for o in none_held["options"]] == [
        ["nsk:code-23-030-H"],
        ["nsk:code-23-031-H"],
        ["nsk:code-23-032-H"],
        ["nsk:code-23-033-H"],
    ]
    one_held = stack_options(bundled.store, target, ["nsk:code-23-031-H"])
    assert one_held["held_coverage"]["complete"] is True and one_held["options"] == []


def test_groups_not_visible_and_unidentified_members_are_said(bundled: Bundled) -> None:
    groups = stack_options(bundled.store, "nsk:upk-41-52-E-01", [])
    assert groups["rule"] == "any_of_groups"
    assert groups["held_coverage"]["complete"] is None
    assert any("groups are not visible" in n for n in groups["notes"])
    assert all(o["complete_after"] is None for o in groups["options"])
    cook = stack_options(bundled.store, "nsk:upk-kuchar-2009", [])
    assert cook["held_coverage"]["members"] == 0
    assert any("3 members" in n for n in cook["notes"])
    assert cook["held_coverage"]["bound"] == "upper"


def test_bad_requests(bundled: Bundled) -> None:
    with pytest.raises(NotFoundError):
        stack_options(bundled.store, "nsk:nope", [])
    with pytest.raises(QueryError):
        stack_options(
            bundled.store,
            "http://data.europa.eu/esco/skill/1d21f6ad-340f-45da-a0a3-4e83867f47a6",
            [],
        )
    with pytest.raises(NotFoundError):
        stack_options(bundled.store, ELEKTRIKAR, ["nsk:nope"])


def test_api_and_cli_give_the_same_answer(bundled: Bundled) -> None:
    body = {"target": ELEKTRIKAR, "have": ["nsk:nsk-574"]}
    with TestClient(create_app(bundled.settings, bundled.store, bundled.search)) as client:
        api = client.post("/v1/stacking", json=body)
        assert api.status_code == 200
        bad = client.post("/v1/stacking", json={"target": ELEKTRIKAR, "extra": 1})
        assert bad.status_code == 422
        assert bad.headers["content-type"].startswith("application/problem+json")
        missing = client.post("/v1/stacking", json={"target": "nsk:nope"})
        assert missing.status_code == 404
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "credgraph",
            "--quiet",
            "--data-dir",
            str(bundled.settings.data_dir),
            "stack",
            "--target",
            ELEKTRIKAR,
            "--have",
            "nsk:nsk-574",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == api.json()
