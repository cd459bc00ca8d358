"""Europass QDR XML (``credgraph.ingest.qdr``): the real samples give the records read by hand
from the XML, other Europass XML is refused by name, and hostile or broken XML is always a
clean ``InputError`` naming the file and ``line:column`` (never another exception).

The samples' values are generated test data (random strings), which is what the XSD's
example files hold; the expected values below were read from the decompressed files.
"""

from __future__ import annotations

import gzip
import random
import re
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

from credgraph.errors import InputError, UnsupportedFormatError
from credgraph.ingest.credentials import (
    CredentialRecord,
    credential_id,
    iri_credential_id,
    map_credentials,
)
from credgraph.ingest.qdr import MAX_XML_DEPTH, detect_xml, parse_qdr, parse_xml, read_xml
from credgraph.models import EdgeKind, NodeKind

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "microcredentials" / "elm"
LOQ = SAMPLES / "loq.xml.gz"
LOQ_LAS = SAMPLES / "loq_withLearningAchievementSpecification.xml.gz"
AMS = SAMPLES / "ams.xml.gz"
ELM_V2 = SAMPLES / "EDC_DiplomaSupplement_AA.xml.gz"
POSITION = re.compile(r"^\d+:\d+$")


def load(path: Path) -> list[CredentialRecord]:
    return parse_qdr(read_xml(path), str(path))


def by_id(records: list[CredentialRecord]) -> dict[str | None, CredentialRecord]:
    return {r.source_id: r for r in records}


# --- the real samples -------------------------------------------------------------------


