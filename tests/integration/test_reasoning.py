"""Recognition, competence-level stacking and pathways on the bundled real data.

Expected answers are computed by hand from the source files, read here independently of
the ingesters (data/nsk/qualifications.jsonl, upk_compositions.jsonl, offers.jsonl):

- nsk-6 "Příprava teplých pokrmů" and nsk-9 (both EQF 3) list Czech competences; three of
  nsk-9's four names are word for word in nsk-6's list ("Volba postupu práce, …",
  "Přejímka potravinářských surovin", "Sestavení jídelního lístku a sledu pokrmů"); the
  fourth, "Příprava surovin pro výrobu jídel", is only a cut "Příprava surovin pro…" in
  nsk-6 — not provably the same. So nsk-6 covers 3 of nsk-9's 4 listed competences:
  partially_covers. nsk-1430 lists "Příprava surovin pro výrobu jídel" word for word.
- nsk-274 (EQF 3) and nsk-1211 (EQF 5) both list "Orientace ve stavebních výkresech a
  dokumentaci": the same competence name at two levels.
- Offer mc-014 is titled "Zkouška profesní kvalifikace … 69-017-M": the provider names the
  PK it examines (record code-69-017-M).
- Jemný mechanik 23-99-H/14 is any_one_of over four PKs; Elektrikář 26-99-H/08 all_of five.
  The four Jemný mechanik PKs have eqf_level 3; of Elektrikář's, only nsk-574 states one (3).
- Starožitník (dp-starozitnik) lists 12 Czech competences, not cut short
  (competences_cs_truncated false); offer mc-075 lists the same 12 names word for word.
- nsk-23 "Ubytování v soukromí" lists 11 competences, not cut short; nsk-12 (cut short)
  shares one name with it, "Inkasování plateb od hostů".
- Offer mc-001 lists no learning outcomes (learning_outcomes: []).
- benchmarks/alignment_gold.tsv (labelled by hand, no system output) aligns
  vet-65-51-H-01's "uplatňovat požadavky na hygienu v gastronomii;" to the ESCO skill
  "comply with food safety and hygiene", an essential skill of the occupation cook.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from credgraph.api import create_app
from credgraph.errors import NotFoundError, QueryError
from credgraph.graph.base import Direction
from credgraph.models import Edge, EdgeKind
from credgraph.reasoning.requirements import Constraints
from credgraph.reasoning.service import Reasoner
from tests.conftest import CACHE, REPO, Bundled

pytestmark = pytest.mark.slow
DATA = REPO / "data"


def _records(path: Path) -> dict[str, dict]:  # type: ignore[type-arg]
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            out[record["id"]] = record
    return out


QUALS = _records(DATA / "nsk" / "qualifications.jsonl")


def _key(name: str) -> str:
    # the comparison docs/reasoning.md states: trim, case fold, drop a trailing level "(3)"
    return re.sub(r"\s*\(\d\)\s*$", "", " ".join(name.split()).casefold()).rstrip(" .")


def _names(record_id: str) -> list[str]:
    return [c["name"] for c in QUALS[record_id]["competences_cs"]]


@pytest.fixture(scope="module")
def reasoner(bundled: Bundled) -> Reasoner:
    return Reasoner(bundled.store, bundled.settings, bundled.search.embedder)


def _competence(bundled: Bundled, qualification: str, name: str) -> str:
    for edge, node in bundled.store.neighbours(
        qualification, [EdgeKind.HAS_COMPETENCE], Direction.OUT
    ):
        if node.labels.get("cs") == name:
            return edge.target
    raise AssertionError(f"{name} not a competence of {qualification}")


def _covered(answer: dict, direction: str) -> list[str]:  # type: ignore[type-arg]
    return [
        e["unit"]["text"]
        for e in answer["evidence"]
        if e["direction"] == direction and e["status"] == "covered"
    ]


def test_shared_competences_give_partial_cover_with_evidence(reasoner: Reasoner) -> None:
    shared = {_key(n) for n in _names("nsk-6")} & {_key(n) for n in _names("nsk-9")}
    assert len(shared) == 3  # by hand: the three names quoted in the module docstring
    answer = reasoner.recognise("nsk:nsk-6", "nsk:nsk-9")
    assert answer["verdict"] == answer["computed_verdict"] == "partially_covers"
    assert answer["verdict_source"] == "computed"
    cov = answer["coverage"]["a_covers_b"]
    assert (cov["covered"], cov["total"]) == (3, len(_names("nsk-9")))
    assert {_key(t) for t in _covered(answer, "a_covers_b")} == shared
    # every number is the count of its evidence items
    for direction in ("a_covers_b", "b_covers_a"):
        items = [e for e in answer["evidence"] if e["direction"] == direction]
        summary = answer["coverage"][direction]
        assert summary["total"] == len(items)
        for status, key in (("covered", "covered"), ("related", "related"), ("gap", "gaps")):
            assert summary[key] == sum(1 for e in items if e["status"] == status)
    for e in answer["evidence"]:
        if e["status"] == "covered" and e["direction"] == "a_covers_b":
            assert e["evidence"]["source"]["of"] == "nsk:nsk-6"
            assert _key(e["evidence"]["source"]["text"]) == _key(e["unit"]["text"])
    gaps = [
        e["unit"]["text"]
        for e in answer["evidence"]
        if e["direction"] == "a_covers_b" and e["status"] != "covered"
    ]
    assert gaps == ["Příprava surovin pro výrobu jídel"]
    assert answer["level"] == {"a": 3, "b": 3, "comparison": "same", "basis": "EQF level"}
    # both lists are cut short: nsk-9 (the target of a_covers_b) has unlisted competences
    # nothing can be shown to cover, so 3/4 is the most that is shown (docs/reasoning.md)
    assert (cov["ratio"], cov["bound"]) == (0.75, "upper")


def test_a_complete_target_with_a_cut_source_gives_a_lower_bound(reasoner: Reasoner) -> None:
    assert not QUALS["nsk-23"]["competences_cs_truncated"]
    assert QUALS["nsk-12"]["competences_cs_truncated"]
    shared = {_key(n) for n in _names("nsk-12")} & {_key(n) for n in _names("nsk-23")}
    assert shared == {_key("Inkasování plateb od hostů")}
    answer = reasoner.recognise("nsk:nsk-12", "nsk:nsk-23")
    cov = answer["coverage"]["a_covers_b"]
    # 1 of nsk-23's 11 by name; nsk-12's unlisted competences might cover more: at least
    assert (cov["covered"], cov["total"], cov["bound"]) == (1, 11, "lower")
    assert {_key(t) for t in _covered(answer, "a_covers_b")} == shared
    back = answer["coverage"]["b_covers_a"]  # nsk-12 is the target now, and it is cut
    assert (back["covered"], back["total"], back["bound"]) == (1, 5, "upper")
    assert answer["verdict"] == "partially_covers"


def test_related_and_not_comparable_verdicts(reasoner: Reasoner) -> None:
    # holding the ÚPK Jemný mechanik proves one of its any_one_of members, not a given one
    member = reasoner.recognise("nsk:upk-23-99-H-14", "nsk:code-23-031-H")
    assert member["verdict"] == member["computed_verdict"] == "related"
    assert [e for e in member["evidence"] if e["direction"] == "declared"] == [
        {
            "direction": "declared",
            "basis": "nsk_composition",
            "relation": "b_part_of_a",
            "rule": "any_one_of",
        }
    ]
    # the reverse is the any_one_of rule itself: one member proves the ÚPK
    assert reasoner.recognise("nsk:code-23-031-H", "nsk:upk-23-99-H-14")["verdict"] == "covers"
    offers = _records(DATA / "microcredentials" / "offers.jsonl")
    assert offers["mc-001-87301383"]["learning_outcomes"] == []
    empty = reasoner.recognise("mc:mc-001-87301383", "nsk:nsk-9")
    assert empty["verdict"] == "not_comparable"
    assert empty["reasons"] == ["no competences or learning outcomes listed for mc:mc-001-87301383"]
    # 0 of nsk-9's listed 4 is exactly 0 shown (no bound); mc-001 lists nothing: no ratio
    assert empty["coverage"]["a_covers_b"] | {"notes": []} == {
        "covered": 0,
        "related": 0,
        "gaps": 4,
        "total": 4,
        "ratio": 0.0,
        "bound": None,
        "notes": [],
    }
    b_over_a = empty["coverage"]["b_covers_a"]
    assert (b_over_a["total"], b_over_a["ratio"], b_over_a["bound"]) == (0, None, None)


def test_level_mismatch_caps_the_verdict(bundled: Bundled, reasoner: Reasoner) -> None:
    name = "Orientace ve stavebních výkresech a dokumentaci"
    assert name in _names("nsk-274") and name in _names("nsk-1211")
    assert (QUALS["nsk-274"]["eqf_level"], QUALS["nsk-1211"]["eqf_level"]) == (3, 5)
    higher = _competence(bundled, "nsk:nsk-1211", name)
    up = reasoner.recognise("nsk:nsk-274", higher)
    assert up["coverage"]["a_covers_b"]["covered"] == 1
    assert up["level"]["comparison"] == "a_lower"
    assert up["verdict"] == "partially_covers"
    assert any("level mismatch" in r for r in up["reasons"])
    lower = _competence(bundled, "nsk:nsk-274", name)
    down = reasoner.recognise("nsk:nsk-1211", lower)
    assert down["level"]["comparison"] == "a_higher"
    assert down["verdict"] == "covers"


def test_composition_rules_decide_member_recognition(reasoner: Reasoner) -> None:
    one = reasoner.recognise("nsk:code-23-031-H", "nsk:upk-23-99-H-14")
    assert one["verdict"] == "covers"  # any_one_of: one PK proves the ÚPK
    part = reasoner.recognise("nsk:nsk-574", "nsk:upk-26-99-H-08")
    assert part["verdict"] == "partially_covers"  # all_of: one of five
    assert any(e.get("rule") == "all_of" for e in part["evidence"] if e["direction"] == "declared")


def test_provider_declaration_links_offer_to_its_pk(reasoner: Reasoner) -> None:
    offers = _records(DATA / "microcredentials" / "offers.jsonl")
    assert "69-017-M" in offers["mc-014-48c7c76d"]["title"]
    assert QUALS["code-69-017-M"]["code"] == "69-017-M"
    answer = reasoner.recognise("mc:mc-014-48c7c76d", "nsk:code-69-017-M")
    assert answer["verdict"] == "covers"
    declared = [e for e in answer["evidence"] if e["direction"] == "declared"]
    assert declared and declared[0]["props"]["named"] == "69-017-M"
    stack = reasoner.stack("nsk:code-69-017-M", ["mc:mc-014-48c7c76d"])
    assert stack["held_coverage"]["complete"] is True
    assert stack["held_coverage"]["declared"][0]["props"]["field"] == "title"


def test_decision_overrides_the_computed_verdict(bundled: Bundled) -> None:
    settings = bundled.settings.model_copy(update={"api_key": SecretStr("test-key")})
    body = {"a": "nsk:nsk-12", "b": "nsk:nsk-15"}
    try:
        with TestClient(create_app(settings, bundled.store, bundled.search)) as client:
            before = client.post("/v1/recognition", json=body).json()
            assert before["verdict_source"] == "computed" and before["decision"] is None
            decision = {**body, "verdict": "equivalent", "decided_by": "recognition office"}
            refused = client.post("/v1/recognition/decisions", json=decision)
            assert refused.status_code == 401
            made = client.post(
                "/v1/recognition/decisions", json=decision, headers={"X-API-Key": "test-key"}
            )
            assert made.status_code == 201, made.text
            after = client.post("/v1/recognition", json=body).json()
        assert before["verdict"] != "equivalent"
        assert after["verdict"] == "equivalent" and after["verdict_source"] == "decision"
        assert after["computed_verdict"] == before["verdict"]
        assert after["decision"]["decided_by"] == "recognition office"
    finally:
        bundled.store.delete_edges([Edge("nsk:nsk-12", EdgeKind.RECOGNISED_AS, "nsk:nsk-15")])


def test_competence_stacking_closes_the_gap_exactly(reasoner: Reasoner) -> None:
    gap = "Příprava surovin pro výrobu jídel"
    assert gap in _names("nsk-1430")
    answer = reasoner.stack("nsk:nsk-9", ["nsk:nsk-6"])
    held = answer["held_coverage"]
    assert (held["count"], held["total"], held["ratio"]) == (3, 4, 0.75)
    assert "coverage" not in held  # the same key as in pathways: ratio
    # nsk-9's list is cut short: 3/4 is the most shown; one listed competence is open
    assert held["bound"] == "upper" and held["complete"] is False
    assert answer["method"] == "milp-set-cover" and answer["guarantee"]["optimal"]
    best = answer["options"][0]
    # a same-name match (score 1.0) is the strongest evidence: the exact cover takes it
    assert best["credentials"] == ["nsk:nsk-1430"]
    assert best["coverage"] == 1.0 and best["gaps"] == []
    assert [c["requirement"]["text"] for c in best["covered"]] == [gap]
    assert best["covered"][0]["evidence"]["method"] == "same_name"
    # every listed competence covered, but nsk-9's list is cut short: cannot be told
    assert best["complete_after"] is None and best["bound"] == "upper"
    assert all(len(o["credentials"]) == 1 for o in answer["options"])


def test_complete_after_is_true_or_false_when_it_can_be_told(reasoner: Reasoner) -> None:
    assert not QUALS["dp-starozitnik"]["competences_cs_truncated"]
    names = _names("dp-starozitnik")
    offers = _records(DATA / "microcredentials" / "offers.jsonl")
    outcomes = offers["mc-075-2770930f"]["learning_outcomes"]
    assert len(names) == 12 and {_key(n) for n in names} <= {_key(o) for o in outcomes}
    complete = reasoner.stack("nsk:dp-starozitnik", [])
    held = complete["held_coverage"]
    assert (held["count"], held["total"], held["complete"], held["bound"]) == (0, 12, False, None)
    best = complete["options"][0]
    # one offer names all 12: the fewest items is that one, and the list is complete
    assert best["credentials"] == ["mc:mc-075-2770930f"]
    assert best["coverage"] == 1.0 and best["gaps"] == []
    assert best["complete_after"] is True
    assert {c["evidence"]["method"] for c in best["covered"]} == {"same_name"}
    # the offer's list is cut short, but 12 of 12 cannot rise: exact, no bound
    assert offers["mc-075-2770930f"]["truncated"] is True and best["bound"] is None
    # nsk-9 with nothing held under max_eqf 3: of the items naming its competences
    # (nsk-6: three, nsk-12: "Sestavení jídelního lístku…", nsk-1430: "Přejímka…" and
    # "Příprava surovin pro výrobu jídel"), nsk-1430 is EQF 4 and is left out, so nothing
    # covers "Příprava surovin pro výrobu jídel": the fewest items covering the other three
    # is nsk-6 alone, and a listed competence stays open → complete_after is False
    assert (QUALS["nsk-6"]["eqf_level"], QUALS["nsk-12"]["eqf_level"]) == (3, 3)
    assert QUALS["nsk-1430"]["eqf_level"] == 4
    capped = reasoner.stack("nsk:nsk-9", [], constraints=Constraints(max_eqf=3))
    (option,) = capped["options"]  # any other set covering the three contains nsk-6
    assert option["credentials"] == ["nsk:nsk-6"]
    assert [g["text"] for g in option["gaps"]] == ["Příprava surovin pro výrobu jídel"]
    assert option["coverage"] == 0.75 and option["bound"] == "upper"
    assert option["complete_after"] is False
    assert capped["uncoverable"] == option["gaps"]
    assert capped["candidates_considered"] == 2  # nsk-6 and nsk-12
    assert "candidates left out by the constraints: 1 (EQF)" in capped["notes"]


def test_pathway_through_a_composition(reasoner: Reasoner) -> None:
    members = ["nsk:code-23-030-H", "nsk:code-23-031-H", "nsk:code-23-032-H", "nsk:code-23-033-H"]
    answer = reasoner.pathways("nsk:upk-23-99-H-14", k=3)
    assert answer["method"] == "nsk-composition"
    assert answer["requirements"] == {"kind": "composition", "rule": "any_one_of", "total": 4}
    firsts = [p["steps"][0]["item"]["id"] for p in answer["pathways"]]
    assert firsts == members[:3]  # one-step alternatives, in id order
    done = reasoner.pathways("nsk:upk-23-99-H-14", have=["nsk:code-23-031-H"])
    assert done["pathways"] == [] and done["held_coverage"]["complete"] is True
    elektrikar = reasoner.pathways("nsk:upk-26-99-H-08", have=["nsk:nsk-574"])
    (only,) = elektrikar["pathways"]
    assert [s["item"]["id"] for s in only["steps"]] == [
        "nsk:code-26-017-H",
        "nsk:code-26-018-H",
        "nsk:code-26-019-H",
        "nsk:code-26-020-H",
    ]
    assert only["steps"][-1]["cumulative"]["members_held"] == 5


def test_pathway_constraints_apply_to_composition_members(reasoner: Reasoner) -> None:
    # every Jemný mechanik PK is EQF 3: under max_eqf 2 none is a step, and the answer
    # says that the target cannot be reached (it used to list the level-3 PKs silently)
    capped = reasoner.pathways("nsk:upk-23-99-H-14", constraints=Constraints(max_eqf=2))
    assert capped["pathways"] == []
    assert [(e["id"], e["reason"]) for e in capped["excluded"]] == [
        (m, "EQF 3 > 2")
        for m in (
            "nsk:code-23-030-H",
            "nsk:code-23-031-H",
            "nsk:code-23-032-H",
            "nsk:code-23-033-H",
        )
    ]
    assert any("cannot be reached within the constraints" in n for n in capped["notes"])
    assert capped["held_coverage"]["complete"] is False
    # Elektrikář, nothing held: nsk-574 (EQF 3) is needed (all_of) and breaks the cap
    none_held = reasoner.pathways("nsk:upk-26-99-H-08", constraints=Constraints(max_eqf=2))
    assert none_held["pathways"] == []
    assert [e["id"] for e in none_held["excluded"]] == ["nsk:nsk-574"]
    # holding it, the four PKs that state no level are kept, and counted in the notes
    held = reasoner.pathways(
        "nsk:upk-26-99-H-08", have=["nsk:nsk-574"], constraints=Constraints(max_eqf=2)
    )
    (only,) = held["pathways"]
    assert len(only["steps"]) == 4 and held["excluded"] == []
    assert (
        "members kept although they do not state a constrained value: 4 (EQF level)"
        in (held["notes"])
    )
    assert (held["held_coverage"]["ratio"], held["held_coverage"]["bound"]) == (0.2, None)


def _essential_skills(occupation: str) -> list[str]:
    """From the ESCO CSV itself (not the graph)."""
    import csv

    out = []
    folder = DATA / "esco" / "v1.1.1_en"
    path = next(folder.glob("occupationSkillRelations*.csv*"))
    import gzip

    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["occupationUri"] == occupation and row["relationType"] == "essential":
                out.append(row["skillUri"])
    return sorted(set(out))


def test_pathway_to_an_occupation_counts_held_skills(reasoner: Reasoner, bundled: Bundled) -> None:
    cook = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
    listed = _essential_skills(cook)
    skills = sorted(bundled.store.has_nodes(listed))  # rows naming absent skills are skipped
    assert len(skills) == len(listed)  # (none for this occupation)
    assert len(skills) > 5
    full = reasoner.pathways(cook, skills=skills)
    assert full["requirements"]["kind"] == "essential_skills"
    assert full["held_coverage"]["count"] == full["requirements"]["total"] == len(skills)
    assert full["pathways"] == []
    part = reasoner.pathways(cook, skills=skills[1:])
    assert part["held_coverage"]["count"] == len(skills) - 1
    # the bundled data has no ALIGNS_TO edges (credgraph align adds them): nothing in the
    # catalogue is linked to the missing skill, so there is no pathway, and it is said
    assert part["pathways"] == [] and part["candidates_considered"] == 0
    assert [u["id"] for u in part["uncoverable"]] == [skills[0]]


def test_pathway_to_an_occupation_through_an_aligned_competence(
    reasoner: Reasoner, bundled: Bundled
) -> None:
    """With one hand-labelled alignment (benchmarks/alignment_gold.tsv) written as a
    declared ALIGNS_TO edge, the missing skill is covered by that competence's
    qualification, and that is the only pathway."""
    cook = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
    skills = _essential_skills(cook)
    gold = {
        row.split("\t")[0]: row.split("\t")
        for row in (REPO / "benchmarks" / "alignment_gold.tsv").read_text("utf-8").splitlines()
        if row and not row.startswith("#")
    }
    item = "nsk:vet-65-51-H-01#c-bf3885624c26"
    _, _, text, parent, uris, labels, _ = gold[item]
    assert uris.split(",")[0] == skills[0] and labels == "comply with food safety and hygiene"
    assert _competence(bundled, parent, text) == item
    edge = Edge(item, EdgeKind.ALIGNS_TO, skills[0], {"method": "declared", "source": "test"})
    bundled.store.upsert_edges([edge])
    try:
        fresh = Reasoner(bundled.store, bundled.settings, bundled.search.embedder)
        part = fresh.pathways(cook, skills=skills[1:])
    finally:
        bundled.store.delete_edges([edge])
    assert part["pathways"], "the aligned competence must give a pathway"
    (path,) = part["pathways"]  # the only item with a unit linked to the skill
    (step,) = path["steps"]
    assert step["item"]["id"] == parent
    (covers,) = step["covers"]
    assert covers["requirement"]["id"] == skills[0]
    assert covers["evidence"]["method"] == "same_skill" and covers["evidence"]["score"] == 1.0
    assert covers["evidence"]["source"]["id"] == item
    # 15 held + 1 = all 16 essential skills; the occupation's list is not cut short (the
    # vocational list of vet-65-51-H-01 is, but 16 of 16 cannot rise: exact)
    assert (path["coverage"], path["complete"], path["bound"]) == (1.0, True, None)


def test_pathway_constraints_filter_candidates(reasoner: Reasoner) -> None:
    answer = reasoner.pathways("nsk:nsk-9", have=["nsk:nsk-6"])
    ids = {s["item"]["id"] for p in answer["pathways"] for s in p["steps"]}
    assert "nsk:nsk-1430" in ids  # EQF 4, covers the gap by name
    capped = reasoner.pathways("nsk:nsk-9", have=["nsk:nsk-6"], constraints=Constraints(max_eqf=3))
    capped_ids = {s["item"]["id"] for p in capped["pathways"] for s in p["steps"]}
    assert "nsk:nsk-1430" not in capped_ids
    assert any("EQF" in n for n in capped["notes"])


def test_bad_requests(reasoner: Reasoner, bundled: Bundled) -> None:
    with pytest.raises(NotFoundError):
        reasoner.recognise("nsk:nope", "nsk:nsk-9")
    provider = next(_providers(bundled))
    with pytest.raises(QueryError, match="provider"):
        reasoner.recognise(provider, "nsk:nsk-9")  # a provider has nothing to compare
    with pytest.raises(QueryError, match="qualification or occupation"):
        reasoner.pathways(provider)
    with pytest.raises(NotFoundError, match="held"):
        reasoner.stack("nsk:nsk-9", ["nsk:nope"])
    with TestClient(create_app(bundled.settings, bundled.store, bundled.search)) as client:
        r = client.post("/v1/recognition", json={"a": "nsk:nsk-6"})
        assert r.status_code == 422
        r = client.post("/v1/pathways", json={"target": "nsk:nsk-9", "constraints": {"x": 1}})
        assert r.status_code == 422
        # the key is checked before the body: no key configured → 403 even for a bad body
        r = client.post("/v1/recognition/decisions", json={"a": "a", "b": "b", "verdict": "ok"})
        assert r.status_code == 403
        r = client.post(
            "/v1/recognition/decisions",
            json={"a": "nsk:nsk-6", "b": "nsk:nsk-9", "verdict": "covers", "decided_by": "x"},
        )
        assert r.status_code == 403  # no API key configured: writing is off
        assert r.headers["content-type"].startswith("application/problem+json")


def _providers(bundled: Bundled):  # type: ignore[no-untyped-def]
    from credgraph.models import NodeKind

    return (n.id for n in bundled.store.iter_nodes(NodeKind.PROVIDER))


def test_cli_matches_api(bundled: Bundled) -> None:
    env_args = ["--quiet", "--data-dir", str(bundled.settings.data_dir)]
    import os

    env = {**os.environ, "CREDGRAPH_EMBEDDING_CACHE": str(CACHE / "embeddings-test.sqlite")}
    cli = subprocess.run(
        [
            sys.executable,
            "-m",
            "credgraph",
            *env_args,
            "recognise",
            "nsk:nsk-6",
            "nsk:nsk-9",
            "--json",
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert cli.returncode == 0, cli.stderr
    path = subprocess.run(
        [
            *(sys.executable, "-m", "credgraph", *env_args),
            *("pathway", "--to", "nsk:nsk-9", "--have", "nsk:nsk-6", "--json"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env=env,
    )
    assert path.returncode == 0, path.stderr
    with TestClient(create_app(bundled.settings, bundled.store, bundled.search)) as client:
        api = client.post("/v1/recognition", json={"a": "nsk:nsk-6", "b": "nsk:nsk-9"}).json()
        api_path = client.post(
            "/v1/pathways", json={"target": "nsk:nsk-9", "have": ["nsk:nsk-6"]}
        ).json()
    assert json.loads(cli.stdout) == api
    assert json.loads(path.stdout) == api_path


def test_holding_the_target_or_comparing_an_item_with_itself(reasoner: Reasoner) -> None:
    # nsk-6's list is cut short, which caps "covers" for other items — not for itself
    assert reasoner.recognise("nsk:nsk-6", "nsk:nsk-6")["verdict"] == "equivalent"
    for target in ("nsk:nsk-9", "nsk:upk-23-99-H-14"):
        stack = reasoner.stack(target, [target])
        assert stack["held_coverage"]["complete"] is True and stack["options"] == []
        path = reasoner.pathways(target, [target])
        assert path["pathways"] == []
    # the exam offer for PK 69-017-M counts as holding that PK in pathways, as in stacking
    path = reasoner.pathways("nsk:code-69-017-M", ["mc:mc-014-48c7c76d"])
    assert path["pathways"] == [] and path["method"] == "held"
    assert path["notes"] == ["a held offer declares that it leads to the target"]


def test_decisions_refuse_what_recognition_refuses(bundled: Bundled) -> None:
    """Found by an adversarial pass: decisions stored pairs /v1/recognition rejects."""
    settings = bundled.settings.model_copy(update={"api_key": SecretStr("k")})
    key = {"X-API-Key": "k"}
    occupation = "http://data.europa.eu/esco/occupation/90f75f67-495d-49fa-ab57-2f320e251d7e"
    base = {"verdict": "covers", "decided_by": "office"}
    with TestClient(create_app(settings, bundled.store, bundled.search)) as client:
        cases = [
            ({"a": occupation, "b": "nsk:nsk-6"}, 400, "is an occupation"),
            ({"a": "nsk:nsk-6", "b": "nsk:nsk-6"}, 400, "same item"),
            ({"a": "nsk:nsk-6", "b": "nsk:nsk-9", "decided_by": "   "}, 422, "decided_by"),
            ({"a": "nsk:nsk-6", "b": "nsk:nsk-9", "decided_by": "a\u0000b"}, 422, "decided_by"),
            ({"a": "nope", "b": "nsk:nsk-9"}, 404, "'nope' (A)"),
        ]
        for body, status, text in cases:
            r = client.post("/v1/recognition/decisions", json={**base, **body}, headers=key)
            assert r.status_code == status, (body, r.text)
            assert text in r.json()["detail"]
        # with a key configured it is still checked before the body: 401, then 422
        bad = {"a": "a", "b": "b", "verdict": "ok"}
        assert client.post("/v1/recognition/decisions", json=bad).status_code == 401
        assert client.post("/v1/recognition/decisions", json=bad, headers=key).status_code == 422
        both = client.post("/v1/recognition", json={"a": "nope", "b": "nope2"})
        assert both.status_code == 404
        assert "'nope' (A)" in both.json()["detail"] and "'nope2' (B)" in both.json()["detail"]
        skill = client.post("/v1/pathways", json={"target": "nsk:nsk-6", "skills": ["nsk:nsk-9"]})
        assert skill.status_code == 400 and "not an ESCO skill" in skill.json()["detail"]
    assert not [
        e
        for e in bundled.store.iter_edges(EdgeKind.RECOGNISED_AS)
        if e.source in ("nope", occupation)
    ]


def test_cli_refuses_values_json_cannot_carry(bundled: Bundled) -> None:
    base = [sys.executable, "-m", "credgraph", "--quiet"]
    base += ["--data-dir", str(bundled.settings.data_dir), "pathway", "--to", "nsk:nsk-6"]
    for value in ("nan", "1e400"):
        done = subprocess.run(
            [*base, "--max-hours", value, "--json"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
        )
        assert done.returncode == 2 and done.stdout == "", value
        assert done.stderr.startswith("error: Invalid value for '--max-hours'")
