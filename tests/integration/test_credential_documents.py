"""Every credential sample under ../shared/data/microcredentials (copied byte for byte into
tests/fixtures/microcredentials) gets exactly the outcome written down for it below: it is
stored (these nodes and edges, by kind), skipped with the reason the ingest report gives for
the file, or refused with a one-line error naming the file (and the line:column for broken
JSON/XML). A refusal or a skip leaves what was stored before exactly as it was, and nothing
is fetched over the network while doing it.

How the table was made: by reading each file. Refusals: 7 Open Badges 2.0 blocks and one CTDL
file are not valid JSON as published (DATA-NOTES.md; the positions are where the JSON breaks),
one file is a JSON-LD context, one is old ELM v2 XML, one holds QDR accreditation records
(which body may award what: not credentials), one is ELM in Turtle (credgraph reads its own
RDF exports, not foreign RDF), one is a vendor's flat web form (MyNextID input-fields) and one
a list of a person's achievements in expanded JSON-LD (HeriotWatt vcred). Skips: the file's
top-level "type" says what it is (an Open Badges 2.0 Assertion whose "badge" is a URL, an
issuer, a key, a revocation list, an endorsement, or a linked-data fragment without a type; a
DC4EU attestation about a person; CTDL documents whose top nodes — listed in the reason, with
counts — are frameworks, alignment maps, policies, jobs, organisations). Stored: a node per
credential item, learning outcome, named organisation, CTDL competency, pathway, transfer
agreement and transfer value described on its own (the per-format unit tests pin the fields:
tests/unit/test_ingest_*.py; the CTDL item counts are ITEMS in test_ingest_ctdl.py), and the
edges among them; an edge to something neither in the file nor in the graph is not stored.
"""

from __future__ import annotations

import hashlib
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths
from credgraph.models import EdgeKind, Node, NodeKind

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "microcredentials"
SHARED = REPO.parent / "shared" / "data" / "microcredentials"


@dataclass(frozen=True)
class Stored:
    nodes: dict[str, int]  # by node kind, in a store that held nothing of the file before
    edges: dict[str, int]


@dataclass(frozen=True)
class Skipped:
    reason: str  # the report's one skip for the file


@dataclass(frozen=True)
class Refused:
    message: str  # the one-line error after the file name


def ctdl_nothing(described: str) -> Skipped:
    return Skipped(
        "nothing stored: no credential, learning opportunity, competency, pathway or transfer "
        f"value: the document describes {described}"
    )


def ob_nothing(what: str) -> Skipped:
    return Skipped(f"nothing stored: an Open Badges {what}: it describes no achievement")


def ob_fragment(keys: str) -> Skipped:
    return Skipped(
        f"nothing stored: an untyped Open Badges fragment (keys: {keys}): it describes no "
        "achievement"
    )


def ob_badge_url(url: str) -> Skipped:
    return Skipped(
        f"nothing stored: an Open Badges 2.0 Assertion whose badge is only referenced ({url}): "
        "the badge class it awards is not in the document"
    )


def dc4eu_person(kind: str) -> Skipped:
    return Skipped(
        f"nothing stored: a DC4EU {kind} (an attestation about a person): it states no "
        "learning achievement, and nothing about the person is read"
    )


def invalid_json(position: str) -> Refused:
    return Refused(f":{position}: invalid JSON")


ONE = Stored({"credential": 1}, {})
ONE_BY = Stored({"credential": 1, "provider": 1}, {"OFFERED_BY": 1})  # + its awarding body
ANNEX1 = Stored(  # two learningOutcome, one awarding body
    {"credential": 1, "learning_outcome": 2, "provider": 1}, {"HAS_OUTCOME": 2, "OFFERED_BY": 1}
)
LOQ = Stored(  # 3 learning opportunities of one provider, 2 outcomes each, 3 isPartOf
    {"credential": 3, "learning_outcome": 6, "provider": 1},
    {"HAS_OUTCOME": 6, "OFFERED_BY": 3, "STACKS_INTO": 3},
)
HW = "ctdl/schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_"
TVP = "ctdl/schema-dev_Transfer_Value_Profile_CTDL_-_"

