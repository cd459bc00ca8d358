"""ELM/EDC JSON-LD on the real EDC samples (tests/fixtures/microcredentials/elm, copied from
the European Learning Model repository). Expected values were read by hand from the files
(zcat … | python -m json.tool), field by field as the comments say."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from credgraph.config import Settings
from credgraph.errors import InputError
from credgraph.graph.embedded import EmbeddedGraphStore
from credgraph.ingest import ingest_paths
from credgraph.ingest.elm import is_elm, parse_elm
from credgraph.ingest.readers import read_json_document
from credgraph.models import EdgeKind, Node, NodeKind

ELM = Path(__file__).resolve().parents[1] / "fixtures" / "microcredentials" / "elm"
ANNEX1 = ELM / "Sample-MC-Annex1-unsigned.jsonld.gz"
SKILL_1 = "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9"


def _doc(name: str) -> object:
    return read_json_document(ELM / name)


def test_annex1_sample_gives_its_specification() -> None:
    (record,) = parse_elm(_doc(ANNEX1.name), "annex1")
    # credentialSubject.hasClaim.specifiedBy: title, creditPoint.point "2" in the ECTS
    # framework, volumeOfLearning "PT60H", eqfLevel …/eqf/6, mode "Blended", language ENG
    assert record.title == {"en": "Digital micro-credential creation"}
    assert record.source_id == "urn:credential:3ef0ac26-9a1f-41c6-871b-2b82e670907b"
    assert (record.ects, record.hours, record.volume_text) == (2.0, 60.0, "PT60H")
    assert (record.eqf_level, record.mode, record.languages) == (6, "blended", ["en"])
    # awardedBy.awardingBody.legalName and its address countryCode …/country/IRL
    assert record.provider is not None
    assert record.provider.names == {"en": "University of Zed"} and record.country == "IRL"
    # two learningOutcome entries, with 3 and 1 relatedESCOSkill
    assert [o.texts.get("en") for o in record.outcomes] == [
        "Communication, collaboration and creativity",
        "Developing digital content",
    ]
    assert [len(o.skills) for o in record.outcomes] == [3, 1]
    assert record.outcomes[0].skills[0] == SKILL_1
    assert record.assessment == "artefact assessment"  # provenBy.specifiedBy.dcType
    assert record.prerequisites and record.prerequisites.startswith("The learner needs")
    assert record.document_kind == "issued" and record.issued_on is None  # not sealed yet
    # the learning activity's volumeOfLearning is "P60M": kept for validation, not hours
    assert record.extra["activity_volume_text"] == "P60M"


def test_no_learner_data_in_the_records() -> None:
    for name in ("Sample-MC-Annex1-unsigned.jsonld.gz", "Sample-CertOfPart-unsigned.jsonld"):
        text = repr(parse_elm(_doc(name), name))
        # credentialSubject: fullName "Ana Andromeda", dateOfBirth 1999-10-01, nationalID
        # notation LA-234218 (Annex1) / identifier 97168A (CertOfPart), e-mail
        for personal in ("Andromeda", "1999-10-01", "LA-234218", "97168A", "ana.andromeda"):
            assert personal not in text, (name, personal)


def test_wrappings_give_the_same_record() -> None:
    plain = parse_elm(_doc("Sample-MC-Annex1-unsigned.jsonld.gz"), "a")
    uploadable = parse_elm(_doc("Sample-MC-Annex1-unsigned-uploadable.json.gz"), "b")
    for record in (*plain, *uploadable):
        record.extra.pop("wrapping")
    assert plain == uploadable
    (signed,) = parse_elm(_doc("Sample-MC-Annex1-signed.jsonld.gz"), "c")
    # the signed sample is another issue of the same specification: its own id, sealed on
    # issuanceDate 2023-09-27T13:54:17+02:00, the same title/volume/outcomes
    assert signed.source_id == "urn:credential:1018d05f-21d5-4555-b7f0-8fabfd22ca75"
    assert signed.issued_on == "2023-09-27T13:54:17+02:00"
    assert signed.extra["wrapping"] == "signed"
    assert (signed.title, signed.hours, signed.outcomes) == (
        plain[0].title,
        plain[0].hours,
        plain[0].outcomes,
    )


def test_certificate_of_participation_workload_in_hours() -> None:
    (record,) = parse_elm(_doc("Sample-CertOfPart-unsigned.jsonld"), "cop")
    # hasClaim is a LearningActivity; specifiedBy.volumeOfLearning "P2M" (months), the
    # claim's workload "PT2H": hours come from the duration stated in hours
    assert record.title == {"en": "EDC Updates Webinar"}
    assert (record.hours, record.volume_text, record.ects) == (2.0, "P2M", None)
    assert record.outcomes == [] and record.eqf_level is None and record.mode == "online"


@pytest.mark.parametrize(
    ("doc", "position", "reason"),
    [
        ({"payload": "{not json", "signatures": []}, "$.payload", "not JSON"),
        ({"payload": "[1]", "signatures": []}, "$.payload", "not a JSON object"),
        (
            {"type": ["VerifiableCredential", "EuropeanDigitalCredential"]},
            "$.credentialSubject",
            "no credentialSubject",
        ),
        (
            {"type": "EuropeanDigitalCredential", "credentialSubject": {"hasClaim": []}},
            "$.credentialSubject.hasClaim",
            "no claim",
        ),
        (
            {"credentialSubject": {"hasClaim": {"type": "LearningAchievement", "title": 7}}},
            "$.credentialSubject.hasClaim.title",
            "no title",
        ),
    ],
)
def test_bad_documents_name_the_position(doc: dict, position: str, reason: str) -> None:  # type: ignore[type-arg]
    with pytest.raises(InputError) as err:
        parse_elm(doc, "bad.jsonld")
    assert err.value.position == position and reason in err.value.reason


def test_wrong_types_are_skipped_not_crashing() -> None:
    doc = {
        "type": "EuropeanDigitalCredential",
        "credentialSubject": {
            "hasClaim": {
                "title": {"en": "T"},
                "specifiedBy": {
                    "creditPoint": {"point": ["x"], "framework": 5},
                    "volumeOfLearning": 60,
                    "eqfLevel": {"id": "http://data.europa.eu/snb/eqf/nine"},
                    "learningOutcome": ["not an object", {"title": 3}],
                    "language": [{"id": 1}],
                    "mode": {"prefLabel": []},
                },
                "awardedBy": {"awardingBody": "urn:org:1"},
            }
        },
    }
    (record,) = parse_elm(doc, "odd.jsonld")
    assert record.title == {"en": "T"} and record.ects is None and record.hours is None
    assert record.eqf_level is None and record.outcomes == [] and record.provider is None
    assert is_elm(doc)


def test_ingest_stores_declared_skills_present_and_counts_absent(tmp_path: Path) -> None:
    store = EmbeddedGraphStore(tmp_path / "g.sqlite")
    # one of the sample's four ESCO skills is in the graph; the other three are not
    store.upsert_nodes([Node(SKILL_1, NodeKind.SKILL, {"en": "stimulate creativity in the team"})])
    settings = Settings(data_dir=tmp_path)
    run = ingest_paths(store, [ANNEX1], settings)
    (report,) = run.reports
    assert report.format == "elm" and report.rows_stored == 1
    assert report.skip_reasons == {"aligns_to_target_absent": 3}
    aligned = list(store.iter_edges(EdgeKind.ALIGNS_TO))
    assert [(e.target, e.props["method"]) for e in aligned] == [(SKILL_1, "declared")]
    counts = store.counts().to_dict()
    # 1 credential, 2 outcomes, 1 provider, + the skill
    assert counts["nodes"]["credential"] == 1 and counts["nodes"]["learning_outcome"] == 2
    # ingesting the same document again changes nothing
    ingest_paths(store, [ANNEX1], settings)
    assert store.counts().to_dict() == counts
    (cred,) = store.iter_nodes(NodeKind.CREDENTIAL)
    assert cred.props["contexts"] == [
        "https://www.w3.org/2018/credentials/v1",
        "http://data.europa.eu/snb/model/context/edc-ap",
    ]
    assert cred.props["contexts_not_bundled"] == []
    stored = [n.to_dict() for n in store.iter_nodes(NodeKind.CREDENTIAL)]
    assert "Andromeda" not in json.dumps(stored)


def test_signed_payload_with_bytes_changed_still_parses() -> None:
    # ingest reads the payload; whether the seal still matches is credgraph.trust's job
    doc = json.loads(gzip.decompress((ELM / "Sample-MC-Annex1-signed.jsonld.gz").read_bytes()))
    doc["payload"] = doc["payload"].replace("Digital micro-credential creation", "Digital X")
    (record,) = parse_elm(doc, "tampered")
    assert record.title == {"en": "Digital X"}


DC4EU = ELM.parent / "dc4eu"


def test_dc4eu_training_certificate_and_person_attestations() -> None:
    doc = read_json_document(DC4EU / "ProfessionalTrainingCertificate.json")
    (record,) = parse_elm(doc, "ptc")
    # credentialSubject.qualification: title "Buen Quehacer del Médico (BQM)" (a plain
    # string: language not stated), level.eqfLevel 8, volumeOfLearning PT10H, mode
    # "Presential", entryRequirement "Registered doctors"; issuer.accreditation bodies
    assert record.title == {"und": "Buen Quehacer del Médico (BQM)"}
    assert (record.eqf_level, record.hours, record.mode) == (8, 10.0, "onsite")
    assert record.prerequisites == "Registered doctors" and record.ects is None
    assert record.quality_assurance == "accredited by UEMS-EACCME, FFOMC"
    # two learningOutcomes; the second is the placeholder "..."
    assert len(record.outcomes) == 1
    assert "Doe" not in repr(record) and "123456789" not in repr(record)
    for name in ("CertificateOfProfessionalSuitability", "ContinuousProfessionalDevelopment"):
        # attestations about a person (registration, professional level): no achievement
        assert parse_elm(read_json_document(DC4EU / f"{name}.json"), name) == []
