"""Stacking through the NSK composition, on the bundled data; answers computed by hand from
data/nsk/upk_compositions.jsonl:

- Elektrikář 26-99-H/08, rule all_of, five PKs: 26-017-H … 26-020-H (records code-26-0NN-H)
  and 26-021-H Montér hromosvodů (record nsk-574).
- Jemný mechanik 23-99-H/14, rule any_one_of, four PKs 23-030-H … 23-033-H.
- Zahradnické práce 41-52-E/01, rule any_of_groups, groups not visible.
- Kuchař (2009), all_of, three paraphrased members none of which is identified.
- Pekař: rule unknown, member_count 3, complete false ("… apod."); two members identified
  by name (code-29-001-H, code-29-002-H), "Výroba perníku" left unlinked.

Constraints, from data/nsk/qualifications.jsonl: the four Jemný mechanik PKs
(code-23-030-H … 23-033-H) have eqf_level 3; of Elektrikář's five, nsk-574 (Montér
hromosvodů) has eqf_level 3 and the four code-26-0NN-H records have none (null).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from credgraph.api import create_app
from credgraph.errors import NotFoundError, QueryError
from credgraph.reasoning.requirements import Constraints
from credgraph.reasoning.stacking import stack_options
from tests.conftest import REPO, Bundled

pytestmark = pytest.mark.slow
ELEKTRIKAR = "nsk:upk-26-99-H-08"
JEMNY_MECHANIK = "nsk:upk-23-99-H-14"
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
    # nothing identified: there is no ratio, so nothing to bound
    assert cook["held_coverage"]["ratio"] is None and cook["held_coverage"]["bound"] is None
    # Pekař: 1 of the 2 identified members held = 0.5, but the source names 3 and says
    # "apod.": the third cannot be shown held, so 0.5 is the most (upper bound)
    baker = stack_options(bundled.store, "nsk:upk-pekar", ["nsk:code-29-001-H"])
    assert baker["rule"] == "unknown"
    held = baker["held_coverage"]
    assert (held["members"], held["ratio"], held["bound"]) == (2, 0.5, "upper")
    assert held["complete"] is None  # the rule is unknown
    assert any("names 3 members, 2 could be identified" in n for n in baker["notes"])
    assert [o["credentials"] for o in baker["options"]] == [["nsk:code-29-002-H"]]


def test_constraints_leave_out_members_and_say_when_unreachable(bundled: Bundled) -> None:
    text = (REPO / "data" / "nsk" / "qualifications.jsonl").read_text(encoding="utf-8")
    quals = {r["id"]: r for r in (json.loads(line) for line in text.splitlines() if line.strip())}
    mechanics = ["code-23-030-H", "code-23-031-H", "code-23-032-H", "code-23-033-H"]
    assert {quals[m]["eqf_level"] for m in mechanics} == {3}
    # any_one_of, every member EQF 3 > 2: nothing is left to obtain and the answer says so
    capped = stack_options(bundled.store, JEMNY_MECHANIK, [], constraints=Constraints(max_eqf=2))
    assert capped["options"] == []
    assert [(e["id"], e["reason"]) for e in capped["excluded"]] == [
        (f"nsk:{m}", "EQF 3 > 2") for m in mechanics
    ]
    assert any("cannot be reached within the constraints" in n for n in capped["notes"])
    assert capped["constraints"]["max_eqf"] == 2
    # at EQF ≤ 3 every member is allowed: the four options of test_any_one_of
    allowed = stack_options(bundled.store, JEMNY_MECHANIK, [], constraints=Constraints(max_eqf=3))
    assert [o["credentials"] for o in allowed["options"]] == [[f"nsk:{m}"] for m in mechanics]
    assert allowed["excluded"] == [] and not any("constraints" in n for n in allowed["notes"])
    # all_of: nsk-574 (EQF 3) is needed and breaks max_eqf 2 → no option; the four
    # code-26-0NN-H state no level and are kept (counted, not guessed)
    assert quals["nsk-574"]["eqf_level"] == 3
    assert all(quals[p.removeprefix("nsk:")]["eqf_level"] is None for p in PKS[:4])
    none_held = stack_options(bundled.store, ELEKTRIKAR, [], constraints=Constraints(max_eqf=2))
    assert none_held["options"] == []
    assert [e["id"] for e in none_held["excluded"]] == ["nsk:nsk-574"]
    assert any("every member is needed" in n for n in none_held["notes"])
    assert (
        "members kept although they do not state a constrained value: 4 (EQF level)"
        in (none_held["notes"])
    )
    # holding nsk-574, the same cap leaves the four unknown-level PKs as the one option
    held = stack_options(
        bundled.store, ELEKTRIKAR, ["nsk:nsk-574"], constraints=Constraints(max_eqf=2)
    )
    (option,) = held["options"]
    assert option["credentials"] == PKS[:4] and option["complete_after"] is True
    assert held["excluded"] == [] and held["held_coverage"]["ratio"] == 0.2  # 1 of 5
    # NSK qualifications are examined in Czech: an English-only constraint leaves none
    english = stack_options(bundled.store, ELEKTRIKAR, [], constraints=Constraints(language="en"))
    assert english["options"] == [] and len(english["excluded"]) == 5
    assert {e["reason"] for e in english["excluded"]} == {"language is cs"}


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


def _cli(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "credgraph", "--quiet", "--data-dir", str(data_dir), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def test_api_and_cli_take_the_same_constraints(bundled: Bundled) -> None:
    """`constraints` in POST /v1/stacking and --mode/--language/--max-hours/--max-eqf of
    `credgraph stack` are the pathways' ones, with the same names and bounds."""
    body = {"target": JEMNY_MECHANIK, "constraints": {"max_eqf": 2, "language": "CS"}}
    with TestClient(create_app(bundled.settings, bundled.store, bundled.search)) as client:
        api = client.post("/v1/stacking", json=body)
        assert api.status_code == 200, api.text
        for bad in ({"max_eqf": 9}, {"max_hours": -1}, {"mode": " "}, {"region": "Praha"}):
            r = client.post("/v1/stacking", json={"target": JEMNY_MECHANIK, "constraints": bad})
            assert r.status_code == 422, (bad, r.text)
            assert r.headers["content-type"].startswith("application/problem+json")
        competence = client.post(
            "/v1/stacking",
            json={"target": "nsk:nsk-9", "have": ["nsk:nsk-6"], "constraints": {"max_eqf": 3}},
        ).json()
    answer = api.json()
    assert answer["options"] == [] and len(answer["excluded"]) == 4  # as stack_options above
    assert answer["constraints"]["language"] == "cs"  # lower-cased, as the CLI does
    # competence stacking: holding nsk-6 leaves nsk-9's "Příprava surovin pro výrobu jídel"
    # open (tests/integration/test_reasoning.py); nsk-1430 (EQF 4) is the only other item
    # naming it, so under max_eqf 3 nothing can close it: no option, and the answer says why
    assert competence["options"] == [] and competence["candidates_considered"] == 0
    assert [u["text"] for u in competence["uncoverable"]] == ["Příprava surovin pro výrobu jídel"]
    assert "candidates left out by the constraints: 1 (EQF)" in competence["notes"]
    cli = _cli(
        bundled.settings.data_dir,
        *("stack", "--target", JEMNY_MECHANIK, "--max-eqf", "2", "--language", "CS", "--json"),
    )
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout) == answer
    out_of_range = _cli(
        bundled.settings.data_dir, "stack", "--target", JEMNY_MECHANIK, "--max-eqf", "9"
    )
    assert out_of_range.returncode == 2 and out_of_range.stdout == ""
    assert "--max-eqf" in out_of_range.stderr