EXPECTED: dict[str, Stored | Skipped | Refused] = {
    # -- CTDL ------------------------------------------------------------------------------
    "ctdl/ingest-examples_Credential_1_Credential-1-graph.json": ONE,
    "ctdl/ingest-examples_Credential_1_Credential-1.json": ONE,
    "ctdl/ingest-examples_LearningProgram_1_Course-1a.json": ONE,
    "ctdl/ingest-examples_LearningProgram_1_Course-1b.json": ONE,
    "ctdl/ingest-examples_LearningProgram_1_Course-1c.json": ONE,
    # a programme and 3 courses: each course isPartOf it, 3 requires between them
    "ctdl/ingest-examples_LearningProgram_1_LearningProgram-1-graph.json": Stored(
        {"credential": 4}, {"PREREQUISITE": 3, "STACKS_INTO": 3}
    ),
    "ctdl/ingest-examples_LearningProgram_1_LearningProgram-1.json": ONE,
    "ctdl/ingest-examples_LearningProgram_2_LearningProgram-2.json": ONE,
    "ctdl/ingest-examples_Organization_1_Organization-1.json": ctdl_nothing("Organization"),
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_1_DegreeInRegistry.json": ONE,
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_2_DegreeInRegistryAndVC.json": Stored(
        {"credential": 1, "learning_outcome": 2}, {"HAS_OUTCOME": 2}
    ),
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_3_LinkToDegreeInRegistry.json": ONE,
    # two ceasn:Competency achievements of a VC
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_1_StandaloneCompetence.json": Stored(
        {"competence": 2}, {}
    ),
    # the degree requires both competencies: they are its outcomes, not competences
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_2_CompetenceAndDegree.json": Stored(
        {"credential": 1, "learning_outcome": 2}, {"HAS_OUTCOME": 2}
    ),
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_3_1_CoursesFromDifferntOrgs.json": Stored(
        {"credential": 3, "provider": 1}, {"OFFERED_BY": 2, "STACKS_INTO": 2}
    ),
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_4_1_AssessmentAccreditation.json": ONE,
    # a registry envelope: the framework's 13 hasTopChild competencies
    "ctdl/schema-dev_Competency-Frameworks_SampleCompetencyFramework_with_Envelope.json": Stored(
        {"competence": 13}, {}
    ),
    # a degree, a programme and 4 courses offered by UC Sunnydale
    "ctdl/schema-dev_CourseProgramExamples_programWithCourses.json": Stored(
        {"credential": 6, "provider": 1}, {"OFFERED_BY": 6, "PREREQUISITE": 1, "STACKS_INTO": 4}
    ),
    "ctdl/schema-dev_HandbookExamples_CredentialTypes_basicDescription.json": ONE_BY,
    "ctdl/schema-dev_HandbookExamples_CredentialTypes_credentialComparison.json": ctdl_nothing(
        "AlignmentMap, 2 CredentialType"
    ),
    "ctdl/schema-dev_HandbookExamples_CredentialTypes_frameworkLevels.json": ctdl_nothing(
        "QualificationsFramework, asn:ProgressionModel, 4 asn:ProgressionLevel, "
        "5 CredentialType, skos:ConceptScheme, 3 skos:Concept"
    ),
    "ctdl/schema-dev_HandbookExamples_EducationToWork_relatedOccupations.json": ctdl_nothing(
        "2 Occupation, 2 CredentialOrganization"
    ),
    "ctdl/schema-dev_HandbookExamples_QualificationsFramework_basicDescription.json": (
        ctdl_nothing("QualificationsFramework")
    ),
    "ctdl/schema-dev_HandbookExamples_QualificationsFramework_credentialLevel.json": ONE,
    "ctdl/schema-dev_HandbookExamples_QualificationsFramework_frameworkAlignment.json": (
        ctdl_nothing("AlignmentMap")
    ),
    # the competencies are level descriptors (asn:hasProgressionLevel)
    "ctdl/schema-dev_HandbookExamples_QualificationsFramework_levelDesriptors.json": (
        ctdl_nothing(
            "QualificationsFramework, skos:ConceptScheme, 3 skos:Concept, "
            "asn:ProgressionModel, 3 asn:ProgressionLevel, 9 Competency"
        )
    ),
    "ctdl/schema-dev_HandbookExamples_RecognitionOfPriorLearning_plpolicy-example.json": (
        ctdl_nothing("PriorLearningPolicy")
    ),
    # an unnamed TransferAgreement between two organisations of the file
    "ctdl/schema-dev_HandbookExamples_RecognitionOfPriorLearning_support-example.json": ONE,
    # 3 items + the agreement; the transfer value is carried by the exam it is from
    "ctdl/schema-dev_HandbookExamples_RecognitionOfPriorLearning_ta-example.json": Stored(
        {"credential": 4, "provider": 3}, {"OFFERED_BY": 3, "STACKS_INTO": 3}
    ),
    "ctdl/schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example1.json": Stored(
        {"credential": 2, "provider": 2}, {"OFFERED_BY": 2, "STACKS_INTO": 1}
    ),
    "ctdl/schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example2.json": ONE,
    "ctdl/schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example3.json": ONE_BY,
    # a transfer value with no "from" or "for": a node of its own
    "ctdl/schema-dev_HandbookExamples_SupportClasses_eval-example.json": ONE,
    "ctdl/schema-dev_HandbookExamples_SupportClasses_financialAssistForTravel-example.json": (
        ctdl_nothing("FinancialAssistanceProfile, CredentialOrganization")
    ),
    "ctdl/schema-dev_HandbookExamples_SupportClasses_jobPay-example.json": ctdl_nothing(
        "Job, PayProfile, skos:Concept, skos:ConceptScheme"
    ),
    "ctdl/schema-dev_HandbookExamples_SupportClasses_structState-example.json": ONE,  # agreement
    "ctdl/schema-dev_HandbookExamples_SupportClasses_vp-example.json": ctdl_nothing("ValueProfile"),
    "ctdl/schema-dev_HandbookExamples_degreeWithConcentration.json": ONE,
    # 8 certifications + the pathway; 7 hasChild links; each certification a step of it
    "ctdl/schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_CompTIA_CompTIA-IT_Networking_Specialist.jsonld": Stored(  # noqa: E501
        {"credential": 9}, {"PREREQUISITE": 7, "STACKS_INTO": 8}
    ),
    # 45 courses, 4 credentials; the BachelorDegree+Program hasPart the 45 courses
    HW + "courses.json": Stored({"credential": 49}, {"STACKS_INTO": 45}),
    # alone: the pathway; its 49 steps and 35 prerequisites name credentials of courses.json
    HW + "pathway.json": ONE,
    HW + "vcred.json": Refused(
        ": JSON document not recognised as ELM/EDC, Open Badges or CTDL (a JSON array of 4 item(s))"
    ),
    # 6 items + the named agreement (sending and receiving programme are both items here)
    "ctdl/schema-dev_PriorLearningRecognition_Examples_ex_fullTA.json": Stored(
        {"credential": 7, "provider": 3}, {"OFFERED_BY": 4, "STACKS_INTO": 6}
    ),
    "ctdl/schema-dev_PriorLearningRecognition_Examples_policy-example.json": ctdl_nothing(
        "PriorLearningPolicy"
    ),
    "ctdl/schema-dev_PriorLearningRecognition_Examples_ta-example.json": ONE,  # the agreement
    "ctdl/schema-dev_PriorLearningRecognition_Examples_tv-example.json": ONE,  # the value
    "ctdl/schema-dev_QualificationsFramework_Examples_EQF.json": ctdl_nothing(
        "QualificationsFramework, 2 skos:ConceptScheme, 5 skos:Concept, asn:ProgressionModel, "
        "2 asn:ProgressionLevel, 6 Competency"
    ),
    "ctdl/schema-dev_QualificationsFramework_Examples_scqf-eqf-mapping.json": ctdl_nothing(
        "AlignmentMap"
    ),
    # the CLEP exam with 10 assessed outcomes, owned by the College Board's CLEP
    TVP + "Assessment_-_ACE_-_Introductory_Sociology.json": Stored(
        {"credential": 1, "learning_outcome": 10, "provider": 1},
        {"HAS_OUTCOME": 10, "OFFERED_BY": 1},
    ),
    TVP + "Course_-_Elon_University_-_Accounting_1.json": ONE_BY,
    TVP + "Course_-_Elon_University_-_Accounting_2.json": Stored(
        {"credential": 2, "provider": 1}, {"OFFERED_BY": 1, "STACKS_INTO": 1}
    ),
    TVP + "Course_-_KBOR_-_Infantryman_Level_10.json": ONE,
    TVP + "Course_-_KBOR_-_Infantryman_Level_30.json": ONE,
    TVP + "Course_-_KBOR_-_SWT_Transfer_-_Accounting.json": Stored(
        {"credential": 2}, {"STACKS_INTO": 1}
    ),
    TVP + "Course_-_WICHE_-_Passport.json": invalid_json("11:2"),
    # -- DC4EU -----------------------------------------------------------------------------
    "dc4eu/CertificateOfProfessionalSuitability.json": dc4eu_person(
        "ProfessionalSuitabilityCredential"
    ),
    "dc4eu/ContinuousProfessionalDevelopment.json": dc4eu_person(
        "ContinuousProfessionalDevelopmentCredential"
    ),
    "dc4eu/ProfessionalTrainingCertificate.json": Stored(
        {"credential": 1, "learning_outcome": 1, "provider": 1},
        {"HAS_OUTCOME": 1, "OFFERED_BY": 1},
    ),
    "dc4eu/euhe-microcredential-example-john-doe.json": ONE_BY,
    "dc4eu/euvet-microcredential-example-john-doe.json": ONE_BY,
    # -- ELM / EDC, QDR --------------------------------------------------------------------
    "elm/EDC_DiplomaSupplement_AA.xml.gz": Refused(":1:55: Europass ELM v2 XML"),
    "elm/Sample-CertOfPart-signed.jsonld.gz": ONE_BY,
    "elm/Sample-CertOfPart-unsigned-uploadable.json": ONE_BY,
    "elm/Sample-CertOfPart-unsigned.jsonld": ONE_BY,
    "elm/Sample-MC-Annex1-signed.jsonld.gz": ANNEX1,
    "elm/Sample-MC-Annex1-unsigned-uploadable.json.gz": ANNEX1,
    "elm/Sample-MC-Annex1-unsigned.jsonld.gz": ANNEX1,
    "elm/ams.xml.gz": Refused(
        ":2:1: accreditation records (QDR AMS, 2 accreditation(s)) are not credentials"
    ),
    "elm/credential-sample-turtle.ttl": Refused(": RDF with no credgraph records"),
    "elm/credential-sample.jsonld": ONE_BY,
    "elm/edc-ap-context.jsonld": Refused(": a JSON-LD context, not a credential"),
    "elm/loq.xml.gz": LOQ,
    "elm/loq_withLearningAchievementSpecification.xml.gz": LOQ,
    # -- MyNextID --------------------------------------------------------------------------
    "mynextid/edc_examples_edc-mc-example.json.gz": ANNEX1,  # 2 outcomes, one issuer
    "mynextid/input-fields_example.json": Refused(
        ": JSON document not recognised as ELM/EDC, Open Badges or CTDL"
    ),
    "mynextid/open-badge_examples_open-badge-mc-example.json": ONE_BY,
    # -- Open Badges -----------------------------------------------------------------------
    "openbadges/ob2_01_Assertion.json": ob_badge_url("https://example.org/robotics-badge.json"),
    "openbadges/ob2_02_Issuer.json": ob_nothing("issuer profile"),
    "openbadges/ob2_03_Assertion.json": ob_badge_url("https://example.org/robotics-badge.json"),
    "openbadges/ob2_04_CryptographicKey.json": ob_nothing("CryptographicKey"),
    "openbadges/ob2_05_RevocationList.json": ob_nothing("RevocationList"),
    "openbadges/ob2_06_LinkedData.json": ob_fragment("id, revoked, revocationReason"),
    "openbadges/ob2_07_LinkedData.json": ob_fragment("id, criteria"),
    "openbadges/ob2_08_LinkedData.json": ob_fragment("id, narrative"),
    "openbadges/ob2_09_LinkedData.json": ob_fragment("id, evidence"),
    "openbadges/ob2_10_LinkedData.json": ob_fragment("id, image"),
    "openbadges/ob2_11_LinkedData.json": ob_fragment("id, image"),
    "openbadges/ob2_12_LinkedData.json": ob_fragment("id, name, version, related"),
    "openbadges/ob2_13_LinkedData.json": ob_fragment("@language, id, name"),
    "openbadges/ob2_14_LinkedData.json": ob_fragment("@language, id, name, related"),
    "openbadges/ob2_15_Endorsement.json": ob_nothing(
        "endorsement of https://example.org/robotics-badge.json"
    ),
    "openbadges/ob2_16_Endorsement.json": ob_nothing(
        "endorsement of https://example.org/beths-robotics-badge.json"
    ),
    "openbadges/ob2_17_Endorsement.json": ob_nothing("endorsement"),  # revoked: no claim
    "openbadges/ob2_invalidjson_01_BadgeClass.json.txt": invalid_json("14:80"),
    "openbadges/ob2_invalidjson_02_Assertion.json.txt": invalid_json("26:5"),
    "openbadges/ob2_invalidjson_03_fragment.json.txt": invalid_json("6:84"),
    "openbadges/ob2_invalidjson_04_fragment.json.txt": invalid_json("6:84"),
    "openbadges/ob2_invalidjson_05_fragment.json.txt": invalid_json("11:1"),
    "openbadges/ob2_invalidjson_06_fragment.json.txt": invalid_json("18:1"),
    "openbadges/ob2_invalidjson_07_Endorsement.json.txt": invalid_json("10:2"),
    "openbadges/ob3_Achievement_alignment_CASE.json": ONE_BY,
    "openbadges/ob3_Achievement_alignment_Credential_Engine.json": ONE_BY,
    "openbadges/ob3_Complete_OpenBadgeCredential.json": ONE_BY,
    "openbadges/ob3_Sample_OpenBadgeCredential.json": ONE_BY,
    "openbadges/ob3_Skill_Assertion_CASE.json": ONE_BY,
    "openbadges/ob3_Skill_Assertion_Credential_Registry.json": ONE_BY,
}
SENTINEL = Node("nsk:sentinel", NodeKind.QUALIFICATION, {"cs": "stored before"})


