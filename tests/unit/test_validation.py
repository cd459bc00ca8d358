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


# -- every row and every format --------------------------------------------------------------

TEMPLATE = ROOT / "docs" / "examples" / "credentials-template.csv"
FIXTURES = ROOT / "tests" / "fixtures" / "microcredentials"


def _template_with(changes: dict[str, dict[str, str]]) -> bytes:
    """The example CSV (rows "lady-praha-69-030-M" on line 2, "uniz-digital-mc-creation" on
    line 3) with some cells changed: {row id: {column: value}}."""
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(TEMPLATE.read_text("utf-8"))))
    out = io.StringIO()
    writer = csv.DictWriter(out, list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, **changes.get(row["id"], {})})
    return out.getvalue().encode("utf-8")


def _elements(checked: dict) -> dict[str, tuple[str, str]]:  # type: ignore[type-arg]
    return {e["id"]: (e["status"], e["detail"]) for e in checked["elements"]}


def test_a_csv_row_ingest_refuses_is_answered_with_its_reason() -> None:
    # uniz row (line 3): eqf_level 6 -> 9; the row stays, its level is invalid
    raw = _template_with({"uniz-digital-mc-creation": {"eqf_level": "9"}})
    answer = validate_document(raw, "credentials-template.csv", SETTINGS)
    lady, uniz = answer["credentials"]
    assert (lady["location"], uniz["location"]) == ("line 2", "line 3")
    reason = "line 3, column eqf_level: 9 is outside 1–8"
    assert _elements(uniz)["level"] == ("invalid", reason)
    assert uniz["problems"] == [reason] and lady["problems"] == []
    assert answer["problems"] == [reason]
    # the rest of the row is checked as usual: only quality_assurance is missing
    assert uniz["summary"]["invalid"] == ["level"]
    assert uniz["summary"]["missing"] == ["quality_assurance"]
    assert _elements(uniz)["ects_and_hours"][0] == "present"  # 2 ECTS, 60 h


def test_a_csv_whose_every_row_is_refused_is_still_answered(tmp_path: Path) -> None:
    from credgraph.graph.embedded import EmbeddedGraphStore
    from credgraph.ingest import ingest_paths

    bad = {"eqf_level": "9"}
    raw = _template_with({"lady-praha-69-030-M": bad, "uniz-digital-mc-creation": bad})
    answer = validate_document(raw, "credentials-template.csv", SETTINGS)
    assert answer["problems"] == [
        "line 2, column eqf_level: 9 is outside 1–8",
        "line 3, column eqf_level: 9 is outside 1–8",
    ]
    assert [_elements(c)["level"][0] for c in answer["credentials"]] == ["invalid", "invalid"]
    # the same reason `credgraph ingest` gives for the rows it leaves out
    path = tmp_path / "template.csv"
    path.write_bytes(raw)
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    (report,) = ingest_paths(store, [path], Settings(data_dir=tmp_path)).reports
    assert [(p.location, p.reason) for p in report.failed] == [
        (f"{path}:2", "column eqf_level: 9 is outside 1–8"),
        (f"{path}:3", "column eqf_level: 9 is outside 1–8"),
    ]


def test_every_refused_cell_of_a_row_is_named() -> None:
    # uniz row: ects "two", hours 60, participation_form "sometimes", language "english",
    # title empty: workload and ects_and_hours invalid, participation invalid, title missing
    raw = _template_with(
        {
            "uniz-digital-mc-creation": {
                "ects": "two",
                "participation_form": "sometimes",
                "language": "english",
                "title": "",
            }
        }
    )
    uniz = validate_document(raw, "t.csv", SETTINGS)["credentials"][1]
    assert uniz["problems"] == [
        "line 3, column title is empty",
        "line 3, column language: 'english' is not an ISO 639-1 code",
        "line 3, column participation_form: 'sometimes' is not online, onsite or blended",
        "line 3, column ects: 'two' is not a number",
    ]
    elements = _elements(uniz)
    assert elements["title"] == ("missing", "line 3, column title is empty")
    assert elements["participation"][0] == "invalid"
    assert elements["workload"] == ("invalid", "line 3, column ects: 'two' is not a number")
    assert elements["ects_and_hours"] == ("invalid", "line 3, column ects: 'two' is not a number")


