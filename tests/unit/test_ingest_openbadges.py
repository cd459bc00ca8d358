"""Open Badges 2.0 / 3.0 parser on the real 1EdTech and MyNextID examples
(tests/fixtures/microcredentials/openbadges, mynextid; provenance in SOURCES.md).

Every expected value was read off the sample file by hand; each comment names the field.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credgraph.errors import InputError
from credgraph.ingest.credentials import CredentialRecord, credential_id, map_credentials
from credgraph.ingest.ctdl import is_ctdl
from credgraph.ingest.openbadges import is_openbadges, parse_openbadges
from credgraph.ingest.readers import read_json_document
from credgraph.models import EdgeKind, NodeKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "microcredentials"
OB = FIXTURES / "openbadges"
MYNEXTID = FIXTURES / "mynextid" / "open-badge_examples_open-badge-mc-example.json"
VALID = [*sorted(OB.glob("*.json")), MYNEXTID]
INVALID = sorted(OB.glob("*.json.txt"))


def load(path: Path) -> Any:
    return read_json_document(path)


def parse(path: Path) -> list[CredentialRecord]:
    return parse_openbadges(load(path), str(path))


def test_the_samples_are_as_the_sources_note_says() -> None:
    # SOURCES.md: 6 ob3_*, 17 ob2_NN_*, 7 ob2_invalidjson_* (30 files)
    assert len(list(OB.glob("ob3_*.json"))) == 6
    assert len(list(OB.glob("ob2_[0-9]*.json"))) == 17
    assert len(INVALID) == 7


def test_complete_ob3_credential_keeps_the_achievement() -> None:
    (record,) = parse(OB / "ob3_Complete_OpenBadgeCredential.json")
    assert record.format == "openbadges-3"
    assert record.document_kind == "issued"
    assert record.location == "$.credentialSubject.achievement"
    # credentialSubject.achievement.name / .id / .achievementType; no inLanguage -> "und"
    assert record.title == {"und": "1EdTech University Degree"}
    assert record.source_id == "https://1edtech.edu/achievements/degree"
    assert record.source_type == "Degree"
    assert record.description == {"und": "1EdTech University Degree Description"}
    # issuer: name, id, url, address.addressCountryCode
    assert record.provider is not None
    assert record.provider.names == {"und": "1EdTech University"}
    assert record.provider.source_id == "https://1edtech.edu/issuers/565049"
    assert record.provider.homepage == "https://1edtech.edu"
    assert record.provider.country == record.country == "US"
    # creditsAvailable 36.0 with no unit: not ECTS, kept as text
    assert record.ects is None
    assert record.ects_text == "36 credits"
    # criteria.narrative
    assert record.assessment == "# Degree Requirements\\nStudents must complete..."
    # both alignments point to a catalogue / the CTDL registry, not to ESCO
    assert record.skills == [] and record.occupations == []
    urls = [a["url"] for a in record.extra["alignments"]]
    assert urls == [
        "https://1edtech.edu/catalog/degree",
        "https://credentialengineregistry.org/resources/ce-98cb027b-95ef-4494-908d-6f7790ec6b6b",
    ]
    # fieldOfStudy, humanCode, specialization, tag
    assert record.extra["field_of_study"] == "Research"
    assert record.extra["human_code"] == "R1"
    assert record.extra["specialization"] == "Computer Science Research"
    assert record.extra["tags"] == ["research", "computer science"]
    # resultDescription[].name (two "Final Project Grade", one "Project Status")
    assert record.extra["result_descriptions"] == ["Final Project Grade", "Project Status"]
    # validFrom / validUntil of the credential
    assert record.valid_from == "2010-01-01T00:00:00Z"
    assert record.valid_until == "2030-01-01T00:00:00Z"


def test_no_learner_data_in_any_ob3_record() -> None:
    records = parse(OB / "ob3_Complete_OpenBadgeCredential.json")
    text = repr(records)
    # the learner, as the file gives it: name (in the credential's name and image caption),
    # subject id, identifier emails, licenceNumber, role, source, evidence, results
    for learner in (
        "Example Student",
        "did:example:ebfeb1f712ebc6f1c276e12ec21",
        "student@1edtech.edu",
        "somebody@gmail.com",
        "A-9320041",
        "Major Domo",
        "1EdTech College of Arts",
        "Final Project Report",
        "github.com/somebody",
        "Completed",
    ):
        assert learner not in text
    mynextid = repr(parse(MYNEXTID))
    # credentialSubject.id and identifier[0].identityHash / salt
    for learner in ("urn:uuid:754208fc-d60e-4977-897f-54f58ed54707", "ba91252f3fdc", "ea332060-e"):
        assert learner not in mynextid


def test_esco_alignments_become_declared_skills() -> None:
    (record,) = parse(MYNEXTID)
    # achievement.alignment[].targetUrl: two ESCO skill URIs, no other alignment
    assert record.skills == [
        "http://data.europa.eu/esco/skill/f10142ce-d522-49c3-9fd1-054fb63529d4",
        "http://data.europa.eu/esco/skill/81a2db2c-7e55-44d0-9cd9-74c25147d7cd",
    ]
    assert "alignments" not in record.extra
    # inLanguage "en": the language and the key of the texts
    assert record.language == "en" and record.languages == ["en"]
    assert record.title == {"en": "Data Science Fundamentals"}
    assert record.source_type == "MicroCredential"
    assert record.provider is not None and record.provider.names == {"und": "NETIS d.o.o."}
    # creditsAvailable 5, no unit
    assert record.ects is None and record.ects_text == "5 credits"
    # awardedDate, validUntil
    assert record.issued_on == "2026-01-12T07:04:19Z"
    assert record.valid_until == "2026-12-31T23:59:59Z"
    # the creator is the issuer (same name): no extra.creator
    assert "creator" not in record.extra


def test_ob3_issuer_is_the_awarding_body_and_another_creator_is_kept() -> None:
    (record,) = parse(OB / "ob3_Skill_Assertion_CASE.json")
    # issuer.name vs achievement.creator.name
    assert record.provider is not None and record.provider.names == {"und": "1EdTech University"}
    assert record.extra["creator"] == "Example Industry Group"
    # alignment to a CASE item, not ESCO
    assert record.extra["alignments"][0]["framework"] == "Example Robotics Framework"
    assert record.skills == []


def test_ects_only_where_the_document_names_ects() -> None:
    doc = load(MYNEXTID)
    doc["credentialSubject"]["achievement"]["creditUnit"] = "ECTS"  # an extension field
    (record,) = parse_openbadges(doc, "x")
    assert record.ects == 5.0 and record.ects_text == "5 ECTS"


def fixed_assertion() -> Any:
    """ob2_invalidjson_02_Assertion.json.txt with its one defect repaired: a trailing comma
    after ``"email": "steved@example.org"`` in badge.issuer."""
    text = (OB / "ob2_invalidjson_02_Assertion.json.txt").read_text(encoding="utf-8")
    assert '"steved@example.org",\n' in text
    return json.loads(text.replace('"steved@example.org",\n', '"steved@example.org"\n'))


def test_ob2_assertion_with_embedded_badge() -> None:
    assert is_openbadges(fixed_assertion())
    (record,) = parse_openbadges(fixed_assertion(), "assertion")
    assert record.format == "openbadges-2"
    assert record.document_kind == "issued"
    assert record.location == "$.badge"
    # badge.name / id / description; badge.issuer (type Profile) name, id, url
    assert record.title == {"und": "Awesome Robotics Badge"}
    assert record.source_id == "https://example.org/robotics-badge.json"
    assert record.source_type == "BadgeClass"
    assert record.description == {
        "und": "For doing awesome things with robots that people think is pretty great."
    }
    assert record.provider is not None
    assert record.provider.names == {"und": "An Example Badge Issuer"}
    assert record.provider.homepage == "https://example.org"
    # issuedOn; badge.criteria is an IRI
    assert record.issued_on == "2016-12-31T23:59:59Z"
    assert record.extra["criteria_url"] == "https://example.org/robotics-badge.html"
    # the recipient (salt "deadsea", hashed identity) and the assertion id are not kept
    text = repr(record)
    assert "deadsea" not in text and "c7ef86405ba7" not in text
    assert "beths-robotics-badge" not in text


def test_ob2_badge_class_with_alignments() -> None:
    # ob2_invalidjson_01_BadgeClass.json.txt is invalid only for the new lines inside the
    # targetDescription string; strict=False reads it as its authors meant
    text = (OB / "ob2_invalidjson_01_BadgeClass.json.txt").read_text(encoding="utf-8")
    (record,) = parse_openbadges(json.loads(text, strict=False), "badgeclass")
    assert record.document_kind == "offer" and record.location == "$"
    assert record.title == {"und": "Awesome Robotics Badge"}
    # issuer is only an IRI: no provider, the reference is kept
    assert record.provider is None
    assert record.extra["issuer_ref"] == "https://example.org/organization.json"
    # alignment[]: targetName of both; neither is ESCO
    names = [a["name"] for a in record.extra["alignments"]]
    assert names == ["CCSS.ELA-Literacy.RST.11-12.3", "Problem-Solving"]
    assert record.extra["alignments"][1]["framework"] == "Mozilla 21st Century Skills"
    assert record.extra["tags"] == ["robots", "awesome"]
    assert record.skills == []


@pytest.mark.parametrize(
    "name",
    [
        "ob2_01_Assertion.json",  # badge is an IRI only
        "ob2_02_Issuer.json",
        "ob2_03_Assertion.json",  # badge is an IRI only
        "ob2_04_CryptographicKey.json",
        "ob2_05_RevocationList.json",
        *(f"ob2_{n:02d}_LinkedData.json" for n in range(6, 15)),
        "ob2_15_Endorsement.json",
        "ob2_16_Endorsement.json",
        "ob2_17_Endorsement.json",
    ],
)
def test_ob2_fragments_give_no_record(name: str) -> None:
    doc = load(OB / name)
    assert is_openbadges(doc)
    assert parse_openbadges(doc, name) == []


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_invalid_json_as_published_is_an_input_error(path: Path) -> None:
    with pytest.raises(InputError, match="invalid JSON"):
        load(path)


@pytest.mark.parametrize("path", VALID, ids=lambda p: p.name)
def test_every_valid_sample_is_open_badges_and_parses(path: Path) -> None:
    doc = load(path)
    assert is_openbadges(doc) and not is_ctdl(doc)
    records = parse_openbadges(doc, str(path))
    # the 6 ob3_* files and the MyNextID one each describe one achievement; ob2_* none
    assert len(records) == (0 if path.name.startswith("ob2_") else 1)


def test_records_map_into_the_graph() -> None:
    records = [r for path in VALID for r in parse(path)]
    # ob3_Achievement_alignment_CASE and _Credential_Engine describe the same achievement
    # (id https://1edtech.edu/achievements/1): one node
    assert len(records) == 7
    batch = map_credentials(records)
    credentials = [n for n in batch.nodes.values() if n.kind is NodeKind.CREDENTIAL]
    assert len(credentials) == len({credential_id(r) for r in records}) == 6
    skills = [e.target for e, _ in batch.wanted if e.kind is EdgeKind.ALIGNS_TO]
    assert len(skills) == 2  # the two ESCO alignments of the MyNextID badge
    offered = {e.target for e in batch.edges if e.kind is EdgeKind.OFFERED_BY}
    assert "provider:netis-d-o-o" in offered
    json.dumps([n.props for n in batch.nodes.values()])  # props stay JSON


# hostile input: wrong JSON types give an InputError naming the JSON path


ACH = "$.credentialSubject.achievement"


@pytest.mark.parametrize(
    ("where", "value", "position"),
    [
        (("credentialSubject", "achievement", "name"), 5, f"{ACH}.name"),
        (("credentialSubject", "achievement", "name"), ["a", "b"], f"{ACH}.name"),
        (("credentialSubject", "achievement", "name"), None, f"{ACH}.name"),
        (("credentialSubject", "achievement", "alignment"), "x", f"{ACH}.alignment"),
        (("credentialSubject", "achievement", "alignment"), [5], f"{ACH}.alignment[0]"),
        (
            ("credentialSubject", "achievement", "creditsAvailable"),
            "lots",
            f"{ACH}.creditsAvailable",
        ),
        (("credentialSubject", "achievement", "inLanguage"), 5, f"{ACH}.inLanguage"),
        (("credentialSubject", "achievement", "criteria"), 5, f"{ACH}.criteria"),
        (("credentialSubject", "achievement"), "https://x", ACH),
        (("credentialSubject",), 5, "$.credentialSubject"),
        (("issuer",), 5, "$.issuer"),
        (("issuer", "name"), {"en": "x"}, "$.issuer.name"),
        (("validFrom",), 2026, "$.validFrom"),
    ],
)
def test_wrong_types_name_the_path(where: tuple[str, ...], value: Any, position: str) -> None:
    doc = load(MYNEXTID)
    node = doc
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = value
    with pytest.raises(InputError) as caught:
        parse_openbadges(doc, "hostile.json")
    assert caught.value.position == position
    assert caught.value.source == "hostile.json"


def test_not_an_object_is_an_input_error() -> None:
    with pytest.raises(InputError, match="expected an Open Badges document"):
        parse_openbadges([1, 2], "x")


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    children = (
        value.items()
        if isinstance(value, dict)
        else enumerate(value)
        if isinstance(value, list)
        else []
    )
    for key, child in children:
        yield from _paths(child, (*path, key))


@pytest.mark.parametrize(
    "path",
    [OB / "ob3_Complete_OpenBadgeCredential.json", MYNEXTID, OB / "ob2_01_Assertion.json"],
    ids=lambda p: p.name,
)
def test_any_field_of_any_type_gives_records_or_an_input_error(path: Path) -> None:
    original = load(path)
    for where in _paths(original):
        for bad in (5, "x", [5], {"x": 1}, None):
            doc = copy.deepcopy(original)
            if not where:
                doc = bad
            else:
                node = doc
                for key in where[:-1]:
                    node = node[key]
                node[where[-1]] = bad
            is_openbadges(doc), is_ctdl(doc)  # never raise
            try:
                records = parse_openbadges(doc, "fuzz")
            except InputError:
                continue
            map_credentials(records)
