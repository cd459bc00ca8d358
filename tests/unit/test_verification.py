"""Verification of signed credentials (credgraph.trust) on the real samples in
tests/fixtures/microcredentials, plus documents signed here with throw-away keys for what the
samples do not show (a chain, a trusted root, ES256, a jwk).

Expected values were read off the files by hand, never from the code under test:

- seal certificate (both EDC samples carry the same one; x5c[0] base64-decoded to DER, then
  ``openssl x509 -inform der -noout -serial -dates -fingerprint -sha256 -subject``):
  serial=03378F4D568B289FB8ED0C03, notBefore=May 11 14:31:15 2023 GMT,
  notAfter=May 10 14:31:15 2025 GMT, SHA-256 C8:58:62:4A:…:6A:BF:04,
  subject CN = TEST SEAL, O = ORGANIZACION TEST; issuer CN = ANF AC Qualified Certificates
  for eSeal; RSA 2048 ("Public-Key: (2048 bit)" in ``openssl x509 -text``);
- ``sigT`` from the base64url-decoded protected header (``python -m json.tool``);
- timestamp times: ``openssl ts -reply -token_in -text`` on the adoTst token of the protected
  header and on the sigTst token inside the first ``etsiU`` entry ("Time stamp: …"); the TSA
  certificate is "CN=good-tsa, O=Nowina Solutions" (``openssl pkcs7 -print_certs``).
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import NameOID

import credgraph.trust
from credgraph.errors import InputError
from credgraph.trust import verify_document, verify_file, verify_value

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "microcredentials"
ANNEX1 = SAMPLES / "elm" / "Sample-MC-Annex1-signed.jsonld.gz"
CERT_OF_PART = SAMPLES / "elm" / "Sample-CertOfPart-signed.jsonld.gz"
AFTER_EXPIRY = datetime(2026, 1, 15, tzinfo=UTC)
BEFORE_EXPIRY = datetime(2024, 6, 1, tzinfo=UTC)

SEAL_NOT_AFTER = "2025-05-10T14:31:15Z"
SEAL_NOT_BEFORE = "2023-05-11T14:31:15Z"
SEAL_SERIAL = "03378F4D568B289FB8ED0C03"
SEAL_SHA256 = "C858624A53802DCA996625B4F987C372D55C0979BDE9B513B63E7137AA6ABF04"

# (file, sigT, adoTst "Time stamp", sigTst "Time stamp", a title to tamper with)
SIGNED = [
    (ANNEX1, "2023-09-27T11:54:17Z", "2023-09-27T11:54:17Z", "2023-09-27T11:54:20Z",
     "EDC building training course"),
    (CERT_OF_PART, "2023-09-27T12:07:01Z", "2023-09-27T12:07:01Z", "2023-09-27T12:07:04Z",
     "Certificate of Participation"),
]  # fmt: skip


def raw(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.name.endswith(".gz") else data


def signed_doc(path: Path = ANNEX1) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(raw(path))
    return value


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def protected_header(doc: dict[str, Any]) -> dict[str, Any]:
    text = doc["signatures"][0]["protected"]
    value: dict[str, Any] = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    return value


def with_header(header: dict[str, Any] | bytes, doc: dict[str, Any] | None = None) -> Any:
    """A copy of the Annex1 document whose protected header is replaced (so its signature
    no longer matches: what is tested is that the header problem is found and named)."""
    doc = copy.deepcopy(doc or signed_doc())
    data = header if isinstance(header, bytes) else json.dumps(header).encode()
    doc["signatures"][0]["protected"] = b64url(data)
    return doc


# ---------------------------------------------------------------- the real signed samples


@pytest.mark.parametrize(("path", "sig_t", "ado_tst", "sig_tst", "_title"), SIGNED)
def test_signed_edc_sample_is_valid_and_reports_expiry_and_trust_apart(
    path: Path, sig_t: str, ado_tst: str, sig_tst: str, _title: str
) -> None:
    result = verify_file(path, AFTER_EXPIRY)
    assert result.status == "valid"
    assert result.method == "JAdES (JWS, RS256, b64:false)"
    assert result.integrity.status == "valid"
    assert result.signed_at == sig_t
    assert result.signer is not None
    assert result.signer.serial == SEAL_SERIAL
    assert result.signer.not_before == SEAL_NOT_BEFORE
    assert result.signer.not_after == SEAL_NOT_AFTER
    assert result.signer.sha256 == SEAL_SHA256
    assert result.signer.key == "RSA 2048"
    assert "CN=TEST SEAL" in result.signer.subject
    assert "O=ORGANIZACION TEST" in result.signer.subject
    assert "CN=ANF AC Qualified Certificates for eSeal" in result.signer.issuer
    # expiry: expired now, valid when signed
    assert result.expiry.status == "expired"
    assert result.expiry.not_after == SEAL_NOT_AFTER
    assert result.expiry.checked_at == "2026-01-15T00:00:00Z"
    assert result.expiry.at_signing == "valid"
    # trust: no trust list offline; x5c holds only the seal certificate
    assert result.trust.status == "unknown"
    assert "trust list" in result.trust.reason
    assert (result.chain.status, result.chain.length) == ("not_checked", 1)
    # the headline says integrity passed and that expiry and trust are separate findings
    assert "expired on 2025-05-10" in result.reason
    assert "signer not checked against a trust list" in result.reason
    assert "reported separately" in result.reason
    # both RFC 3161 tokens verify with the TSA certificate they carry and cover the data
    assert (result.timestamp.status, result.timestamp.time) == ("valid", ado_tst)
    assert (result.timestamp.tsa, result.timestamp.imprint) == ("CN=good-tsa", "matches")
    assert (result.signature_timestamp.status, result.signature_timestamp.time) == (
        "valid",
        sig_tst,
    )
    assert result.revocation.status == "not_checked"
    # the fourth etsiU entry is {"rVals": {"crlVals": [...]}}: carried, not evaluated
    assert "rVals" in result.revocation.reason


@pytest.mark.parametrize("path", [ANNEX1, CERT_OF_PART])
def test_expiry_is_judged_at_the_given_time(path: Path) -> None:
    assert verify_file(path, BEFORE_EXPIRY).expiry.status == "valid"
    assert verify_file(path, BEFORE_EXPIRY).status == "valid"
    before = verify_file(path, datetime(2023, 1, 1, tzinfo=UTC))
    assert (before.expiry.status, before.status) == ("not_yet_valid", "valid")
    # a naive time is taken as UTC
    naive = verify_file(path, datetime(2025, 5, 10, 14, 31, 16))
    assert naive.expiry.status == "expired"
    assert verify_file(path, datetime(2025, 5, 10, 14, 31, 15)).expiry.status == "valid"


def test_default_now_is_the_current_time() -> None:
    result = verify_file(ANNEX1)
    assert result.expiry.checked_at is not None
    checked = datetime.fromisoformat(result.expiry.checked_at)
    assert abs(checked - datetime.now(UTC)) < timedelta(minutes=5)


def test_bytes_gzip_and_parsed_value_give_the_same_result() -> None:
    data = raw(ANNEX1)
    plain = verify_document(data, "x", AFTER_EXPIRY).to_dict()
    assert verify_document(ANNEX1.read_bytes(), "x", AFTER_EXPIRY).to_dict() == plain
    assert verify_value(json.loads(data), "x", AFTER_EXPIRY).to_dict() == plain


@pytest.mark.parametrize(("path", "_sig_t", "_ado", "_sig", "title"), SIGNED)
def test_one_changed_letter_in_the_payload_is_invalid(
    path: Path, _sig_t: str, _ado: str, _sig: str, title: str
) -> None:
    data = raw(path)
    tampered = title[:-1] + ("X" if title[-1] != "X" else "Y")
    assert data.count(title.encode()) >= 1
    changed = data.replace(title.encode(), tampered.encode(), 1)
    json.loads(changed)  # still valid JSON
    result = verify_document(changed, "tampered", AFTER_EXPIRY)
    assert result.status == "invalid"
    assert result.integrity.status == "invalid"
    assert "does not match" in result.reason
    # the content timestamp covers the payload, so it no longer matches either
    assert result.timestamp.imprint == "does_not_match"
    assert result.signer is not None  # the certificate is still reported


def test_tampered_signature_is_invalid() -> None:
    doc = signed_doc()
    signature = doc["signatures"][0]["signature"]
    middle = len(signature) // 2
    doc["signatures"][0]["signature"] = (
        signature[:middle] + ("A" if signature[middle] != "A" else "B") + signature[middle + 1 :]
    )
    result = verify_value(doc, now=AFTER_EXPIRY)
    assert (result.status, result.integrity.status) == ("invalid", "invalid")
    assert "does not match" in result.reason


def test_stray_bits_in_the_last_signature_character_are_refused() -> None:
    # 256 signature bytes take 342 base64url characters; the last one has 4 unused bits
    doc = signed_doc()
    signature = doc["signatures"][0]["signature"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(signature[-1])
    assert last % 16 == 0  # a canonical last character has its 4 low bits clear
    doc["signatures"][0]["signature"] = signature[:-1] + alphabet[last + 1]
    result = verify_value(doc)
    assert result.status == "invalid"
    assert "canonical" in result.reason


def test_changing_the_unprotected_header_does_not_break_the_seal() -> None:
    # etsiU is unsigned by design (JAdES adds timestamps and revocation data after signing)
    doc = signed_doc()
    doc["signatures"][0]["header"] = {}
    result = verify_value(doc, now=AFTER_EXPIRY)
    assert result.status == "valid"
    assert result.signature_timestamp.status == "absent"


# ---------------------------------------------------------------- documents without a seal

UNSIGNED = [
    "elm/Sample-MC-Annex1-unsigned.jsonld.gz",
    "elm/Sample-MC-Annex1-unsigned-uploadable.json.gz",
    "elm/Sample-CertOfPart-unsigned.jsonld",
    "elm/Sample-CertOfPart-unsigned-uploadable.json",
    "elm/credential-sample.jsonld",
    "dc4eu/euhe-microcredential-example-john-doe.json",
    "dc4eu/euvet-microcredential-example-john-doe.json",
    "mynextid/edc_examples_edc-mc-example.json.gz",
    "mynextid/open-badge_examples_open-badge-mc-example.json",
    "openbadges/ob3_Sample_OpenBadgeCredential.json",
    "openbadges/ob2_02_Issuer.json",
    # CTDL-in-VC examples carry an empty "proof": {} template
    "ctdl/schema-dev_CTDLinLERs_VCs_OpenBadges_CLRs_s1_2_DegreeInRegistryAndVC.json",
]


@pytest.mark.parametrize("name", UNSIGNED)
def test_unsigned_samples_are_unsigned(name: str) -> None:
    result = verify_file(SAMPLES / name)
    assert result.status == "unsigned"
    assert result.method is None
    assert result.signer is None
    assert result.integrity.status == "not_checked"
    assert "no signature" in result.reason
    assert result.embedded == ()


def test_uploadable_wrapper_and_holder_key_are_named() -> None:
    assert (
        "uploadable"
        in verify_file(SAMPLES / "elm/Sample-CertOfPart-unsigned-uploadable.json").reason
    )
    mynextid = verify_file(SAMPLES / "mynextid/edc_examples_edc-mc-example.json.gz")
    assert "cnf names a holder key" in mynextid.reason
    # its "status" names two StatusList2021Entry lists at app.velocert.com
    assert "StatusList2021Entry" in mynextid.revocation.reason
    assert mynextid.revocation.status == "not_checked"


def test_endorsement_proofs_inside_an_unsigned_badge_are_listed() -> None:
    # ob3_Complete_OpenBadgeCredential.json has no proof of its own; five endorsements in it
    # carry DataIntegrityProof eddsa-rdf-2022 proofs with https verificationMethods
    # (found by hand: grep -n '"proof"' and reading the paths)
    result = verify_file(SAMPLES / "openbadges/ob3_Complete_OpenBadgeCredential.json")
    assert result.status == "unsigned"
    assert sorted(e.path for e in result.embedded) == [
        "credentialSubject.achievement.creator.endorsement[0]",
        "credentialSubject.achievement.creator.endorsement[1]",
        "credentialSubject.achievement.endorsement[0]",
        "endorsement[0]",
        "issuer.endorsement[0]",
    ]
    for item in result.embedded:
        assert item.status == "could_not_check"
        assert item.method == "VC proof DataIntegrityProof (eddsa-rdf-2022)"
        assert "https://accrediter.edu/issuers/565049" in item.reason
    assert "5 embedded" in result.reason


# ---------------------------------------------------------------- proofs that cannot be checked

DC4EU = [
    # (file, proof.created, proofValue is the placeholder "prrofValueHash")
    ("CertificateOfProfessionalSuitability.json", "2024-09-01T08:15:27Z", True),
    ("ContinuousProfessionalDevelopment.json", "2024-09-01T08:15:27Z", True),
    ("ProfessionalTrainingCertificate.json", "2024-12-01T10:25:43Z", False),
]


@pytest.mark.parametrize(("name", "created", "placeholder"), DC4EU)
def test_dc4eu_proofs_could_not_be_checked(name: str, created: str, placeholder: bool) -> None:
    result = verify_file(SAMPLES / "dc4eu" / name)
    assert result.status == "could_not_check"
    assert result.method == "VC proof EcdsaSecp256k1Signature2019"
    assert result.integrity.status == "not_checked"
    assert "did:ebsi:" in result.reason
    assert "EBSI DID registry" in result.reason
    assert result.signed_at == created
    assert ("placeholder" in result.reason) is placeholder
    assert result.trust.status == "unknown"
    assert result.expiry.status == "unknown"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ob2_01_Assertion.json", "OB 2.0 hosted verification"),
        ("ob2_15_Endorsement.json", "OB 2.0 hosted verification"),
        ("ob2_16_Endorsement.json", "OB 2.0 hosted verification"),
        ("ob2_03_Assertion.json", "OB 2.0 signed verification"),
    ],
)
def test_open_badges_2_verification_could_not_be_checked(name: str, method: str) -> None:
    result = verify_file(SAMPLES / "openbadges" / name)
    assert (result.status, result.method) == ("could_not_check", method)
    assert "no network" in result.reason


def test_hosted_badge_reason_names_the_url_to_fetch() -> None:
    result = verify_file(SAMPLES / "openbadges/ob2_01_Assertion.json")
    assert "https://example.org/beths-robotics-badge.json" in result.reason
    signed = verify_file(SAMPLES / "openbadges/ob2_03_Assertion.json")
    assert "https://example.org/publicKey.json" in signed.reason


def test_a_proof_without_type_is_invalid_and_a_proof_list_is_read() -> None:
    doc = json.loads((SAMPLES / "dc4eu/ProfessionalTrainingCertificate.json").read_bytes())
    broken = dict(doc, proof={"proofValue": "x"})
    assert verify_value(broken).status == "invalid"
    assert verify_value(dict(doc, proof=["nonsense"])).status == "invalid"
    listed = verify_value(dict(doc, proof=[doc["proof"], doc["proof"]]))
    assert listed.status == "could_not_check"
    assert listed.method is not None and listed.method.count("EcdsaSecp256k1Signature2019") == 2


# ---------------------------------------------------------------- hostile and broken input


def test_input_that_is_not_json_raises_input_error_with_position() -> None:
    with pytest.raises(InputError, match=r"bad:1:2"):
        verify_document(b"{nope", "bad")
    with pytest.raises(InputError, match="UTF-8"):
        verify_document(b"\xff\xfe", "bad")
    with pytest.raises(InputError, match="gzip"):
        verify_document(b"\x1f\x8b\x08\x00garbage", "bad")
    text = (SAMPLES / "openbadges/ob2_invalidjson_02_Assertion.json.txt").read_bytes()
    with pytest.raises(InputError, match="invalid JSON"):
        verify_document(text, "ob2")


def test_a_json_value_that_is_not_a_document_is_unsigned() -> None:
    for value in ([1, 2], "text", 3, None):
        result = verify_value(value)
        assert result.status == "unsigned"


@pytest.mark.parametrize(
    ("mutate", "status", "words"),
    [
        (lambda d: d["signatures"][0].update(protected="!!!notbase64"), "invalid", "base64url"),
        (lambda d: d["signatures"][0].update(protected=b64url(b"not json")), "invalid", "not JSON"),
        (
            lambda d: d["signatures"][0].update(protected=b64url(b"[1]")),
            "invalid",
            "not a JSON object",
        ),
        (lambda d: d["signatures"][0].update(protected=12), "invalid", "not a base64url string"),
        (
            lambda d: d["signatures"][0].update(protected="A" * 400_000),
            "could_not_check",
            "allowed",
        ),
        (lambda d: d["signatures"][0].pop("protected"), "could_not_check", "no protected header"),
        (lambda d: d["signatures"][0].pop("signature"), "invalid", "no signature value"),
        (lambda d: d["signatures"][0].update(signature="@@"), "invalid", "base64url"),
        (lambda d: d["signatures"][0].update(signature="AAAA"), "invalid", "256"),
        (lambda d: d["signatures"][0].update(header="x"), "invalid", "unprotected header"),
        (lambda d: d["signatures"][0].update(header={"alg": "RS256"}), "invalid", "both protected"),
        (lambda d: d.update(signatures=[]), "invalid", "non-empty array"),
        (lambda d: d.update(signatures={"a": 1}), "invalid", "non-empty array"),
        (lambda d: d.update(signatures=["x"]), "invalid", "not an object"),
        (lambda d: d.update(signatures=[d["signatures"][0]] * 9), "could_not_check", "more than"),
        (lambda d: d.update(payload={"a": 1}), "invalid", "not a string"),
        (lambda d: d.update(payload=None), "could_not_check", "detached"),
    ],
)
def test_broken_signature_structure(mutate: Any, status: str, words: str) -> None:
    doc = signed_doc()
    mutate(doc)
    result = verify_value(doc, now=AFTER_EXPIRY)
    assert result.status == status, result.reason
    assert words in result.reason
    assert result.status != "valid"
    json.dumps(result.to_dict())


def test_random_damage_never_passes_and_never_raises() -> None:
    """Seeded: change one character of the protected header, the signature, the payload, the
    seal certificate or the adoTst token; the answer is never valid and never an exception."""
    rng = random.Random(20260115)
    doc = signed_doc()
    header = protected_header(doc)
    alphabet = "AZaz09-_+/=.!"
    for _ in range(150):
        damaged = copy.deepcopy(doc)
        part = rng.choice(["protected", "signature", "payload", "x5c", "adoTst"])
        if part in ("protected", "signature"):
            text = damaged["signatures"][0][part]
        elif part == "payload":
            text = damaged["payload"]
        elif part == "x5c":
            text = header["x5c"][0]
        else:
            text = header["adoTst"]["tstTokens"][0]["val"]
        at = rng.randrange(len(text))
        new = text[:at] + rng.choice([c for c in alphabet if c != text[at]]) + text[at + 1 :]
        if part in ("protected", "signature"):
            damaged["signatures"][0][part] = new
        elif part == "payload":
            damaged["payload"] = new
        else:
            changed = copy.deepcopy(header)
            if part == "x5c":
                changed["x5c"][0] = new
            else:
                changed["adoTst"]["tstTokens"][0]["val"] = new
            damaged = with_header(changed, damaged)
        result = verify_value(damaged, now=AFTER_EXPIRY)
        assert result.status in ("invalid", "could_not_check"), (part, at)
        json.dumps(result.to_dict())


def _header_change(**changes: Any) -> dict[str, Any]:
    header = protected_header(signed_doc())
    for key, value in changes.items():
        if value is ...:
            del header[key.replace("_", "#")]
        else:
            header[key.replace("_", "#")] = value
    return header


@pytest.mark.parametrize(
    ("header", "status", "words"),
    [
        (_header_change(x5c=["AAAA"]), "invalid", "x5c certificate 1 is not an X.509"),
        (_header_change(x5c=["%%%"]), "invalid", "x5c certificate 1 is not valid base64"),
        (_header_change(x5c="MIIB"), "invalid", "not an array"),
        (_header_change(x5c=[]), "invalid", "empty array"),
        (_header_change(x5c=[1]), "invalid", "not a base64 string"),
        (_header_change(x5t_S256=b64url(b"\0" * 32)), "invalid", "x5t#S256 does not match"),
        (_header_change(alg="none"), "invalid", "unsecured"),
        (_header_change(alg="HS256"), "could_not_check", "shared-secret"),
        (_header_change(alg="XY999"), "could_not_check", "not supported"),
        (_header_change(alg=7), "invalid", "no alg"),
        (_header_change(alg=...), "invalid", "no alg"),
        (_header_change(alg="ES256"), "invalid", "needs an secp256r1 key"),
        (_header_change(crit=["b64", "sigT", "adoTst", "sigD"]), "invalid", "not in the header"),
        (_header_change(crit=["b64", "sigT", "adoTst", "cty"]), "invalid", "every JWS reader"),
        (_header_change(crit="b64"), "invalid", "non-empty array"),
        (_header_change(crit=["b64", "b64"]), "invalid", "twice"),
        (_header_change(crit=["b64", "sigT", "adoTst", "zz"], zz=1), "could_not_check", "'zz'"),
        (_header_change(crit=["sigT", "adoTst"]), "invalid", "not listed in crit"),
        (_header_change(b64="false"), "invalid", "not a boolean"),
        (_header_change(sigT="yesterday"), "invalid", "sigT"),
        (_header_change(sigT="2023-09-27T11:54:17"), "invalid", "no time zone"),
        (_header_change(x5c=..., x5t_S256=...), "could_not_check", "not in the document"),
        (_header_change(jwk={"kty": "RSA", "n": "AQAB"}, x5c=...), "invalid", "member 'e'"),
        # n = 3233 = 61 * 53, e = 17: a textbook key far too short to mean anything
        (
            _header_change(jwk={"kty": "RSA", "n": "DKE", "e": "EQ"}, x5c=...),
            "invalid",
            "too short",
        ),
        (
            _header_change(jwk={"kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"}, x5c=...),
            "invalid",
            "jwk",
        ),
        (_header_change(jwk={"kty": "oct", "k": "AA"}, x5c=...), "could_not_check", "oct"),
        (_header_change(jwk="key", x5c=...), "invalid", "jwk"),
    ],
)
def test_broken_protected_header(header: dict[str, Any], status: str, words: str) -> None:
    result = verify_value(with_header(header), now=AFTER_EXPIRY)
    assert result.status == status, result.reason
    assert words in result.reason, result.reason


def test_duplicate_header_names_are_refused() -> None:
    text = json.dumps(protected_header(signed_doc()))
    doubled = text[:-1] + ', "alg": "RS256"}'
    result = verify_value(with_header(doubled.encode()))
    assert result.status == "invalid"
    assert "'alg' appears more than once" in result.reason


def test_certificate_only_in_the_unprotected_header_is_refused() -> None:
    doc = signed_doc()
    header = protected_header(doc)
    doc["signatures"][0]["header"] = {"x5c": header.pop("x5c")}
    result = verify_value(with_header(header, doc))
    assert result.status == "could_not_check"
    assert "x5c is only in the unprotected header" in result.reason


def test_key_ids_only_are_named() -> None:
    header = _header_change(x5c=..., x5t_S256=..., x5u="https://example.org/cert.pem")
    result = verify_value(with_header(header))
    assert result.status == "could_not_check"
    assert "x5u 'https://example.org/cert.pem'" in result.reason
    assert "kid" in result.reason


def test_broken_timestamp_token_is_reported_without_hiding_a_good_seal() -> None:
    # adoTst lives in the protected header, so breaking it breaks the seal as well; break the
    # unprotected sigTst instead, whose token is checked on its own
    doc = signed_doc()
    doc["signatures"][0]["header"] = {
        "etsiU": [b64url(json.dumps({"sigTst": {"tstTokens": [{"val": "MIIBAAAA"}]}}).encode())]
    }
    result = verify_value(doc, now=AFTER_EXPIRY)
    assert result.status == "valid"
    assert result.signature_timestamp.status == "invalid"
    doc["signatures"][0]["header"] = {"etsiU": "x"}
    assert verify_value(doc, now=AFTER_EXPIRY).signature_timestamp.status == "invalid"
    doc["signatures"][0]["header"] = {"etsiU": ["A" * (1024 * 1024 + 4)]}
    oversized = verify_value(doc, now=AFTER_EXPIRY)
    assert (oversized.status, oversized.signature_timestamp.status) == ("valid", "not_checked")


def test_real_timestamp_token_over_other_data_does_not_match() -> None:
    doc = signed_doc()
    etsiu = doc["signatures"][0]["header"]["etsiU"]
    # put the signature timestamp (over the signature value) where adoTst is checked
    first = json.loads(base64.urlsafe_b64decode(etsiu[0] + "=" * (-len(etsiu[0]) % 4)))
    from credgraph.trust.timestamp import check_container

    stamp = check_container(first["sigTst"], doc["payload"].encode(), "adoTst")
    assert (stamp.status, stamp.imprint) == ("invalid", "does_not_match")


# ---------------------------------------------------------------- signed here: chain and trust


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


def _cert(
    subject: str,
    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey,
    issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None,
    ca: bool,
    days: tuple[int, int] = (-30, 365),
) -> x509.Certificate:
    now = datetime.now(UTC)
    issuer_name = issuer[0].subject if issuer else _name(subject)
    signer_key = issuer[1] if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now + timedelta(days=days[0]))
        .not_valid_after(now + timedelta(days=days[1]))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    assert isinstance(signer_key, ec.EllipticCurvePrivateKey)
    return builder.sign(signer_key, hashes.SHA256())


class Pki:
    """root → intermediate → seal, all P-256."""

    def __init__(self) -> None:
        self.root_key = ec.generate_private_key(ec.SECP256R1())
        self.root = _cert("Test Root", self.root_key, None, ca=True)
        self.mid_key = ec.generate_private_key(ec.SECP256R1())
        self.mid = _cert("Test Intermediate", self.mid_key, (self.root, self.root_key), ca=True)
        self.seal_key = ec.generate_private_key(ec.SECP256R1())
        self.seal = _cert("Test Seal", self.seal_key, (self.mid, self.mid_key), ca=False)


@pytest.fixture(scope="module")
def pki() -> Pki:
    return Pki()


def _der64(cert: x509.Certificate) -> str:
    return base64.b64encode(cert.public_bytes(Encoding.DER)).decode()


def _es256(key: ec.EllipticCurvePrivateKey, data: bytes) -> str:
    r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
    return b64url(r.to_bytes(32, "big") + s.to_bytes(32, "big"))


def jades(
    key: ec.EllipticCurvePrivateKey,
    chain: Sequence[x509.Certificate],
    payload: str = '{"id": "urn:test:1", "title": "Kurz svařování"}',
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A JAdES-shaped JWS (b64:false, sigT) signed with ``key``."""
    header = {
        "alg": "ES256",
        "b64": False,
        "crit": ["b64", "sigT"],
        "sigT": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "x5c": [_der64(c) for c in chain],
        **(extra or {}),
    }
    protected = b64url(json.dumps(header).encode())
    signature = _es256(key, protected.encode() + b"." + payload.encode("utf-8"))
    return {"payload": payload, "signatures": [{"protected": protected, "signature": signature}]}