def test_ects_and_hours_that_disagree_csv() -> None:
    # uniz row: 2 ECTS and 60 h -> 100 h: 50 h per ECTS, outside 25–30
    raw = _template_with({"uniz-digital-mc-creation": {"hours": "100"}})
    uniz = validate_document(raw, "t.csv", SETTINGS)["credentials"][1]
    elements = _elements(uniz)
    assert elements["ects_and_hours"] == (
        "invalid",
        "100 h for 2 ECTS is 50.0 h per ECTS, outside 25–30",
    )
    assert elements["workload"] == ("present", "2 ECTS and 100 h")
    assert uniz["summary"]["invalid"] == ["ects_and_hours"] and uniz["problems"] == []


def _annex1_with(old: bytes, new: bytes) -> bytes:
    raw = gzip.decompress((ELM / "Sample-MC-Annex1-unsigned.jsonld.gz").read_bytes())
    assert raw.count(old) == 1, old  # the one place the sample states it
    return raw.replace(old, new)


def test_ects_and_hours_that_disagree_elm() -> None:
    # the credential's volumeOfLearning PT60H -> PT100H with its creditPoint of 2 ECTS
    raw = _annex1_with(b'"PT60H"', b'"PT100H"')
    answer = validate_document(raw, "annex1-100h.jsonld", SETTINGS)
    assert _elements(answer)["ects_and_hours"] == (
        "invalid",
        "100 h for 2 ECTS is 50.0 h per ECTS, outside 25–30",
    )


def test_an_elm_eqf_level_9_is_invalid_and_not_stored(tmp_path: Path) -> None:
    from credgraph.graph.embedded import EmbeddedGraphStore
    from credgraph.ingest import ingest_paths
    from credgraph.models import NodeKind

    # specifiedBy.eqfLevel http://data.europa.eu/snb/eqf/6 -> …/eqf/9
    raw = _annex1_with(b"snb/eqf/6", b"snb/eqf/9")
    answer = validate_document(raw, "annex1-eqf9.jsonld", SETTINGS)
    assert _elements(answer)["level"] == ("invalid", "EQF level 9 is not 1–8")
    assert answer["summary"]["invalid"] == ["level"]
    path = tmp_path / "annex1-eqf9.jsonld"
    path.write_bytes(raw)
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    (report,) = ingest_paths(store, [path], Settings(data_dir=tmp_path)).reports
    assert report.skip_reasons["eqf_level_invalid"] == 1
    (credential,) = store.iter_nodes(NodeKind.CREDENTIAL)
    assert credential.props["eqf_level"] is None


def test_open_badges_3_sample() -> None:
    # ob3_Complete_OpenBadgeCredential.json, read by hand: credentialSubject has id,
    # identifier, result [{value "A"}, …] besides its achievement; the achievement "1EdTech
    # University Degree" (Degree) has criteria.narrative, creditsAvailable 36 with no unit,
    # description, no level, mode, outcomes or QA; issuer "1EdTech University",
    # address.addressCountryCode "US"; validFrom 2010-01-01T00:00:00Z; no proof of its own
    path = FIXTURES / "openbadges" / "ob3_Complete_OpenBadgeCredential.json"
    answer = validate_document(path.read_bytes(), path.name, SETTINGS)
    assert (answer["kind"], answer["format"]) == ("issued", "openbadges")
    assert {k: v[0] for k, v in _elements(answer).items()} == {
        "learner": "present",
        "title": "present",
        "issuer_country": "present",
        "awarding_body": "present",
        "date_of_issue": "present",
        "learning_outcomes": "missing",
        "workload": "invalid",
        "level": "missing",
        "assessment": "present",
        "participation": "missing",
        "quality_assurance": "missing",
        "prerequisites": "missing",
        "supervision": "missing",
        "grade": "present",
        "stackability": "missing",
        "further_information": "present",
        "ects_and_hours": "missing",
        "national_volume": "missing",
    }
    elements = _elements(answer)
    assert (
        elements["workload"][1] == "stated only as '36 credits', which gives neither ECTS nor hours"
    )
    assert elements["issuer_country"][1] == "US"
    assert elements["date_of_issue"][1] == "2010-01-01T00:00:00Z"
    assert answer["verification"]["status"] == "unsigned"


