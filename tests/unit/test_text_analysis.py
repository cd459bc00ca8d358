"""Czech-aware analysis: forms checked by hand against Czech grammar."""

from __future__ import annotations

import pytest

from credgraph.search.text import analyze_words, char_ngrams, fold, light_stem, tokens


def test_fold_removes_diacritics_and_invisible_characters() -> None:
    assert fold("Svářečům\u200b") == "svarecum"
    assert fold("ŘÍZENÍ") == "rizeni"


def test_tokens_split_on_punctuation_and_keep_digits() -> None:
    assert tokens("Montér/montérka (26-021-H)") == ["montér", "montérka", "26", "021", "h"]


@pytest.mark.parametrize(
    ("inflected", "base"),
    [
        ("svářečům", "svářeč"),  # dative plural, not in simplemma's dictionary
        ("pokrývači", "pokrývač"),  # nominative plural
        ("kuchařka", "kuchař"),  # feminine form
        ("zedníkům", "zedník"),  # dative plural
        ("elektrikáři", "elektrikář"),
    ],
)
def test_inflected_and_base_forms_share_a_form(inflected: str, base: str) -> None:
    assert set(analyze_words(inflected)) & set(analyze_words(base))


def test_english_plural_meets_singular() -> None:
    assert "manager" in analyze_words("managers")


def test_light_stem_keeps_short_words() -> None:
    assert light_stem("kov") == "kov"
    assert light_stem("2024") == "2024"


def test_char_ngrams_are_padded() -> None:
    assert char_ngrams("ab") == ["#ab", "ab#", "#ab#"]
    assert "#sv" in char_ngrams("Svářeč")