def test_generated_chain_to_a_given_root_is_trusted(pki: Pki) -> None:
    doc = jades(pki.seal_key, [pki.seal, pki.mid])
    result = verify_value(doc, trusted_roots=[pki.root])
    assert result.status == "valid"
    assert result.method == "JAdES (JWS, ES256, b64:false)"
    assert (result.chain.status, result.chain.length) == ("valid", 2)
    assert result.trust.status == "trusted"
    assert "Test Root" in result.trust.reason
    assert result.signer is not None and result.signer.key == "EC secp256r1"
    # the root may also be the last x5c certificate itself
    full = verify_value(
        jades(pki.seal_key, [pki.seal, pki.mid, pki.root]), trusted_roots=[pki.root]
    )
    assert (full.chain.length, full.trust.status) == (3, "trusted")
    # without roots: integrity and chain still checked, trust unknown
    unknown = verify_value(doc)
    assert (unknown.status, unknown.chain.status, unknown.trust.status) == (
        "valid",
        "valid",
        "unknown",
    )


def test_other_root_or_broken_chain_is_untrusted(pki: Pki) -> None:
    other = Pki()
    doc = jades(pki.seal_key, [pki.seal, pki.mid])
    result = verify_value(doc, trusted_roots=[other.root])
    assert (result.status, result.trust.status) == ("valid", "untrusted")
    broken = verify_value(jades(pki.seal_key, [pki.seal, other.mid]), trusted_roots=[pki.root])
    assert broken.status == "valid"  # the signature itself matches the seal certificate
    assert broken.chain.status == "invalid"
    assert broken.trust.status == "untrusted"
    # the real seal does not chain to a root we made
    real = verify_file(ANNEX1, AFTER_EXPIRY, trusted_roots=[pki.root])
    assert (real.status, real.trust.status) == ("valid", "untrusted")
    assert "ANF AC Qualified Certificates for eSeal" in real.trust.reason