MANIFEST = FIXTURES / "MANIFEST.sha256"


def _samples() -> list[str]:
    return sorted(
        str(p.relative_to(FIXTURES))
        for p in FIXTURES.rglob("*")
        if p.is_file() and p.name not in ("SOURCES.md", MANIFEST.name)
    )


def _manifest() -> dict[str, str]:
    rows = [ln.split("  ", 1) for ln in MANIFEST.read_text().splitlines() if ln[:1] != "#"]
    return {name: digest for digest, name in rows}


def test_the_fixtures_are_the_shared_samples() -> None:
    # the fixtures are the samples listed (by sha256) in MANIFEST.sha256, byte for byte
    manifest = _manifest()
    assert _samples() == sorted(manifest)
    for name, digest in manifest.items():
        assert hashlib.sha256((FIXTURES / name).read_bytes()).hexdigest() == digest, name
    # ... and the list is the shared folder's, when ../shared is beside the checkout (it is
    # on the development machines; a clone elsewhere checks the fixtures against the list)
    if SHARED.is_dir():
        shared = sorted(
            str(p.relative_to(SHARED))
            for p in SHARED.rglob("*")
            if p.is_file() and p.name not in ("SOURCES.md", "offers.jsonl")
        )
        assert shared == sorted(manifest)
        for name in shared:
            assert hashlib.sha256((SHARED / name).read_bytes()).hexdigest() == manifest[name]