def test_loq_sample_records() -> None:
    records = load(LOQ)
    # 2 <learningOpportunity> (LOP-01, LOP-02) merged with the qualification they reference
    # (both <learningAchievementSpecification idref="http://Q-01"/>), plus Q-02 that no
    # opportunity uses; Q-01 has no record of its own
    assert [r.source_id for r in records] == ["http://LOP-01", "http://LOP-02", "http://Q-02"]
    assert [r.location for r in records] == [
        "/Courses/learningOpportunityReferences/learningOpportunity[@id='http://LOP-01']",
        "/Courses/learningOpportunityReferences/learningOpportunity[@id='http://LOP-02']",
        "/Courses/learningAchievementSpecificationReferences/qualification[@id='http://Q-02']",
    ]
    assert {r.format for r in records} == {"qdr"}
    assert {r.document_kind for r in records} == {"offer"}
    lop1, lop2, q2 = records
    # <title language="en">Yopx</title> <title language="nl">roY6hw</title> of LOP-01
    assert lop1.title == {"en": "Yopx", "nl": "roY6hw"}
    assert lop2.title == {"en": "gd0N0", "nl": "kfi7"}
    assert q2.title == {"en": "W4NaPD.ShPOm_L_xnsxeqLdKXDTQ-z", "nl": "g"}
    assert lop1.description == {"en": "Ko6k5TdKAzjLEWf.70z195nkS3b", "nl": "W9B"}
    assert (lop1.source_type, q2.source_type) == ("LearningOpportunity", "Qualification")
    assert lop1.extra["specification_id"] == "http://Q-01"
    assert q2.extra["specification_id"] is None

    # provider: LOP-01 <providedBy idref="http://ORG-01"/> (first of two); Q-02
    # <awardingOpportunity><awardingBody idref="http://ORG-01"/>; ORG-01's <legalName>,
    # its <location idref="http://LOC-01"/> whose <countryCode uri="…/country/SGS"/>
    for record in records:
        assert record.provider is not None
        assert record.provider.names == {
            "en": "HB-QzqZddn66D_SBl3gVv20WiJ",
            "nl": "eymWDqcrNu7xxywGbts1fZRHK",
        }
        assert record.provider.source_id == "http://ORG-01"
        assert record.provider.country == "SGS"
        assert record.country == "SGS"

    # ECTS: Q-01 <creditPoint><framework uri="…/education-credit/6fcec5c5af"/> (ECTS)
    # <point>S91ZbAwnQrf</point>: not a number, so no ects, the text is kept
    assert lop1.ects is None
    assert lop1.ects_text == (
        "S91ZbAwnQrf ECTS; "
        "b_CeZO_uhp4S9UzNmT55jC http://data.europa.eu/snb/education-credit/60b314e826"
    )
    assert q2.ects is None
    assert q2.ects_text is not None and "_8mVU3g1nYc88E7avb ECTS" in q2.ects_text

    # EQF: Q-01 <EQFLevel uri="http://data.europa.eu/snb/eqf/2"/>, Q-02 …/eqf/3
    assert [r.eqf_level for r in records] == [2, 2, 3]
    assert lop1.nqf_level == "http://data.europa.eu/snb/qdr/c_060f2f91"  # first <NQFLevel>

    # volume: Q-01 <volumeOfLearning>P7Y8M2DT1H10M0S</volumeOfLearning>: calendar time, no hours
    assert (lop1.volume_text, lop1.hours) == ("P7Y8M2DT1H10M0S", None)
    assert (q2.volume_text, q2.hours) == ("P5Y7M8DT1H10M0S", None)
    assert lop1.extra["duration"] == "P7Y3M8DT1H10M0S"  # LOP-01 <duration>

    # outcomes: Q-01 and Q-02 <learningOutcome idref="http://LO-01"/> and LO-02; their
    # <relatedESCOSkill uri="http://QRNImsAj/"> … are not ESCO skill URIs, so no skills
    for record in records:
        assert [(o.source_id, o.texts) for o in record.outcomes] == [
            ("http://LO-01", {"en": "xDJUMG", "nl": "tpO"}),
            ("http://LO-02", {"en": "LBU7", "nl": "ZdG9pTOwNEoWCgDPnAVD9_YH7rUOc"}),
        ]
        assert all(o.skills == [] for o in record.outcomes)
        assert record.skills == []

    # mode: LOP-01 <mode> …/729f3bed4b (work-based) and …/e92d221e4d (blended) -> blended;
    # LOP-02 …/7813801c77 (project based), …/ed4c557045 (research-lab): no delivery mode;
    # Q-02 …/7813801c77, …/9191af2ed9 (presential) -> onsite
    assert [r.mode for r in records] == ["blended", "project based", "onsite"]
    assert lop1.extra["modes"] == ["workbased", "blended"]

    # languages: Q-01 <language uri="…/language/SQO"/> and SJB (not in ISO 639-1)
    assert lop1.languages == ["sqo", "sjb"] and lop1.language is None
    assert q2.languages == ["blg", "orx"]

    # Q-01 <accreditation idref="http://ACCRED-01"/>: its <title language="en">
    assert lop1.quality_assurance == "N-rNT8taWuWTNpYI"
    assert lop1.accreditation_id == "http://ACCRED-01"
    assert q2.quality_assurance == "TeZpn4Y89Gv5W"  # ACCRED-02
    # <provenBy idref="http://LAssS-01"/> and LAssS-02: their English titles
    assert lop1.assessment == "iyoG5_1zd4kLeapRy1P-; SLHgEIL_M8AiY"
    # <entryRequirement><noteLiteral language="en">
    assert lop1.prerequisites == "wmoORvUoHWmxTnO"
    assert q2.prerequisites == "t-Bh"
    # LOP-01 <priceDetail><amount><unit uri="…/currency/XXX"/><value>1378413989.154</value>
    assert lop1.price == "1378413989.154 XXX; 617533410.143 CUP"
    assert q2.price is None
    assert lop1.url == "http://www.example.com"  # <homepage><contentUrl>
    assert lop1.extra["partial_qualification"] is False  # <isPartialQualification>false

    # LOP-02 <isPartOf idref="http://LOP-01"/>; Q-02 <isPartOf idref="http://Q-01"/>, and
    # Q-01 is represented by LOP-01 and LOP-02
    assert [r.stacks_into_ids for r in records] == [
        [],
        ["http://LOP-01"],
        ["http://LOP-01", "http://LOP-02"],
    ]
    assert all("unresolved_references" not in r.extra for r in records)


