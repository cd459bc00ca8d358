"""Czech-aware text analysis for the lexical index.

A token becomes a small set of *forms* that are all indexed (and all looked up at query
time), so a match in any of them counts:
- the surface form, lower-cased with diacritics folded (``Svářečům`` → ``svarecum``);
- its simplemma lemma in Czech and in English, folded (``pokrývači`` → ``pokryvac``,
  ``managers`` → ``manager``);
- a light Czech stem: case endings and the feminine ``-ka``/``-kyně`` suffix removed from the
  folded form (``svarecum`` → ``svarec``, ``kucharka`` → ``kuchar``) for words the lemmatiser
  does not know.
Character n-grams (3–4) of the folded surface forms catch compounds and forms none of the
above reach. Documents and queries go through the same functions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import simplemma

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)

# Longest first. Case endings of Czech nouns/adjectives and common feminine suffixes.
_CS_SUFFIXES = tuple(
    sorted(
        {
            "atech",
            "atum",
            "atama",
            "aty",
            "ata",
            "aten",
            "eti",
            "ete",
            "kyne",
            "kyni",
            "kynim",
            "kynemi",
            "kynich",
            "kami",
            "kach",
            "kam",
            "kou",
            "ka",
            "ky",
            "ce",
            "ek",
            "ovi",
            "ove",
            "ovy",
            "ova",
            "ovou",
            "ovych",
            "ovym",
            "ami",
            "emi",
            "ich",
            "ach",
            "ech",
            "ych",
            "ymi",
            "imi",
            "ym",
            "im",
            "um",
            "em",
            "ou",
            "am",
            "ho",
            "mu",
            "a",
            "e",
            "i",
            "o",
            "u",
            "y",
        },
        key=len,
        reverse=True,
    )
)
_MIN_STEM = 3


def fold(text: str) -> str:
    """Lower-case, NFKD, strip combining marks and invisible characters."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_INVISIBLE).lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    """Surface word tokens (lower-cased, diacritics kept)."""
    cleaned = unicodedata.normalize("NFC", text.translate(_INVISIBLE)).lower()
    return _WORD.findall(cleaned)


def light_stem(folded: str) -> str:
    """Strip one Czech inflectional/feminine suffix from a folded word (stem ≥ 3 letters)."""
    if len(folded) <= _MIN_STEM + 1 or folded.isdigit():
        return folded
    for suffix in _CS_SUFFIXES:
        if folded.endswith(suffix) and len(folded) - len(suffix) >= _MIN_STEM:
            return folded[: -len(suffix)]
    return folded


@lru_cache(maxsize=500_000)
def word_forms(token: str) -> tuple[str, ...]:
    """Every indexed form of one surface token (see the module docstring)."""
    forms = {fold(token)}
    if not token.isdigit() and len(token) > 2:
        for lang in ("cs", "en"):
            forms.add(fold(simplemma.lemmatize(token, lang=lang)))
        forms.add(light_stem(fold(token)))
        # the stem of the lemma, so plural/feminine forms of one word meet
        forms.add(light_stem(fold(simplemma.lemmatize(token, lang="cs"))))
    return tuple(sorted(f for f in forms if f))


def analyze_words(text: str) -> list[str]:
    """All word forms of a text (a form may repeat across tokens: term frequency)."""
    out: list[str] = []
    for token in tokens(text):
        out.extend(word_forms(token))
    return out


def char_ngrams(text: str, sizes: tuple[int, ...] = (3, 4)) -> list[str]:
    """Character n-grams of each folded word, padded with ``#`` at both ends."""
    out: list[str] = []
    for token in tokens(text):
        padded = f"#{fold(token)}#"
        for n in sizes:
            if len(padded) < n:
                continue
            out.extend(padded[i : i + n] for i in range(len(padded) - n + 1))
    return out


def ngram_coverage(query: str, text: str) -> float:
    """Share of the query's distinct character n-grams that ``text`` contains (0 to 1):
    how much of the query a matched text holds, whatever the language of its words."""
    grams = set(char_ngrams(query))
    if not grams:
        return 0.0
    return len(grams & set(char_ngrams(text))) / len(grams)