def test_every_sample_has_its_outcome_written_down() -> None:
    assert sorted(EXPECTED) == _samples()
    outcomes = [type(o).__name__ for o in EXPECTED.values()]
    assert {k: outcomes.count(k) for k in ("Stored", "Skipped", "Refused")} == {
        "Stored": 59,
        "Skipped": 33,
        "Refused": 14,
    }


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    attempts: list[Any] = []

    def refuse(*args: Any, **kwargs: Any) -> Any:
        attempts.append(args)
        raise OSError("network access attempted during ingest")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    return attempts


def _snapshot(store: EmbeddedGraphStore) -> tuple[Any, ...]:
    nodes = sorted((n.id, n.to_dict().__repr__()) for k in NodeKind for n in store.iter_nodes(k))
    return (store.counts().to_dict(), nodes)


def _counts(store: EmbeddedGraphStore) -> tuple[dict[str, int], dict[str, int]]:
    counts = store.counts().to_dict()
    nodes = {k: n for k, n in counts["nodes"].items() if n}
    nodes["qualification"] -= 1  # the sentinel
    return {k: n for k, n in nodes.items() if n}, {k: n for k, n in counts["edges"].items() if n}


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n[:80])
def test_each_sample_alone(name: str, tmp_path: Path, no_network: list[Any]) -> None:
    path = FIXTURES / name
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    store.upsert_nodes([SENTINEL])
    before = _snapshot(store)
    expected = EXPECTED[name]
    if isinstance(expected, Refused):
        with pytest.raises(InputError) as error:
            ingest_paths(store, [path], Settings(data_dir=tmp_path))
        message = str(error.value)
        assert "\n" not in message
        assert message.startswith(f"{path}{expected.message}"), message
        assert _snapshot(store) == before, "a refusal changed the store"
    else:
        (report,) = ingest_paths(store, [path], Settings(data_dir=tmp_path)).reports
        assert report.rows_failed == 0, report.to_dict()
        if isinstance(expected, Skipped):
            assert report.rows_stored == 0
            assert [(p.location, p.reason) for p in report.skipped] == [
                (str(path), expected.reason)
            ]
            assert _snapshot(store) == before, "a skipped file changed the store"
        else:
            assert report.rows_stored >= 1
            assert _counts(store) == (expected.nodes, expected.edges)
    assert store.get_node("nsk:sentinel") is not None
    assert no_network == []