def test_loq_sample_maps_to_unique_nodes() -> None:
    records = load(LOQ)
    batch = map_credentials(records)
    credentials = [n for n in batch.nodes.values() if n.kind is NodeKind.CREDENTIAL]
    outcomes = [n for n in batch.nodes.values() if n.kind is NodeKind.LEARNING_OUTCOME]
    assert len(credentials) == 3
    assert len({credential_id(r) for r in records}) == 3
    assert len(outcomes) == 6  # 2 outcomes per record, each its own node
    assert list(batch.providers) == ["provider:hb-qzqzddn66d-sbl3gvv20wij"]
    offered = [e for e in batch.edges if e.kind is EdgeKind.OFFERED_BY]
    assert len(offered) == 3
    stacks = [(e.source, e.target) for e, _ in batch.wanted if e.kind is EdgeKind.STACKS_INTO]
    lop1, lop2, q2 = (
        iri_credential_id(i) for i in ("http://LOP-01", "http://LOP-02", "http://Q-02")
    )
    assert stacks == [(lop2, lop1), (q2, lop1), (q2, lop2)]
    assert all(target in batch.nodes for _, target in stacks)  # all within the file
    node = batch.nodes[lop1]
    assert node.props["source"] == "qdr" and node.props["eqf_level"] == 2


# fields that only a qualification has (EQF/NQF level, accreditation, partial qualification)
# or that name the specification element, which differs between the two samples
_QUALIFICATION_ONLY = ("eqf_level", "nqf_level", "quality_assurance", "accreditation_id")
_EXTRA_DIFFERENT = ("eqf_text", "partial_qualification", "specification_id", "specification_type")


def _common(record: CredentialRecord) -> dict[str, Any]:
    data = asdict(replace(record, **dict.fromkeys(_QUALIFICATION_ONLY)))
    for key in _EXTRA_DIFFERENT:
        data["extra"].pop(key, None)
    return data


def test_learning_achievement_specification_sample_matches_qualification_sample() -> None:
    # loq_withLearningAchievementSpecification.xml.gz is loq.xml.gz with xmlns:elm bound to
    # http://data.europa.eu/snb/model# (instead of …/model/elm/), <learningAchievement-
    # Specification id="http://LAchievementS-01"> instead of <qualification id="http://Q-01">
    # (without EQFLevel, NQFLevel, qualificationCode, accreditation) and no accreditations
    qualification = load(LOQ)
    generic = load(LOQ_LAS)
    assert [r.source_id for r in generic] == [
        "http://LOP-01",
        "http://LOP-02",
        "http://LAchievementS-02",
    ]
    for a, b in zip(qualification[:2], generic[:2], strict=True):
        assert _common(a) == _common(b)
        assert credential_id(a) == credential_id(b)  # the same node from either file
    assert generic[0].extra["specification_id"] == "http://LAchievementS-01"
    assert generic[0].extra["specification_type"] == "LearningAchievementSpecification"
    assert [r.eqf_level for r in generic] == [None, None, None]
    assert [r.quality_assurance for r in generic] == [None, None, None]
    # the unused specification: same content as Q-02 apart from its id and element name
    q2, las2 = qualification[2], generic[2]
    assert las2.source_type == "LearningAchievementSpecification"
    assert las2.location.endswith(
        "/learningAchievementSpecification[@id='http://LAchievementS-02']"
    )
    assert (las2.title, las2.outcomes, las2.ects_text, las2.mode, las2.stacks_into_ids) == (
        q2.title,
        q2.outcomes,
        q2.ects_text,
        q2.mode,
        q2.stacks_into_ids,
    )
    assert len({credential_id(r) for r in generic}) == 3


def test_accreditation_sample_is_refused_as_not_credentials() -> None:
    root = read_xml(AMS)
    assert detect_xml(root) == "qdr-accreditation"
    with pytest.raises(UnsupportedFormatError) as caught:
        parse_qdr(root, str(AMS))
    err = caught.value
    # <Accreditations> with 2 <accreditation> under <accreditationReferences>
    assert "accreditation records (QDR AMS, 2 accreditation(s)) are not credentials" in str(err)
    assert err.source == str(AMS) and err.position == "2:1"  # <Accreditations on line 2
    assert err.hint and "<Courses>" in err.hint


def test_elm_v2_sample_is_refused_with_a_reissue_hint() -> None:
    root = read_xml(ELM_V2)  # XML-DSig signed; the signature is not our business here
    assert detect_xml(root) == "elm-v2"
    with pytest.raises(UnsupportedFormatError) as caught:
        parse_qdr(root, str(ELM_V2))
    err = caught.value
    assert str(err).startswith(f"{ELM_V2}:1:55: Europass ELM v2 XML (verifiable presentation")
    assert err.hint and "ELM v3 JSON-LD" in err.hint