def test_ctdl_sample() -> None:
    # ingest-examples Credential-1.json, read by hand: a BachelorDegree "Bachelor of Science in
    # Cybersecurity", ownedBy/offeredBy only a URL (Organization-1.json), requires a
    # ConditionProfile with a description, recognizedBy a QACredentialOrganization "Example
    # Town Cyber Security Jobs Center", subjectWebpage; no duration, credits, level,
    # assessment, delivery type or competencies. Not a VC: an offer.
    path = FIXTURES / "ctdl" / "ingest-examples_Credential_1_Credential-1.json"
    answer = validate_document(path.read_bytes(), path.name, SETTINGS)
    assert (answer["kind"], answer["format"]) == ("offer", "ctdl")
    elements = _elements(answer)
    present = sorted(k for k, (status, _) in elements.items() if status == "present")
    assert present == ["further_information", "prerequisites", "quality_assurance", "title"]
    assert answer["summary"]["invalid"] == []
    assert elements["quality_assurance"][1] == (
        "recognized by Example Town Cyber Security Jobs Center"
    )
    assert elements["awarding_body"] == (
        "missing",
        "the awarding body is only referenced (https://credentialengine.github.io/"
        "credential-registry-ingest-examples/Organization/1/Organization-1.json), not described",
    )
    assert elements["further_information"][1] == "http://example.com/#bachelordegree"


def test_qdr_xml_sample() -> None:
    # loq.xml, read by hand: LOP-01 "Yopx" references Q-01 (EQFLevel …/eqf/2, creditPoint
    # "S91ZbAwnQrf" in the ECTS framework: not a number, volumeOfLearning P7Y8M2DT1H10M0S,
    # two learningOutcome, isPartialQualification false, entryRequirement
    # "wmoORvUoHWmxTnO", accreditation ACCRED-01 "N-rNT8taWuWTNpYI", provenBy LAssS-01/02);
    # providedBy ORG-01 (legalName "HB-QzqZddn66D_SBl3gVv20WiJ", country SGS); modes
    # work-based and blended (tests/unit/test_ingest_qdr.py)
    path = ELM / "loq.xml.gz"
    answer = validate_document(gzip.decompress(path.read_bytes()), "loq.xml", SETTINGS)
    assert answer["format"] == "qdr" and len(answer["credentials"]) == 3
    lop1 = answer["credentials"][0]
    assert lop1["title"] == "Yopx" and lop1["kind"] == "offer"
    elements = _elements(lop1)
    assert {k: v[0] for k, v in elements.items() if v[0] != "missing"} == {
        "title": "present",
        "issuer_country": "present",
        "awarding_body": "present",
        "learning_outcomes": "present",
        "workload": "invalid",
        "level": "present",
        "assessment": "present",
        "participation": "present",
        "quality_assurance": "present",
        "prerequisites": "present",
        "stackability": "present",
        "further_information": "present",
    }
    assert elements["level"][1].startswith("EQF 2")
    assert elements["participation"][1] == "blended"
    assert elements["workload"][1] == (
        "volume of learning P7Y8M2DT1H10M0S means 7 years, 8 months, 2 days (≈ 2801 days of "
        "calendar time), not hours of learning: implausible as a workload; stated only as "
        "'S91ZbAwnQrf ECTS; b_CeZO_uhp4S9UzNmT55jC "
        "http://data.europa.eu/snb/education-credit/60b314e826', which gives neither ECTS "
        "nor hours"
    )
    assert elements["stackability"][1] == "stand-alone (not a partial qualification)"
    assert lop1["summary"]["missing"] == ["ects_and_hours", "national_volume"]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        (
            "openbadges/ob2_01_Assertion.json",
            "an Open Badges 2.0 Assertion whose badge is only referenced",
        ),
        (
            "ctdl/schema-dev_PriorLearningRecognition_Examples_tv-example.json",
            "the document describes TransferValueProfile, not a credential",
        ),
    ],
)
def test_a_document_without_a_credential_says_why(name: str, reason: str) -> None:
    with pytest.raises(InputError) as error:
        validate_document((FIXTURES / name).read_bytes(), name, SETTINGS)
    assert f"no credential in the document to validate: {reason}" in str(error.value)