def test_intermediate_expired_at_signing_is_untrusted(pki: Pki) -> None:
    old_mid = _cert("Old Intermediate", pki.mid_key, (pki.root, pki.root_key), True, (-900, -400))
    seal = _cert("Seal", pki.seal_key, (old_mid, pki.mid_key), ca=False)
    result = verify_value(jades(pki.seal_key, [seal, old_mid]), trusted_roots=[pki.root])
    assert result.trust.status == "untrusted"
    assert "expired" in result.trust.reason


def test_signature_with_another_key_is_invalid(pki: Pki) -> None:
    doc = jades(pki.mid_key, [pki.seal, pki.mid])  # signed by a key that is not the seal's
    result = verify_value(doc, trusted_roots=[pki.root])
    assert (result.status, result.integrity.status) == ("invalid", "invalid")
    assert result.trust.status == "trusted"  # the certificate chain itself is fine


def test_every_signature_must_match(pki: Pki) -> None:
    good = jades(pki.seal_key, [pki.seal, pki.mid])
    bad = jades(pki.mid_key, [pki.seal, pki.mid])
    doc = {"payload": good["payload"], "signatures": good["signatures"] + bad["signatures"]}
    result = verify_value(doc)
    assert result.status == "invalid"
    assert "(signature 2 of 2)" in result.reason
    flattened = {"payload": good["payload"], **good["signatures"][0]}
    assert verify_value(flattened).status == "valid"