def test_detect_xml_of_the_samples() -> None:
    assert detect_xml(read_xml(LOQ)) == "qdr-loq"
    assert detect_xml(read_xml(LOQ_LAS)) == "qdr-loq"
    assert detect_xml(parse_xml(b"<html><body/></html>", "x.xml")) is None
    other_courses = b'<Courses xmlns="http://example.org/lms"><course/></Courses>'
    assert detect_xml(parse_xml(other_courses, "x.xml")) is None


# --- field semantics on a small document --------------------------------------------------

LOQ_NS = "http://data.europa.eu/snb/model/ap/loq-constraints/"
SMALL_BODY = """
  <learningOpportunityReferences>
    <learningOpportunity id="urn:lop:1">
      <title language="en">Welding basics</title>
      <title language="cs-CZ">Základy svařování</title>
      <mode uri="http://data.europa.eu/snb/learning-assessment/920fbb3cbe"/>
      <priceDetail><amount>
        <unit uri="http://publications.europa.eu/resource/authority/currency/EUR"/>
        <value>120.00</value>
      </amount></priceDetail>
      <providedBy idref="urn:org:1"/>
      <learningAchievementSpecification idref="urn:spec:1"/>
    </learningOpportunity>
  </learningOpportunityReferences>
  <learningAchievementSpecificationReferences>
    <qualification id="urn:spec:1">
      <title language="en">Welder</title>
      <volumeOfLearning>PT60H</volumeOfLearning>
      <creditPoint>
        <framework uri="http://data.europa.eu/snb/education-credit/6fcec5c5af"/>
        <point>5</point>
      </creditPoint>
      <language uri="http://publications.europa.eu/resource/authority/language/ENG"/>
      <learningOutcome idref="urn:lo:1"/>
      <learningOutcome><title language="en">read a drawing</title></learningOutcome>
      <EQFLevel uri="http://data.europa.eu/snb/eqf/4"/>
    </qualification>
    <learningAchievementSpecification id="urn:spec:2">
      <title>Months</title>
      <volumeOfLearning>P60M</volumeOfLearning>
      <creditPoint>
        <framework uri="http://data.europa.eu/snb/education-credit/60b314e826">
          <skos:prefLabel language="en">Other credits</skos:prefLabel>
        </framework>
        <point>7</point>
      </creditPoint>
      <learningOutcome idref="urn:lo:absent"/>
    </learningAchievementSpecification>
  </learningAchievementSpecificationReferences>
  <learningOutcomeReferences>
    <learningOutcome id="urn:lo:1">
      <title language="en">weld steel plates</title>
      <relatedESCOSkill uri="http://data.europa.eu/esco/skill/aaaa-1111"/>
      <relatedESCOSkill uri="http://example.org/skill/not-esco"/>
    </learningOutcome>
  </learningOutcomeReferences>
  <agentReferences>
    <organisation id="urn:org:1">
      <legalName language="en">Example Academy</legalName>
      <location idref="urn:loc:1"/>
    </organisation>
  </agentReferences>
  <locationReferences>
    <location id="urn:loc:1"><address>
      <countryCode uri="http://publications.europa.eu/resource/authority/country/CZE"/>
    </address></location>
  </locationReferences>
"""
SKOS = 'xmlns:skos="http://www.w3.org/2004/02/skos/core#"'


def small_doc(style: str = "default") -> bytes:
    """The small document with its elements in the default namespace, or prefixed ``elm:``
    with ``elm`` bound to either ELM namespace."""
    if style == "default":
        return f'<Courses xmlns="{LOQ_NS}" {SKOS}>{SMALL_BODY}</Courses>'.encode()
    ns = {
        "elm": "http://data.europa.eu/snb/model/elm/",
        "model#": "http://data.europa.eu/snb/model#",
    }
    body = re.sub(r"<(/?)(?!skos:)(\w+)", r"<\1elm:\2", SMALL_BODY)
    return f'<elm:Courses xmlns:elm="{ns[style]}" {SKOS}>{body}</elm:Courses>'.encode()