def test_every_sample_in_one_store(tmp_path: Path, no_network: list[Any]) -> None:
    """In file name order into one store: refusals and skips leave it as it was, and
    references between files resolve (the HeriotWatt pathway after its courses)."""
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    settings = Settings(data_dir=tmp_path)
    store.upsert_nodes([SENTINEL])
    for name in _samples():
        path = FIXTURES / name
        before = _snapshot(store)
        try:
            (report,) = ingest_paths(store, [path], settings).reports
        except InputError:
            assert isinstance(EXPECTED[name], Refused), name
            assert _snapshot(store) == before, f"{name}: the store changed on a refusal"
            continue
        if isinstance(EXPECTED[name], Skipped):
            assert _snapshot(store) == before, f"{name}: the store changed on a skip"
        if name == HW + "pathway.json":
            # the 49 steps' STACKS_INTO and the 35 PREREQUISITE (CertHE 8, BSc 27; see
            # tests/unit/test_ingest_ctdl.py) all end at courses.json's credentials now
            assert (report.edges_written, report.rows_skipped) == (49 + 35, 0)
    assert store.get_node("nsk:sentinel") is not None
    assert no_network == []
    assert store.counts().to_dict()["edges"][EdgeKind.PREREQUISITE.value] >= 35
    # no learner of any sample ends up in the graph (names read from the samples'
    # credentialSubject: EDC "Ana Andromeda", DC4EU "John Doe", MyNextID "Joe Doe")
    every = repr([n.to_dict() for k in NodeKind for n in store.iter_nodes(k)])
    for personal in ("Andromeda", "John Doe", "Joe Doe", "1999-10-01", "1990-01-01"):
        assert personal not in every, personal
