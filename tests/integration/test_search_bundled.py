"""Search on the bundled data: Czech inflection, missing diacritics, filters, display language.

Expected ids are looked up by hand in data/esco/v1.1.1_en/occupations_en.csv.gz (the row
whose preferredLabel is "welder" / "roofer" / "bricklayer") and in the Czech label file
(preferred labels "svářeč", "pokrývač/pokrývačka", "zedník/zednice").
"""

from __future__ import annotations

import csv
import gzip
import io

import pytest

from credgraph.errors import QueryError
from credgraph.models import NodeKind
from tests.conftest import DATA, Bundled

pytestmark = pytest.mark.slow
WELDER = "http://data.europa.eu/esco/occupation/7aedaa07-3884-4c5b-88f9-80997b2aa54b"
ROOFER = "http://data.europa.eu/esco/occupation/b4c6d1b0-929e-48be-9f67-47bd8c30658b"
BRICKLAYER = "http://data.europa.eu/esco/occupation/05f321f8-055b-407d-bf19-e0ddabda56b7"


def _all_czech_labels() -> set[str]:
    raw = gzip.decompress(
        (DATA / "esco" / "cs" / "occupations_cs_labels_esco_v1.0.9.csv.gz").read_bytes()
    )
    return {r["surface_form"].lower() for r in csv.DictReader(io.StringIO(raw.decode()))}


@pytest.mark.parametrize(
    ("query", "expected"), [("svářečům", WELDER), ("pokrývačům", ROOFER), ("zedníkům", BRICKLAYER)]
)
def test_inflected_form_in_no_label_finds_its_occupation(
    bundled: Bundled, query: str, expected: str
) -> None:
    assert query not in _all_czech_labels()  # the form itself is in no label
    ids = [h.id for h in bundled.search.search(query, limit=3)]
    assert expected in ids


def test_plural_finds_the_occupation_not_only_the_isco_group(bundled: Bundled) -> None:
    # "pokrývači" is the label of ISCO group 7121 (Pokrývači); the occupation
    # "pokrývač/pokrývačka" must come up next to it
    hits = bundled.search.search("pokrývači", limit=3)
    assert ROOFER in [h.id for h in hits]


@pytest.mark.parametrize(
    ("query", "expected"), [("svarec", WELDER), ("pokryvac", ROOFER), ("zednik", BRICKLAYER)]
)
def test_query_without_diacritics(bundled: Bundled, query: str, expected: str) -> None:
    for mode in ("hybrid", "lexical"):
        ids = [h.id for h in bundled.search.search(query, limit=3, mode=mode)]  # type: ignore[arg-type]
        assert expected in ids, mode


def test_lang_only_changes_the_display_label(bundled: Bundled) -> None:
    cs = bundled.search.search("welder", limit=5, lang="cs")
    en = bundled.search.search("welder", limit=5, lang="en")
    assert [h.id for h in cs] == [h.id for h in en]
    hit_cs = next(h for h in cs if h.id == WELDER)
    hit_en = next(h for h in en if h.id == WELDER)
    assert (hit_cs.label, hit_cs.label_lang) == ("svářeč", "cs")
    assert (hit_en.label, hit_en.label_lang) == ("welder", "en")
    # a skill has no Czech label: falls back to English and says so
    skill = bundled.search.search("manage budgets", kinds=[NodeKind.SKILL], limit=1, lang="cs")[0]
    assert skill.label_lang == "en"


def test_kind_and_eqf_filters(bundled: Bundled) -> None:
    hits = bundled.search.search("svářeč", kinds=[NodeKind.SKILL], limit=10)
    assert hits and all(h.kind == "skill" for h in hits)
    quals = bundled.search.search(
        "kuchař", kinds=[NodeKind.QUALIFICATION], eqf_min=3, eqf_max=3, limit=10
    )
    assert quals and all(h.kind == "qualification" and h.eqf_level == 3 for h in quals)
    # nsk-6 "Příprava teplých pokrmů" has eqf_level 3 in qualifications.jsonl
    assert "nsk:nsk-6" in [
        h.id
        for h in bundled.search.search(
            "příprava teplých pokrmů", kinds=[NodeKind.QUALIFICATION], eqf_min=3, limit=5
        )
    ]
    assert "nsk:nsk-6" not in [
        h.id
        for h in bundled.search.search(
            "příprava teplých pokrmů", kinds=[NodeKind.QUALIFICATION], eqf_min=4, limit=5
        )
    ]


def test_hits_aggregate_per_entity(bundled: Bundled) -> None:
    hits = bundled.search.search("svářeč", limit=50)
    ids = [h.id for h in hits]
    assert len(ids) == len(set(ids))


def test_bad_queries_are_refused(bundled: Bundled) -> None:
    with pytest.raises(QueryError):
        bundled.search.search("   ")
    with pytest.raises(QueryError):
        bundled.search.search("x" * 10_000)
    with pytest.raises(QueryError):
        bundled.search.search("svářeč", limit=0)
    with pytest.raises(QueryError):
        bundled.search.search("svářeč", eqf_min=5, eqf_max=2)