def test_b64_true_payload_and_ecdsa_length(pki: Pki) -> None:
    payload = b64url(b'{"id": "urn:test:2"}')
    header = {"alg": "ES256", "x5c": [_der64(pki.seal)]}
    protected = b64url(json.dumps(header).encode())
    signature = _es256(pki.seal_key, f"{protected}.{payload}".encode())
    doc = {"payload": payload, "protected": protected, "signature": signature}
    result = verify_value(doc)
    assert (result.status, result.method) == ("valid", "JWS (ES256)")
    short = dict(doc, signature=signature[:-4])
    assert "64" in verify_value(short).reason
    assert verify_value(short).status == "invalid"


def test_compact_jws_with_a_jwk(pki: Pki) -> None:
    numbers = pki.seal_key.public_key().public_numbers()
    jwk = {
        "kty": "EC",
        "crv": "P-256",
        "x": b64url(numbers.x.to_bytes(32, "big")),
        "y": b64url(numbers.y.to_bytes(32, "big")),
    }
    protected = b64url(json.dumps({"alg": "ES256", "jwk": jwk}).encode())
    payload = b64url(json.dumps({"iss": "urn:x", "iat": 1700000000}).encode())
    token = f"{protected}.{payload}.{_es256(pki.seal_key, f'{protected}.{payload}'.encode())}"
    result = verify_document(token.encode(), "jwt")
    assert (result.status, result.method) == ("valid", "JWS compact (ES256)")
    assert result.signer is None and result.trust.status == "unknown"
    assert result.signed_at == "2023-11-14T22:13:20Z"  # iat 1700000000 (date -u -d @1700000000)
    assert verify_value(token).status == "valid"  # a JSON string holding the JWS
    envelope = {
        "type": ["EnvelopedVerifiableCredential"],
        "id": f"data:application/vc+jwt,{token}",
    }
    enveloped = verify_value(envelope)
    assert enveloped.status == "valid"
    assert enveloped.method == "VC 2.0 envelope, JWS compact (ES256)"
    tampered = token[: len(protected) + 5] + ("A" if token[len(protected) + 5] != "A" else "B")
    tampered += token[len(protected) + 6 :]
    assert verify_document(tampered.encode()).status == "invalid"
    # a compact JWS inside an otherwise unsigned document is listed
    inner = verify_value({"name": "badge", "endorsementJwt": [token]})
    assert inner.status == "unsigned"
    assert [(e.path, e.status) for e in inner.embedded] == [("endorsementJwt[0]", "valid")]


