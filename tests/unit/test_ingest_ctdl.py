"""CTDL parser on the real Credential Engine samples (tests/fixtures/microcredentials/ctdl;
provenance in SOURCES.md), and format detection across every sample.

Every expected value was read off the sample file by hand; each comment names the field.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from credgraph.errors import InputError
from credgraph.ingest.credentials import (
    CredentialRecord,
    credential_id,
    iri_credential_id,
    map_credentials,
)
from credgraph.ingest.ctdl import is_ctdl, parse_ctdl, parse_ctdl_document
from credgraph.ingest.jsonld_util import JsonReader
from credgraph.ingest.openbadges import is_openbadges, parse_openbadges
from credgraph.ingest.readers import read_json_document
from credgraph.models import EdgeKind, NodeKind

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "microcredentials"
CTDL = FIXTURES / "ctdl"
WICHE = CTDL / "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_WICHE_-_Passport.json"
ALL_CTDL = sorted(p for p in CTDL.iterdir() if p.is_file())
EX = "https://credentialengine.github.io/credential-registry-ingest-examples/"
RES = "https://credentialengineregistry.org/resources/"

# records among each file's top nodes, counted by reading the files: named items
# (credentials, LearningProgram, Course, AssessmentProfile, LearningOpportunityProfile),
# named Pathways, TransferAgreements, and TransferValueProfiles that state something and whose
# "from"/"for" ends are not items of the same file (else the item carries the value)
ITEMS = {
    "ingest-examples_Credential_1_Credential-1-graph.json": 1,  # + a QA organisation node
    "ingest-examples_Credential_1_Credential-1.json": 1,
    "ingest-examples_LearningProgram_1_Course-1a.json": 1,
    "ingest-examples_LearningProgram_1_Course-1b.json": 1,
    "ingest-examples_LearningProgram_1_Course-1c.json": 1,
    "ingest-examples_LearningProgram_1_LearningProgram-1-graph.json": 4,  # programme + 3
    "ingest-examples_LearningProgram_1_LearningProgram-1.json": 1,
    "ingest-examples_LearningProgram_2_LearningProgram-2.json": 1,
    "ingest-examples_Organization_1_Organization-1.json": 0,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_1_DegreeInRegistry.json": 1,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_2_DegreeInRegistryAndVC.json": 1,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_3_LinkToDegreeInRegistry.json": 1,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_1_StandaloneCompetence.json": 0,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_2_CompetenceAndDegree.json": 1,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_3_1_CoursesFromDifferntOrgs.json": 3,
    "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_4_1_AssessmentAccreditation.json": 1,
    "schema-dev_Competency-Frameworks_SampleCompetencyFramework_with_Envelope.json": 0,
    "schema-dev_CourseProgramExamples_programWithCourses.json": 6,  # degree, programme, 4
    "schema-dev_HandbookExamples_CredentialTypes_basicDescription.json": 1,  # + a type
    "schema-dev_HandbookExamples_CredentialTypes_credentialComparison.json": 0,
    "schema-dev_HandbookExamples_CredentialTypes_frameworkLevels.json": 0,
    "schema-dev_HandbookExamples_EducationToWork_relatedOccupations.json": 0,
    "schema-dev_HandbookExamples_QualificationsFramework_basicDescription.json": 0,
    "schema-dev_HandbookExamples_QualificationsFramework_credentialLevel.json": 1,
    "schema-dev_HandbookExamples_QualificationsFramework_frameworkAlignment.json": 0,
    "schema-dev_HandbookExamples_QualificationsFramework_levelDesriptors.json": 0,
    "schema-dev_HandbookExamples_RecognitionOfPriorLearning_plpolicy-example.json": 0,
    "schema-dev_HandbookExamples_RecognitionOfPriorLearning_support-example.json": 1,  # agreement
    "schema-dev_HandbookExamples_RecognitionOfPriorLearning_ta-example.json": 4,  # 3 + agreement
    "schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example1.json": 2,
    "schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example2.json": 1,
    "schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example3.json": 1,
    "schema-dev_HandbookExamples_SupportClasses_eval-example.json": 1,  # value, no from/for
    "schema-dev_HandbookExamples_SupportClasses_financialAssistForTravel-example.json": 0,
    "schema-dev_HandbookExamples_SupportClasses_jobPay-example.json": 0,
    "schema-dev_HandbookExamples_SupportClasses_structState-example.json": 1,  # agreement
    "schema-dev_HandbookExamples_SupportClasses_vp-example.json": 0,
    "schema-dev_HandbookExamples_degreeWithConcentration.json": 1,  # 5 unnamed references
    "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_CompTIA_CompTIA-IT_Networking_Specialist.jsonld": 9,  # 8 + the Pathway  # noqa: E501
    "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_courses.json": 49,
    "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_pathway.json": 1,
    "schema-dev_PriorLearningRecognition_Examples_ex_fullTA.json": 7,  # 6 + agreement; 3 "..."
    "schema-dev_PriorLearningRecognition_Examples_policy-example.json": 0,
    "schema-dev_PriorLearningRecognition_Examples_ta-example.json": 1,  # the agreement
    "schema-dev_PriorLearningRecognition_Examples_tv-example.json": 1,  # the transfer value
    "schema-dev_QualificationsFramework_Examples_EQF.json": 0,
    "schema-dev_QualificationsFramework_Examples_scqf-eqf-mapping.json": 0,
    "schema-dev_Transfer_Value_Profile_CTDL_-_Assessment_-_ACE_-_Introductory_Sociology.json": 1,
    "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_Elon_University_-_Accounting_1.json": 1,
    "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_Elon_University_-_Accounting_2.json": 2,
    "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_KBOR_-_Infantryman_Level_10.json": 1,
    "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_KBOR_-_Infantryman_Level_30.json": 1,
    "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_KBOR_-_SWT_Transfer_-_Accounting.json": 2,
}
# persons and W3C VCs in expanded form, no CTDL term: neither parser's
NOT_CTDL = {"schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_vcred.json"}


def load(name: str) -> Any:
    return read_json_document(CTDL / name)


def parse(name: str) -> list[CredentialRecord]:
    return parse_ctdl(load(name), name)


def by_title(records: list[CredentialRecord]) -> dict[str, CredentialRecord]:
    return {next(iter(r.title.values())): r for r in records}


def test_the_samples_are_as_the_sources_note_says() -> None:
    # SOURCES.md: 9 ingest-examples_* + 46 schema-dev_* files
    assert len(ALL_CTDL) == 55
    assert set(ITEMS) | NOT_CTDL | {WICHE.name} == {p.name for p in ALL_CTDL}


def test_wiche_passport_is_invalid_json() -> None:
    # the file starts with a list of "//comment" strings and misses commas
    with pytest.raises(InputError, match="invalid JSON"):
        read_json_document(WICHE)


@pytest.mark.parametrize("name", sorted(ITEMS), ids=lambda n: n[:70])
def test_every_sample_is_ctdl_and_gives_its_items(name: str) -> None:
    doc = load(name)
    assert is_ctdl(doc) and not is_openbadges(doc)
    records = parse_ctdl(doc, name)
    assert len(records) == ITEMS[name]
    assert all(r.format == "ctdl" and r.title for r in records)


def sample_documents() -> Iterator[tuple[Path, Any]]:
    for path in sorted(FIXTURES.rglob("*")):
        if path.is_file() and ".json" in path.name:
            try:
                yield path, read_json_document(path)
            except InputError:
                continue  # invalid as published (checked in their own tests)


def test_at_most_one_parser_claims_any_sample_and_parsing_never_fails_otherwise() -> None:
    claimed: dict[str, list[str]] = {"ob": [], "ctdl": [], "none": []}
    for path, doc in sample_documents():
        ob, ctdl = is_openbadges(doc), is_ctdl(doc)
        assert not (ob and ctdl), path.name
        claimed["ob" if ob else "ctdl" if ctdl else "none"].append(path.parent.name)
        for parser in (parse_openbadges, parse_ctdl):
            with contextlib.suppress(InputError):  # the only error a parser may raise
                parser(doc, str(path))
    # the 23 valid openbadges/ files and the MyNextID badge; the 54 valid ctdl/ files but
    # HeriotWatt_vcred; nothing else (ELM/EDC, DC4EU, the MyNextID EDC and input form)
    assert sorted(set(claimed["ob"])) == ["mynextid", "openbadges"]
    assert claimed["ob"].count("openbadges") == 23 and claimed["ob"].count("mynextid") == 1
    assert claimed["ctdl"] == ["ctdl"] * 53
    assert claimed["none"].count("ctdl") == 1 and "openbadges" not in claimed["none"]


def test_plain_and_graph_forms_give_the_same_record() -> None:
    (plain,) = parse("ingest-examples_Credential_1_Credential-1.json")
    (graph,) = parse("ingest-examples_Credential_1_Credential-1-graph.json")
    assert plain.location == "$" and graph.location == "$.@graph[0]"
    # the two files differ in ceterms:ctid and in subjectWebpage (http vs https); the graph
    # form has recognizedBy as a blank node "_:83492d2c…" described in the @graph
    assert plain.extra.pop("ctid") == "ce-edc318c1-aa67-47e2-9638-a8529e6612d4"
    assert graph.extra.pop("ctid") == "ce-8669d5c6-566b-4409-9fff-f09753605d13"
    assert (plain.url, graph.url) == (
        "http://example.com/#bachelordegree",
        "https://example.com/#bachelordegree",
    )
    same = ("location", "url")
    assert dataclasses.replace(plain, **{k: None for k in same}) == dataclasses.replace(
        graph, **{k: None for k in same}
    )
    assert credential_id(plain) == credential_id(graph)
    # @id, ceterms:name {"en-US": …}, inLanguage ["en"], recognizedBy, requires
    assert plain.source_id == EX + "Credential/1/Credential-1.json"
    assert plain.title == {"en": "Bachelor of Science in Cybersecurity"}
    assert plain.languages == ["en"] and plain.language == "en"
    assert plain.source_type == "BachelorDegree"
    assert plain.quality_assurance == "recognized by Example Town Cyber Security Jobs Center"
    assert plain.prerequisite_ids == [EX + "LearningProgram/2/LearningProgram-2.json"]
    assert plain.prerequisites is not None and plain.prerequisites.startswith("The online Cyber")
    # ownedBy is an organisation described in another file: kept as a reference
    assert plain.provider is None
    assert plain.extra["provider_ref"] == EX + "Organization/1/Organization-1.json"
    assert plain.extra["audience_level"] == ["Bachelors Degree Level"]


def test_learning_programme_with_courses() -> None:
    records = by_title(parse("ingest-examples_LearningProgram_1_LearningProgram-1-graph.json"))
    programme = records["Lifelong Learning Accelerator"]
    lp = EX + "LearningProgram/1/LearningProgram-1.json"
    course = EX + "LearningProgram/1/Course-1{}.json"
    assert programme.source_id == lp and programme.source_type == "LearningProgram"
    # hasPart: the three courses, all in this @graph -> each stacks into the programme
    for title in ("Personal Growth Mastery", "Digital Skills Revolution"):
        assert records[title].stacks_into_ids == [lp]
    assert records["Leadership and Innovation Excellence"].stacks_into_ids == [lp]
    assert "has_part" not in programme.extra
    # entryCondition targetLearningOpportunity: 1b needs 1a, 1c needs 1a and 1b
    assert records["Personal Growth Mastery"].prerequisite_ids == []
    assert records["Digital Skills Revolution"].prerequisite_ids == [course.format("a")]
    assert records["Leadership and Innovation Excellence"].prerequisite_ids == [
        course.format("a"),
        course.format("b"),
    ]
    # inLanguage ["en-US"] -> "en"; deliveryType BlendedDelivery / OnlineOnly
    assert programme.languages == ["en"] and programme.title == {
        "en": "Lifelong Learning Accelerator"
    }
    assert programme.mode == "blended"
    assert records["Personal Growth Mastery"].mode == "online"
    # estimatedDuration exactDuration "P9M" is nine months, not hours
    assert programme.volume_text == "P9M" and programme.hours is None
    # estimatedCost price 4485.0, currency "US Dollar"
    assert programme.price == "4485 US Dollar"
    # requires description; occupationType names without a framework
    assert programme.prerequisites == (
        "Anyone who is a high school graduate or anyone age 18 or older can enroll."
    )
    assert [o["name"] for o in programme.extra["occupation_types"]] == [
        "Data Analyst",
        "Life Coach",
        "Digital Marketing Specialist",
        "Innovation Manager",
    ]
    # entryCondition of 1a: description, then its condition list
    assert records["Personal Growth Mastery"].prerequisites == (
        "Personal Growth Mastery prerequisite knowledge is not much, just some math; "
        "High-school level of mathematics knowledge"
    )


def test_programme_alone_keeps_its_parts_as_references() -> None:
    (programme,) = parse("ingest-examples_LearningProgram_1_LearningProgram-1.json")
    # hasPart lists three course IRIs that are not described in this file
    assert len(programme.extra["has_part"]) == 3


def test_inline_prefixes_and_part_of_both_ways() -> None:
    records = by_title(parse("schema-dev_CourseProgramExamples_programWithCourses.json"))
    # @context defines "res": "http://example.edu/resources/"
    res = "http://example.edu/resources/1ca80f84-9331-4855-a746-13613a08c"
    assert records["MS Applied Data Science"].source_id == res + "100"
    # the degree requires the programme ({"@id": res:…c101}); the programme isRequiredFor it
    assert records["MS Applied Data Science"].prerequisite_ids == [res + "101"]
    # hasPart on the programme and isPartOf on each course: one link each
    for title in (
        "Data Analysis with Python",
        "Data Analysis with R",
        "Statistics",
        "Data Management",
    ):
        assert records[title].stacks_into_ids == [res + "101"]
    # offeredBy / ownedBy {"@id": res:…c000}: the CredentialOrganization in the @graph
    provider = records["Data Management"].provider
    assert provider is not None and provider.names == {"en": "UC Sunnydale"}
    assert provider.source_id == res + "000" and provider.homepage == "https://example.edu/"
    # "ceterms:inLangaue" (sic) on the degree is not inLanguage
    assert records["MS Applied Data Science"].languages == []


def test_transfer_value_from_an_assessment_to_a_programme() -> None:
    exam, programme = parse(
        "schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example1.json"
    )
    res = "https://example.org/resources/"
    # transferValueFrom Finance Exam, transferValueFor Accountancy, 3 DegreeeCredit (sic)
    assert exam.title == {"en": "Finance Exam"} and exam.source_type == "AssessmentProfile"
    assert exam.stacks_into_ids == [res + "ce-bb08c8f1-7376-4c41-b08d-885469a96802"]
    (value,) = exam.extra["transfer_values"]
    assert value["value"] == "3 creditUnit:DegreeeCredit"
    assert value["for"] == [res + "ce-bb08c8f1-7376-4c41-b08d-885469a96802"]
    assert value["profile"] == res + "ce-abaabbd8-0690-4b21-819a-001467b8c7cb"
    # both items' ownedBy resolve to organisations in the @graph
    assert exam.provider is not None and exam.provider.names == {"en": "Erewhon College"}
    assert programme.provider is not None and programme.provider.names == {
        "en": "Erewhon University"
    }


def test_transfer_value_from_an_occupation_is_kept_on_the_programme() -> None:
    (programme,) = parse("schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example3.json")
    # transferValueFrom is a ceterms:Occupation, not an item: the value stays on the "for" side
    (value,) = programme.extra["transfer_values_in"]
    assert value["from_name"] == "Navy Information Systems Technician"
    assert value["value"] == "6 creditUnit:DegreeeCredit"
    assert programme.stacks_into_ids == []


def test_transfer_agreement_course_to_course() -> None:
    records = by_title(parse("schema-dev_PriorLearningRecognition_Examples_ex_fullTA.json"))
    res = "http://example.org/resources/ce-"
    intro = records["Intro to Mechancical Engineering"]
    # TransferValueProfile ce-ecdf8840: from the Intro course, for Mechanical Engineering 101;
    # the course is also hasPart of the programme ce-62a4e696 (Advanced Manufacturing Technology)
    assert intro.stacks_into_ids == [
        res + "1e942ea6-833b-4c2b-98bd-623e80bc4ffc",
        res + "62a4e696-b195-4a93-80d2-c2f4f7ee333c",
    ]
    assert intro.extra["transfer_values"][0]["value"] == "15 Erewehon Credit Unit"
    # creditValue: 15 of skos:prefLabel "Erewehon Credit Unit" (not ECTS)
    assert intro.ects is None and intro.ects_text == "15 Erewehon Credit Unit"
    # the programme isPreparationFor the diploma
    assert records["Advanced Manufacturing Technology"].stacks_into_ids == [
        res + "79c8319b-35f8-4b5b-87c9-51df174febf3"
    ]
    # "res:etc..." in hasPart is not described: a reference
    assert records["Advanced Manufacturing Technology"].extra["has_part"] == [res[:-3] + "etc..."]
    # the diploma has no ownedBy: Erewhon College "offers" it
    diploma = records["Diploma of Applied Science in Advanced Manufacturing Technology"]
    assert diploma.provider is not None and diploma.provider.names == {"und": "Erewhon College"}


COMPTIA = "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_CompTIA_CompTIA-IT_Networking_Specialist.jsonld"  # noqa: E501
HW = "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_"
HW_RES = "http://example.org/resources/"


def test_pathway_components_become_prerequisites_and_steps() -> None:
    content = parse_ctdl_document(load(COMPTIA), COMPTIA)
    *items, pathway = content.records
    titles = {r.source_id: next(iter(r.title.values())) for r in items}
    after = {titles[r.source_id or ""]: [titles[p] for p in r.prerequisite_ids] for r in items}
    # ceasn:hasChild / hasCondition.targetComponent (requiredNumber 1 of 1) / isChildOf:
    # Cloud+ <- Server+ <- Linux+ <- Cloud Essentials+ <- Project+ <- Security+ <- Network+ <- A+
    assert after == {
        "CompTIA Cloud+": ["CompTIA Server+"],
        "CompTIA Server+": ["CompTIA Linux+"],
        "CompTIA Linux+": ["CompTIA Cloud Essentials+"],
        "CompTIA Cloud Essentials+": ["CompTIA Project+"],  # name " CompTIA Cloud…" trimmed
        "CompTIA Project+": ["CompTIA Security+"],
        "CompTIA Security+": ["CompTIA Network+"],
        "CompTIA Network+": ["CompTIA A+"],
        "CompTIA A+": [],
    }
    # the @graph[0] ceterms:Pathway is a record of its own; ceasn:isPartOf it is no stacking
    # target of the items' own, each item is a step of the pathway instead
    pathway_iri = RES + "ce-cc62e516-f95d-4306-a11a-c0ecc39d835f"
    assert (pathway.source_type, pathway.source_id) == ("Pathway", pathway_iri)
    assert pathway.title == {"en": "IT Networking Specialist Pathway"}
    assert all(r.stacks_into_ids == [] and r.extra["pathways"] == [pathway_iri] for r in items)
    # steps: the chain above from A+ up, then the BasicComponent "IT Networking Specialist"
    # (hasChild Cloud+); hasDestinationComponent is Cloud+
    steps = pathway.extra["steps"]
    assert [(s["step"], s["name"]) for s in steps] == [
        (1, "CompTIA A+"),
        (2, "CompTIA Network+"),
        (3, "CompTIA Security+"),
        (4, "CompTIA Project+"),
        (5, "CompTIA Cloud Essentials+"),
        (6, "CompTIA Linux+"),
        (7, "CompTIA Server+"),
        (8, "CompTIA Cloud+"),
        (9, "IT Networking Specialist"),
    ]
    cloud = next(r for r in items if r.title == {"en": "CompTIA Cloud+"})
    assert steps[7]["destination"] is True and steps[7]["credentials"] == [credential_id(cloud)]
    assert pathway.extra["destination"] == [credential_id(cloud)]
    assert steps[8] == {
        "step": 9,
        "name": "IT Networking Specialist",
        "component": "BasicComponent",
        "category": "Career Path",
    }
    batch = map_credentials(content.records, links=content.links)
    prerequisites = [e for e, _ in batch.wanted if e.kind is EdgeKind.PREREQUISITE]
    assert len(prerequisites) == 7 and all(e.target in batch.nodes for e in prerequisites)
    # every certification STACKS_INTO the pathway, with its step
    stacks = {e.source: e for e, _ in batch.wanted if e.kind is EdgeKind.STACKS_INTO}
    assert set(stacks) == {credential_id(r) for r in items}
    assert {e.target for e in stacks.values()} == {credential_id(pathway)}
    assert stacks[credential_id(cloud)].props["step"] == 8


def test_a_pathway_alone_names_the_courses_described_elsewhere() -> None:
    name = HW + "pathway.json"
    content = parse_ctdl_document(load(name), name)
    # a top-level list (expanded JSON-LD) of 119 nodes: 1 Pathway "BSCH - Bachelor of Science
    # Honours", 45 CourseComponent, 8 BasicComponent (stages), 3 CredentialComponent,
    # 25 ComponentCondition, 37 Constraint
    (pathway,) = content.records
    assert pathway.title == {"en": "BSCH - Bachelor of Science Honours"}
    steps = pathway.extra["steps"]
    assert len(steps) == 45 + 8 + 3
    # Stage 1, Semester 1 (4d214678) hasChild 13bcff97, 0954dc01, df471a3a, f884ff7e: the
    # CourseComponents "Logic and Proof", "Introduction to Interaction Design", "Praxis",
    # "Software Development 1" come first, then the stage; Stage 1, Semester 2 precededBy it,
    # so its courses follow
    assert [(s["step"], s["name"]) for s in steps[:6]] == [
        (1, "Logic and Proof"),
        (1, "Introduction to Interaction Design"),
        (1, "Praxis"),
        (1, "Software Development 1"),
        (2, "Stage 1, Semester 1"),
        (3, "Software Development 2"),
    ]
    # Logic and Proof proxyFor …adfe187a7512 (a Course of the "courses" file)
    assert steps[0]["credentials"] == [
        iri_credential_id(HW_RES + "2640de62-c440-46e3-8638-adfe187a7512")
    ]
    # stages chain 8 × (courses, stage) = 16 steps; the destination (1a285e3e, "BSc (hons) in
    # Computer Science", proxyFor 46942a57) is precededBy Stage 4, Semester 2
    last = steps[-1]
    assert (last["step"], last["name"], last["destination"]) == (
        17,
        "BSc (hons) in Computer Science",
        True,
    )
    assert last["credentials"] == [
        iri_credential_id(HW_RES + "46942a57-b7f5-4ce7-bbf8-72976ac7bd23")
    ]
    links = content.links
    stacks = [x for x in links if x.kind is EdgeKind.STACKS_INTO]
    # 45 course proxies + CertHE + DipHE/BSCO (two proxyFor) + BSc
    assert len(stacks) == 49 and {x.target for x in stacks} == {pathway.source_id}
    prerequisites = [x for x in links if x.kind is EdgeKind.PREREQUISITE]
    by_source: dict[str, int] = {}
    for x in prerequisites:
        by_source[x.source] = by_source.get(x.source, 0) + 1
    # CertHE (proxyFor ea4e5c8d): "Complete 8 out of 8 courses" (0cf91f88, the 8 stage-1
    # courses). BSc: three "8 out of 8" conditions (stages 1, 2, 3) = 24, and f39bf394
    # ("2 out of 2 conditions") -> 167bbaf1 -> 78226fb4 "Two required courses" (2) and
    # 3a176a2b -> a474f7e7 "One required courses" (1); "Select 2/3 out of 9" are choices.
    # DipHE/BSCO stands for two credentials: its conditions give no prerequisite.
    assert by_source == {
        HW_RES + "ea4e5c8d-7028-4b33-b3fc-b4cf8b98061c": 8,
        HW_RES + "46942a57-b7f5-4ce7-bbf8-72976ac7bd23": 27,
    }


def test_expanded_form_is_read() -> None:
    name = "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_HeriotWatt_courses.json"
    records = by_title(parse(name))
    course = records["Distributed and Parallel Technologies"]
    # [0]: name [{"@language": "en", "@value": …}], creditValue -> ValueProfile …620 with
    # value 15 and creditUnitType {"@id": "http://example.edu/scqf/credits/"}
    assert course.title == {"en": "Distributed and Parallel Technologies"}
    assert course.location == "$[0]"
    assert course.ects is None and course.ects_text == "15 http://example.edu/scqf/credits/"
    degree = "http://example.org/resources/46942a57-b7f5-4ce7-bbf8-72976ac7bd23"
    # the BachelorDegree + Program node [47] hasPart the courses
    assert course.stacks_into_ids == [degree]
    assert records["Bachelor of Science in Computer Science"].source_id == degree


def test_issued_ctdl_in_a_vc_keeps_the_achievement_only() -> None:
    name = "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_2_DegreeInRegistryAndVC.json"
    (record,) = parse(name)
    assert record.document_kind == "issued" and record.location == "$.credentialSubject.achievement"
    # issuanceDate; achievement id "res:…" with "res" defined in the @context
    assert record.issued_on == "2010-01-01T00:00:00Z"
    assert record.source_id == RES + "ce-49247727-7cbd-4f0e-8179-e51036d1f14a"
    # requires: two embedded ceasn:Competency -> outcomes (competencyText)
    assert [o.texts for o in record.outcomes] == [
        {"und": "Demonstrate a good knowledge of science…"},
        {"und": "Demonstrate a good knowledge of arts…"},
    ]
    assert record.outcomes[0].source_id == RES + "ce-84958217-1323-46fe-87c8-652120800190"
    # subjectWebpage "find:credential/…" with "find": "https://credentialfinder.org/"
    assert record.url == "https://credentialfinder.org/credential/0000/Science_and_Arts"
    assert "did:example:ebfeb1f712ebc6f1c276e12ec21" not in repr(record)  # the learner


def test_competency_references_resolve_inside_the_document() -> None:
    (degree,) = parse("schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_2_CompetenceAndDegree.json")
    # requires: two IRIs of the Competency nodes in the same achievement list
    assert len(degree.outcomes) == 2
    assert degree.prerequisite_ids == []


def test_assessment_outcomes_and_blank_nodes() -> None:
    name = "schema-dev_Transfer_Value_Profile_CTDL_-_Assessment_-_ACE_-_Introductory_Sociology.json"
    (exam,) = parse(name)
    # assesses: 10 CredentialAlignmentObjects with targetNodeDescription
    assert len(exam.outcomes) == 10
    assert exam.outcomes[4].texts == {"en": "interpretation of tables and charts"}
    assert exam.outcomes[0].texts == {
        "en": "identification of specific names, facts, and concepts from sociological literature"
    }
    # @id "_:CLEP0026" is a blank node: an IRI scoped to this document, the same every time
    assert exam.source_id is not None and exam.source_id.startswith("urn:credgraph:blank:")
    assert exam.source_id.endswith(":CLEP0026")
    assert parse(name)[0].source_id == exam.source_id
    # ownedBy "_:CLEP" resolves to the CredentialOrganization in the @graph
    assert exam.provider is not None
    assert exam.provider.names == {"en": "College Board's College-Level Examination Program (CLEP)"}
    assert exam.provider.homepage == "https://clep.collegeboard.org/"
    # the TransferValueProfile has no transferValueFor: the value is kept, nothing stacks
    # transferValue: schema:value 3, creditUnitType ["creditUnit:DegreeCredit"]
    assert exam.extra["transfer_values"] == [
        {
            "value": "3 creditUnit:DegreeCredit",
            "description": "Credit is recommended for candidates scoring 50 and above.",
            "for": [],
        }
    ]
    assert exam.stacks_into_ids == []
    batch = map_credentials([exam])
    outcomes = [n for n in batch.nodes.values() if n.kind is NodeKind.LEARNING_OUTCOME]
    assert len(outcomes) == 10


def test_alternative_requirements_are_not_all_prerequisites() -> None:
    (degree,) = parse("schema-dev_HandbookExamples_degreeWithConcentration.json")
    # requires.targetLearningOpportunity: one; alternativeCondition: two groups of two
    assert degree.prerequisite_ids == ["res:ce-4ced86ab-0d91-400e-a6bc-39449756016c"]
    assert [len(g) for g in degree.extra["alternative_prerequisites"]] == [2, 2]


def test_framework_level() -> None:
    doc = load("schema-dev_HandbookExamples_QualificationsFramework_credentialLevel.json")
    (record,) = parse_ctdl(doc, "level")
    # atLevel: frameworkName "Erewhon Qualification Levels", targetName "Level 3"
    assert record.nqf_level == "Level 3" and record.eqf_level is None
    assert record.extra["level_framework"] == "Erewhon Qualification Levels"
    # the same alignment to the EQF (by the framework's name, or an EQF level node)
    level = doc["@graph"][0]["ceterms:atLevel"]
    level["ceterms:frameworkName"] = "European Qualifications Framework"
    assert parse_ctdl(doc, "eqf")[0].eqf_level == 3
    level["ceterms:frameworkName"] = "Other"
    level["ceterms:targetNode"] = "http://data.europa.eu/snb/eqf/6"
    assert parse_ctdl(doc, "eqf")[0].eqf_level == 6


def test_esco_alignments_of_competencies_and_occupations() -> None:
    # no sample aligns to ESCO: add an exactAlignment to a real competency and an ESCO
    # occupation to a real occupationType
    doc = load("schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_2_DegreeInRegistryAndVC.json")
    skill = "http://data.europa.eu/esco/skill/81a2db2c-7e55-44d0-9cd9-74c25147d7cd"
    doc["credentialSubject"]["achievement"]["ceterms:requires"][0]["ceasn:exactAlignment"] = [skill]
    (record,) = parse_ctdl(doc, "esco")
    assert record.outcomes[0].skills == [skill] and record.outcomes[1].skills == []
    course = load("ingest-examples_LearningProgram_1_Course-1a.json")
    occupation = "http://data.europa.eu/esco/occupation/f2b15a0e-e65a-438a-affb-29b9d50b77d1"
    course["ceterms:occupationType"][0]["ceterms:targetNode"] = occupation
    (record,) = parse_ctdl(course, "esco")
    assert record.occupations == [occupation]
    assert len(record.extra["occupation_types"]) == 1  # the other one stays a SOC code
    batch = map_credentials([record])
    assert [e.target for e, _ in batch.wanted if e.kind is EdgeKind.RELATES_TO_OCCUPATION] == [
        occupation
    ]


def test_language_maps() -> None:
    reader = JsonReader("x")
    assert reader.lang_texts({"en-US": "A", "cs-CZ": "B"}, "$") == {"en": "A", "cs": "B"}
    assert reader.lang_texts({"en": ["A", "B"]}, "$") == {"en": "A\nB"}
    assert reader.lang_texts("Plain", "$", "de") == {"de": "Plain"}
    assert reader.lang_texts([{"@language": "en-GB", "@value": "X"}], "$") == {"en": "X"}
    # EQF.json: ceterms:name {"en": …, "el": …}
    doc = load("schema-dev_QualificationsFramework_Examples_EQF.json")
    names = reader.lang_texts(doc["@graph"][0]["ceterms:name"], "$")
    assert set(names) == {"en", "el"}


def test_records_of_every_sample_map_into_the_graph() -> None:
    for name in ITEMS:
        records = parse(name)
        batch = map_credentials(records)
        credentials = {n.id for n in batch.nodes.values() if n.kind is NodeKind.CREDENTIAL}
        assert len(credentials) == len({credential_id(r) for r in records}), name
        outcomes = sum(1 for n in batch.nodes.values() if n.kind is NodeKind.LEARNING_OUTCOME)
        assert outcomes == len(
            {(credential_id(r), o.source_id) for r in records for o in r.outcomes}
        )
        json.dumps([n.props for n in batch.nodes.values()])  # props stay JSON


# hostile input


@pytest.mark.parametrize(
    ("change", "position"),
    [
        (lambda d: d.update({"@graph": "x"}), "$.@graph"),
        (lambda d: d.update({"@graph": [5]}), "$.@graph[0]"),
        (lambda d: d["@graph"][0].update({"ceterms:name": 5}), "$.@graph[0].ceterms:name"),
        (
            lambda d: d["@graph"][0].update({"ceterms:name": {"en": 5}}),
            "$.@graph[0].ceterms:name.en",
        ),
        (lambda d: d["@graph"][0].update({"ceterms:name": [1]}), "$.@graph[0].ceterms:name[0]"),
        (lambda d: d["@graph"][0].update({"@id": 5}), "$.@graph[0].@id"),
        (lambda d: d["@graph"][0].update({"ceterms:hasPart": 5}), "$.@graph[0].ceterms:hasPart"),
        (
            lambda d: d["@graph"][1].update({"ceterms:entryCondition": 5}),
            "$.@graph[1].ceterms:entryCondition",
        ),
        (
            lambda d: d["@graph"][0]["ceterms:estimatedCost"][0].update({"ceterms:price": "free"}),
            "$.@graph[0].ceterms:estimatedCost[0].ceterms:price",
        ),
        (
            lambda d: d["@graph"][0].update({"ceterms:inLanguage": [5]}),
            "$.@graph[0].ceterms:inLanguage[0]",
        ),
    ],
)
def test_wrong_types_name_the_path(change: Any, position: str) -> None:
    doc = load("ingest-examples_LearningProgram_1_LearningProgram-1-graph.json")
    change(doc)
    with pytest.raises(InputError) as caught:
        parse_ctdl(doc, "hostile.json")
    assert caught.value.position == position


def test_a_document_that_is_not_json_ld_is_an_input_error() -> None:
    with pytest.raises(InputError, match="expected a JSON-LD document"):
        parse_ctdl("text", "x")


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
    "name",
    [
        "ingest-examples_LearningProgram_1_LearningProgram-1-graph.json",
        "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_2_DegreeInRegistryAndVC.json",
        "schema-dev_HandbookExamples_RecognitionOfPriorLearning_tvp-example2.json",
        "schema-dev_PathwaysConditionsAndConstraints_Pathway-Examples_CompTIA_CompTIA-IT_Networking_Specialist.jsonld",
        "schema-dev_Transfer_Value_Profile_CTDL_-_Course_-_Elon_University_-_Accounting_2.json",
    ],
    ids=lambda n: n[:60],
)
def test_any_field_of_any_type_gives_records_or_an_input_error(name: str) -> None:
    original = load(name)
    for where in _paths(original):
        for bad in (5, "x", [5], {"x": 1}, None, {"@id": 5}):
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
                records = parse_ctdl(doc, "fuzz")
            except InputError:
                continue
            map_credentials(records)


# -- competencies, transfer values and agreements on their own ------------------------------


def test_competencies_of_a_vc_become_competences() -> None:
    name = "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_1_StandaloneCompetence.json"
    content = parse_ctdl_document(load(name), name)
    # credentialSubject.achievement: two ceasn:Competency, no item (records == [])
    assert content.records == [] and content.note is None
    science, arts = content.competences
    # competencyLabel is the label, competencyText the description (plain strings: "und")
    assert science.texts == {"und": "Knowledge of Science"}
    assert science.description == {"und": "Demonstrate a good knowledge of science…"}
    assert science.source_id == RES + "ce-84958217-1323-46fe-87c8-652120800190"
    assert science.props == {"code": "EXKSCI1"}  # ceasn:codedNotation; no framework
    assert arts.texts == {"und": "Knowledge of Arts"} and arts.props == {"code": "EXKART1"}
    batch = map_credentials([], content.competences)
    assert [n.kind for n in batch.nodes.values()] == [NodeKind.COMPETENCE] * 2
    assert all(i.startswith("competency:") for i in batch.nodes)
    assert "did:example:ebfeb1f712ebc6f1c276e12ec21" not in repr(content)  # the learner


def test_a_competency_framework_gives_its_competences_in_order() -> None:
    name = "schema-dev_Competency-Frameworks_SampleCompetencyFramework_with_Envelope.json"
    content = parse_ctdl_document(load(name), name)
    # decoded_resource.@graph: the CompetencyFramework "HOSP 229, Revenue Management"
    # (inLanguage en-US, publisherName Ivy Tech…) and its 13 hasTopChild competencies
    assert content.records == [] and len(content.competences) == 13
    first = content.competences[0]
    assert first.texts == {
        "en": "Explain the concept of revenue management and the history of its development."
    }
    assert first.description == {}  # no competencyLabel: the text is the label
    assert first.props == {
        "ctid": "ce-c4188d32-a8dc-467a-aa42-abbfcb1f4b89",
        "lang": "en",
        "framework": "HOSP 229, Revenue Management",
        "framework_iri": RES + "ce-c23a0e0c-8be8-4911-bc52-f2479c41af4b",
        "publisher": "Ivy Tech Community College of Indiana",
        "position": 1,
    }
    # the @graph lists them in hasTopChild order; the last is ce-3b21f92b
    assert [c.props["position"] for c in content.competences] == list(range(1, 14))
    assert content.competences[-1].source_id == RES + "ce-3b21f92b-7208-4777-8871-b62d58a15617"


def test_level_descriptors_and_outcomes_are_not_competences() -> None:
    # the 9 Competency nodes describe the framework's levels (asn:hasProgressionLevel)
    name = "schema-dev_HandbookExamples_QualificationsFramework_levelDesriptors.json"
    content = parse_ctdl_document(load(name), name)
    assert content.empty and content.note == (
        "no credential, learning opportunity, competency, pathway or transfer value: the "
        "document describes QualificationsFramework, skos:ConceptScheme, 3 skos:Concept, "
        "asn:ProgressionModel, 3 asn:ProgressionLevel, 9 Competency"
    )
    # the degree requires both competencies of its achievement list: they are its outcomes
    name = "schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s_2_2_CompetenceAndDegree.json"
    content = parse_ctdl_document(load(name), name)
    assert len(content.records[0].outcomes) == 2 and content.competences == []


def test_a_transfer_value_between_items_described_elsewhere() -> None:
    name = "schema-dev_PriorLearningRecognition_Examples_tv-example.json"
    content = parse_ctdl_document(load(name), name)
    res = "http://example.org/resources/ce-"
    (value,) = content.records
    # no name or description: the title says the value (ceterms:value 15,
    # creditUnitType "creditUnit:DegreeCredit")
    assert value.source_type == "TransferValueProfile"
    assert value.title == {"en": "Transfer value: 15 creditUnit:DegreeCredit"}
    assert value.extra["transfer_value_from"] == [res + "4a96e17f-aba7-41a2-b4ae-df88ba23dee6"]
    assert value.extra["transfer_value_for"] == [res + "dab6c03f-4209-4310-8723-40ef7f25a2cb"]
    assert value.extra["provider_ref"] == res + "ac346c60-9f8c-4130-b955-ed947603fbd4"
    (link,) = content.links
    assert (link.source, link.kind, link.target) == (
        res + "4a96e17f-aba7-41a2-b4ae-df88ba23dee6",
        EdgeKind.STACKS_INTO,
        res + "dab6c03f-4209-4310-8723-40ef7f25a2cb",
    )
    assert link.props == {
        "transfer_value": "15 creditUnit:DegreeCredit",
        "profile": res + "ecdf8840-2222-4832-bed0-0af77d7a4a0c",
    }


def test_transfer_agreements() -> None:
    name = "schema-dev_PriorLearningRecognition_Examples_ta-example.json"
    content = parse_ctdl_document(load(name), name)
    res = "http://example.org/resources/ce-"
    (agreement,) = content.records
    # no name, and its organisations are only referenced
    assert agreement.source_type == "TransferAgreement"
    assert agreement.title == {"en": "Transfer agreement"}
    assert len(agreement.extra["transfer_value_profiles"]) == 4
    (link,) = content.links  # sendingProgram -> receivingProgram
    assert (link.source, link.target) == (
        res + "79c8319b-35f8-4b5b-87c9-51df174febf3",
        res + "8e3d83ee-bf56-439c-98d8-0f269dafd3a5",
    )
    assert link.props == {"agreement": res + "56615a9f-256c-4557-8554-ce4df58905fa"}
    # sendingOrganization / receivingOrganization resolve to CredentialOrganizations
    name = "schema-dev_HandbookExamples_RecognitionOfPriorLearning_support-example.json"
    (agreement,) = parse_ctdl(load(name), name)
    assert agreement.title == {
        "en": "Transfer agreement between Erewhon College and Erewhon University"
    }
