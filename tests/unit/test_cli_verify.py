"""`credgraph verify` on the real samples: the verdict is printed (or the one JSON document
with --json); the exit status is 0 whenever a verdict is given (the CLI contract in
docs/cli.md: 0 on success), and with --strict it is the verdict — 0 valid, 3 invalid,
4 could_not_check, 5 unsigned; 1 when the file cannot be read (docs/verification.md).

Samples, as tests/unit/test_verification.py reads them: the EDC "Annex 1" micro-credential
sealed with JAdES (a test seal, expired 2025-05-10, valid at its signing time); the same
with one letter of its title ("EDC building training course") changed; the unsealed Annex 1
sample; a DC4EU attestation whose EcdsaSecp256k1Signature2019 key is a did:ebsi DID.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from credgraph.cli import VERIFY_EXIT, main

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "microcredentials"
SIGNED = FIXTURES / "elm" / "Sample-MC-Annex1-signed.jsonld.gz"
UNSIGNED = FIXTURES / "elm" / "Sample-MC-Annex1-unsigned.jsonld.gz"
DID_KEY = FIXTURES / "dc4eu" / "ProfessionalTrainingCertificate.json"
TITLE = b"EDC building training course"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exit_info:
        main(["--quiet", *args])
    out, err = capsys.readouterr()
    return int(exit_info.value.code or 0), out, err


@pytest.fixture
def tampered(tmp_path: Path) -> Path:
    data = gzip.decompress(SIGNED.read_bytes())
    assert data.count(TITLE) >= 1
    path = tmp_path / "Sample-MC-Annex1-tampered.jsonld"
    path.write_bytes(data.replace(TITLE, TITLE[:-1] + b"X", 1))  # one byte changed
    return path


def test_the_exit_statuses_are_distinct() -> None:
    assert VERIFY_EXIT == {"valid": 0, "invalid": 3, "could_not_check": 4, "unsigned": 5}


def test_signed_sample_is_valid_and_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["verify", str(SIGNED)], capsys)
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith("valid: signature matches the signed data")
    # integrity, trust and expiry on their own lines
    assert [line.split(":")[0].strip() for line in lines[1:]] == ["integrity", "trust", "expiry"]
    assert lines[3].startswith("  expiry: expired: the signing certificate expired on 2025-05-10")


def test_tampered_copy_is_invalid_and_exits_3(
    tampered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(["verify", "--strict", str(tampered)], capsys)
    assert (code, err) == (3, "")
    assert out.startswith("invalid: ")
    assert "  integrity: invalid: " in out
    # --json: the same verdict and status, one JSON document and nothing else
    code, out, err = _run(["verify", "--strict", "--json", str(tampered)], capsys)
    assert (code, err) == (3, "")
    result = json.loads(out)
    assert (result["status"], result["integrity"]["status"]) == ("invalid", "invalid")


def test_a_gzipped_tampered_copy_is_invalid_too(
    tampered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "tampered.jsonld.gz"
    path.write_bytes(gzip.compress(tampered.read_bytes()))
    code, out, _ = _run(["verify", "--strict", "--json", str(path)], capsys)
    assert code == 3 and json.loads(out)["status"] == "invalid"


def test_unsigned_sample_exits_5(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["verify", "--strict", str(UNSIGNED)], capsys)
    assert (code, err) == (5, "")
    assert out.splitlines()[0] == (
        "unsigned: the document carries no signature, proof or verification method"
    )
    code, out, _ = _run(["verify", "--strict", "--json", str(UNSIGNED)], capsys)
    assert code == 5 and json.loads(out)["status"] == "unsigned"


def test_a_key_outside_the_document_could_not_be_checked_exits_4(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _run(["verify", "--strict", "--json", str(DID_KEY)], capsys)
    result = json.loads(out)
    assert code == 4 and result["status"] == "could_not_check"
    assert result["method"] == "VC proof EcdsaSecp256k1Signature2019"


def test_valid_with_json_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(["verify", "--json", str(SIGNED)], capsys)
    assert (code, err) == (0, "")
    assert json.loads(out)["status"] == "valid"


def test_unreadable_file_exits_1_with_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"payload": ', encoding="utf-8")
    code, out, err = _run(["verify", "--json", str(broken)], capsys)
    assert (code, out) == (1, "")
    first, hint = err.splitlines()
    assert first.startswith(f"error: {broken}:1:") and "invalid JSON" in first
    assert hint.startswith("hint: ")


def test_without_strict_every_verdict_exits_0(
    tampered: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # the CLI contract (docs/cli.md): a command that did its work exits 0; the verdict is the output
    for path, status in (
        (tampered, "invalid"),
        (UNSIGNED, "unsigned"),
        (DID_KEY, "could_not_check"),
    ):
        code, out, err = _run(["verify", "--json", str(path)], capsys)
        assert (code, err) == (0, "")
        assert json.loads(out)["status"] == status
