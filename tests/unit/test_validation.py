"""Template validation on the real EDC samples and the CSV template example. What each
sample has and lacks was read by hand from the files (see tests/unit/test_ingest_elm.py
for the fields): the Annex I sample states every Annex I element except a type of quality
assurance (no ``accreditation`` anywhere in it) and, unsealed, a date of issuing; the
certificate of participation (a 2-hour webinar) has no learning outcomes, credits, level,
assessment or quality assurance."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.reasoning.validation import validate_document

ROOT = Path(__file__).resolve().parents[2]
ELM = ROOT / "tests" / "fixtures" / "microcredentials" / "elm"
SETTINGS = Settings(data_dir=ROOT / ".credgraph-unused")


def _validate(name: str, settings: Settings = SETTINGS) -> dict:  # type: ignore[type-arg]
    path = ELM / name
    raw = gzip.decompress(path.read_bytes()) if name.endswith(".gz") else path.read_bytes()
    return validate_document(raw, name.removesuffix(".gz"), settings)


def _status(answer: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {e["id"]: e["status"] for e in answer["elements"]}


def test_annex1_signed_states_all_but_quality_assurance() -> None:
    answer = _validate("Sample-MC-Annex1-signed.jsonld.gz")
    assert answer["kind"] == "issued" and answer["format"] == "elm"
    summary = answer["summary"]
    assert summary["missing"] == ["quality_assurance"] and summary["invalid"] == []
    status = _status(answer)
    for element in ("learner", "title", "issuer_country", "awarding_body", "date_of_issue"):
        assert status[element] == "present"
    for element in ("learning_outcomes", "workload", "level", "assessment", "participation"):
        assert status[element] == "present"
    # 60 h for 2 ECTS = 30 h per ECTS: at the top of the 25–30 range
    ects_hours = next(e for e in answer["elements"] if e["id"] == "ects_and_hours")
    assert ects_hours["status"] == "present" and "30.0 h per ECTS" in ects_hours["detail"]
    # the learning activity states volumeOfLearning P60M: 60 months, flagged
    assert any("P60M means 60 months" in w for w in answer["warnings"])
    assert answer["verification"]["status"] != "unsigned"


def test_annex1_unsealed_lacks_the_date_of_issuing() -> None:
    answer = _validate("Sample-MC-Annex1-unsigned.jsonld.gz")
    assert answer["summary"]["missing"] == ["date_of_issue", "quality_assurance"]
    assert answer["verification"]["status"] == "unsigned"


def test_certificate_of_participation_reports_what_it_lacks() -> None:
    answer = _validate("Sample-CertOfPart-unsigned.jsonld")
    summary = answer["summary"]
    assert summary["missing"] == [
        "date_of_issue",
        "learning_outcomes",
        "level",
        "assessment",
        "quality_assurance",
        "ects_and_hours",
    ]
    # 2 h (claim workload PT2H) is below 1 ECTS × 25 h
    assert summary["invalid"] == ["national_volume"]
    assert _status(answer)["workload"] == "present"  # 2 h, though not in ECTS
    assert any("P2M means 2 months" in w for w in answer["warnings"])
    optional = {e["id"]: e["status"] for e in answer["elements"] if not e["mandatory"]}
    assert optional == {
        "prerequisites": "missing",
        "supervision": "missing",
        "grade": "missing",
        "stackability": "missing",
        "further_information": "present",  # specifiedBy.homepage
    }


def test_national_limits_are_settings() -> None:
    strict = SETTINGS.model_copy(update={"template_max_ects": 1.5})
    answer = _validate("Sample-MC-Annex1-signed.jsonld.gz", strict)
    volume = next(e for e in answer["elements"] if e["id"] == "national_volume")
    assert volume["status"] == "invalid" and "above the national maximum of 1.5" in volume["detail"]


def test_an_offer_has_no_learner_or_date_of_issue() -> None:
    raw = (ROOT / "docs" / "examples" / "credentials-template.csv").read_bytes()
    answer = validate_document(raw, "credentials-template.csv", SETTINGS)
    assert answer["kind"] == "offer" and len(answer["credentials"]) == 2
    elements = {e["id"]: e for e in answer["credentials"][1]["elements"]}
    for element in ("learner", "date_of_issue", "grade"):
        assert elements[element]["applies"] is False and elements[element]["mandatory"] is False
    # row 2: 2 ECTS, 60 h, EQF 6, blended; the example leaves quality_assurance empty
    assert answer["credentials"][1]["summary"]["missing"] == ["quality_assurance"]
    assert answer["verification"]["status"] == "unsigned"


@pytest.mark.parametrize(
    ("raw", "name", "expected"),
    [
        (b"{", "x.json", "x.json:1:2: invalid JSON"),
        (b"", "x.json", "x.json: empty document"),
        (b'{"@context": "https://www.w3.org/2018/credentials/v1"}', "c.jsonld", "JSON-LD context"),
        (b"<root/>", "y.xml", "y.xml"),
    ],
)
def test_unreadable_documents(raw: bytes, name: str, expected: str) -> None:
    with pytest.raises(InputError) as err:
        validate_document(raw, name, SETTINGS)
    assert expected in str(err.value)