def test_small_document_field_semantics() -> None:
    lop, spec2 = parse_qdr(parse_xml(small_doc(), "small.xml"), "small.xml")
    assert lop.title == {"en": "Welding basics", "cs": "Základy svařování"}
    assert lop.ects == 5.0 and lop.ects_text == "5 ECTS"
    assert (lop.volume_text, lop.hours) == ("PT60H", 60.0)
    assert lop.eqf_level == 4
    assert lop.mode == "online"
    assert (lop.language, lop.languages) == ("en", ["en"])
    assert lop.price == "120.00 EUR"
    assert lop.provider is not None and lop.provider.names == {"en": "Example Academy"}
    assert lop.provider.country == "CZE"
    # the referenced outcome keeps only its ESCO skill URI; the inline one is read too
    assert [(o.texts, o.skills) for o in lop.outcomes] == [
        ({"en": "weld steel plates"}, ["http://data.europa.eu/esco/skill/aaaa-1111"]),
        ({"en": "read a drawing"}, []),
    ]
    # P60M is 60 months, not hours; credits of another framework are text only
    assert (spec2.volume_text, spec2.hours) == ("P60M", None)
    assert (spec2.ects, spec2.ects_text) == (None, "7 Other credits")
    assert spec2.title == {"und": "Months"}
    assert spec2.outcomes == []
    assert spec2.extra["unresolved_references"] == ["urn:lo:absent"]
    assert spec2.provider is None


@pytest.mark.parametrize("style", ["elm", "model#"])
def test_both_elm_namespaces_and_prefixes_give_the_same_records(style: str) -> None:
    expected = parse_qdr(parse_xml(small_doc(), "small.xml"), "small.xml")
    assert parse_qdr(parse_xml(small_doc(style), "small.xml"), "small.xml") == expected


def test_opportunity_without_any_title_names_its_position() -> None:
    doc = (
        f'<Courses xmlns="{LOQ_NS}">\n<learningOpportunityReferences>\n'
        '  <learningOpportunity id="urn:x"><description>no title</description>'
        "</learningOpportunity>\n</learningOpportunityReferences></Courses>"
    ).encode()
    with pytest.raises(InputError) as caught:
        parse_qdr(parse_xml(doc, "t.xml"), "t.xml")
    assert caught.value.position == "3:3"
    assert "learningOpportunity[@id='urn:x'] has no title" in caught.value.reason


def test_references_to_itself_or_to_the_wrong_kind_of_element_are_ignored() -> None:
    doc = f"""<Courses xmlns="{LOQ_NS}"><learningOpportunityReferences>
      <learningOpportunity id="urn:lop">
        <title language="en">Loop</title>
        <learningAchievementSpecification idref="urn:lop"/>
        <isPartOf idref="urn:lop"/>
        <hasPart idref="urn:org"/>
        <providedBy idref="urn:lop"/>
      </learningOpportunity></learningOpportunityReferences>
      <agentReferences><organisation id="urn:org"/></agentReferences></Courses>""".encode()
    (record,) = parse_qdr(parse_xml(doc, "loop.xml"), "loop.xml")
    assert record.extra["specification_id"] is None
    assert record.stacks_into_ids == []
    assert record.provider is None  # the opportunity has no <legalName>


def test_empty_courses_is_an_error() -> None:
    doc = f'<Courses xmlns="{LOQ_NS}"><agentReferences/></Courses>'.encode()
    with pytest.raises(InputError, match="no learningOpportunity, qualification"):
        parse_qdr(parse_xml(doc, "e.xml"), "e.xml")


# --- hostile and broken XML ---------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Courses>&lol9;</Courses>
"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Courses [ <!ENTITY xxe SYSTEM "file:///etc/passwd"> ]>
<Courses><learningOpportunityReferences>&xxe;</learningOpportunityReferences></Courses>
"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE Courses SYSTEM "http://example.invalid/loq.dtd">
<Courses/>
"""
PARAMETER_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE Courses [ <!ENTITY % p SYSTEM "file:///etc/passwd"> %p; ]>
<Courses/>
"""
INTERNAL_DTD = b'<?xml version="1.0"?>\n<!DOCTYPE Courses>\n<Courses/>\n'