# ---------------------------------------------------------------- output shape


def test_to_dict_shape() -> None:
    result = verify_file(ANNEX1, AFTER_EXPIRY).to_dict()
    assert list(result) == [
        "status",
        "reason",
        "source",
        "method",
        "integrity",
        "signer",
        "chain",
        "trust",
        "expiry",
        "signed_at",
        "timestamp",
        "signature_timestamp",
        "revocation",
        "embedded",
    ]
    assert set(result["integrity"]) == {"status", "reason"}
    assert set(result["trust"]) == {"status", "reason"}
    assert set(result["chain"]) == {"status", "length", "reason"}
    assert set(result["signer"]) == {
        "subject",
        "issuer",
        "serial",
        "not_before",
        "not_after",
        "sha256",
        "key",
    }
    assert set(result["expiry"]) == {"status", "not_after", "checked_at", "at_signing", "reason"}
    assert set(result["timestamp"]) == {"status", "time", "tsa", "imprint", "reason"}
    assert json.loads(json.dumps(result)) == result
    unsigned = verify_file(SAMPLES / "elm/credential-sample.jsonld").to_dict()
    assert unsigned["signer"] is None and unsigned["method"] is None


def test_public_api() -> None:
    assert sorted(credgraph.trust.__all__) == [
        "Chain",
        "Embedded",
        "Expiry",
        "Integrity",
        "Revocation",
        "Signer",
        "Timestamp",
        "Trust",
        "Verification",
        "verify_document",
        "verify_file",
        "verify_value",
    ]