@pytest.mark.parametrize(
    ("name", "content", "position", "message"),
    [
        ("laughs.xml", BILLION_LAUGHS, "2:1", "DTD or entity declarations is refused"),
        ("xxe.xml", EXTERNAL_ENTITY, "2:1", "DTD or entity declarations is refused"),
        ("dtd.xml", EXTERNAL_DTD, "2:1", "DTD or entity declarations is refused"),
        ("pe.xml", PARAMETER_ENTITY, "2:1", "DTD or entity declarations is refused"),
        ("internal.xml", INTERNAL_DTD, "2:1", "DTD or entity declarations is refused"),
        ("undefined.xml", b"<Courses>&xxe;</Courses>", "1:10", "malformed XML: undefined entity"),
        ("cut.xml", b'<?xml version="1.0"?>\n<Courses><a>', "2:13", "malformed XML"),
        (
            "utf8.xml",
            b"<Courses>\n  <a>caf\xe9</a></Courses>",
            "2:9",
            "not valid UTF-8 (byte 0xe9)",
        ),
        ("empty.xml", b"", "1:1", "empty document"),
        ("blank.xml", b"  \n\n", "1:1", "empty document"),
        ("text.xml", b"just text", "1:1", "malformed XML: syntax error"),
        ("twice.xml", b"<a/><b/>", "1:5", "malformed XML: junk after document element"),
        ("html.xml", b"<html>\n<body/></html>", "1:1", "XML root element <html>"),
        ("ams-like.xml", b'<Accreditations xmlns="urn:x"/>', "1:1", "XML root element"),
        ("gzipped.xml", gzip.compress(b"<Courses/>"), "1:1", "gzip-compressed data"),
    ],
)
def test_hostile_or_broken_xml_is_a_clean_input_error(
    tmp_path: Path, name: str, content: bytes, position: str, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        load(path)
    err = caught.value
    assert err.source == str(path)
    assert err.position == position, str(err)
    assert message in err.reason
    assert err.hint


def test_the_external_entity_is_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    path = tmp_path / "xxe.xml"
    path.write_bytes(EXTERNAL_ENTITY.replace(b"file:///etc/passwd", secret.as_uri().encode()))
    with pytest.raises(InputError) as caught:
        load(path)
    assert "TOP-SECRET" not in str(caught.value)


def test_deep_nesting_is_refused(tmp_path: Path) -> None:
    depth = MAX_XML_DEPTH + 1
    path = tmp_path / "deep.xml"
    path.write_bytes(b"<Courses>\n" + b"<a>" * (depth - 1) + b"</a>" * (depth - 1) + b"</Courses>")
    with pytest.raises(InputError, match="nested more than") as caught:
        load(path)
    assert caught.value.position == f"2:{3 * (MAX_XML_DEPTH - 1) + 1}"


def test_declared_latin1_is_decoded() -> None:
    doc = (
        f'<?xml version="1.0" encoding="ISO-8859-1"?><Courses xmlns="{LOQ_NS}">'
        "<learningOpportunityReferences><learningOpportunity id='urn:c'>"
        "<title language='fr'>Caf\xe9</title></learningOpportunity>"
        "</learningOpportunityReferences></Courses>"
    ).encode("latin-1")
    (record,) = parse_qdr(parse_xml(doc, "l.xml"), "l.xml")
    assert record.title == {"fr": "Café"}


def test_file_level_errors_name_the_file(tmp_path: Path) -> None:
    not_gzip = tmp_path / "plain.xml.gz"
    not_gzip.write_bytes(b"<Courses/>")
    cut_gzip = tmp_path / "cut.xml.gz"
    cut_gzip.write_bytes(LOQ.read_bytes()[:2000])
    big = tmp_path / "big.xml"
    big.write_bytes(b"<Courses>" + b" " * 200 + b"</Courses>")
    for path, message in [
        (not_gzip, "not a gzip file"),
        (cut_gzip, "damaged or truncated compressed data"),
        (tmp_path / "absent.xml", "cannot read file"),
        (tmp_path, "cannot read file"),
    ]:
        with pytest.raises(InputError, match=message) as caught:
            read_xml(path)
        assert caught.value.source == str(path)
    with pytest.raises(InputError, match="document larger than"):
        read_xml(big, max_bytes=100)


def test_damaged_samples_never_raise_anything_but_input_error(tmp_path: Path) -> None:
    raw = gzip.decompress(LOQ.read_bytes())
    rng = random.Random(20240611)
    cases = [raw[: rng.randrange(len(raw))] for _ in range(15)]
    for _ in range(15):
        damaged = bytearray(raw)
        for _ in range(rng.randrange(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        cases.append(bytes(damaged))
    path = tmp_path / "damaged.xml"
    for content in cases:
        path.write_bytes(content)
        try:
            load(path)
        except InputError as exc:
            assert exc.source == str(path)
